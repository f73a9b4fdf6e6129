//! The Kubernetes REST API over the store.

pub mod body;
pub mod discovery;
mod error;
mod handler;
mod logs;
mod meta;
pub mod openapi;
mod params;
mod path;
mod protobuf;
mod respond;
mod scale;
mod selector;
pub mod table;
mod watch;

pub use error::{ApiError, Cause};
pub use handler::handle;
pub use meta::{
    check_type, finalizers, is_subdomain, meta_str, metadata, metadata_mut, now, validate_name,
};
pub use params::Params;
pub use path::{ResourceRequest, Target, parse};
pub use respond::json_response;
pub use selector::{FieldSelector, LabelSelector};
