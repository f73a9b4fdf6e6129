//! Repositories of other sites (`Repo` objects on the host): each synced into the pool's
//! catalogue when it is added or changed and every `spec.syncInterval` after (10 minutes by
//! default), its index read once per sync, off the async threads. Every replica keeps its own
//! catalogue; only the leading one writes the status (`lastSyncTime`, `appCount`,
//! `versionCount`, `syncSeconds`, `error`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;
use serde_json::{Value, json};

use crate::catalogue::Catalogue;
use crate::crd::{GROUP, REPO_KIND, REPO_PLURAL, VERSION, repo_definition};
use crate::pool::{Pool, RemoteRepository};
use crate::reconciler::{ReleaseError, ensure_type, host_error, merge_status};
use crate::remote::{Credentials, fetch};
use crate::uploads::follow_uploads;

/// The namespace of the Secrets a `Repo` names for its credentials.
pub const CREDENTIALS_NAMESPACE: &str = "orbital-system";
/// The annotation that asks for a sync now: a new value (the time it was asked) is a new ask.
pub const SYNC_REQUESTED: &str = "appstore.orbital.dev/sync-requested";
/// How often a repository is synced when its spec does not say.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(600);
/// The shortest interval taken, so that no repository is asked more than once a minute.
const SHORTEST_INTERVAL: Duration = Duration::from_secs(60);

/// The `Repo` type, for dynamic clients.
pub fn repo_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(GROUP, VERSION, REPO_KIND),
        REPO_PLURAL,
    )
}

/// Installs the `Repo` type on the host when it is missing; returns once it is served.
pub async fn ensure_repo_definition(host: &kube::Client) -> Result<(), ReleaseError> {
    ensure_type(host, repo_definition(), &repo_resource()).await
}

/// A duration as Go writes one (`90s`, `10m`, `1h30m`).
pub fn parse_interval(text: &str) -> Option<Duration> {
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return None,
        };
        total += number.parse::<u64>().ok()? * unit;
        number.clear();
    }
    (number.is_empty() && total > 0).then(|| Duration::from_secs(total))
}

struct Context {
    repos: Api<DynamicObject>,
    secrets: Api<k8s_openapi::api::core::v1::Secret>,
    pool: Arc<Pool>,
    leading: Arc<dyn Fn() -> bool + Send + Sync>,
}

/// Keeps the pool's repositories of other sites synced, and its uploads as the host keeps
/// them, until the future is dropped; the status is written only while `leading` says this
/// replica leads.
pub async fn sync_repos(
    host: kube::Client,
    pool: Arc<Pool>,
    leading: Arc<dyn Fn() -> bool + Send + Sync>,
) {
    let resource = repo_resource();
    let repos: Api<DynamicObject> = Api::all_with(host.clone(), &resource);
    let context = Arc::new(Context {
        repos: repos.clone(),
        secrets: Api::namespaced(host.clone(), CREDENTIALS_NAMESPACE),
        pool,
        leading,
    });
    let synced = Controller::new_with(repos, watcher::Config::default(), resource)
        .run(reconcile, error_policy, context.clone())
        .for_each(|_| async {});
    futures::join!(synced, follow_uploads(host, context.pool.clone()));
}

fn error_policy(_: Arc<DynamicObject>, error: &ReleaseError, _: Arc<Context>) -> Action {
    tracing::warn!("cannot sync a repository: {error}");
    Action::requeue(SHORTEST_INTERVAL)
}

