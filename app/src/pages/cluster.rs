use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::NotFound;
use super::cluster_admin::ClusterAdmin;
use crate::ConsoleMode;
use orbital_types::{Cluster, cores, gibibytes};

use crate::api::{ClusterError, UpdateCluster, get_cluster, get_overview};
use crate::components::{Alert, Members, OverviewPanels, OverviewResource, PermissionsResource};
use orbital_types::tenancy::MemberTarget;

/// One cluster: its connection and state, how full its nodes are, what is unhealthy on it,
/// and on the host the forms that change it.
/// A cluster this console does not serve is a 404, whether or not it exists elsewhere.
#[component]
pub fn ClusterPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let update = ServerAction::<UpdateCluster>::new();
    let cluster = Resource::new(name, get_cluster);
    let load = Resource::new(name, |name| get_overview(Some(name)));
    let overview = expect_context::<OverviewResource>();
    let permissions = expect_context::<PermissionsResource>();
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let host = overview.await.is_ok_and(|o| o.mode == ConsoleMode::Host);
                let permissions = permissions.await.unwrap_or_default();
                let platform_admin = permissions.platform_admin;
                let grants_here = platform_admin && permissions.managed_here;
                match cluster.await {
                    Ok(cluster) => {
                        let load = view! { <OverviewPanels overview=load.await /> };
                        let admin = (host && platform_admin)
                            .then(|| view! { <ClusterAdmin cluster=cluster.clone() update /> });
                        let members = MemberTarget::Cluster(cluster.name.clone());
                        view! {
                            <h1>{cluster.name.clone()}</h1>
                            <ClusterFacts cluster />
                            {load}
                            <Members target=members editable=grants_here testid="cluster-members" />
                            {admin}
                        }
                            .into_any()
                    }
                    Err(ClusterError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => {
                        view! { <Alert text=format!("Could not load the cluster: {error}") /> }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ClusterFacts(cluster: Cluster) -> impl IntoView {
    let labels = cluster.label_terms().join(", ");
    let status = cluster.status;
    view! {
        <section class="panel" aria-labelledby="cluster-heading">
            <h2 id="cluster-heading">"Cluster"</h2>
            <dl class="facts" data-testid="cluster-facts">
                <dt>"Status"</dt>
                <dd>
                    {if status.ready { "Ready" } else { "Unready" }}
                    {format!(" — {}: {}", status.reason, status.message)}
                </dd>
                <dt>"Connection"</dt>
                <dd>{cluster.connection.as_str()}</dd>
                <dt>"Kubernetes"</dt>
                <dd>{status.kubernetes_version}</dd>
                <dt>"Nodes"</dt>
                <dd>{status.node_count}</dd>
                <dt>"CPU"</dt>
                <dd>
                    {format!(
                        "{} ({} allocatable)",
                        cores(status.cpu_capacity_millis),
                        cores(status.cpu_allocatable_millis),
                    )}
                </dd>
                <dt>"Memory"</dt>
                <dd>
                    {format!(
                        "{} ({} allocatable)",
                        gibibytes(status.memory_capacity_bytes),
                        gibibytes(status.memory_allocatable_bytes),
                    )}
                </dd>
                <dt>"Provider"</dt>
                <dd>{cluster.provider}</dd>
                <dt>"Description"</dt>
                <dd>{cluster.description}</dd>
                <dt>"Labels"</dt>
                <dd data-testid="cluster-labels">{labels}</dd>
                <dt>"Last heartbeat"</dt>
                <dd>{status.last_heartbeat_time}</dd>
            </dl>
        </section>
    }
}
