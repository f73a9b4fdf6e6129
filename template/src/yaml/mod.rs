//! YAML as Helm reads and writes it: go-yaml v2's reading of plain scalars (YAML 1.1's
//! booleans, octal, sexagesimal and timestamps included), and its emitter's output.

mod read;
mod resolve;
mod write;

pub use read::{YamlError, read_yaml};
pub use write::to_yaml;
