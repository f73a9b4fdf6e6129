//! Binding a pod to a node, as the `pods/binding` subresource does.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Cluster, key};
use crate::api::{self, ApiError};
use crate::store::Mutation;

impl Cluster {
    /// Assigns the pending pod `namespace`/`name` to `node`: sets `spec.nodeName` and the
    /// `PodScheduled` condition in one write. A pod already assigned is a conflict.
    pub async fn bind(
        &self,
        namespace: &str,
        name: &str,
        node: &str,
    ) -> Result<Arc<Value>, ApiError> {
        let pods = self.resource_type("", "v1", "pods")?;
        let rt = Arc::clone(&pods);
        let pod_name = name.to_owned();
        let node = node.to_owned();
        let event = self
            .store
            .write(key(&pods, namespace, name), move |current| {
                let current = current.ok_or_else(|| ApiError::not_found(&rt, &pod_name))?;
                if let Some(assigned) = current["spec"]["nodeName"].as_str() {
                    return Err(ApiError::Conflict {
                        resource: "pods".into(),
                        group: None,
                        name: pod_name.clone(),
                        message: format!("pod {pod_name} is already assigned to node \"{assigned}\""),
                        causes: Vec::new(),
                    });
                }
                if api::meta_str(current, "deletionTimestamp").is_some() {
                    return Err(ApiError::Conflict {
                        resource: "pods".into(),
                        group: None,
                        name: pod_name.clone(),
                        message: format!("pod {pod_name} is being deleted, cannot be assigned to a host"),
                        causes: Vec::new(),
                    });
                }
                let mut pod = current.clone();
                pod["spec"]["nodeName"] = json!(node);
                let scheduled = json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null,
                                       "lastTransitionTime": api::now()});
                let mut conditions: Vec<Value> = pod["status"]["conditions"]
                    .as_array()
                    .map(|c| c.iter().filter(|c| c["type"] != "PodScheduled").cloned().collect())
                    .unwrap_or_default();
                conditions.push(scheduled);
                pod["status"]["conditions"] = json!(conditions);
                Ok(Mutation::Put(pod))
            })
            .await?
            .ok_or_else(|| ApiError::Internal("binding stored nothing".into()))?;
        Ok(Arc::clone(&event.object))
    }
}
