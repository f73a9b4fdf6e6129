use leptos::prelude::*;
use leptos_router::components::A;
use orbital_types::{ClusterLoad, Kind, Load, NodeLoad, cores, gibibytes, object_page};

use crate::components::LoadBar;

/// How full the clusters are: for one cluster its total and each node with its pods; for
/// several, one row a cluster and their total.
#[component]
pub fn ClusterLoads(
    /// Each cluster that answered.
    loads: Vec<ClusterLoad>,
) -> impl IntoView {
    let body = match <[ClusterLoad; 1]>::try_from(loads) {
        Ok([one]) => view! { <NodeLoads load=one /> }.into_any(),
        Err(loads) if loads.is_empty() => {
            view! { <p class="muted">"No cluster answered."</p> }.into_any()
        }
        Err(loads) => view! { <EachCluster loads /> }.into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="load-heading">
            <h2 id="load-heading">"Capacity"</h2>
            {body}
        </section>
    }
}

/// The bars of a load: CPU and memory.
#[component]
fn Bars(load: Load) -> impl IntoView {
    view! {
        <LoadBar
            resource="CPU"
            capacity=load.capacity.cpu_millis
            allocatable=load.allocatable.cpu_millis
            requested=load.requested.cpu_millis
            show=cores
        />
        <LoadBar
            resource="Memory"
            capacity=load.capacity.memory_bytes
            allocatable=load.allocatable.memory_bytes
            requested=load.requested.memory_bytes
            show=gibibytes
        />
    }
}

/// What a caller who may not list a cluster's nodes and pods everywhere is told instead.
const NOT_SHOWN: &str = "Your grants do not let you list this cluster's nodes and pods everywhere, which its load needs.";

/// One cluster: its total, then each node.
#[component]
fn NodeLoads(load: ClusterLoad) -> impl IntoView {
    let cluster = load.cluster.clone();
    let (Some(total), Some(nodes)) = (load.total(), load.nodes) else {
        return view! { <p class="muted" data-testid="load-hidden">{NOT_SHOWN}</p> }.into_any();
    };
    view! {
        <div data-testid="cluster-load">
            <Bars load=total />
            <p class="muted">{format!("{} pods on {} nodes", total.pods, nodes.len())}</p>
        </div>
        <table class="table" data-testid="node-loads">
            <thead>
                <tr>
                    <th>"Node"</th>
                    <th>"Ready"</th>
                    <th>"Pods"</th>
                    <th>"Requested"</th>
                </tr>
            </thead>
            <tbody>
                {nodes
                    .into_iter()
                    .map(|node| view! { <NodeRow cluster=cluster.clone() node /> })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn NodeRow(cluster: String, node: NodeLoad) -> impl IntoView {
    let href = object_page(&cluster, &Kind::NODES.address(), None, &node.name);
    let (ready, class) = if node.ready {
        ("Ready", "state state-ok")
    } else {
        ("NotReady", "state state-bad")
    };
    view! {
        <tr data-testid="node-load">
            <td>
                <A href=href>{node.name}</A>
            </td>
            <td>
                <span class=class>{ready}</span>
            </td>
            <td data-testid="node-pods">
                {format!("{} of {}", node.load.pods, node.load.pod_capacity)}
            </td>
            <td>
                <Bars load=node.load />
            </td>
        </tr>
    }
}

/// Several clusters: one row each, then their total.
#[component]
fn EachCluster(loads: Vec<ClusterLoad>) -> impl IntoView {
    let shown = loads.iter().filter(|load| load.nodes.is_some()).count();
    let total = Load::sum(loads.iter().filter_map(ClusterLoad::total));
    let rows = loads
        .into_iter()
        .map(|load| {
            let href = format!("/clusters/{}", load.cluster);
            let cells = match load.total() {
                Some(total) => view! {
                    <td>
                        <Bars load=total />
                    </td>
                    <td data-testid="cluster-pods">{format!("{} of {}", total.pods, total.pod_capacity)}</td>
                }
                    .into_any(),
                None => view! { <td colspan="2" class="muted">{NOT_SHOWN}</td> }.into_any(),
            };
            view! {
                <tr data-testid="cluster-load">
                    <td>
                        <A href=href>{load.cluster}</A>
                    </td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table" data-testid="cluster-loads">
            <thead>
                <tr>
                    <th>"Cluster"</th>
                    <th>"Requested"</th>
                    <th>"Pods"</th>
                </tr>
            </thead>
            <tbody>
                {rows}
                {(shown > 1)
                    .then(|| {
                        view! {
                            <tr data-testid="all-clusters-load">
                                <th scope="row">"All clusters"</th>
                                <td>
                                    <Bars load=total />
                                </td>
                                <td>{format!("{} of {}", total.pods, total.pod_capacity)}</td>
                            </tr>
                        }
                    })}
            </tbody>
        </table>
    }
}
