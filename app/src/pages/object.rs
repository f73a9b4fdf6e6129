use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use orbital_types::{ApiKind, ApiVerb, LiveTarget, ObjectRef};
use serde::{Deserialize, Serialize};

use super::NotFound;
use crate::api::{
    EventRow, ObjectError, ObjectView, OwnedObject, get_object_view, list_kinds, log_containers,
    makes, object_events, object_logs, owned_objects,
};
use crate::components::{
    ActionsState, Alert, DeleteObjectForm, DeleteState, KindNav, LogsAsked, ObjectActions,
    ObjectEvents, ObjectOverview, PodLogs, SecretReveal, SecretValues, YamlEditor,
};
use crate::live::{changes_url, use_changes};

/// The tabs of an object's page, `?tab=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Tab {
    Overview,
    Yaml,
    Events,
    Logs,
}

impl Tab {
    fn parse(text: Option<&str>) -> Self {
        match text {
            Some("yaml") => Self::Yaml,
            Some("events") => Self::Events,
            Some("logs") => Self::Logs,
            _ => Self::Overview,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Overview => "overview",
            Self::Yaml => "yaml",
            Self::Events => "events",
            Self::Logs => "logs",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Overview => "Overview",
            Self::Yaml => "YAML",
            Self::Events => "Events",
            Self::Logs => "Logs",
        }
    }
}

/// A tab as read, with what it shows besides the object. It is read with the object in one
/// resource: a resource of its own, made inside the page's body, would be made again each
/// time the server looks at the body for what it waits on, and the browser's copy would then
/// read another one's data.
#[derive(Clone, Serialize, Deserialize)]
enum TabRead {
    /// The overview, with what the object owns for a kind that makes others.
    Overview(Option<Result<Vec<OwnedObject>, ObjectError>>),
    /// The YAML editor.
    Yaml,
    /// The events about the object.
    Events(Result<Vec<EventRow>, ObjectError>),
    /// A pod's logs, or a workload's pods', as asked; none read when they are followed (the
    /// stream sends them).
    Logs(Option<Result<String, ObjectError>>),
}

impl TabRead {
    fn tab(&self) -> Tab {
        match self {
            Self::Overview(_) => Tab::Overview,
            Self::Yaml => Tab::Yaml,
            Self::Events(_) => Tab::Events,
            Self::Logs(_) => Tab::Logs,
        }
    }
}

/// What an object's page shows: the cluster's kinds, the object's kind, the object, and its
/// tab.
#[derive(Clone, Serialize, Deserialize)]
struct Loaded {
    kinds: Vec<ApiKind>,
    kind: ApiKind,
    target: ObjectRef,
    view: ObjectView,
    tab: TabRead,
}

async fn load(
    cluster: String,
    resource: String,
    namespace: Option<String>,
    name: String,
    tab: Tab,
    logs: LogsAsked,
) -> Result<Loaded, ObjectError> {
    let kinds = list_kinds(cluster.clone()).await?;
    let kind = ApiKind::find(&kinds, &resource)
        .cloned()
        .ok_or_else(|| ObjectError {
            code: 404,
            reason: "NotFound".into(),
            message: format!("the cluster serves no kind {resource:?}"),
        })?;
    let target = kind.object(&cluster, namespace.as_deref(), &name);
    let view = get_object_view(target.clone()).await?;
    let uid = view.object["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let tab = match tab {
        Tab::Overview if makes(&kind) => TabRead::Overview(Some(
            owned_objects(target.clone(), kind.kind.clone(), uid).await,
        )),
        Tab::Overview => TabRead::Overview(None),
        Tab::Yaml => TabRead::Yaml,
        Tab::Events => TabRead::Events(object_events(target.clone(), uid).await),
        Tab::Logs if logs.follow => TabRead::Logs(None),
        Tab::Logs => TabRead::Logs(Some(object_logs(target.clone(), logs.options).await)),
    };
    Ok(Loaded {
        kinds,
        kind,
        target,
        view,
        tab,
    })
}

/// What an object's page follows: the object, and for a workload what it makes in its
/// namespace, so its pods are seen to follow a change.
fn live_targets(
    cluster: &str,
    resource: &str,
    namespace: Option<String>,
    name: &str,
) -> Vec<LiveTarget> {
    let object = LiveTarget {
        cluster: cluster.to_owned(),
        resource: resource.to_owned(),
        namespace: namespace.clone(),
        name: Some(name.to_owned()),
    };
    let made: &[&str] = match resource {
        "deployments.apps" => &["replicasets.apps", "pods"],
        "cronjobs.batch" => &["jobs.batch", "pods"],
        "replicasets.apps" | "statefulsets.apps" | "daemonsets.apps" | "jobs.batch" => &["pods"],
        _ => &[],
    };
    std::iter::once(object)
        .chain(made.iter().map(|made| LiveTarget {
            cluster: cluster.to_owned(),
            resource: (*made).to_owned(),
            namespace: namespace.clone(),
            name: None,
        }))
        .collect()
}

