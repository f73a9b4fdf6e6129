//! Rendered files into manifests, as Helm sorts them for an install: each file split into its
//! YAML documents, hooks (`helm.sh/hook`) set apart, and both in Helm's install order of kinds.

use std::collections::BTreeMap;

use orbital_template::{Value, read_yaml};

use crate::error::ChartError;
use crate::metadata::{json_kind, scalar_text};
use crate::render::base_name;

/// The kinds in the order an install creates them; other kinds come after, by name.
const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// The annotations Helm reads on a rendered object.
const HOOK: &str = "helm.sh/hook";
const HOOK_WEIGHT: &str = "helm.sh/hook-weight";
const HOOK_DELETE_POLICY: &str = "helm.sh/hook-delete-policy";

/// When a hook runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookEvent {
    /// `pre-install`.
    PreInstall,
    /// `post-install`.
    PostInstall,
    /// `pre-delete`.
    PreDelete,
    /// `post-delete`.
    PostDelete,
    /// `pre-upgrade`.
    PreUpgrade,
    /// `post-upgrade`.
    PostUpgrade,
    /// `pre-rollback`.
    PreRollback,
    /// `post-rollback`.
    PostRollback,
    /// `test` (or the older `test-success`).
    Test,
}

impl HookEvent {
    fn parse(text: &str) -> Option<HookEvent> {
        Some(match text {
            "pre-install" => HookEvent::PreInstall,
            "post-install" => HookEvent::PostInstall,
            "pre-delete" => HookEvent::PreDelete,
            "post-delete" => HookEvent::PostDelete,
            "pre-upgrade" => HookEvent::PreUpgrade,
            "post-upgrade" => HookEvent::PostUpgrade,
            "pre-rollback" => HookEvent::PreRollback,
            "post-rollback" => HookEvent::PostRollback,
            "test" | "test-success" => HookEvent::Test,
            _ => return None,
        })
    }
}

/// One YAML document of a rendered file.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// The template file it came from, as `chart/templates/x.yaml`.
    pub source: String,
    /// The document, trimmed.
    pub content: String,
    /// Its `kind`.
    pub kind: String,
    /// Its `metadata.name`.
    pub name: String,
}

/// A manifest Helm runs as a hook rather than installing it with the rest.
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    /// The manifest.
    pub manifest: Manifest,
    /// When it runs.
    pub events: Vec<HookEvent>,
    /// `helm.sh/hook-weight`: lighter hooks run first.
    pub weight: i64,
    /// `helm.sh/hook-delete-policy`, each lower-cased.
    pub delete_policies: Vec<String>,
}

/// The manifests and hooks of a render, each in install order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sorted {
    /// What an install applies.
    pub manifests: Vec<Manifest>,
    /// What it runs as hooks.
    pub hooks: Vec<Hook>,
}

/// Helm's `SplitManifests`: the documents of `text`, trimmed, empty ones dropped.
pub fn split_documents(text: &str) -> Vec<String> {
    static SEPARATOR: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?:^|\s*\n)---\s*").ok());
    let Some(separator) = SEPARATOR.as_ref() else {
        return vec![text.trim().to_owned()];
    };
    separator
        .split(text.trim())
        .filter(|document| !document.is_empty())
        .map(|document| document.trim().to_owned())
        .collect()
}

