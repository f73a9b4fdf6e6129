use leptos::prelude::*;
use orbital_types::{ApiKind, ObjectRef};
use serde_json::Value;

use crate::api::{ObjectAction, ObjectError, act_on_object, rollout_progress};

/// What the actions panel started, kept by the object's page: the page's body is built again
/// on every change it follows, and an action in flight or a count being typed must outlive that.
#[derive(Clone, Copy)]
pub struct ActionsState {
    act: Action<(ObjectRef, ObjectAction), Result<(), ObjectError>>,
    replicas: RwSignal<Option<String>>,
}

impl ActionsState {
    /// Nothing started yet.
    pub fn new() -> Self {
        Self {
            act: Action::new(|(target, action): &(ObjectRef, ObjectAction)| {
                act_on_object(target.clone(), *action)
            }),
            replicas: RwSignal::new(None),
        }
    }
}

impl Default for ActionsState {
    fn default() -> Self {
        Self::new()
    }
}

/// The actions that apply to the object as it is (scale, restart, undo, cordon, suspend, …),
/// and for a workload how far its rollout still is, which follows the object as it changes.
#[component]
pub fn ObjectActions(
    /// The object's kind.
    kind: ApiKind,
    /// The object.
    target: ObjectRef,
    /// The object as last read.
    object: Value,
) -> impl IntoView {
    let ActionsState { act, replicas } = use_context().unwrap_or_default();
    let offered = ObjectAction::offered(&kind, &object);
    if offered.is_empty() {
        return None;
    }
    let progress = rollout_progress(&kind, &object);
    let pending = act.pending();
    let buttons = offered
        .into_iter()
        .map(|action| {
            let target = target.clone();
            match action {
                ObjectAction::Scale(current) => {
                    let count = move || replicas.get().unwrap_or_else(|| current.to_string());
                    let parsed = move || count().trim().parse::<u32>().ok();
                    view! {
                        <label class="inline-field">
                            "Replicas"
                            <input
                                type="number"
                                min="0"
                                data-testid="scale-replicas"
                                prop:value=count
                                on:input=move |event| replicas.set(Some(event_target_value(&event)))
                            />
                        </label>
                        <button
                            class="button"
                            type="button"
                            data-testid="action-scale"
                            disabled=move || pending.get() || parsed().is_none_or(|n| n == current)
                            on:click=move |_| {
                                if let Some(count) = parsed() {
                                    replicas.set(None);
                                    act.dispatch((target.clone(), ObjectAction::Scale(count)));
                                }
                            }
                        >
                            {action.label()}
                        </button>
                    }
                    .into_any()
                }
                _ => {
                    let testid =
                        format!("action-{}", action.label().to_lowercase().replace(' ', "-"));
                    view! {
                        <button
                            class="button"
                            type="button"
                            data-testid=testid
                            disabled=move || pending.get()
                            on:click=move |_| {
                                act.dispatch((target.clone(), action));
                            }
                        >
                            {action.label()}
                        </button>
                    }
                    .into_any()
                }
            }
        })
        .collect_view();
    Some(view! {
        <section class="panel" aria-labelledby="actions-heading">
            <h2 id="actions-heading">"Actions"</h2>
            <div class="actions">{buttons}</div>
            <p class="muted" role="status" data-testid="action-progress">
                {move || {
                    if pending.get() {
                        Some("Sending the change…".to_owned())
                    } else {
                        progress.clone()
                    }
                }}
            </p>
            {move || {
                act.value()
                    .get()
                    .and_then(Result::err)
                    .map(|error| view! { <super::Alert text=format!("The action failed: {error}") /> })
            }}
        </section>
    })
}
