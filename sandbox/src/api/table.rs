//! `Table` responses: the rows and columns `kubectl get` prints.

mod builtin;
mod columns;
mod format;

use serde_json::{Value, json};

use crate::catalog::{Printer, PrinterColumn, ResourceType, json_path};

pub use format::human_age;

/// What each row carries besides its cells (`includeObject`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IncludeObject {
    /// Nothing.
    None,
    /// The object's metadata (the default).
    #[default]
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// Reads `includeObject`.
    pub fn parse(text: Option<&str>) -> Self {
        match text {
            Some("None") => Self::None,
            Some("Object") => Self::Object,
            _ => Self::Metadata,
        }
    }
}

/// A column: heading, type, format and priority.
pub(crate) struct Column {
    pub name: &'static str,
    pub column_type: &'static str,
    pub format: &'static str,
    pub priority: i64,
}

/// The columns of `resource_type`'s table.
fn columns(resource_type: &ResourceType) -> Vec<Value> {
    let definition = |name: &str,
                      column_type: &str,
                      format: &str,
                      priority: i64,
                      description: &str| {
        json!({"name": name, "type": column_type, "format": format, "description": description, "priority": priority})
    };
    match &resource_type.printer {
        Printer::Builtin => columns::columns(&resource_type.kind)
            .iter()
            .map(|c| definition(c.name, c.column_type, c.format, c.priority, ""))
            .collect(),
        Printer::Columns(custom) => {
            let mut all = vec![definition(
                "Name",
                "string",
                "name",
                0,
                "Name must be unique within a namespace.",
            )];
            all.extend(custom.iter().map(|c: &PrinterColumn| {
                definition(&c.name, &c.column_type, "", c.priority, &c.description)
            }));
            if !custom.iter().any(|c| c.name == "Age") {
                all.push(definition(
                    "Age",
                    "date",
                    "",
                    0,
                    "CreationTimestamp is a timestamp representing the server time when this object was created.",
                ));
            }
            all
        }
    }
}

/// The cells of one object's row.
fn cells(resource_type: &ResourceType, object: &Value) -> Vec<Value> {
    match &resource_type.printer {
        Printer::Builtin => builtin::cells(&resource_type.kind, object),
        Printer::Columns(custom) => {
            let mut cells = vec![json!(object["metadata"]["name"])];
            cells.extend(custom.iter().map(|column| {
                let value = json_path(object, &column.json_path)
                    .cloned()
                    .unwrap_or(Value::Null);
                if column.column_type == "date" {
                    value
                        .as_str()
                        .map(|t| json!(human_age(t)))
                        .unwrap_or(Value::Null)
                } else {
                    value
                }
            }));
            if !custom.iter().any(|c| c.name == "Age") {
                cells.push(json!(format::age(object)));
            }
            cells
        }
    }
}

/// One row, with the object as `include` asks.
pub fn row(resource_type: &ResourceType, object: &Value, include: IncludeObject) -> Value {
    let mut row = json!({"cells": cells(resource_type, object)});
    match include {
        IncludeObject::None => {}
        IncludeObject::Metadata => {
            row["object"] = json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": object.get("metadata").cloned().unwrap_or_else(|| json!({})),
            });
        }
        IncludeObject::Object => row["object"] = object.clone(),
    }
    row
}

/// A table of `objects`, with list metadata (`resourceVersion`, `continue`) when given.
pub fn table<'a>(
    resource_type: &ResourceType,
    objects: impl IntoIterator<Item = &'a Value>,
    metadata: Value,
    include: IncludeObject,
) -> Value {
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": columns(resource_type),
        "rows": objects.into_iter().map(|o| row(resource_type, o, include)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn deployment_rows_match_the_columns() {
        let catalog = Catalog::builtin();
        let deployments = catalog.get("apps", "v1", "deployments").unwrap();
        let object = json!({
            "metadata": {"name": "web", "creationTimestamp": "2020-01-01T00:00:00Z"},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1"}]}}, "selector": {"matchLabels": {"app": "web"}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}
        });
        let table = table(&deployments, [&object], json!({}), IncludeObject::Metadata);
        let columns: Vec<&str> = table["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            &columns[..5],
            ["Name", "Ready", "Up-to-date", "Available", "Age"]
        );
        let cells = &table["rows"][0]["cells"];
        assert_eq!(cells.as_array().unwrap().len(), columns.len());
        assert_eq!(cells[0], "web");
        assert_eq!(cells[1], "2/3");
        assert_eq!(cells[2], 3);
        assert_eq!(cells[6], "nginx:1");
        assert_eq!(cells[7], "app=web");
        assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
    }

    #[test]
    fn custom_resources_print_their_columns_then_age() {
        let mut widgets = Catalog::builtin()
            .get("", "v1", "configmaps")
            .unwrap()
            .as_ref()
            .clone();
        widgets.printer = Printer::Columns(vec![PrinterColumn {
            name: "Size".into(),
            column_type: "integer".into(),
            json_path: ".spec.size".into(),
            priority: 0,
            description: String::new(),
        }]);
        let object = json!({"metadata": {"name": "w"}, "spec": {"size": 4}});
        let table = table(&widgets, [&object], json!({}), IncludeObject::None);
        assert_eq!(table["rows"][0]["cells"], json!(["w", 4, "<unknown>"]));
        assert!(table["rows"][0].get("object").is_none());
    }
}
