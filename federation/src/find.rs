//! Finding anything by name across the clusters in scope, for the command palette: clusters,
//! namespaces, the kinds each cluster serves and the objects the caches hold, each only where
//! the caller may see it. Nothing here asks a cluster for objects; a cluster that cannot
//! answer is named, not waited for.

use std::time::Duration;

use futures::future::join_all;
use orbital_types::{Failure, Findings, Found, FoundWhat, Kind, Match, Query};

use crate::scope::Scope;
use crate::views::ViewError;

/// How long a cluster's kinds are waited for when they are not known yet.
const KINDS_TIMEOUT: Duration = Duration::from_secs(2);

/// The best matches for `text` (case ignored) among what `scope` may see.
pub(crate) async fn find(scope: &Scope, text: &str) -> Result<Findings, ViewError> {
    let needle = text.trim().to_lowercase();
    if needle.is_empty() {
        return Ok(Findings::default());
    }
    let clusters = scope.clusters().await?;
    let mut found: Vec<Found> = clusters
        .iter()
        .filter(|cluster| Match::of(&cluster.name, &needle).is_some())
        .map(|cluster| Found {
            what: FoundWhat::Cluster,
            name: cluster.name.clone(),
            detail: if cluster.status.ready {
                "Cluster".to_owned()
            } else {
                "Cluster, not ready".to_owned()
            },
            href: format!("/clusters/{}", cluster.name),
        })
        .collect();
    let mut missing = Vec::new();

    let query = &Query {
        name: Some(needle.clone()),
        ..Query::default()
    };
    // The navigation's kinds, and every other kind some page has been listing lately.
    let mut kinds = Kind::ALL.to_vec();
    kinds.extend(
        scope
            .caches()
            .kinds()
            .into_iter()
            .filter(|kind| !kind.is_known()),
    );
    let pages = join_all(kinds.iter().map(|kind| scope.view(kind, query))).await;
    for (kind, page) in kinds.iter().zip(pages) {
        let page = match page {
            Ok(page) => page,
            // A kind listed lately may have been removed since.
            Err(ViewError::NotServed(_)) => continue,
            Err(error) => return Err(error),
        };
        let name = page.kind;
        found.extend(page.rows.into_iter().map(|row| object(kind, &name, row)));
        missing.extend(page.failed);
    }

    let ready = clusters.iter().filter(|cluster| cluster.status.ready);
    let kinds = join_all(ready.map(|cluster| async move {
        let name = cluster.name.as_str();
        (
            name,
            tokio::time::timeout(KINDS_TIMEOUT, scope.kinds(name)).await,
        )
    }))
    .await;
    for (cluster, kinds) in kinds {
        match kinds {
            Ok(Ok(kinds)) => found.extend(
                kinds
                    .iter()
                    .filter(|kind| Match::of(&kind.kind, &needle).is_some())
                    .map(|kind| Found {
                        what: FoundWhat::Kind,
                        name: kind.kind.clone(),
                        detail: format!("Kind {} on {cluster}", kind.address()),
                        href: format!("/clusters/{cluster}/{}", kind.address()),
                    }),
            ),
            Ok(Err(error)) => missing.push(Failure {
                cluster: cluster.to_owned(),
                error: error.to_string(),
            }),
            Err(_) => missing.push(Failure {
                cluster: cluster.to_owned(),
                error: format!(
                    "the cluster did not tell its kinds within {} s",
                    KINDS_TIMEOUT.as_secs()
                ),
            }),
        }
    }
    missing.sort_by(|a, b| a.cluster.cmp(&b.cluster));
    missing.dedup_by(|a, b| a.cluster == b.cluster);
    Ok(Findings::best(&needle, found, missing))
}

/// A row of a cached list of `kind` (whose objects say `kind: name`) as something found,
/// leading to its page.
fn object(kind: &Kind, name: &str, row: orbital_types::Row) -> Found {
    let cluster = &row.cluster;
    let (what, detail) = if *kind == Kind::NAMESPACES {
        (FoundWhat::Namespace, format!("Namespace on {cluster}"))
    } else if row.namespace.is_empty() {
        (FoundWhat::Object, format!("{name} on {cluster}"))
    } else {
        (
            FoundWhat::Object,
            format!("{name} in {} on {cluster}", row.namespace),
        )
    };
    Found {
        what,
        href: row.page(kind),
        name: row.name,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orbital_types::Row;

    fn row(cluster: &str, namespace: &str, name: &str) -> Row {
        Row {
            cluster: cluster.into(),
            namespace: namespace.into(),
            name: name.into(),
            status: String::new(),
            detail: String::new(),
            created: String::new(),
            cells: Vec::new(),
        }
    }

    #[test]
    fn objects_lead_to_their_pages_as_kubectl_names_their_kinds() {
        let pod = object(&Kind::PODS, "Pod", row("m1", "demo", "web-1"));
        assert_eq!(pod.href, "/clusters/m1/namespaces/demo/pods/web-1");
        assert_eq!(pod.detail, "Pod in demo on m1");
        let deployment = object(&Kind::DEPLOYMENTS, "Deployment", row("m1", "demo", "web"));
        assert_eq!(
            deployment.href,
            "/clusters/m1/namespaces/demo/deployments.apps/web"
        );
        let node = object(&Kind::NODES, "Node", row("m2", "", "node-1"));
        assert_eq!(node.href, "/clusters/m2/nodes/node-1");
        let namespace = object(&Kind::NAMESPACES, "Namespace", row("m2", "", "demo"));
        assert_eq!(namespace.what, FoundWhat::Namespace);
        assert_eq!(namespace.href, "/clusters/m2/namespaces/demo");
    }
}
