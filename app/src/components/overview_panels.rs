use leptos::prelude::*;
use leptos_router::components::A;
use orbital_types::{Overview, Warning, Workload};

use crate::api::ClusterError;
use crate::components::{Alert, ClusterLoads, FailedClusters};

/// An overview of one cluster or of several: the clusters that could not answer, how full
/// the rest are, their workloads that are not healthy and their latest Warning events.
#[component]
pub fn OverviewPanels(
    /// What to show, or why it could not be read.
    overview: Result<Overview, ClusterError>,
) -> impl IntoView {
    let overview = match overview {
        Ok(overview) => overview,
        Err(error) => {
            return view! { <Alert text=format!("Could not load the overview: {error}") /> }
                .into_any();
        }
    };
    let multi = overview.multi_cluster;
    let unhealthy_total = overview.unhealthy_total;
    let warnings_total = overview.warnings_total;
    view! {
        <FailedClusters failed=overview.failed />
        <ClusterLoads loads=overview.loads />
        <section class="panel" aria-labelledby="unhealthy-heading">
            <h2 id="unhealthy-heading">"Workloads not healthy"</h2>
            <Unhealthy workloads=overview.unhealthy total=unhealthy_total multi />
        </section>
        <section class="panel" aria-labelledby="warnings-heading">
            <h2 id="warnings-heading">"Recent warnings"</h2>
            <Warnings warnings=overview.warnings total=warnings_total multi />
        </section>
    }
    .into_any()
}

/// What to say of a list cut to its first `shown` of `total` rows, if it was.
fn cut(shown: usize, total: usize) -> Option<String> {
    (shown < total).then(|| format!("The first {shown} of {total}."))
}

#[component]
fn Unhealthy(workloads: Vec<Workload>, total: usize, multi: bool) -> impl IntoView {
    if workloads.is_empty() {
        return view! {
            <p class="muted" data-testid="no-unhealthy">"Every workload has the replicas it wants."</p>
        }
            .into_any();
    }
    let note = cut(workloads.len(), total);
    view! {
        <table class="table" data-testid="unhealthy">
            <thead>
                <tr>
                    {multi.then(|| view! { <th>"Cluster"</th> })}
                    <th>"Namespace"</th>
                    <th>"Kind"</th>
                    <th>"Name"</th>
                    <th>"Status"</th>
                    <th>"Ready"</th>
                </tr>
            </thead>
            <tbody>
                {workloads
                    .into_iter()
                    .map(|workload| {
                        let href = workload.row.page(&workload.kind);
                        let row = workload.row;
                        view! {
                            <tr data-testid="unhealthy-workload">
                                {multi.then(|| view! { <td>{row.cluster}</td> })}
                                <td>{row.namespace}</td>
                                <td>{workload.kind.title()}</td>
                                <td>
                                    <A href=href>{row.name}</A>
                                </td>
                                <td>
                                    <span class="state state-bad">{row.status}</span>
                                </td>
                                <td>{row.detail}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        {note.map(|note| view! { <p class="muted">{note}</p> })}
    }
    .into_any()
}

#[component]
fn Warnings(warnings: Vec<Warning>, total: usize, multi: bool) -> impl IntoView {
    if warnings.is_empty() {
        return view! { <p class="muted" data-testid="no-warnings">"No Warning events."</p> }
            .into_any();
    }
    let note = cut(warnings.len(), total);
    view! {
        <table class="table" data-testid="warnings">
            <thead>
                <tr>
                    {multi.then(|| view! { <th>"Cluster"</th> })}
                    <th>"Object"</th>
                    <th>"Reason"</th>
                    <th>"Message"</th>
                    <th>"Count"</th>
                    <th>"Last seen"</th>
                </tr>
            </thead>
            <tbody>
                {warnings
                    .into_iter()
                    .map(|warning| {
                        let object = match warning.href {
                            Some(href) => view! { <A href=href>{warning.object}</A> }.into_any(),
                            None => warning.object.into_any(),
                        };
                        view! {
                            <tr data-testid="warning">
                                {multi.then(|| view! { <td>{warning.cluster}</td> })}
                                <td>{object}</td>
                                <td>{warning.reason}</td>
                                <td>{warning.message}</td>
                                <td>{warning.count}</td>
                                <td>{warning.last_seen}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        {note.map(|note| view! { <p class="muted">{note}</p> })}
    }
    .into_any()
}
