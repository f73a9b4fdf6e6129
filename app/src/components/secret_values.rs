use leptos::prelude::*;
use orbital_types::ObjectRef;

use crate::api::reveal_secret;

/// A Secret's values: hidden until the caller asks, each reveal recorded in the audit log.
#[component]
pub fn SecretValues(
    /// The Secret.
    target: ObjectRef,
) -> impl IntoView {
    let reveal = Action::new(move |(): &()| reveal_secret(target.clone()));
    let pending = reveal.pending();
    view! {
        <section class="panel" aria-labelledby="secret-heading">
            <h2 id="secret-heading">"Values"</h2>
            {move || match reveal.value().get() {
                None => {
                    view! {
                        <p class="muted">"The values are hidden. Revealing them is recorded in the audit log."</p>
                        <button
                            class="button"
                            type="button"
                            data-testid="reveal-secret"
                            disabled=move || pending.get()
                            on:click=move |_| {
                                reveal.dispatch(());
                            }
                        >
                            {move || if pending.get() { "Revealing…" } else { "Reveal values" }}
                        </button>
                    }
                        .into_any()
                }
                Some(Ok(values)) => {
                    view! {
                        <dl class="facts" data-testid="secret-values">
                            {values
                                .into_iter()
                                .map(|(key, value)| view! { <dt>{key}</dt><dd><code>{value}</code></dd> })
                                .collect_view()}
                        </dl>
                    }
                        .into_any()
                }
                Some(Err(error)) => {
                    view! { <super::Alert text=format!("Could not reveal the values: {error}") /> }.into_any()
                }
            }}
        </section>
    }
}
