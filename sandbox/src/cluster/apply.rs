//! Server-side apply as a verb: update the object, or create it if it does not exist.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Change, Cluster, WriteOptions};
use crate::api::{self, ApiError};
use crate::catalog::ResourceType;

impl Cluster {
    /// Applies `config` to the object `name` as `options.manager`, creating it if missing.
    pub async fn apply(
        &self,
        resource_type: &Arc<ResourceType>,
        namespace: Option<&str>,
        name: &str,
        config: Value,
        force: bool,
        options: &WriteOptions,
    ) -> Result<Arc<Value>, ApiError> {
        if let Some(body_name) = api::meta_str(&config, "name")
            && body_name != name
        {
            return Err(ApiError::BadRequest(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        let change = Change::Apply {
            resource_type: Arc::clone(resource_type),
            config: config.clone(),
            manager: options.manager.clone(),
            force,
        };
        match self
            .update(resource_type, namespace, name, None, change, options)
            .await
        {
            Err(ApiError::NotFound { .. }) => {}
            other => return other,
        }
        let mut empty = json!({"metadata": {"name": name}});
        if let Some(namespace) = namespace {
            empty["metadata"]["namespace"] = json!(namespace);
        }
        let object =
            super::ownership::apply(resource_type, &empty, config, &options.manager, force)?;
        self.create_owned(resource_type, namespace, object, options)
            .await
    }
}
