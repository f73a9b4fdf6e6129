use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::NotFound;
use super::clusters::message;
use crate::api::get_cluster;

/// One cluster: its connection, state and capacity. A cluster this console does not serve is
/// a 404, whether or not it exists elsewhere.
#[component]
pub fn ClusterPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let cluster = Resource::new(name, get_cluster);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match cluster.await {
                    Ok(Some(cluster)) => {
                        view! {
                            <h1>{cluster.name.clone()}</h1>
                            <section class="panel" aria-labelledby="cluster-heading">
                                <h2 id="cluster-heading">"Cluster"</h2>
                                <dl class="facts" data-testid="cluster-facts">
                                    <dt>"Status"</dt>
                                    <dd>
                                        {if cluster.ready { "Ready" } else { "Unready" }}
                                        {format!(" — {}: {}", cluster.reason, cluster.message)}
                                    </dd>
                                    <dt>"Connection"</dt>
                                    <dd>{cluster.connection}</dd>
                                    <dt>"Kubernetes"</dt>
                                    <dd>{cluster.version}</dd>
                                    <dt>"Nodes"</dt>
                                    <dd>{cluster.nodes}</dd>
                                    <dt>"CPU"</dt>
                                    <dd>{format!("{} ({} allocatable)", cluster.cpu, cluster.cpu_allocatable)}</dd>
                                    <dt>"Memory"</dt>
                                    <dd>{format!("{} ({} allocatable)", cluster.memory, cluster.memory_allocatable)}</dd>
                                    <dt>"Provider"</dt>
                                    <dd>{cluster.provider}</dd>
                                    <dt>"Description"</dt>
                                    <dd>{cluster.description}</dd>
                                    <dt>"Labels"</dt>
                                    <dd>{cluster.labels.join(", ")}</dd>
                                    <dt>"Last heartbeat"</dt>
                                    <dd>{cluster.last_heartbeat}</dd>
                                </dl>
                            </section>
                        }
                            .into_any()
                    }
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(error) => {
                        view! {
                            <p class="error" role="alert">
                                {format!("Could not load the cluster: {}", message(&error))}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