/// One object, `/clusters/{cluster}/{resource}/{name}` or
/// `/clusters/{cluster}/namespaces/{namespace}/{resource}/{name}`, with tabs for its overview,
/// YAML, events and (pods) logs. Reads render completely without JavaScript.
#[component]
pub fn ObjectPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let (cluster, resource, namespace, name) = params.with_untracked(|params| {
        let param = |key: &str| params.get(key).unwrap_or_default();
        (
            param("name"),
            param("resource"),
            params.get("namespace"),
            param("object"),
        )
    });
    let (tab, logs) = query.with_untracked(|query| {
        (
            Tab::parse(query.get("tab").as_deref()),
            LogsAsked::from_query(query),
        )
    });
    view! { <ObjectLive cluster resource namespace name tab logs /> }
}

/// The object's page as it follows the cluster: an island, it runs in the browser.
#[island]
fn ObjectLive(
    /// The object's cluster.
    cluster: String,
    /// Its resource, as kubectl writes it.
    resource: String,
    /// Its namespace, for a namespaced kind.
    namespace: Option<String>,
    /// Its name.
    name: String,
    /// The tab shown.
    tab: Tab,
    /// What the logs tab is asked for.
    logs: LogsAsked,
) -> impl IntoView {
    provide_context(ActionsState::new());
    provide_context(SecretReveal::new());
    provide_context(DeleteState::new());
    let changes = use_changes(changes_url(&live_targets(
        &cluster,
        &resource,
        namespace.clone(),
        &name,
    )));
    // The overview and events follow the cluster; the YAML and the logs stay as they are,
    // so an edit or a followed log is never swept away (a save finds what changed meanwhile).
    let follows = matches!(tab, Tab::Overview | Tab::Events);
    let loaded = Resource::new(
        move || {
            (
                cluster.clone(),
                resource.clone(),
                namespace.clone(),
                name.clone(),
                tab,
                follows.then(|| changes.get()),
            )
        },
        {
            let logs = logs.clone();
            move |(cluster, resource, namespace, name, tab, _)| {
                load(cluster, resource, namespace, name, tab, logs.clone())
            }
        },
    );
    // Read with `get`, not awaited in a `Suspend`: a `Suspend` subscribes to what it awaited only
    // once it has rendered, so a change that lands while it renders the one before is lost and
    // the page stays behind the cluster. `get` subscribes as it reads.
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                loaded
                    .get()
                    .map(|loaded| match loaded {
                        Ok(loaded) => view! { <ObjectBody loaded logs=logs.clone() /> }.into_any(),
                        Err(error) if error.code == 404 => view! { <NotFound /> }.into_any(),
                        Err(error) => {
                            view! { <Alert text=format!("Could not load the object: {error}") /> }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn ObjectBody(loaded: Loaded, logs: LogsAsked) -> impl IntoView {
    let Loaded {
        kinds,
        kind,
        target,
        view,
        tab: read,
    } = loaded;
    let tab = read.tab();
    let cluster = target.cluster.clone();
    let name = target.name.clone().unwrap_or_default();
    let page = kind.page(&cluster, target.namespace.as_deref(), &name);
    // Pods have logs, and so has anything that makes pods from a template.
    let has_logs = !log_containers(&view.object).is_empty();
    let tabs = [Tab::Overview, Tab::Yaml, Tab::Events]
        .into_iter()
        .chain(has_logs.then_some(Tab::Logs))
        .map(|each| {
            let href = format!("{page}?tab={}", each.as_str());
            let current = (each == tab).then_some("page");
            view! {
                <a href=href aria-current=current class="tab">
                    {each.title()}
                </a>
            }
        })
        .collect_view();
    let list = format!("/clusters/{cluster}/{}", kind.address());
    let heading = format!("{} {name}", kind.kind);
    let place = match &target.namespace {
        Some(namespace) => format!("in {namespace} on {cluster}"),
        None => format!("on {cluster}"),
    };
    let delete = kind
        .allows(ApiVerb::Delete)
        .then(|| view! { <DeleteObjectForm kind=kind.clone() target=target.clone() /> });
    let kind_name = kind.kind.clone();
    let body = match read {
        TabRead::Overview(owned) => view! {
            {kind.allows(ApiVerb::Patch).then(|| view! {
                <ObjectActions kind=kind.clone() target=target.clone() object=view.object.clone() />
            })}
            <ObjectOverview
                kinds=kinds.clone()
                kind=kind.clone()
                target=target.clone()
                object=view.object.clone()
                owned
            />
            {view.hidden.then(|| view! { <SecretValues target=target.clone() /> })}
        }
        .into_any(),
        TabRead::Yaml => {
            view! { <YamlEditor target=target.clone() yaml=view.yaml hidden=view.hidden /> }
                .into_any()
        }
        TabRead::Events(events) => view! { <ObjectEvents events /> }.into_any(),
        TabRead::Logs(read) => {
            view! { <PodLogs target=target.clone() object=view.object.clone() asked=logs read /> }
                .into_any()
        }
    };
    view! {
        <div class="browser">
            <KindNav cluster=cluster.clone() kinds current=kind.address() />
            <div class="browser-main">
                <p class="muted">
                    <a href=list>{kind_name}</a>
                    {format!(" {place}")}
                </p>
                <h1 data-testid="object-heading">{heading}</h1>
                <nav class="tabs" aria-label="Views of the object">{tabs}</nav>
                {body}
                {delete}
            </div>
        </div>
    }
}
