//! What a list shows of an object, taken from it once as it arrives: the caches keep these
//! instead of whole objects, indexed by namespace and label, so a page is filtered and sorted
//! over a few short strings of the objects that can match, and an object costs memory in
//! proportion to what is listed of it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use kube::core::DynamicObject;
use orbital_syntax::{json_path, pod_on_node, value_bytes, value_millicores};
use orbital_types::{Amounts, Kind, Row};
use serde_json::Value;

/// Where an object is: its namespace (empty for cluster-scoped kinds) and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ObjectKey {
    /// Its namespace, empty for cluster-scoped kinds.
    pub namespace: Box<str>,
    /// Its name.
    pub name: Box<str>,
}

impl ObjectKey {
    /// The key of `object`.
    pub fn of(object: &DynamicObject) -> Self {
        Self {
            namespace: object
                .metadata
                .namespace
                .as_deref()
                .unwrap_or_default()
                .into(),
            name: object.metadata.name.as_deref().unwrap_or_default().into(),
        }
    }
}

/// The facts of one object that lists filter, sort and show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Its labels, sorted by key.
    labels: Box<[(Box<str>, Box<str>)]>,
    /// Its state as `kubectl get` shows it.
    pub status: Box<str>,
    /// A second fact: a pod's node, a deployment's ready/desired, a service's cluster IP.
    pub detail: Box<str>,
    /// When it was created (RFC 3339), which sorts as time does.
    pub created: Box<str>,
    /// What it adds to an overview, for the kinds that add something.
    pub footprint: Option<Box<Footprint>>,
    /// Its value in each of its kind's printer columns, as text.
    pub cells: Box<[Box<str>]>,
}

/// A column a CRD defines for `kubectl get` (its `additionalPrinterColumns`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PrinterColumn {
    /// Its heading.
    pub name: Box<str>,
    /// Where its value is in an object (`.spec.size`).
    pub path: Box<str>,
}

/// The printer columns of one kind on one cluster, shared by its summaries' lists.
pub(crate) type Columns = Arc<[PrinterColumn]>;

/// What an object adds to a cluster's overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Footprint {
    /// A pod bound to a node and not finished.
    Pod {
        /// The node it is bound to.
        node: Box<str>,
        /// What its containers request.
        requests: Amounts,
    },
    /// A node.
    Node {
        /// What it has.
        capacity: Amounts,
        /// What of that it gives to pods.
        allocatable: Amounts,
        /// How many pods it takes.
        pods: u64,
    },
    /// A Warning event.
    Warning(WarningFacts),
}

/// What an overview lists of a Warning event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WarningFacts {
    /// Why, in one word.
    pub reason: Box<str>,
    /// What happened.
    pub message: Box<str>,
    /// The `apiVersion` of the object it is about.
    pub api_version: Box<str>,
    /// The kind of that object (`Pod`).
    pub kind: Box<str>,
    /// That object's namespace, empty for cluster-scoped objects.
    pub namespace: Box<str>,
    /// That object's name.
    pub name: Box<str>,
    /// How many times it happened.
    pub count: u64,
    /// When it last happened (RFC 3339).
    pub last_seen: Box<str>,
}

impl Summary {
    /// What a list of `kind` with printer `columns` shows of `object`.
    pub fn of(kind: &Kind, columns: &[PrinterColumn], object: &DynamicObject) -> Self {
        let mut labels: Vec<(Box<str>, Box<str>)> = object
            .metadata
            .labels
            .iter()
            .flatten()
            .map(|(key, value)| (key.as_str().into(), value.as_str().into()))
            .collect();
        labels.sort_unstable();
        let (status, detail) = describe(kind, object);
        Self {
            labels: labels.into(),
            status: status.into(),
            detail: detail.into(),
            created: object
                .metadata
                .creation_timestamp
                .as_ref()
                .map(|time| time.0.to_string())
                .unwrap_or_default()
                .into(),
            footprint: footprint(kind, object).map(Box::new),
            cells: cells(columns, object),
        }
    }

