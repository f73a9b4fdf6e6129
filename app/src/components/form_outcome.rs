use std::fmt::Display;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use crate::form_answer::answered;

/// A server action's last answer as a form shows it: `done` says what was done, an error says
/// why not. A form posted without script is answered by the server, which renders the page
/// again with the answer (`FormAnswer`) or the error (Leptos's `__err`).
pub fn outcome_of<S>(
    action: ServerAction<S>,
    done: impl Fn(&S::Output) -> String + Send + Sync + 'static,
) -> Signal<Option<Result<String, String>>>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
    S::Error: Display + Send + Sync + 'static,
{
    let posted = answered::<S>();
    Signal::derive(move || {
        action.value().with(|value| match value {
            Some(result) => Some(result.as_ref().map(&done).map_err(ToString::to_string)),
            None => posted.as_ref().map(|output| Ok(done(output))),
        })
    })
}

/// What became of a form's last submission, read out to screen readers as it changes: nothing
/// yet, what was done, or what is wrong and what to do.
#[component]
pub fn FormOutcome(
    /// The `data-testid` of the paragraph.
    testid: &'static str,
    /// The outcome: `Ok` with what was done, `Err` with why not.
    #[prop(into)]
    outcome: Signal<Option<Result<String, String>>>,
) -> impl IntoView {
    view! {
        <p class="form-outcome" data-testid=testid aria-live="polite">
            {move || match outcome.get() {
                None => view! { <span></span> }.into_any(),
                Some(Ok(done)) => view! { <span class="ok">{done}</span> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <span class="error" role="alert">
                            {error}
                        </span>
                    }
                        .into_any()
                }
            }}
        </p>
    }
}
