//! What each cluster serves, from its discovery documents: kept a few seconds per cluster, and
//! asked again when a kind is not found, so a CRD created a moment ago is there at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use kube::discovery::{Discovery, Scope as KindScope};
use orbital_types::{ApiKind, ApiVerb};
use tokio::time::Instant;

use crate::request_id::RequestId;

/// How long a cluster's kinds are used before being asked again.
const FRESH: Duration = Duration::from_secs(15);
/// How long discovery may take before the cluster is reported as not answering.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Why a cluster's kinds could not be had.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// The console serves no such cluster for the caller.
    #[error("this console serves no cluster by that name")]
    UnknownCluster,
    /// The cluster serves no such kind.
    #[error("the cluster serves no kind {0:?}")]
    UnknownKind(String),
    /// The cluster did not answer; the text is fit for the browser.
    #[error("{0}")]
    Unreachable(String),
}

/// A cluster's kinds and when they were discovered.
type Discovered = (Instant, Arc<Vec<ApiKind>>);

/// The kinds of each cluster, as last discovered.
#[derive(Default)]
pub(crate) struct Discoveries(Mutex<HashMap<String, Discovered>>);

impl Discoveries {
    /// The kinds `cluster` serves, from memory while fresh unless `again`.
    pub(crate) async fn kinds(
        &self,
        cluster: &str,
        client: kube::Client,
        again: bool,
    ) -> Result<Arc<Vec<ApiKind>>, DiscoveryError> {
        let remembered = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(cluster)
            .filter(|(at, _)| !again && at.elapsed() < FRESH)
            .map(|(_, kinds)| kinds.clone());
        if let Some(kinds) = remembered {
            return Ok(kinds);
        }
        let kinds = Arc::new(discover(cluster, client).await?);
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(cluster.to_owned(), (Instant::now(), kinds.clone()));
        Ok(kinds)
    }

    /// Forgets what `cluster` served.
    pub(crate) fn forget(&self, cluster: &str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(cluster);
    }
}

async fn discover(cluster: &str, client: kube::Client) -> Result<Vec<ApiKind>, DiscoveryError> {
    let discovered = tokio::time::timeout(TIMEOUT, Discovery::new(client).run()).await;
    let discovery = match discovered {
        Ok(Ok(discovery)) => discovery,
        Ok(Err(error)) => {
            let id = RequestId::new();
            tracing::warn!(request_id = %id, cluster, "discovery failed: {error}");
            return Err(DiscoveryError::Unreachable(format!(
                "the cluster {cluster} did not say what it serves (request id {id})"
            )));
        }
        Err(_) => {
            return Err(DiscoveryError::Unreachable(format!(
                "the cluster {cluster} did not answer within {} s",
                TIMEOUT.as_secs()
            )));
        }
    };
    let mut kinds: Vec<ApiKind> = discovery
        .groups()
        .flat_map(|group| group.recommended_resources())
        .map(|(resource, capabilities)| ApiKind {
            group: resource.group,
            version: resource.version,
            resource: resource.plural,
            kind: resource.kind,
            namespaced: capabilities.scope == KindScope::Namespaced,
            verbs: capabilities
                .operations
                .iter()
                .filter_map(|verb| ApiVerb::parse(verb))
                .collect(),
        })
        .collect();
    kinds.sort_by(|a, b| (&a.group, &a.resource).cmp(&(&b.group, &b.resource)));
    Ok(kinds)
}
