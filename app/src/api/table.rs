//! One kind on one cluster as a table with the API server's own columns (a CRD's printer
//! columns included), filtered, sorted and paged on the server.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use orbital_types::{Table, TableColumn, TableQuery};

use super::ObjectError;

/// The page of the kind `resource` (`pods`, `deployments.apps`) on `cluster` that `query` asks.
#[server(endpoint = "objects/table", input = Json)]
pub async fn list_table(
    cluster: String,
    resource: String,
    query: TableQuery,
) -> Result<Table, ObjectError> {
    use super::object_call::{self, Ask};
    use crate::url::encode;
    use http::Method;
    use orbital_federation::Accept;
    let kind = object_call::kind(&cluster, &resource).await?;
    let target = kind.collection(&cluster, query.namespace.as_deref());
    let mut ask = Ask::new(Method::GET, &target);
    ask.accept = Accept::Table;
    if let Some(labels) = &query.labels {
        ask.query = format!("labelSelector={}", encode(labels));
    }
    let answer = object_call::json(&object_call::send(ask).await?)?;
    Ok(ssr::page(kind, &answer, &query))
}

/// The columns of the kind `resource`'s table on `cluster`, read from a one-row table: what
/// the filters offer to sort by.
#[server(endpoint = "objects/columns", input = Json)]
pub async fn list_columns(
    cluster: String,
    resource: String,
) -> Result<Vec<TableColumn>, ObjectError> {
    use super::object_call::{self, Ask};
    use http::Method;
    use orbital_federation::Accept;
    let kind = object_call::kind(&cluster, &resource).await?;
    let target = kind.collection(&cluster, None);
    let mut ask = Ask::new(Method::GET, &target).query("limit=1".into());
    ask.accept = Accept::Table;
    let answer = object_call::json(&object_call::send(ask).await?)?;
    Ok(ssr::page(kind, &answer, &TableQuery::default()).columns)
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::cmp::Ordering;

    use orbital_types::{ApiKind, PAGE_SIZE, Table, TableColumn, TableQuery, TableRow};
    use serde_json::Value;

    /// How a column's cells compare.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Order {
        Text,
        Number,
        /// Ages: by the object's creation time, not the printed age.
        Created,
    }

    struct Read {
        row: TableRow,
        created: String,
        numbers: Vec<Option<f64>>,
    }

    /// The rows of an API server's `Table` answer that `query` asks for, sorted and paged.
    pub(super) fn page(kind: ApiKind, answer: &Value, query: &TableQuery) -> Table {
        let definitions = answer["columnDefinitions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let columns: Vec<TableColumn> = definitions
            .iter()
            .map(|column| TableColumn {
                name: column["name"].as_str().unwrap_or_default().to_owned(),
                description: column["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                priority: column["priority"].as_i64().unwrap_or_default(),
            })
            .collect();
        let orders: Vec<Order> = definitions
            .iter()
            .map(|column| match column["type"].as_str() {
                Some("integer" | "number") => Order::Number,
                Some("date") => Order::Created,
                _ => Order::Text,
            })
            .collect();
        let mut rows: Vec<Read> = answer["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|row| {
                let metadata = &row["object"]["metadata"];
                let name = metadata["name"].as_str()?.to_owned();
                if query
                    .name
                    .as_deref()
                    .is_some_and(|text| !name.contains(text))
                {
                    return None;
                }
                let cells = row["cells"].as_array().cloned().unwrap_or_default();
                Some(Read {
                    numbers: cells.iter().map(Value::as_f64).collect(),
                    row: TableRow {
                        namespace: metadata["namespace"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        name,
                        cells: cells.iter().map(cell_text).collect(),
                    },
                    created: metadata["creationTimestamp"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                })
            })
            .collect();
        let by = query
            .sort
            .as_deref()
            .and_then(|name| columns.iter().position(|column| column.name == name));
        rows.sort_by(|a, b| {
            let first = match by {
                Some(at) => compare(orders[at], at, a, b),
                None => Ordering::Equal,
            };
            first
                .then_with(|| (&a.row.name, &a.row.namespace).cmp(&(&b.row.name, &b.row.namespace)))
        });
        if query.descending {
            rows.reverse();
        }
        let total = rows.len();
        let offset = query.page.saturating_sub(1) * PAGE_SIZE;
        Table {
            kind,
            columns,
            rows: rows
                .into_iter()
                .skip(offset)
                .take(PAGE_SIZE)
                .map(|read| read.row)
                .collect(),
            total,
        }
    }

    fn compare(order: Order, at: usize, a: &Read, b: &Read) -> Ordering {
        match order {
            Order::Text => a.row.cells.get(at).cmp(&b.row.cells.get(at)),
            Order::Number => {
                let number = |read: &Read| read.numbers.get(at).copied().flatten();
                number(a).partial_cmp(&number(b)).unwrap_or(Ordering::Equal)
            }
            // The youngest first, as ages read from the smallest up.
            Order::Created => b.created.cmp(&a.created),
        }
    }

    fn cell_text(cell: &Value) -> String {
        match cell {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }

    #[cfg(test)]
    mod tests {
        use orbital_types::ApiVerb;
        use serde_json::json;

        use super::*;

        fn answer() -> Value {
            let row = |name: &str, restarts: i64, age: &str, created: &str| {
                json!({"cells": [name, restarts, age],
                       "object": {"metadata": {"name": name, "namespace": "demo",
                                               "creationTimestamp": created}}})
            };
            json!({
                "columnDefinitions": [
                    {"name": "Name", "type": "string", "priority": 0},
                    {"name": "Restarts", "type": "integer", "priority": 0},
                    {"name": "Age", "type": "date", "priority": 0},
                ],
                "rows": [
                    row("web-2", 10, "2m", "2026-01-01T00:02:00Z"),
                    row("web-1", 9, "3m", "2026-01-01T00:01:00Z"),
                    row("db-0", 0, "10s", "2026-01-01T00:04:50Z"),
                ],
            })
        }

        fn kind() -> ApiKind {
            ApiKind {
                group: String::new(),
                version: "v1".into(),
                resource: "pods".into(),
                kind: "Pod".into(),
                namespaced: true,
                verbs: vec![ApiVerb::List],
            }
        }

        fn names(table: &Table) -> Vec<&str> {
            table.rows.iter().map(|row| row.name.as_str()).collect()
        }

        #[test]
        fn rows_are_sorted_by_the_column_s_type_and_filtered_by_name() {
            let by = |sort: &str, descending| TableQuery {
                sort: Some(sort.into()),
                descending,
                ..TableQuery::default()
            };
            let table = page(kind(), &answer(), &TableQuery::default());
            assert_eq!(names(&table), ["db-0", "web-1", "web-2"]);
            assert_eq!(table.columns[1].name, "Restarts");
            assert_eq!(table.rows[1].cells, ["web-1", "9", "3m"]);
            // Numbers as numbers (9 before 10), ages by creation time (youngest first).
            assert_eq!(
                names(&page(kind(), &answer(), &by("Restarts", false))),
                ["db-0", "web-1", "web-2"]
            );
            assert_eq!(
                names(&page(kind(), &answer(), &by("Restarts", true))),
                ["web-2", "web-1", "db-0"]
            );
            assert_eq!(
                names(&page(kind(), &answer(), &by("Age", false))),
                ["db-0", "web-2", "web-1"]
            );
            let filtered = TableQuery {
                name: Some("web".into()),
                page: 1,
                ..TableQuery::default()
            };
            let table = page(kind(), &answer(), &filtered);
            assert_eq!((names(&table), table.total), (vec!["web-1", "web-2"], 2));
            let beyond = TableQuery {
                page: 2,
                ..TableQuery::default()
            };
            let table = page(kind(), &answer(), &beyond);
            assert!(table.rows.is_empty() && table.total == 3);
        }
    }
}
