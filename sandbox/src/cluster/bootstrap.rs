//! What every cluster has from the start: the system namespaces and the `kubernetes` service.

use serde_json::json;

use super::{Cluster, WriteOptions};
use crate::api::ApiError;

/// The namespaces a fresh cluster has. `kube-system`'s UID, given once and stored, is the
/// cluster's identity.
const SYSTEM_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

impl Cluster {
    /// Creates whatever of the built-in state is missing.
    pub async fn bootstrap(&self) -> Result<(), ApiError> {
        let namespaces = self.resource_type("", "v1", "namespaces")?;
        let options = WriteOptions {
            manager: "kube-apiserver".to_owned(),
            dry_run: false,
        };
        for name in SYSTEM_NAMESPACES {
            let object =
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
            match self.create(&namespaces, None, object, &options).await {
                Ok(_) | Err(ApiError::AlreadyExists { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        let services = self.resource_type("", "v1", "services")?;
        let kubernetes = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": super::services::address(1),
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
        });
        match self
            .create(&services, Some("default"), kubernetes, &options)
            .await
        {
            Ok(_) | Err(ApiError::AlreadyExists { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }
}