    /// The row a list shows of the object at `key` on `cluster`, with a cell for each of its
    /// kind's printer columns.
    pub fn row(&self, cluster: &str, key: &ObjectKey) -> Row {
        Row {
            cluster: cluster.to_owned(),
            namespace: key.namespace.to_string(),
            name: key.name.to_string(),
            status: self.status.to_string(),
            detail: self.detail.to_string(),
            created: self.created.to_string(),
            cells: self.cells.iter().map(|cell| cell.to_string()).collect(),
        }
    }

    /// The value of label `key`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .binary_search_by(|(each, _)| (**each).cmp(key))
            .ok()
            .map(|at| &*self.labels[at].1)
    }
}

/// Where an object sits in [`Objects`].
type Slot = usize;

/// The objects of one kind in one cluster, by where they are, indexed by namespace and by
/// label so a query that names either looks only at the objects that have it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Objects {
    columns: Columns,
    slots: Vec<Option<(ObjectKey, Summary)>>,
    free: Vec<Slot>,
    at: HashMap<ObjectKey, Slot>,
    in_namespace: HashMap<Box<str>, HashSet<Slot>>,
    labelled: HashMap<(Box<str>, Box<str>), HashSet<Slot>>,
}

impl Objects {
    /// None yet, of a kind with printer `columns`.
    pub fn new(columns: Columns) -> Self {
        Self {
            columns,
            ..Self::default()
        }
    }

    /// The summaries of `objects`, as a list of `kind` with printer `columns` shows them.
    pub fn of<'a>(
        kind: &Kind,
        columns: Columns,
        objects: impl IntoIterator<Item = &'a DynamicObject>,
    ) -> Self {
        let mut all = Self::new(columns);
        for object in objects {
            let summary = Summary::of(kind, &all.columns, object);
            all.insert(ObjectKey::of(object), summary);
        }
        all
    }

    /// The printer columns of the kind, which each summary has a cell of.
    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    /// Adds the object at `key`, or replaces what was known of it.
    pub fn insert(&mut self, key: ObjectKey, summary: Summary) {
        self.remove(&key);
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.in_namespace
            .entry(key.namespace.clone())
            .or_default()
            .insert(slot);
        for (label, value) in &summary.labels {
            self.labelled
                .entry((label.clone(), value.clone()))
                .or_default()
                .insert(slot);
        }
        self.at.insert(key.clone(), slot);
        if let Some(place) = self.slots.get_mut(slot) {
            *place = Some((key, summary));
        }
    }

    /// Forgets the object at `key`.
    pub fn remove(&mut self, key: &ObjectKey) {
        let Some(slot) = self.at.remove(key) else {
            return;
        };
        let Some((key, summary)) = self.slots.get_mut(slot).and_then(Option::take) else {
            return;
        };
        self.free.push(slot);
        unindex(&mut self.in_namespace, key.namespace, slot);
        for label in summary.labels {
            unindex(&mut self.labelled, label, slot);
        }
    }

    /// Every object.
    pub fn iter(&self) -> impl Iterator<Item = (&ObjectKey, &Summary)> {
        self.slots
            .iter()
            .flatten()
            .map(|(key, summary)| (key, summary))
    }

    /// The objects that can be in `namespace` (any, if `None`) and have every label of
    /// `labels`: those under the rarest of these in the index. The caller still tests each.
    pub fn candidates<'a, 'q>(
        &'a self,
        namespace: Option<&'q str>,
        labels: impl Iterator<Item = (&'q str, &'q str)>,
    ) -> Box<dyn Iterator<Item = (&'a ObjectKey, &'a Summary)> + 'a> {
        // The smallest posting list so far; `None` inside when nothing is under a term.
        let mut rarest: Option<Option<&'a HashSet<Slot>>> = None;
        let terms = namespace
            .map(|namespace| self.in_namespace.get(namespace))
            .into_iter()
            .chain(labels.map(|(label, value)| self.labelled.get(&(label.into(), value.into()))));
        for found in terms {
            let size = |found: Option<&HashSet<Slot>>| found.map_or(0, HashSet::len);
            if rarest.is_none_or(|rarest| size(found) < size(rarest)) {
                rarest = Some(found);
            }
        }
        match rarest {
            None => Box::new(self.iter()),
            Some(None) => Box::new(std::iter::empty()),
            Some(Some(slots)) => Box::new(slots.iter().filter_map(|slot| {
                let (key, summary) = self.slots.get(*slot)?.as_ref()?;
                Some((key, summary))
            })),
        }
    }
}

