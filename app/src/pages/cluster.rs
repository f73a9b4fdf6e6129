use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::NotFound;
use super::cluster_admin::ClusterAdmin;
use crate::ConsoleMode;
use crate::api::{ClusterError, ClusterSummary, UpdateCluster, get_cluster};
use crate::components::OverviewResource;

/// One cluster: its connection, state and capacity, and on the host the forms that change it.
/// A cluster this console does not serve is a 404, whether or not it exists elsewhere.
#[component]
pub fn ClusterPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let update = ServerAction::<UpdateCluster>::new();
    let cluster = Resource::new(
        move || (name(), update.version().get()),
        |(name, _)| get_cluster(name),
    );
    let overview = expect_context::<OverviewResource>();
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let host = overview.await.is_ok_and(|o| o.mode == ConsoleMode::Host);
                match cluster.await {
                    Ok(cluster) => {
                        let admin = host
                            .then(|| view! { <ClusterAdmin cluster=cluster.clone() update /> });
                        view! {
                            <h1>{cluster.name.clone()}</h1>
                            <ClusterFacts cluster />
                            {admin}
                        }
                            .into_any()
                    }
                    Err(ClusterError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => {
                        view! {
                            <p class="error" role="alert">
                                {format!("Could not load the cluster: {error}")}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ClusterFacts(cluster: ClusterSummary) -> impl IntoView {
    view! {
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
                <dd data-testid="cluster-labels">{cluster.labels.join(", ")}</dd>
                <dt>"Last heartbeat"</dt>
                <dd>{cluster.last_heartbeat}</dd>
            </dl>
        </section>
    }
}