/// Helm's `SortManifests` over rendered files (by full name).
pub fn sort_manifests(files: &BTreeMap<String, String>) -> Result<Sorted, ChartError> {
    let mut sorted = Sorted::default();
    for (path, content) in files {
        if base_name(path).starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for document in split_documents(content) {
            let head = Head::read(&document).map_err(|error| {
                ChartError::Manifest(format!("YAML parse error on {path}: {error}"))
            })?;
            let manifest = Manifest {
                source: path.clone(),
                content: document,
                kind: head.kind,
                name: head.name,
            };
            let Some(events) = head.annotations.get(HOOK) else {
                sorted.manifests.push(manifest);
                continue;
            };
            // A hook of an event Helm does not know is left out, as Helm leaves it out.
            let Some(events) = events
                .split(',')
                .map(|event| HookEvent::parse(&event.trim().to_lowercase()))
                .collect::<Option<Vec<_>>>()
            else {
                continue;
            };
            sorted.hooks.push(Hook {
                manifest,
                events,
                weight: head
                    .annotations
                    .get(HOOK_WEIGHT)
                    .and_then(|weight| go_atoi(weight))
                    .unwrap_or(0),
                delete_policies: head
                    .annotations
                    .get(HOOK_DELETE_POLICY)
                    .map(|policies| {
                        policies
                            .split(',')
                            .map(|policy| policy.trim().to_lowercase())
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    sorted
        .manifests
        .sort_by_key(|manifest| install_rank(&manifest.kind));
    sorted
        .hooks
        .sort_by_key(|hook| install_rank(&hook.manifest.kind));
    Ok(sorted)
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits, nothing else.
fn go_atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Where a kind sorts: known kinds by their place, then unknown ones by name.
fn install_rank(kind: &str) -> (usize, String) {
    match INSTALL_ORDER.iter().position(|known| *known == kind) {
        Some(at) => (at, String::new()),
        None => (INSTALL_ORDER.len(), kind.to_owned()),
    }
}

/// What Helm reads of a manifest before installing it.
struct Head {
    kind: String,
    name: String,
    annotations: BTreeMap<String, String>,
}

impl Head {
    fn read(document: &str) -> Result<Head, String> {
        let value = read_yaml(document)
            .map_err(|error| format!("error converting YAML to JSON: {error}"))?;
        let fields = match value {
            Value::Map(fields) => fields,
            Value::Nil => orbital_template::Map::default(),
            other => {
                return Err(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type releaseutil.SimpleHead",
                    json_kind(&other)
                ));
            }
        };
        let text = |value: Option<Value>, field: &str| -> Result<String, String> {
            match value {
                None | Some(Value::Nil) => Ok(String::new()),
                Some(other) => scalar_text(&other).ok_or_else(|| format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {field} of type string",
                    json_kind(&other)
                )),
            }
        };
        let kind = text(fields.get("kind"), "SimpleHead.kind")?;
        text(fields.get("apiVersion"), "SimpleHead.apiVersion")?;
        let (name, annotations) = match fields.get("metadata") {
            Some(Value::Map(metadata)) => {
                let name = text(metadata.get("name"), "SimpleHead.metadata.name")?;
                let annotations = match metadata.get("annotations") {
                    Some(Value::Map(annotations)) => annotations
                        .snapshot()
                        .into_iter()
                        .map(|(key, value)| {
                            Ok((
                                key,
                                scalar_text(&value).ok_or_else(|| {
                                    format!(
                                        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field .metadata.annotations of type string",
                                        json_kind(&value)
                                    )
                                })?,
                            ))
                        })
                        .collect::<Result<_, String>>()?,
                    _ => BTreeMap::new(),
                };
                (name, annotations)
            }
            _ => (String::new(), BTreeMap::new()),
        };
        Ok(Head {
            kind,
            name,
            annotations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_split_on_separator_lines_and_trimmed() {
        assert_eq!(
            split_documents("---\na: 1\n---\n\n\nb: 2\n--- # c\nc: 3\n---\n"),
            ["a: 1", "b: 2", "# c\nc: 3"]
        );
        // As in Helm, a separator's trailing white space takes the next line's break with it.
        assert_eq!(split_documents("a\n---\n---\nb"), ["a", "---\nb"]);
    }

    #[test]
    fn hooks_are_set_apart_and_kinds_sorted_in_install_order() {
        let files = BTreeMap::from([
            (
                "c/templates/a.yaml".to_owned(),
                "kind: Deployment\nmetadata: {name: d}\n---\nkind: Service\nmetadata: {name: s}\n---\nkind: Zebra\n---\nkind: Alpaca\n".to_owned(),
            ),
            (
                "c/templates/b.yaml".to_owned(),
                "kind: Job\nmetadata:\n  name: j\n  annotations: {helm.sh/hook: \"pre-install, Post-Upgrade\", helm.sh/hook-weight: 5}\n---\nkind: Job\nmetadata:\n  name: x\n  annotations: {helm.sh/hook: nonsense}\n".to_owned(),
            ),
        ]);
        let sorted = sort_manifests(&files).unwrap();
        let kinds: Vec<&str> = sorted.manifests.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, ["Service", "Deployment", "Alpaca", "Zebra"]);
        assert_eq!(sorted.hooks.len(), 1);
        assert_eq!(
            sorted.hooks[0].events,
            [HookEvent::PreInstall, HookEvent::PostUpgrade]
        );
        assert_eq!(sorted.hooks[0].weight, 5);
    }
}
