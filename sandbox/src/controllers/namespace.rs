//! Empties namespaces marked for deletion, then removes them.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;

use super::{Next, meta, next};
use crate::cluster::{Change, Cluster, DeleteOptions, WriteOptions};

/// How often a terminating namespace that still holds objects is looked at again.
const RETRY: Duration = Duration::from_secs(1);
const FINALIZER: &str = "kubernetes";

/// The namespace controller.
pub struct NamespaceController {
    cluster: Cluster,
    terminating: BTreeSet<String>,
}

impl NamespaceController {
    /// A controller for `cluster`.
    pub fn new(cluster: Cluster) -> Self {
        Self {
            cluster,
            terminating: BTreeSet::new(),
        }
    }

    /// Runs until the store's change feed closes.
    pub async fn run(mut self) {
        let (_, mut subscription) = self.cluster.store().subscribe_now();
        self.resync();
        loop {
            self.finish_what_it_can().await;
            let wait = if self.terminating.is_empty() {
                Duration::MAX
            } else {
                RETRY
            };
            tokio::select! {
                received = next(&mut subscription.live) => match received {
                    Next::Event(event) => {
                        let key = &event.key;
                        if key.group.is_empty() && key.plural == "namespaces"
                            && meta(&event.object, "deletionTimestamp").is_some()
                            && event.event_type != crate::store::EventType::Deleted
                        {
                            self.terminating.insert(key.name.clone());
                        }
                    }
                    Next::Resync => self.resync(),
                    Next::Closed => return,
                },
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    fn resync(&mut self) {
        let Ok(namespaces) = self.cluster.resource_type("", "v1", "namespaces") else {
            return;
        };
        let page = self.cluster.list(&namespaces, None, None, None, |o| {
            meta(o, "deletionTimestamp").is_some()
        });
        self.terminating.extend(
            page.items
                .iter()
                .filter_map(|o| meta(o, "name").map(str::to_owned)),
        );
    }

    async fn finish_what_it_can(&mut self) {
        let names: Vec<String> = self.terminating.iter().cloned().collect();
        for name in names {
            match self.empty(&name).await {
                Ok(true) => {
                    self.terminating.remove(&name);
                }
                Ok(false) => {}
                Err(error) => tracing::warn!("cannot finish deleting namespace {name}: {error}"),
            }
        }
    }

    /// Deletes what is left in `namespace`; once nothing is, removes the namespace itself.
    async fn empty(&self, namespace: &str) -> Result<bool, crate::api::ApiError> {
        let catalog = self.cluster.catalog();
        let mut remaining = 0;
        for resource_type in catalog.all().filter(|t| t.namespaced) {
            let page = self
                .cluster
                .list(resource_type, Some(namespace), None, None, |_| true);
            remaining += page.items.len();
            for object in page.items {
                if meta(&object, "deletionTimestamp").is_some() {
                    continue;
                }
                let name = meta(&object, "name").unwrap_or_default();
                match self
                    .cluster
                    .delete(
                        resource_type,
                        Some(namespace),
                        name,
                        &DeleteOptions::default(),
                    )
                    .await
                {
                    Ok(_) | Err(crate::api::ApiError::NotFound { .. }) => {}
                    Err(error) => return Err(error),
                }
            }
        }
        if remaining > 0 {
            return Ok(false);
        }
        let namespaces = self.cluster.resource_type("", "v1", "namespaces")?;
        let release = Change::Compute(Box::new(|current| {
            let mut namespace = current.clone();
            let finalizers: Vec<serde_json::Value> = namespace["spec"]["finalizers"]
                .as_array()
                .map(|f| f.iter().filter(|x| *x != FINALIZER).cloned().collect())
                .unwrap_or_default();
            namespace["spec"]["finalizers"] = json!(finalizers);
            Ok(namespace)
        }));
        let options = WriteOptions {
            manager: "namespace-controller".to_owned(),
            dry_run: false,
        };
        // With its last finalizer gone, the update removes the namespace.
        match self
            .cluster
            .update(&namespaces, None, namespace, None, release, &options)
            .await
        {
            Ok(_) | Err(crate::api::ApiError::NotFound { .. }) => Ok(true),
            Err(error) => Err(error),
        }
    }
}
