use std::collections::BTreeMap;

use leptos::prelude::*;
use orbital_types::ObjectRef;

use crate::api::{ObjectError, reveal_secret};

/// A Secret's values by key, or why they could not be had.
type Revealed = Result<BTreeMap<String, String>, ObjectError>;

/// A reveal the object's page keeps: its body is built again on every change it follows, and
/// values asked for must outlive that. The answer names its Secret, so another Secret's page
/// never shows it.
#[derive(Clone, Copy)]
pub struct SecretReveal(Action<ObjectRef, (ObjectRef, Revealed)>);

impl SecretReveal {
    /// Nothing revealed yet.
    pub fn new() -> Self {
        Self(Action::new(|target: &ObjectRef| {
            let target = target.clone();
            async move { (target.clone(), reveal_secret(target).await) }
        }))
    }
}

impl Default for SecretReveal {
    fn default() -> Self {
        Self::new()
    }
}

/// A Secret's values: hidden until the caller asks, each reveal recorded in the audit log.
#[component]
pub fn SecretValues(
    /// The Secret.
    target: ObjectRef,
) -> impl IntoView {
    let SecretReveal(reveal) = use_context().unwrap_or_default();
    let shown = {
        let target = target.clone();
        move || {
            reveal
                .value()
                .get()
                .filter(|(revealed, _)| *revealed == target)
                .map(|(_, values)| values)
        }
    };
    let pending = reveal.pending();
    view! {
        <section class="panel" aria-labelledby="secret-heading">
            <h2 id="secret-heading">"Values"</h2>
            {move || match shown() {
                None => {
                    let target = target.clone();
                    view! {
                        <p class="muted">"The values are hidden. Revealing them is recorded in the audit log."</p>
                        <button
                            class="button"
                            type="button"
                            data-testid="reveal-secret"
                            disabled=move || pending.get()
                            on:click=move |_| {
                                reveal.dispatch(target.clone());
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
