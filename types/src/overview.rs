//! What an overview shows of one cluster or of every cluster in scope: how full the nodes
//! are, which workloads are not healthy, and the recent Warning events.

use serde::{Deserialize, Serialize};

use crate::{Failure, Kind, Row};

/// How many unhealthy workloads, and how many Warning events, an overview lists at most.
pub const OVERVIEW_LIMIT: usize = 20;

/// CPU in millicores and memory in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amounts {
    /// CPU, in thousandths of a core.
    pub cpu_millis: u64,
    /// Memory, in bytes.
    pub memory_bytes: u64,
}

impl Amounts {
    /// `self` taken `count` times.
    pub fn times(self, count: u64) -> Self {
        Self {
            cpu_millis: self.cpu_millis.saturating_mul(count),
            memory_bytes: self.memory_bytes.saturating_mul(count),
        }
    }

    /// Whether `need` fits in `self`.
    pub fn covers(self, need: Self) -> bool {
        self.cpu_millis >= need.cpu_millis && self.memory_bytes >= need.memory_bytes
    }

    /// `self` less `other`, neither part below zero.
    pub fn less(self, other: Self) -> Self {
        Self {
            cpu_millis: self.cpu_millis.saturating_sub(other.cpu_millis),
            memory_bytes: self.memory_bytes.saturating_sub(other.memory_bytes),
        }
    }
}

impl std::ops::AddAssign for Amounts {
    fn add_assign(&mut self, other: Self) {
        self.cpu_millis += other.cpu_millis;
        self.memory_bytes += other.memory_bytes;
    }
}

/// What nodes have, what of it pods may use, and what the pods bound to them request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Load {
    /// The nodes' capacity.
    pub capacity: Amounts,
    /// What of it the nodes give to pods.
    pub allocatable: Amounts,
    /// What the pods bound to the nodes request (those not finished).
    pub requested: Amounts,
    /// How many pods are bound to the nodes (those not finished).
    pub pods: u64,
    /// How many pods the nodes take.
    pub pod_capacity: u64,
}

impl Load {
    /// `loads` added up.
    pub fn sum(loads: impl IntoIterator<Item = Load>) -> Load {
        let mut total = Load::default();
        for load in loads {
            total += load;
        }
        total
    }
}

impl std::ops::AddAssign for Load {
    fn add_assign(&mut self, other: Self) {
        self.capacity += other.capacity;
        self.allocatable += other.allocatable;
        self.requested += other.requested;
        self.pods += other.pods;
        self.pod_capacity += other.pod_capacity;
    }
}

/// One node's load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeLoad {
    /// The node.
    pub name: String,
    /// Whether its `Ready` condition holds.
    pub ready: bool,
    /// Its load.
    pub load: Load,
}

/// One cluster's load, node by node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterLoad {
    /// The cluster.
    pub cluster: String,
    /// The nodes, by name; `None` unless the caller may list the cluster's nodes and its
    /// pods everywhere, since a load summed over only some pods would look emptier than the
    /// cluster is.
    pub nodes: Option<Vec<NodeLoad>>,
}

impl ClusterLoad {
    /// The nodes' loads added up, if they are shown.
    pub fn total(&self) -> Option<Load> {
        Some(Load::sum(self.nodes.as_ref()?.iter().map(|node| node.load)))
    }
}

/// A workload (Deployment, StatefulSet, DaemonSet) with fewer replicas ready than it wants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    /// Its kind.
    pub kind: Kind,
    /// Where it is and its state (`Progressing`, `1/3 ready`).
    pub row: Row,
}

/// A Warning event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The cluster it happened on.
    pub cluster: String,
    /// The namespace of the event.
    pub namespace: String,
    /// Why, in one word (`BackOff`, `FailedScheduling`).
    pub reason: String,
    /// What happened.
    pub message: String,
    /// The object it is about, as `Kind/name` (`Pod/web-1`).
    pub object: String,
    /// That object's console page, when its kind is served.
    pub href: Option<String>,
    /// How many times it happened.
    pub count: u64,
    /// When it last happened (RFC 3339).
    pub last_seen: String,
}

/// An overview of the clusters in scope (or of one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// Each cluster that answered, by name.
    pub loads: Vec<ClusterLoad>,
    /// Unhealthy workloads the caller may see, by cluster, namespace and name; at most
    /// [`OVERVIEW_LIMIT`].
    pub unhealthy: Vec<Workload>,
    /// How many unhealthy workloads there are in all.
    pub unhealthy_total: usize,
    /// The most recent Warning events the caller may see, newest first; at most
    /// [`OVERVIEW_LIMIT`].
    pub warnings: Vec<Warning>,
    /// How many Warning events there are in all.
    pub warnings_total: usize,
    /// Clusters that could not answer, and why.
    pub failed: Vec<Failure>,
    /// Whether rows name their cluster (not on a member cluster's own console).
    pub multi_cluster: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, cpu: u64, requested: u64, pods: u64) -> NodeLoad {
        NodeLoad {
            name: name.to_owned(),
            ready: true,
            load: Load {
                capacity: Amounts {
                    cpu_millis: cpu,
                    memory_bytes: 8,
                },
                allocatable: Amounts {
                    cpu_millis: cpu - 100,
                    memory_bytes: 6,
                },
                requested: Amounts {
                    cpu_millis: requested,
                    memory_bytes: 1,
                },
                pods,
                pod_capacity: 110,
            },
        }
    }

    #[test]
    fn loads_add_up_over_nodes_and_over_clusters() {
        let one = ClusterLoad {
            cluster: "one".to_owned(),
            nodes: Some(vec![node("a", 4000, 250, 3), node("b", 2000, 100, 1)]),
        };
        let total = one.total().unwrap();
        assert_eq!(total.capacity.cpu_millis, 6000);
        assert_eq!(total.allocatable.cpu_millis, 5800);
        assert_eq!(total.requested.cpu_millis, 350);
        assert_eq!((total.pods, total.pod_capacity), (4, 220));
        assert_eq!(total.capacity.memory_bytes, 16);

        let hidden = ClusterLoad {
            cluster: "two".to_owned(),
            nodes: None,
        };
        assert_eq!(hidden.total(), None);
        let two = ClusterLoad {
            cluster: "three".to_owned(),
            nodes: Some(vec![node("c", 1000, 500, 7)]),
        };
        let all = Load::sum([one, hidden, two].iter().filter_map(ClusterLoad::total));
        assert_eq!(all.capacity.cpu_millis, 7000);
        assert_eq!(all.requested.cpu_millis, 850);
        assert_eq!(all.pods, 11);
    }
}
