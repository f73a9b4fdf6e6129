use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use orbital_types::{ApiKind, ObjectRef};

use crate::api::delete_object;

/// Deleting an object; for namespaces and cluster-scoped kinds its name must be typed first,
/// since so much goes with them. Shows progress until the object is gone from the cluster.
#[component]
pub fn DeleteObjectForm(
    /// The object's kind.
    kind: ApiKind,
    /// The object.
    target: ObjectRef,
) -> impl IntoView {
    let name = target.name.clone().unwrap_or_default();
    let confirm_needed = !kind.namespaced;
    let typed = RwSignal::new(String::new());
    let list = format!("/clusters/{}/{}", target.cluster, kind.address());
    let delete = Action::new(move |(): &()| {
        let target = target.clone();
        async move {
            delete_object(target.clone()).await?;
            // Gone once a read no longer finds it (finalizers may hold it a while).
            for _ in 0..120 {
                match crate::api::get_object(target.clone()).await {
                    Err(error) if error.code == 404 => return Ok::<(), crate::api::ObjectError>(()),
                    _ => crate::wait::sleep(crate::wait::POLL).await,
                }
            }
            Ok(())
        }
    });
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(Ok(())) = delete.value().get() {
            navigate(&list, Default::default());
        }
    });
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
                    delete.dispatch(());
                }
            >
                {move || if pending.get() { "Deleting…" } else { "Delete" }}
            </button>
            {move || {
                delete
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|error| view! { <super::Alert text=format!("Could not delete: {error}") /> })
            }}
        </section>
    }
}