/// Takes `slot` out of the index under `value`, and the value once nothing is under it.
fn unindex<K: std::hash::Hash + Eq>(index: &mut HashMap<K, HashSet<Slot>>, value: K, slot: Slot) {
    if let std::collections::hash_map::Entry::Occupied(mut under) = index.entry(value) {
        under.get_mut().remove(&slot);
        if under.get().is_empty() {
            under.remove();
        }
    }
}

/// The text of each of `columns` in `object`: strings as they are, other values as JSON,
/// nothing where the object has no value.
fn cells(columns: &[PrinterColumn], object: &DynamicObject) -> Box<[Box<str>]> {
    if columns.is_empty() {
        return Box::default();
    }
    // Metadata is held apart from the rest of the object; it is written out only when a
    // column looks into it.
    let metadata = columns
        .iter()
        .any(|column| column.path.trim_start_matches('{').starts_with(".metadata"))
        .then(|| serde_json::json!({"metadata": object.metadata}));
    columns
        .iter()
        .map(|column| {
            let path = column.path.trim_start_matches('{');
            let root = match &metadata {
                Some(metadata) if path.starts_with(".metadata") => metadata,
                _ => &object.data,
            };
            match json_path(root, &column.path) {
                None | Some(Value::Null) => Box::default(),
                Some(Value::String(text)) => text.as_str().into(),
                Some(other) => other.to_string().into(),
            }
        })
        .collect()
}

/// What `object`, a `kind`, adds to an overview.
fn footprint(kind: &Kind, object: &DynamicObject) -> Option<Footprint> {
    let data = &object.data;
    let text = |value: &Value| -> Box<str> { value.as_str().unwrap_or_default().into() };
    let amounts = |resources: &Value| Amounts {
        cpu_millis: value_millicores(&resources["cpu"]),
        memory_bytes: value_bytes(&resources["memory"]),
    };
    match (kind.group(), kind.plural()) {
        ("", "pods") => {
            let (node, (cpu_millis, memory_bytes)) = pod_on_node(data)?;
            Some(Footprint::Pod {
                node: node.into(),
                requests: Amounts {
                    cpu_millis,
                    memory_bytes,
                },
            })
        }
        ("", "nodes") => Some(Footprint::Node {
            capacity: amounts(&data["status"]["capacity"]),
            allocatable: amounts(&data["status"]["allocatable"]),
            pods: data["status"]["allocatable"]["pods"]
                .as_str()
                .and_then(|pods| pods.parse().ok())
                .or_else(|| data["status"]["allocatable"]["pods"].as_u64())
                .unwrap_or(0),
        }),
        ("", "events") if data["type"] == "Warning" => {
            let involved = &data["involvedObject"];
            let last_seen = [&data["lastTimestamp"], &data["eventTime"]]
                .into_iter()
                .find_map(Value::as_str)
                .map(Box::from)
                .or_else(|| {
                    let created = object.metadata.creation_timestamp.as_ref()?;
                    Some(created.0.to_string().into())
                })
                .unwrap_or_default();
            Some(Footprint::Warning(WarningFacts {
                reason: text(&data["reason"]),
                message: text(&data["message"]),
                api_version: text(&involved["apiVersion"]),
                kind: text(&involved["kind"]),
                namespace: text(&involved["namespace"]),
                name: text(&involved["name"]),
                count: data["count"].as_u64().unwrap_or(1),
                last_seen,
            }))
        }
        _ => None,
    }
}

