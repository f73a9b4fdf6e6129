use leptos::prelude::*;
use orbital_types::{ApiKind, ObjectRef};

use crate::api::{ObjectError, delete_object, get_object};

/// A deletion the object's page keeps, with the name typed to confirm it: the page's body is
/// built again on every change it follows, and neither a deletion under way nor what was typed
/// may be lost with it. The answer names its object, so another object's page never shows it.
#[derive(Clone, Copy)]
pub struct DeleteState {
    /// The object, and the address of its list once it is gone.
    delete: Action<(ObjectRef, String), (ObjectRef, Result<String, ObjectError>)>,
    typed: RwSignal<String>,
}

impl DeleteState {
    /// Nothing typed or deleted yet; once a deletion is seen through, goes to the list it
    /// was given.
    pub fn new() -> Self {
        let delete = Action::new(|(target, list): &(ObjectRef, String)| {
            let (target, list) = (target.clone(), list.clone());
            async move {
                let deleted = gone(target.clone()).await.map(|()| list);
                (target, deleted)
            }
        });
        Effect::new(move || {
            if let Some((_, Ok(list))) = delete.value().get() {
                crate::url::go_to(&list);
            }
        });
        Self {
            delete,
            typed: RwSignal::new(String::new()),
        }
    }
}

impl Default for DeleteState {
    fn default() -> Self {
        Self::new()
    }
}

/// Deletes `target` and waits until a read no longer finds it (finalizers may hold it a while).
async fn gone(target: ObjectRef) -> Result<(), ObjectError> {
    delete_object(target.clone()).await?;
    for _ in 0..120 {
        match get_object(target.clone()).await {
            Err(error) if error.code == 404 => return Ok(()),
            _ => crate::wait::sleep(crate::wait::POLL).await,
        }
    }
    Ok(())
}

/// Deleting an object; for namespaces and cluster-scoped kinds its name must be typed first,
/// since so much goes with them. Shows progress until the object is gone from the cluster.
#[component]
pub fn DeleteObjectForm(
    /// The object's kind.
    kind: ApiKind,
    /// The object.
    target: ObjectRef,
) -> impl IntoView {
    let DeleteState { delete, typed } = use_context().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    let confirm_needed = !kind.namespaced;
    let list = format!("/clusters/{}/{}", target.cluster, kind.address());
    let failure = {
        let target = target.clone();
        move || {
            delete
                .value()
                .get()
                .filter(|(deleted, _)| *deleted == target)
                .and_then(|(_, outcome)| outcome.err())
        }
    };
    let pending = delete.pending();
    let expected = name.clone();
    let ready = move || !confirm_needed || typed.get() == expected;
    view! {
        <section class="panel" aria-labelledby="delete-heading">
            <h2 id="delete-heading">"Delete"</h2>
            {confirm_needed
                .then(|| {
                    view! {
                        <label>
                            {format!("Type {name} to confirm")}
                            <input
                                data-testid="delete-confirm"
                                prop:value=typed
                                on:input=move |event| typed.set(event_target_value(&event))
                            />
                        </label>
                    }
                })}
            <button
                class="button button-danger"
                type="button"
                data-testid="delete-object"
                disabled=move || pending.get() || !ready()
                on:click=move |_| {
                    delete.dispatch((target.clone(), list.clone()));
                }
            >
                {move || if pending.get() { "Deleting…" } else { "Delete" }}
            </button>
            {move || {
                failure()
                    .map(|error| view! { <super::Alert text=format!("Could not delete: {error}") /> })
            }}
        </section>
    }
}
