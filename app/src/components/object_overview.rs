use leptos::prelude::*;
use orbital_types::{ApiKind, ObjectRef, object_page};
use serde_json::Value;

use crate::api::{ObjectError, OwnedObject};

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Key–value pairs (labels, annotations, capacity) as a list of terms.
#[component]
fn Pairs(pairs: Value, testid: &'static str) -> impl IntoView {
    let pairs: Vec<(String, String)> = pairs
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, value)| (key.clone(), text(value)))
        .collect();
    if pairs.is_empty() {
        return view! { <p class="muted">"None"</p> }.into_any();
    }
    view! {
        <dl class="facts" data-testid=testid>
            {pairs
                .into_iter()
                .map(|(key, value)| view! { <dt>{key}</dt><dd>{value}</dd> })
                .collect_view()}
        </dl>
    }
    .into_any()
}

/// One object's overview: what it is, its labels and annotations, its owners up and what it
/// owns down, its conditions, and for pods and nodes what matters about them.
#[component]
pub fn ObjectOverview(
    /// Every kind of the cluster, to link owners by.
    kinds: Vec<ApiKind>,
    /// The object's kind.
    kind: ApiKind,
    /// Where it is.
    target: ObjectRef,
    /// The object.
    object: Value,
    /// What it owns, read with it; `None` for a kind that owns nothing.
    owned: Option<Result<Vec<OwnedObject>, ObjectError>>,
) -> impl IntoView {
    let metadata = &object["metadata"];
    let cluster = target.cluster.clone();
    let namespace = target.namespace.clone();
    let owners = metadata["ownerReferences"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|owner| {
            let (api_version, owner_kind, name) = (
                text(&owner["apiVersion"]),
                text(&owner["kind"]),
                text(&owner["name"]),
            );
            let link = ApiKind::of_object(&kinds, &api_version, &owner_kind)
                .map(|owner| owner.page(&cluster, namespace.as_deref(), &name));
            let label = format!("{owner_kind} {name}");
            view! {
                <li>
                    {match link {
                        Some(href) => view! { <a href=href>{label}</a> }.into_any(),
                        None => label.into_any(),
                    }}
                </li>
            }
        })
        .collect_view();
    let conditions = object["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let is = |group: &str, resource: &str| kind.group == group && kind.resource == resource;
    let pod = is("", "pods").then(|| view! { <PodFacts pod=object.clone() /> });
    let node = is("", "nodes").then(|| view! { <NodeFacts node=object.clone() /> });
    let owned = owned.map(|owned| view! { <OwnedList target=target.clone() owned /> });
    view! {
        <section class="panel" aria-labelledby="object-facts-heading">
            <h2 id="object-facts-heading">"Object"</h2>
            <dl class="facts" data-testid="object-facts">
                <dt>"Kind"</dt>
                <dd>{format!("{} ({})", kind.kind, kind.api_version())}</dd>
                <dt>"Name"</dt>
                <dd>{text(&metadata["name"])}</dd>
                {target.namespace.clone().map(|namespace| view! { <dt>"Namespace"</dt><dd>{namespace}</dd> })}
                <dt>"UID"</dt>
                <dd>{text(&metadata["uid"])}</dd>
                <dt>"Created"</dt>
                <dd>{text(&metadata["creationTimestamp"])}</dd>
                <dt>"Owners"</dt>
                <dd>
                    <ul class="plain" data-testid="object-owners">{owners}</ul>
                </dd>
            </dl>
            <h3>"Labels"</h3>
            <Pairs pairs=metadata["labels"].clone() testid="object-labels" />
            <h3>"Annotations"</h3>
            <Pairs pairs=metadata["annotations"].clone() testid="object-annotations" />
        </section>
        {pod}
        {node}
        {owned}
        {(!conditions.is_empty()).then(|| view! { <Conditions conditions /> })}
    }
}

#[component]
fn Conditions(conditions: Vec<Value>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="conditions-heading">
            <h2 id="conditions-heading">"Conditions"</h2>
            <table class="table" data-testid="object-conditions">
                <thead>
                    <tr>
                        <th>"Type"</th>
                        <th>"Status"</th>
                        <th>"Reason"</th>
                        <th>"Message"</th>
                        <th>"Last change"</th>
                    </tr>
                </thead>
                <tbody>
                    {conditions
                        .into_iter()
                        .map(|condition| {
                            view! {
                                <tr>
                                    <td>{text(&condition["type"])}</td>
                                    <td>{text(&condition["status"])}</td>
                                    <td>{text(&condition["reason"])}</td>
                                    <td>{text(&condition["message"])}</td>
                                    <td>{text(&condition["lastTransitionTime"])}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn PodFacts(pod: Value) -> impl IntoView {
    let status = &pod["status"];
    let containers = status["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let specs = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let rows = specs
        .into_iter()
        .map(|spec| {
            let name = text(&spec["name"]);
            let state = containers
                .iter()
                .find(|c| c["name"] == spec["name"])
                .cloned()
                .unwrap_or_default();
            let now = state["state"]
                .as_object()
                .and_then(|states| states.iter().next())
                .map(|(phase, detail)| match detail["reason"].as_str() {
                    Some(reason) => format!("{phase}: {reason}"),
                    None => phase.clone(),
                })
                .unwrap_or_default();
            view! {
                <tr data-testid="pod-container">
                    <td>{name}</td>
                    <td>{text(&spec["image"])}</td>
                    <td>{if state["ready"] == true { "yes" } else { "no" }}</td>
                    <td>{text(&state["restartCount"])}</td>
                    <td>{now}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="pod-heading">
            <h2 id="pod-heading">"Pod"</h2>
            <dl class="facts" data-testid="pod-facts">
                <dt>"Phase"</dt>
                <dd>{text(&status["phase"])}</dd>
                <dt>"Node"</dt>
                <dd>{text(&pod["spec"]["nodeName"])}</dd>
                <dt>"Pod IP"</dt>
                <dd>{text(&status["podIP"])}</dd>
            </dl>
            <table class="table">
                <thead>
                    <tr>
                        <th>"Container"</th>
                        <th>"Image"</th>
                        <th>"Ready"</th>
                        <th>"Restarts"</th>
                        <th>"State"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

#[component]
fn NodeFacts(node: Value) -> impl IntoView {
    let status = &node["status"];
    view! {
        <section class="panel" aria-labelledby="node-heading">
            <h2 id="node-heading">"Node"</h2>
            <dl class="facts" data-testid="node-facts">
                <dt>"Kubelet"</dt>
                <dd>{text(&status["nodeInfo"]["kubeletVersion"])}</dd>
                <dt>"Unschedulable"</dt>
                <dd>{if node["spec"]["unschedulable"] == true { "yes (cordoned)" } else { "no" }}</dd>
            </dl>
            <h3>"Capacity"</h3>
            <Pairs pairs=status["capacity"].clone() testid="node-capacity" />
            <h3>"Allocatable"</h3>
            <Pairs pairs=status["allocatable"].clone() testid="node-allocatable" />
        </section>
    }
}

/// What a workload owns, down the chain, with each object's state.
#[component]
fn OwnedList(target: ObjectRef, owned: Result<Vec<OwnedObject>, ObjectError>) -> impl IntoView {
    let cluster = target.cluster.clone();
    let namespace = target.namespace.clone().unwrap_or_default();
    let list = match owned {
        Ok(owned) if owned.is_empty() => {
            view! { <p class="muted">"Nothing"</p> }.into_any()
        }
        Ok(owned) => {
            view! {
                <table class="table" data-testid="owned-objects">
                    <thead>
                        <tr>
                            <th>"Kind"</th>
                            <th>"Name"</th>
                            <th>"State"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {owned
                            .into_iter()
                            .map(|object| {
                                let href = object_page(
                                    &cluster,
                                    &object.address,
                                    Some(&namespace),
                                    &object.name,
                                );
                                let depth = format!("depth-{}", object.depth);
                                view! {
                                    <tr data-testid="owned-object">
                                        <td class=depth>{object.kind}</td>
                                        <td>
                                            <a href=href>{object.name}</a>
                                        </td>
                                        <td>{object.state}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
                .into_any()
        }
        Err(error) => {
            view! { <crate::components::Alert text=format!("Could not list what it owns: {error}") /> }
                .into_any()
        }
    };
    view! {
        <section class="panel" aria-labelledby="owned-heading">
            <h2 id="owned-heading">"Owns"</h2>
            {list}
        </section>
    }
}