/// An object's status and second fact, as `kubectl get` shows them for the navigation's
/// kinds; for any other kind its phase, or else whether its `Ready` condition holds.
fn describe(kind: &Kind, object: &DynamicObject) -> (String, String) {
    let data = &object.data;
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let ready = || {
        let conditions = data["status"]["conditions"].as_array();
        let ready = conditions?.iter().find(|c| c["type"] == "Ready")?;
        Some(if ready["status"] == "True" {
            "Ready"
        } else {
            "NotReady"
        })
    };
    match (kind.group(), kind.plural()) {
        ("", "pods") => {
            let mut status = text(&data["status"]["phase"]);
            for container in data["status"]["containerStatuses"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let state = &container["state"];
                if let Some(reason) = state["waiting"]["reason"]
                    .as_str()
                    .or_else(|| state["terminated"]["reason"].as_str())
                {
                    status = reason.to_owned();
                }
            }
            if object.metadata.deletion_timestamp.is_some() {
                status = "Terminating".to_owned();
            }
            (status, text(&data["spec"]["nodeName"]))
        }
        ("", "nodes") => (
            ready().unwrap_or("NotReady").to_owned(),
            text(&data["status"]["nodeInfo"]["kubeletVersion"]),
        ),
        ("apps", "deployments" | "statefulsets" | "daemonsets") => {
            let count = |field: &str| data["status"][field].as_i64().unwrap_or(0);
            let (desired, ready, available) = if kind.plural() == "daemonsets" {
                (
                    count("desiredNumberScheduled"),
                    count("numberReady"),
                    count("numberAvailable"),
                )
            } else {
                (
                    data["spec"]["replicas"].as_i64().unwrap_or(1),
                    count("readyReplicas"),
                    count("availableReplicas"),
                )
            };
            let status = if available >= desired {
                "Available"
            } else {
                "Progressing"
            };
            (status.to_owned(), format!("{ready}/{desired} ready"))
        }
        ("", "services") => (
            text(&data["spec"]["type"]),
            text(&data["spec"]["clusterIP"]),
        ),
        ("", "events") => (text(&data["type"]), text(&data["reason"])),
        _ => {
            let phase = data["status"]["phase"].as_str();
            let status = phase.or_else(ready).unwrap_or_default();
            (status.to_owned(), String::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: serde_json::Value) -> DynamicObject {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_pod_is_summarised_as_kubectl_lists_it() {
        let pod = object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": "demo",
                         "labels": {"tier": "front", "app": "web"},
                         "creationTimestamp": "2026-01-02T03:04:05Z"},
            "spec": {"nodeName": "node-2"},
            "status": {"phase": "Running", "containerStatuses": [
                {"state": {"running": {}}},
                {"state": {"waiting": {"reason": "CrashLoopBackOff"}}},
            ]},
        }));
        let summary = Summary::of(&Kind::PODS, &[], &pod);
        assert_eq!(&*summary.status, "CrashLoopBackOff");
        assert_eq!(&*summary.detail, "node-2");
        assert_eq!(&*summary.created, "2026-01-02T03:04:05Z");
        assert_eq!(summary.label("app"), Some("web"));
        assert_eq!(summary.label("tier"), Some("front"));
        assert_eq!(summary.label("zone"), None);
        let key = ObjectKey::of(&pod);
        assert_eq!((&*key.namespace, &*key.name), ("demo", "web-1"));
    }

    fn labelled(name: &str, namespace: &str, app: &str) -> DynamicObject {
        object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": app}},
        }))
    }

    fn names<'a>(found: impl Iterator<Item = (&'a ObjectKey, &'a Summary)>) -> Vec<String> {
        let mut names: Vec<String> = found.map(|(key, _)| key.name.to_string()).collect();
        names.sort();
        names
    }

    #[test]
    fn the_index_narrows_to_the_rarest_term_and_follows_changes() {
        let mut objects = Objects::of(
            &Kind::PODS,
            Columns::default(),
            &[
                labelled("a", "demo", "web"),
                labelled("b", "demo", "db"),
                labelled("c", "other", "web"),
            ],
        );
        let none = || std::iter::empty();
        assert_eq!(names(objects.candidates(None, none())), ["a", "b", "c"]);
        assert_eq!(names(objects.candidates(Some("demo"), none())), ["a", "b"]);
        let web = [("app", "web")];
        assert_eq!(names(objects.candidates(None, web.into_iter())), ["a", "c"]);
        // The rarest term decides; the caller tests the others.
        assert_eq!(
            names(objects.candidates(Some("other"), web.into_iter())),
            ["c"]
        );
        assert!(names(objects.candidates(Some("gone"), web.into_iter())).is_empty());
        assert!(names(objects.candidates(None, [("app", "cache")].into_iter())).is_empty());

        // A relabelled object leaves its old label's entry; a removed one leaves them all, and
        // its slot is used again.
        let relabelled = labelled("a", "demo", "db");
        objects.insert(
            ObjectKey::of(&relabelled),
            Summary::of(&Kind::PODS, &[], &relabelled),
        );
        assert_eq!(names(objects.candidates(None, web.into_iter())), ["c"]);
        objects.remove(&ObjectKey::of(&labelled("c", "other", "web")));
        assert!(names(objects.candidates(None, web.into_iter())).is_empty());
        assert!(names(objects.candidates(Some("other"), none())).is_empty());
        let added = labelled("d", "other", "web");
        objects.insert(ObjectKey::of(&added), Summary::of(&Kind::PODS, &[], &added));
        assert_eq!(objects.slots.len(), 3);
        assert_eq!(names(objects.candidates(None, none())), ["a", "b", "d"]);
        assert_eq!(names(objects.candidates(None, web.into_iter())), ["d"]);
    }

    #[test]
    fn a_deployment_says_how_many_replicas_are_ready() {
        let deployment = object(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"replicas": 3},
            "status": {"readyReplicas": 2, "availableReplicas": 2},
        }));
        let summary = Summary::of(&Kind::DEPLOYMENTS, &[], &deployment);
        assert_eq!(
            (&*summary.status, &*summary.detail),
            ("Progressing", "2/3 ready")
        );
        assert_eq!(&*summary.created, "");
    }

    #[test]
    fn any_other_kind_shows_its_phase_or_else_its_ready_condition() {
        let widgets = Kind::parse("widgets.example.com").unwrap();
        let widget = |status: serde_json::Value| {
            let widget = object(json!({
                "apiVersion": "example.com/v1", "kind": "Widget",
                "metadata": {"name": "w"}, "status": status,
            }));
            Summary::of(&widgets, &[], &widget).status.to_string()
        };
        assert_eq!(widget(json!({"phase": "Bound"})), "Bound");
        let condition = |status: &str| {
            json!({"conditions": [
                {"type": "Synced", "status": "True"},
                {"type": "Ready", "status": status},
            ]})
        };
        assert_eq!(widget(condition("True")), "Ready");
        assert_eq!(widget(condition("False")), "NotReady");
        assert_eq!(widget(json!({})), "");
        // Namespaces fall to the same rule: their phase.
        let namespace = object(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "demo"}, "status": {"phase": "Active"},
        }));
        assert_eq!(
            &*Summary::of(&Kind::NAMESPACES, &[], &namespace).status,
            "Active"
        );
    }

    #[test]
    fn printer_columns_are_read_from_the_object_and_its_metadata() {
        let column = |name: &str, path: &str| PrinterColumn {
            name: name.into(),
            path: path.into(),
        };
        let columns = [
            column("Size", ".spec.size"),
            column("Owner", "{.metadata.labels.owner}"),
            column("Phase", ".status.phase"),
            column("Ports", ".spec.ports"),
            column("Missing", ".spec.none"),
        ];
        let widget = object(json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "labels": {"owner": "ann"}},
            "spec": {"size": 3, "ports": [80, 443]}, "status": {"phase": "Bound"},
        }));
        let widgets = Kind::parse("widgets.example.com").unwrap();
        let summary = Summary::of(&widgets, &columns, &widget);
        let cells: Vec<&str> = summary.cells.iter().map(|cell| &**cell).collect();
        assert_eq!(cells, ["3", "ann", "Bound", "[80,443]", ""]);
        assert!(Summary::of(&widgets, &[], &widget).cells.is_empty());
    }
}
