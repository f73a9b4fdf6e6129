//! Lists of one kind across clusters: which kinds, what a query asks, what a page holds.

use serde::{Deserialize, Serialize};

/// Rows on one page of a list.
pub const PAGE_SIZE: usize = 50;

/// The kinds the console lists across clusters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// Nodes.
    Nodes,
    /// Namespaces.
    Namespaces,
    /// Pods.
    Pods,
    /// Deployments.
    Deployments,
    /// Services.
    Services,
}

impl Kind {
    /// Every kind, in navigation order.
    pub const ALL: [Self; 5] = [
        Self::Nodes,
        Self::Namespaces,
        Self::Pods,
        Self::Deployments,
        Self::Services,
    ];

    /// The API group (empty for core).
    pub fn group(self) -> &'static str {
        match self {
            Self::Deployments => "apps",
            Self::Nodes | Self::Namespaces | Self::Pods | Self::Services => "",
        }
    }

    /// The kind's name in objects (`Pod`).
    pub fn kind(self) -> &'static str {
        match self {
            Self::Nodes => "Node",
            Self::Namespaces => "Namespace",
            Self::Pods => "Pod",
            Self::Deployments => "Deployment",
            Self::Services => "Service",
        }
    }

    /// The kind as `kubectl` and page addresses write it (`pods`, `deployments.apps`).
    pub fn address(self) -> String {
        crate::api_kind::address(self.group(), self.plural())
    }

    /// The plural name, as in API paths and the page's path (`pods`).
    pub fn plural(self) -> &'static str {
        match self {
            Self::Nodes => "nodes",
            Self::Namespaces => "namespaces",
            Self::Pods => "pods",
            Self::Deployments => "deployments",
            Self::Services => "services",
        }
    }

    /// The page's title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Nodes => "Nodes",
            Self::Namespaces => "Namespaces",
            Self::Pods => "Pods",
            Self::Deployments => "Deployments",
            Self::Services => "Services",
        }
    }

    /// Whether objects of the kind live in namespaces.
    pub fn namespaced(self) -> bool {
        !matches!(self, Self::Nodes | Self::Namespaces)
    }

    /// The heading of the second fact each row shows, if the kind has one.
    pub fn detail(self) -> Option<&'static str> {
        match self {
            Self::Nodes => Some("Kubelet"),
            Self::Namespaces => None,
            Self::Pods => Some("Node"),
            Self::Deployments => Some("Ready"),
            Self::Services => Some("Cluster IP"),
        }
    }

    /// A status to show as an example in the filter.
    pub fn example_status(self) -> &'static str {
        match self {
            Self::Nodes => "Ready",
            Self::Namespaces => "Active",
            Self::Pods => "Running",
            Self::Deployments => "Available",
            Self::Services => "ClusterIP",
        }
    }
}

/// What to sort rows by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sort {
    /// Name, then cluster and namespace.
    #[default]
    Name,
    /// Cluster, then namespace and name.
    Cluster,
    /// Namespace, then name and cluster.
    Namespace,
    /// Status, then name.
    Status,
    /// Creation time, oldest first.
    Age,
}

impl Sort {
    /// Every order, as the filter offers them.
    pub const ALL: [Self; 5] = [
        Self::Name,
        Self::Cluster,
        Self::Namespace,
        Self::Status,
        Self::Age,
    ];

    /// The order's name in a page address (`?sort=age`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Cluster => "cluster",
            Self::Namespace => "namespace",
            Self::Status => "status",
            Self::Age => "age",
        }
    }

    /// Reads an order's name; an unknown one is the default order.
    pub fn parse(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|sort| sort.as_str() == text)
            .unwrap_or_default()
    }
}

/// Which rows of a list, in which order, which page; `None` filters nothing, and a field left
/// out is its default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    /// Only this cluster.
    pub cluster: Option<String>,
    /// Only this namespace.
    pub namespace: Option<String>,
    /// A label selector (`app=web,tier in (front)`).
    pub labels: Option<String>,
    /// Only names containing this text.
    pub name: Option<String>,
    /// Only this status (`Running`, `CrashLoopBackOff`, `Ready`, …).
    pub status: Option<String>,
    /// The order.
    pub sort: Sort,
    /// Reverse the order.
    pub descending: bool,
    /// The page, from 1 ([`PAGE_SIZE`] rows each).
    pub page: usize,
}

impl Query {
    /// Rows before the page.
    pub fn offset(&self) -> usize {
        self.page.saturating_sub(1) * PAGE_SIZE
    }
}

/// One object in one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The cluster it is in.
    pub cluster: String,
    /// Its namespace (empty for cluster-scoped kinds).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its state as `kubectl get` shows it.
    pub status: String,
    /// A second fact: a pod's node, a deployment's ready/desired, a service's cluster IP.
    pub detail: String,
    /// When it was created (RFC 3339).
    pub created: String,
}

impl Row {
    /// The console page of the object the row shows, a `kind`.
    pub fn page(&self, kind: Kind) -> String {
        let namespace = Some(self.namespace.as_str()).filter(|namespace| !namespace.is_empty());
        crate::object_page(&self.cluster, &kind.address(), namespace, &self.name)
    }
}

/// A cluster left out of a page, and why, in words fit for the browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The cluster.
    pub cluster: String,
    /// What went wrong and what to do.
    pub error: String,
}

/// One page of a list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// The rows of this page.
    pub rows: Vec<Row>,
    /// How many rows match, over all pages.
    pub total: usize,
    /// Clusters that could not answer.
    pub failed: Vec<Failure>,
    /// Whether rows name their cluster (not on a member cluster's own console).
    pub multi_cluster: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_read_back_from_their_names() {
        for sort in Sort::ALL {
            assert_eq!(Sort::parse(sort.as_str()), sort);
        }
        assert_eq!(Sort::parse("size"), Sort::Name);
    }

    #[test]
    fn pages_start_at_one() {
        let page = |page| Query {
            page,
            ..Query::default()
        };
        assert_eq!(page(0).offset(), 0);
        assert_eq!(page(1).offset(), 0);
        assert_eq!(page(3).offset(), 2 * PAGE_SIZE);
    }
}
