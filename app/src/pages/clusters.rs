use leptos::prelude::*;
use leptos_router::components::A;

use crate::ConsoleMode;
use orbital_types::{Cluster, cores, gibibytes};

use crate::api::{AgentJoined, JoinCluster, JoinThroughAgent, list_clusters};
use crate::components::{
    Alert, FormOutcome, Freshness, LiveRegion, OverviewResource, PermissionsResource, SubmitButton,
    outcome_of,
};

/// How often, in seconds, the list is read again while the page is open.
const REFRESH_SECONDS: u32 = 3;

/// The clusters this console serves, kept current while open, and (on the host) a form to
/// join another.
#[component]
pub fn ClustersPage() -> impl IntoView {
    let join = ServerAction::<JoinCluster>::new();
    let clusters = Resource::new(|| (), |()| list_clusters());
    let overview = expect_context::<OverviewResource>();
    let permissions = expect_context::<PermissionsResource>();
    view! {
        <h1>"Clusters"</h1>
        <section class="panel" aria-labelledby="clusters-heading" id="clusters-region">
            <h2 id="clusters-heading">"All clusters"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match clusters.await {
                        Ok(clusters) => view! { <ClusterTable clusters /> }.into_any(),
                        Err(error) => {
                            view! { <Alert text=format!("Could not load the clusters: {error}") /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
        <LiveRegion regions=vec!["clusters-region".to_owned()] keep=Freshness::Every(REFRESH_SECONDS) />
        <Suspense>
            {move || Suspend::new(async move {
                let host = overview.await.is_ok_and(|o| o.mode == ConsoleMode::Host);
                let platform_admin = permissions.await.is_ok_and(|p| p.platform_admin);
                (host && platform_admin)
                    .then(|| view! {
                        <JoinForm join />
                        <AgentJoinForm />
                    })
            })}
        </Suspense>
    }
}

#[component]
fn ClusterTable(clusters: Vec<Cluster>) -> impl IntoView {
    view! {
        <table class="table" data-testid="clusters">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Connection"</th>
                    <th>"Status"</th>
                    <th>"Version"</th>
                    <th>"Nodes"</th>
                    <th>"CPU"</th>
                    <th>"Memory"</th>
                    <th>"Labels"</th>
                </tr>
            </thead>
            <tbody>
                {clusters
                    .into_iter()
                    .map(|cluster| {
                        let status = &cluster.status;
                        let state = if status.ready { "Ready" } else { "Unready" };
                        let labels = cluster.label_terms().join(", ");
                        let row = format!("cluster-{}", cluster.name);
                        let href = format!("/clusters/{}", cluster.name);
                        view! {
                            <tr data-testid=row>
                                <td>
                                    <A href=href>{cluster.name}</A>
                                </td>
                                <td>{cluster.connection.as_str()}</td>
                                <td>
                                    <span
                                        class=if status.ready { "state state-ok" } else { "state state-bad" }
                                        data-testid="cluster-state"
                                        title=status.message.clone()
                                    >
                                        {state}
                                    </span>
                                    <span class="muted">{format!(" {}", status.reason)}</span>
                                </td>
                                <td>{status.kubernetes_version.clone()}</td>
                                <td>{status.node_count}</td>
                                <td>{cores(status.cpu_capacity_millis)}</td>
                                <td>{gibibytes(status.memory_capacity_bytes)}</td>
                                <td>{labels}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Joining a member from its kubeconfig; what is wrong with it is shown beside the form.
#[component]
fn JoinForm(join: ServerAction<JoinCluster>) -> impl IntoView {
    let outcome = outcome_of(join, |cluster| format!("Joined {}.", cluster.name));
    view! {
        <section class="panel" aria-labelledby="join-heading">
            <h2 id="join-heading">"Join a cluster"</h2>
            <ActionForm action=join attr:class="form">
                <label>
                    "Name" <input name="name" required placeholder="e.g. edge-eu-1" />
                </label>
                <label>
                    "Kubeconfig"
                    <textarea name="kubeconfig" rows="8" required placeholder="Paste the member's kubeconfig" />
                </label>
                <label>"Labels" <input name="labels" placeholder="env=prod, region=eu" /></label>
                <label>"Provider" <input name="provider" placeholder="e.g. aws, on-prem" /></label>
                <label>"Description" <input name="description" /></label>
                <label class="checkbox">
                    <input type="checkbox" name="take_over" value="yes" />
                    " Take it over if another host console manages it"
                </label>
                <SubmitButton label="Join cluster" busy="Checking the cluster…" pending=join.pending() />
            </ActionForm>
            <FormOutcome testid="join-outcome" outcome />
        </section>
    }
}

/// Joining a member that an agent will connect from its own network: once joined, how to run
/// the agent there, shown this once as its token is in it — an island, so that it is shown by
/// script and never kept for a page by the server.
#[island]
fn AgentJoinForm() -> impl IntoView {
    let join = ServerAction::<JoinThroughAgent>::new();
    let outcome = outcome_of(join, |joined| {
        format!("Joined {}: run its agent as below.", joined.cluster)
    });
    let joined = move || join.value().get().and_then(Result::ok);
    view! {
        <section class="panel" aria-labelledby="join-agent-heading">
            <h2 id="join-agent-heading">"Join a cluster through an agent"</h2>
            <p class="muted">
                "For a cluster the host cannot reach: its agent dials out to this console."
            </p>
            <ActionForm action=join attr:class="form">
                <label>
                    "Name" <input name="name" required placeholder="e.g. edge-eu-1" />
                </label>
                <label>"Labels" <input name="labels" placeholder="env=prod, region=eu" /></label>
                <label>"Provider" <input name="provider" placeholder="e.g. on-prem" /></label>
                <label>"Description" <input name="description" /></label>
                <SubmitButton label="Join through an agent" busy="Joining…" pending=join.pending() />
            </ActionForm>
            <FormOutcome testid="join-agent-outcome" outcome />
            {move || joined().map(|joined| view! { <AgentInstructions joined /> })}
        </section>
    }
}

/// The command and the manifest that run a new member's agent.
#[component]
fn AgentInstructions(joined: AgentJoined) -> impl IntoView {
    view! {
        <div data-testid="agent-instructions">
            <p>
                "Keep these now: they hold the agent's token, which this page will not show again. "
                "On a machine with the cluster's kubeconfig:"
            </p>
            <pre class="code" data-testid="agent-command">{joined.command}</pre>
            <p>"Or run the agent in the cluster: " <code>"kubectl apply -f"</code> " this manifest."</p>
            <pre class="code" data-testid="agent-manifest">{joined.manifest}</pre>
        </div>
    }
}
