//! One kind on one cluster as `kubectl get` prints it: the API server's own columns, filtered,
//! sorted and paged by the console.

use serde::{Deserialize, Serialize};

use crate::ApiKind;

/// Which rows of a kind's table, in which order, which page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TableQuery {
    /// Only this namespace.
    pub namespace: Option<String>,
    /// A label selector, passed to the API server.
    pub labels: Option<String>,
    /// Only names containing this text.
    pub name: Option<String>,
    /// The column to sort by (its heading); none for by name.
    pub sort: Option<String>,
    /// Reverse the order.
    pub descending: bool,
    /// The page, from 1.
    pub page: usize,
}

/// A column of the table, as the API server defines it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableColumn {
    /// The heading.
    pub name: String,
    /// What it means, for a tooltip.
    pub description: String,
    /// 0 for the columns `kubectl get` shows; higher for `-o wide`.
    pub priority: i64,
}

/// One object's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    /// Its namespace; empty for cluster-scoped kinds.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The cells, one per column, as text.
    pub cells: Vec<String>,
}

/// One page of a kind's table on one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The kind.
    pub kind: ApiKind,
    /// The columns.
    pub columns: Vec<TableColumn>,
    /// The rows of this page.
    pub rows: Vec<TableRow>,
    /// How many rows match, over all pages.
    pub total: usize,
}
