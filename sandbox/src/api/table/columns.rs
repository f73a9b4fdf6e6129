//! The columns of the built-in kinds, as a real API server declares them.

use super::Column;

const fn col(name: &'static str, column_type: &'static str, priority: i64) -> Column {
    Column {
        name,
        column_type,
        format: "",
        priority,
    }
}

const NAME: Column = Column {
    name: "Name",
    column_type: "string",
    format: "name",
    priority: 0,
};
const AGE: Column = col("Age", "string", 0);

/// The columns of a built-in kind.
pub(super) fn columns(kind: &str) -> Vec<Column> {
    let s = |name| col(name, "string", 0);
    let wide = |name| col(name, "string", 1);
    let i = |name| col(name, "integer", 0);
    match kind {
        "Namespace" => vec![NAME, s("Status"), AGE],
        "Node" => vec![
            NAME,
            s("Status"),
            s("Roles"),
            AGE,
            s("Version"),
            wide("Internal-IP"),
            wide("External-IP"),
            wide("OS-Image"),
            wide("Kernel-Version"),
            wide("Container-Runtime"),
        ],
        "Pod" => vec![
            NAME,
            s("Ready"),
            s("Status"),
            s("Restarts"),
            AGE,
            wide("IP"),
            wide("Node"),
            wide("Nominated Node"),
            wide("Readiness Gates"),
        ],
        "Service" => vec![
            NAME,
            s("Type"),
            s("Cluster-IP"),
            s("External-IP"),
            s("Port(s)"),
            AGE,
            wide("Selector"),
        ],
        "Endpoints" => vec![NAME, s("Endpoints"), AGE],
        "ConfigMap" => vec![NAME, i("Data"), AGE],
        "Secret" => vec![NAME, s("Type"), i("Data"), AGE],
        "ServiceAccount" => vec![NAME, i("Secrets"), AGE],
        "Event" => vec![
            s("Last Seen"),
            s("Type"),
            s("Reason"),
            s("Object"),
            s("Message"),
        ],
        "PersistentVolumeClaim" => vec![
            NAME,
            s("Status"),
            s("Volume"),
            s("Capacity"),
            s("Access Modes"),
            s("StorageClass"),
            s("VolumeAttributesClass"),
            AGE,
            wide("VolumeMode"),
        ],
        "ResourceQuota" => vec![NAME, AGE, s("Request"), s("Limit")],
        "Deployment" => vec![
            NAME,
            s("Ready"),
            i("Up-to-date"),
            i("Available"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        "ReplicaSet" => vec![
            NAME,
            i("Desired"),
            i("Current"),
            i("Ready"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        "StatefulSet" => vec![NAME, s("Ready"), AGE, wide("Containers"), wide("Images")],
        "DaemonSet" => vec![
            NAME,
            i("Desired"),
            i("Current"),
            i("Ready"),
            i("Up-to-date"),
            i("Available"),
            s("Node Selector"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        "Job" => vec![
            NAME,
            s("Status"),
            s("Completions"),
            s("Duration"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        "CronJob" => vec![
            NAME,
            s("Schedule"),
            s("Timezone"),
            s("Suspend"),
            i("Active"),
            s("Last Schedule"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        "Ingress" => vec![NAME, s("Class"), s("Hosts"), s("Address"), s("Ports"), AGE],
        "RoleBinding" | "ClusterRoleBinding" => vec![
            NAME,
            s("Role"),
            AGE,
            wide("Users"),
            wide("Groups"),
            wide("ServiceAccounts"),
        ],
        "Role" | "ClusterRole" | "LimitRange" | "CustomResourceDefinition" => {
            vec![NAME, s("Created At")]
        }
        "Lease" => vec![NAME, s("Holder"), AGE],
        "PodDisruptionBudget" => vec![
            NAME,
            s("Min Available"),
            s("Max Unavailable"),
            i("Allowed Disruptions"),
            AGE,
        ],
        _ => vec![NAME, AGE],
    }
}
