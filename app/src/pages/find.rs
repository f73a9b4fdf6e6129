use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use orbital_types::FIND_TEXT_MAX;

use crate::api::find_anything;
use crate::components::{Alert, FoundList};

/// `/find?q=`: what the command palette finds, as a page of its own, so a search works without
/// JavaScript and can be linked to.
#[component]
pub fn FindPage() -> impl IntoView {
    let query = use_query_map();
    let text = move || super::query_text(&query.read(), "q").unwrap_or_default();
    let findings = Resource::new(text, find_anything);
    view! {
        <h1>"Find"</h1>
        <Form method="GET" action="" attr:class="filters" attr:role="search">
            <label>
                "Name contains"
                <input type="search" name="q" value=text maxlength=FIND_TEXT_MAX />
            </label>
            <button class="button" type="submit">"Find"</button>
        </Form>
        <section class="panel" aria-label="What was found">
            <Transition fallback=|| view! { <p class="muted">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    if text().is_empty() {
                        return view! {
                            <p class="muted">
                                "Type part of a name: clusters, namespaces, kinds, nodes, pods, deployments and services match."
                            </p>
                        }
                            .into_any();
                    }
                    match findings.await {
                        Ok(findings) => view! { <FoundList findings /> }.into_any(),
                        Err(error) => {
                            view! { <Alert text=format!("The search failed: {error}") /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
