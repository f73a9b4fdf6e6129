//! What Kubernetes writes as text, read the way an API server reads it: label selectors, label
//! sets, JSONPath, DNS-1123 names, resource quantities, YAML documents and merge patches. Shared by the sandbox cluster and the console.

mod json_path;
mod labels;
pub mod merge_patch;
mod quantity;
mod selector;
pub mod yaml;

pub use json_path::json_path;
pub use labels::{LabelSetError, is_dns_label, parse_label_set};
pub use quantity::{bytes, millicores, pod_on_node, pod_requests, value_bytes, value_millicores};
pub use selector::{LabelSelector, SelectorError};
