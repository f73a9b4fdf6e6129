//! Lists of one kind across clusters: which kinds, what a query asks, what a page holds.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// Rows on one page of a list.
pub const PAGE_SIZE: usize = 50;

/// A kind listed across clusters, named as `kubectl` names it: by its plural and API group.
/// Each cluster lists it at the version it prefers, so the version is not part of it. It is
/// written and read as its address (`pods`, `deployments.apps`, `widgets.example.com`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Kind {
    group: Cow<'static, str>,
    plural: Cow<'static, str>,
}

/// Why a kind's address cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} does not name a kind: write the plural (`pods`), or `plural.group` (`widgets.example.com`)"
)]
pub struct KindError(String);

impl Kind {
    /// Nodes.
    pub const NODES: Self = Self::known("", "nodes");
    /// Namespaces.
    pub const NAMESPACES: Self = Self::known("", "namespaces");
    /// Pods.
    pub const PODS: Self = Self::known("", "pods");
    /// Deployments.
    pub const DEPLOYMENTS: Self = Self::known("apps", "deployments");
    /// Services.
    pub const SERVICES: Self = Self::known("", "services");
    /// StatefulSets.
    pub const STATEFULSETS: Self = Self::known("apps", "statefulsets");
    /// DaemonSets.
    pub const DAEMONSETS: Self = Self::known("apps", "daemonsets");
    /// Events of the core group.
    pub const EVENTS: Self = Self::known("", "events");
    /// The kinds whose objects keep a number of pods running, and say how many are ready.
    pub const WORKLOADS: [Self; 3] = [Self::DEPLOYMENTS, Self::STATEFULSETS, Self::DAEMONSETS];

    /// The kinds the navigation offers, in its order; each has a page of its own at
    /// `/{plural}`, and its lists show a second fact about each object.
    pub const ALL: [Self; 5] = [
        Self::NODES,
        Self::NAMESPACES,
        Self::PODS,
        Self::DEPLOYMENTS,
        Self::SERVICES,
    ];

    const fn known(group: &'static str, plural: &'static str) -> Self {
        Self {
            group: Cow::Borrowed(group),
            plural: Cow::Borrowed(plural),
        }
    }

    /// Reads an address as a page writes it: `plural` for the core group, `plural.group`
    /// otherwise; a navigation kind may also be named by its plural alone (`deployments`).
    pub fn parse(address: &str) -> Result<Self, KindError> {
        let bad = || KindError(address.to_owned());
        let word = |text: &str| {
            !text.is_empty()
                && text
                    .bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        };
        if address.len() > 253 || !address.split('.').all(word) {
            return Err(bad());
        }
        let (plural, group) = address.split_once('.').unwrap_or((address, ""));
        if group.is_empty()
            && let Some(known) = Self::ALL.into_iter().find(|kind| kind.plural == plural)
        {
            return Ok(known);
        }
        Ok(Self {
            group: Cow::Owned(group.to_owned()),
            plural: Cow::Owned(plural.to_owned()),
        })
    }

    /// The API group (empty for core).
    pub fn group(&self) -> &str {
        &self.group
    }

    /// The plural name, as in API paths (`pods`).
    pub fn plural(&self) -> &str {
        &self.plural
    }

    /// The kind as `kubectl` and page addresses write it (`pods`, `deployments.apps`).
    pub fn address(&self) -> String {
        crate::api_kind::address(&self.group, &self.plural)
    }

    /// Whether the navigation offers it.
    pub fn is_known(&self) -> bool {
        Self::ALL.contains(self)
    }

    /// The address of its list across clusters: `/{plural}` for the navigation's kinds, so
    /// `/deployments` stays where it was, `/{address}` for any other.
    pub fn list_page(&self) -> String {
        if self.is_known() {
            format!("/{}", self.plural)
        } else {
            format!("/{}", self.address())
        }
    }

    /// The page's title: the plural, capitalised (`Pods`, `Widgets`).
    pub fn title(&self) -> String {
        let mut letters = self.plural.chars();
        letters
            .next()
            .map(|first| first.to_uppercase().chain(letters).collect())
            .unwrap_or_default()
    }

    /// The heading of the second fact each row shows, if the kind has one.
    pub fn detail(&self) -> Option<&'static str> {
        match (&*self.group, &*self.plural) {
            ("", "nodes") => Some("Kubelet"),
            ("", "pods") => Some("Node"),
            ("apps", "deployments" | "statefulsets" | "daemonsets") => Some("Ready"),
            ("", "services") => Some("Cluster IP"),
            ("", "events") => Some("Reason"),
            _ => None,
        }
    }

    /// A status to show as an example in the filter.
    pub fn example_status(&self) -> &'static str {
        match (&*self.group, &*self.plural) {
            ("", "namespaces") => "Active",
            ("", "pods") => "Running",
            ("apps", "deployments" | "statefulsets" | "daemonsets") => "Available",
            ("", "services") => "ClusterIP",
            ("", "events") => "Warning",
            _ => "Ready",
        }
    }
}

impl TryFrom<String> for Kind {
    type Error = KindError;

    fn try_from(address: String) -> Result<Self, KindError> {
        Self::parse(&address)
    }
}

impl From<Kind> for String {
    fn from(kind: Kind) -> Self {
        kind.address()
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.address())
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
    /// Its value in each of the page's printer columns ([`Page::columns`]), as text.
    #[serde(default)]
    pub cells: Vec<String>,
}

impl Row {
    /// The console page of the object the row shows, a `kind`.
    pub fn page(&self, kind: &Kind) -> String {
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
    /// Whether the kind's objects live in namespaces, as the clusters serving it say.
    pub namespaced: bool,
    /// The kind as its objects name it (`Pod`), as the clusters serving it say; empty when
    /// none could be asked.
    pub kind: String,
    /// The headings of the printer columns its definition gives the kind (a CRD's
    /// `additionalPrinterColumns`), as the first cluster serving it says.
    #[serde(default)]
    pub columns: Vec<String>,
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
    fn kinds_are_read_as_kubectl_writes_them_and_travel_as_their_address() {
        assert_eq!(Kind::parse("pods"), Ok(Kind::PODS));
        assert_eq!(Kind::parse("deployments.apps"), Ok(Kind::DEPLOYMENTS));
        // The navigation's kinds keep their short addresses.
        assert_eq!(Kind::parse("deployments"), Ok(Kind::DEPLOYMENTS));
        assert_eq!(Kind::DEPLOYMENTS.list_page(), "/deployments");
        let widgets = Kind::parse("widgets.example.com").unwrap();
        assert_eq!(
            (widgets.group(), widgets.plural()),
            ("example.com", "widgets")
        );
        assert_eq!(widgets.list_page(), "/widgets.example.com");
        assert_eq!(widgets.title(), "Widgets");
        assert_eq!(widgets.detail(), None);
        let configmaps = Kind::parse("configmaps").unwrap();
        assert_eq!(
            (configmaps.group(), configmaps.address().as_str()),
            ("", "configmaps")
        );
        for bad in [
            "", "Pods", "pods/x", "pods.", ".apps", "a..b", "pods?x=1", "föo",
        ] {
            assert!(Kind::parse(bad).is_err(), "{bad:?} is refused");
        }
        assert!(Kind::parse(&format!("x.{}", "a".repeat(253))).is_err());

        let json = serde_json::to_string(&widgets).unwrap();
        assert_eq!(json, "\"widgets.example.com\"");
        assert_eq!(serde_json::from_str::<Kind>(&json).unwrap(), widgets);
        assert!(serde_json::from_str::<Kind>("\"../secrets\"").is_err());
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
