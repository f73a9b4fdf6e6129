//! The built-in Kubernetes types, as a real API server describes them in discovery.

use super::{Printer, ResourceType, ScalePaths};

/// How one built-in type differs from the defaults: namespaced, no subresources, no extras.
struct Builtin {
    group: &'static str,
    kind: &'static str,
    plural: &'static str,
    cluster_scoped: bool,
    short_names: &'static [&'static str],
    in_category_all: bool,
    status: bool,
    scale: bool,
    review: bool,
}

const DEFAULTS: Builtin = Builtin {
    group: "",
    kind: "",
    plural: "",
    cluster_scoped: false,
    short_names: &[],
    in_category_all: false,
    status: false,
    scale: false,
    review: false,
};

#[rustfmt::skip]
const BUILTINS: &[Builtin] = &[
    Builtin { kind: "Namespace", plural: "namespaces", cluster_scoped: true, short_names: &["ns"], status: true, ..DEFAULTS },
    Builtin { kind: "Node", plural: "nodes", cluster_scoped: true, short_names: &["no"], status: true, ..DEFAULTS },
    Builtin { kind: "Pod", plural: "pods", short_names: &["po"], in_category_all: true, status: true, ..DEFAULTS },
    Builtin { kind: "Service", plural: "services", short_names: &["svc"], in_category_all: true, status: true, ..DEFAULTS },
    Builtin { kind: "Endpoints", plural: "endpoints", short_names: &["ep"], ..DEFAULTS },
    Builtin { kind: "ConfigMap", plural: "configmaps", short_names: &["cm"], ..DEFAULTS },
    Builtin { kind: "Secret", plural: "secrets", ..DEFAULTS },
    Builtin { kind: "ServiceAccount", plural: "serviceaccounts", short_names: &["sa"], ..DEFAULTS },
    Builtin { kind: "Event", plural: "events", short_names: &["ev"], ..DEFAULTS },
    Builtin { kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", short_names: &["pvc"], status: true, ..DEFAULTS },
    Builtin { kind: "ResourceQuota", plural: "resourcequotas", short_names: &["quota"], status: true, ..DEFAULTS },
    Builtin { kind: "LimitRange", plural: "limitranges", short_names: &["limits"], ..DEFAULTS },
    Builtin { group: "apps", kind: "Deployment", plural: "deployments", short_names: &["deploy"], in_category_all: true, status: true, scale: true, ..DEFAULTS },
    Builtin { group: "apps", kind: "ReplicaSet", plural: "replicasets", short_names: &["rs"], in_category_all: true, status: true, scale: true, ..DEFAULTS },
    Builtin { group: "apps", kind: "StatefulSet", plural: "statefulsets", short_names: &["sts"], in_category_all: true, status: true, scale: true, ..DEFAULTS },
    Builtin { group: "apps", kind: "DaemonSet", plural: "daemonsets", short_names: &["ds"], in_category_all: true, status: true, ..DEFAULTS },
    Builtin { group: "apps", kind: "ControllerRevision", plural: "controllerrevisions", ..DEFAULTS },
    Builtin { group: "batch", kind: "Job", plural: "jobs", in_category_all: true, status: true, ..DEFAULTS },
    Builtin { group: "batch", kind: "CronJob", plural: "cronjobs", short_names: &["cj"], in_category_all: true, status: true, ..DEFAULTS },
    Builtin { group: "networking.k8s.io", kind: "Ingress", plural: "ingresses", short_names: &["ing"], status: true, ..DEFAULTS },
    Builtin { group: "rbac.authorization.k8s.io", kind: "Role", plural: "roles", ..DEFAULTS },
    Builtin { group: "rbac.authorization.k8s.io", kind: "RoleBinding", plural: "rolebindings", ..DEFAULTS },
    Builtin { group: "rbac.authorization.k8s.io", kind: "ClusterRole", plural: "clusterroles", cluster_scoped: true, ..DEFAULTS },
    Builtin { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding", plural: "clusterrolebindings", cluster_scoped: true, ..DEFAULTS },
    Builtin { group: "coordination.k8s.io", kind: "Lease", plural: "leases", ..DEFAULTS },
    Builtin { group: "authorization.k8s.io", kind: "SelfSubjectAccessReview", plural: "selfsubjectaccessreviews", cluster_scoped: true, review: true, ..DEFAULTS },
    Builtin { group: "policy", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", short_names: &["pdb"], status: true, ..DEFAULTS },
    Builtin { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", cluster_scoped: true, short_names: &["crd", "crds"], status: true, ..DEFAULTS },
];

/// Every built-in type.
pub(super) fn types() -> impl Iterator<Item = ResourceType> {
    BUILTINS.iter().map(|builtin| ResourceType {
        group: builtin.group.to_owned(),
        version: "v1".to_owned(),
        kind: builtin.kind.to_owned(),
        plural: builtin.plural.to_owned(),
        singular: builtin.kind.to_lowercase(),
        namespaced: !builtin.cluster_scoped,
        short_names: builtin
            .short_names
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        categories: if builtin.in_category_all {
            vec!["all".to_owned()]
        } else {
            Vec::new()
        },
        status_subresource: builtin.status,
        scale: builtin.scale.then(|| ScalePaths {
            spec_replicas: ".spec.replicas".to_owned(),
            status_replicas: ".status.replicas".to_owned(),
            label_selector: None,
        }),
        printer: Printer::Builtin,
        review: builtin.review,
    })
}
