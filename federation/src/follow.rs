//! Following a cross-cluster view: the changes its caches hear on every cluster the query
//! covers, kept to the objects the caller may see, so an open list is read again only when
//! something it may show has changed, and no member is watched twice for it.

use std::time::Duration;

use futures::future::{self, join_all};
use futures::stream::{self, BoxStream, StreamExt};
use orbital_types::{Kind, Query};
use serde::Serialize;

use crate::cache::HeldChange;
use crate::scope::Scope;
use crate::views::{Shown, Shows, ViewError, targets};

/// How long one following lasts: the follower then follows afresh, so clusters that became
/// ready since, and grants changed since, are taken into account.
const FOLLOW_FOR: Duration = Duration::from_secs(60);

/// A change to what a followed view may show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum ViewChange {
    /// An object was added, changed or deleted.
    Object {
        /// Its cluster.
        cluster: String,
        /// Its namespace (empty for cluster-scoped kinds).
        namespace: String,
        /// Its name.
        name: String,
    },
    /// The cluster's objects were read afresh: any of them may have changed.
    Relisted {
        /// The cluster.
        cluster: String,
    },
}

/// The changes to what a view of `kind` over the clusters `query` names may show the caller,
/// as the caches hear them. It ends after [`FOLLOW_FOR`], or when a cache it follows stops
/// (its cluster was forgotten), for the follower to follow afresh; clusters that are not ready,
/// do not serve the kind or fail are not followed meanwhile.
pub(crate) async fn follow(
    scope: &Scope,
    kind: &Kind,
    query: &Query,
) -> Result<BoxStream<'static, ViewChange>, ViewError> {
    let (clusters, _) = targets(scope, query).await?;
    let namespace = &query.namespace;
    let followed = join_all(clusters.into_iter().map(|cluster| async move {
        let held = scope.objects(&cluster, kind, false).await.ok()?;
        let changes = held.follow();
        let mut shown = Shown::new(scope, &cluster, kind).await;
        let namespace = namespace.clone();
        let seen = changes.filter_map(move |change| {
            let seen = match change {
                HeldChange::Relisted => Some(ViewChange::Relisted {
                    cluster: cluster.clone(),
                }),
                HeldChange::Object(key) => (namespace
                    .as_deref()
                    .is_none_or(|only| *key.namespace == *only)
                    && shown.shows(&key))
                .then(|| ViewChange::Object {
                    cluster: cluster.clone(),
                    namespace: key.namespace.into(),
                    name: key.name.into(),
                }),
            };
            future::ready(seen.map(Some))
        });
        // `None` marks where a cache stopped.
        Some(seen.chain(stream::once(future::ready(None))).boxed())
    }))
    .await;
    let ended = stream::once(async {
        tokio::time::sleep(FOLLOW_FOR).await;
        None
    })
    .boxed();
    Ok(
        stream::select_all(followed.into_iter().flatten().chain([ended]))
            .take_while(|change| future::ready(change.is_some()))
            .filter_map(future::ready)
            .boxed(),
    )
}
