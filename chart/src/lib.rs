//! Helm charts as Helm reads them. So far: the values a chart renders with — the user's values
//! files merged in order, `--set`-style arguments read over them, then coalesced with the
//! chart's own defaults, as `helm template` and `helm install` do (`null` deletes a default,
//! maps merge key by key, a map never replaces a scalar nor a scalar a map).

mod set;
mod values;

pub use set::{SetError, SetKind, apply_set};
pub use values::{coalesce, merge_user_values};
