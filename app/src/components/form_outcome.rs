use std::fmt::Display;

use leptos::prelude::*;

/// A server action's last answer as a form shows it: `done` says what was done, an error says
/// why not.
pub fn outcome_of<T, E>(
    value: MappedSignal<Option<Result<T, E>>>,
    done: impl Fn(&T) -> String + Send + Sync + 'static,
) -> Signal<Option<Result<String, String>>>
where
    T: Send + Sync + 'static,
    E: Display + Send + Sync + 'static,
{
    Signal::derive(move || {
        value.with(|value| {
            value
                .as_ref()
                .map(|result| result.as_ref().map(&done).map_err(ToString::to_string))
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