async fn reconcile(
    cached: Arc<DynamicObject>,
    context: Arc<Context>,
) -> Result<Action, ReleaseError> {
    let name = cached.metadata.name.clone().unwrap_or_default();
    let Some(object) = context
        .repos
        .get_opt(&name)
        .await
        .map_err(host_error("reading a repository"))?
    else {
        context.pool.remove_remote(&name);
        return Ok(Action::await_change());
    };
    if let Some(why) = context.pool.reserved(&name) {
        set_status(&context, &name, json!({"error": why})).await?;
        return Ok(Action::await_change());
    }
    let spec = &object.data["spec"];
    let interval = spec["syncInterval"]
        .as_str()
        .and_then(parse_interval)
        .unwrap_or(DEFAULT_INTERVAL)
        .max(SHORTEST_INTERVAL);
    let url = spec["url"]
        .as_str()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned();
    let status = &object.data["status"];
    let generation = object.metadata.generation.unwrap_or(0);
    let held = context.pool.remote(&name);
    let since_sync = status["lastSyncTime"]
        .as_str()
        .and_then(|at| at.parse::<jiff::Timestamp>().ok())
        .and_then(|at| Duration::try_from(jiff::Timestamp::now() - at).ok());
    let requested = object
        .metadata
        .annotations
        .as_ref()
        .and_then(|annotations| annotations.get(SYNC_REQUESTED))
        .cloned()
        .unwrap_or_default();
    let current = status["observedGeneration"].as_i64() == Some(generation)
        && status["syncRequested"].as_str().unwrap_or_default() == requested
        && held.as_ref().is_some_and(|held| held.url == url);
    if let (true, Some(since)) = (current, since_sync)
        && since < interval
    {
        return Ok(Action::requeue(interval - since));
    }
    let credentials = match spec["credentialsSecret"].as_str() {
        Some(secret) if !secret.is_empty() => match read_credentials(&context, secret).await {
            Ok(credentials) => Some(credentials),
            Err(message) => {
                set_status(&context, &name, json!({"error": message})).await?;
                return Ok(Action::requeue(SHORTEST_INTERVAL));
            }
        },
        _ => None,
    };
    let started = Instant::now();
    match sync(&url, credentials.as_ref()).await {
        Ok(catalogue) => {
            let (apps, versions) = (catalogue.apps.len(), catalogue.version_count());
            context
                .pool
                .set_remote(&name, RemoteRepository::new(url, credentials, catalogue));
            set_status(
                &context,
                &name,
                json!({
                    "lastSyncTime": jiff::Timestamp::now().to_string(),
                    "appCount": apps,
                    "versionCount": versions,
                    "syncSeconds": (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
                    "error": null,
                    "observedGeneration": generation,
                    "syncRequested": requested,
                }),
            )
            .await?;
            Ok(Action::requeue(interval))
        }
        Err(message) => {
            set_status(&context, &name, json!({"error": message})).await?;
            Ok(Action::requeue(SHORTEST_INTERVAL.min(interval)))
        }
    }
}

/// Fetches and reads a repository's index.
pub async fn sync(url: &str, credentials: Option<&Credentials>) -> Result<Catalogue, String> {
    let index = fetch(&format!("{url}/index.yaml"), credentials)
        .await
        .map_err(|error| error.to_string())?;
    tokio::task::spawn_blocking(move || {
        let text = std::str::from_utf8(&index)
            .map_err(|_| "the repository's index.yaml is not UTF-8 text".to_owned())?;
        Catalogue::from_index(text).map_err(|error| error.to_string())
    })
    .await
    .map_err(|error| error.to_string())?
}

async fn read_credentials(context: &Context, secret: &str) -> Result<Credentials, String> {
    let found = context
        .secrets
        .get_opt(secret)
        .await
        .map_err(|error| {
            format!("cannot read the Secret {CREDENTIALS_NAMESPACE}/{secret}: {error}")
        })?
        .ok_or_else(|| format!("the Secret {CREDENTIALS_NAMESPACE}/{secret} does not exist"))?;
    let data = found.data.unwrap_or_default();
    let field = |key: &str| {
        data.get(key)
            .map(|bytes| String::from_utf8_lossy(&bytes.0).into_owned())
            .ok_or_else(|| format!("the Secret {CREDENTIALS_NAMESPACE}/{secret} has no {key:?}"))
    };
    Ok(Credentials {
        username: field("username")?,
        password: field("password")?,
    })
}

async fn set_status(context: &Context, name: &str, status: Value) -> Result<(), ReleaseError> {
    if !(context.leading)() {
        return Ok(());
    }
    merge_status(&context.repos, name, status).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_read_as_go_writes_durations() {
        assert_eq!(parse_interval("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_interval("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_interval("10"), None);
        assert_eq!(parse_interval("5d"), None);
        assert_eq!(parse_interval(""), None);
    }
}
