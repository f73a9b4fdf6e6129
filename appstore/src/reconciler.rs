//! The host's reconciler of `Release` objects: each is installed on its cluster from the pool,
//! upgraded when its spec changes (a new revision), and uninstalled when it is deleted (a
//! finalizer holds it until then). What it is doing and what came of it is in its status:
//! `phase`, `revision`, `message`, the objects it made and its history.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;
use serde_json::{Value, json};

use crate::crd::{GROUP, RELEASE_KIND, RELEASE_PLURAL, VERSION, release_definition};
use crate::installer::{InstallError, InstallRequest, Installer, values_from_json};
use crate::pool::{Pool, PoolError};

/// The finalizer that keeps a deleted `Release` until its app is uninstalled.
pub const FINALIZER: &str = "appstore.orbital.dev/uninstall";
/// How many revisions a release's status remembers.
const HISTORY: usize = 10;
/// How soon a release whose cluster could not be reached is tried again.
const RETRY: Duration = Duration::from_secs(30);
/// How long a freshly installed type may take to be served.
const SERVED_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a release is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Seen, not yet worked on.
    Pending,
    /// Being installed.
    Installing,
    /// Installed and ready, at its latest spec.
    Deployed,
    /// The last install or upgrade failed (`message` says why).
    Failed,
    /// Being upgraded to a changed spec.
    Upgrading,
    /// Being uninstalled, after the `Release` was deleted.
    Uninstalling,
}

impl Phase {
    /// The name in `status.phase`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Installing => "Installing",
            Phase::Deployed => "Deployed",
            Phase::Failed => "Failed",
            Phase::Upgrading => "Upgrading",
            Phase::Uninstalling => "Uninstalling",
        }
    }
}

/// A kube client for a cluster by name, with the console's own authority.
pub type ClusterClients = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<kube::Client, String>> + Send>>
        + Send
        + Sync,
>;

/// Why the reconciler could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The host refused a request.
    #[error("the host cluster refused {what}: {source}")]
    Host {
        /// What was asked.
        what: &'static str,
        /// Its answer.
        source: kube::Error,
    },
    /// A type was installed but is not served.
    #[error("the {0} type is not served by the host cluster {1:?} after installing it")]
    NotServed(String, Duration),
    /// The definition could not be built (a bug).
    #[error("the Release type's definition is invalid: {0}")]
    Definition(#[from] serde_json::Error),
}

pub(crate) fn host_error(what: &'static str) -> impl FnOnce(kube::Error) -> ReleaseError {
    move |source| ReleaseError::Host { what, source }
}

/// The `Release` type, for dynamic clients.
pub fn release_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(GROUP, VERSION, RELEASE_KIND),
        RELEASE_PLURAL,
    )
}

/// Installs the `Release` type on the host when it is missing; returns once it is served.
pub async fn ensure_definition(host: &kube::Client) -> Result<(), ReleaseError> {
    ensure_type(host, release_definition(), &release_resource()).await
}

/// Installs a type of the group on the host when it is missing; returns once it is served.
pub(crate) async fn ensure_type(
    host: &kube::Client,
    definition: Value,
    resource: &ApiResource,
) -> Result<(), ReleaseError> {
    let definitions: Api<CustomResourceDefinition> = Api::all(host.clone());
    let definition: CustomResourceDefinition = serde_json::from_value(definition)?;
    match definitions
        .create(&PostParams::default(), &definition)
        .await
    {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 409 => {}
        Err(error) => return Err(host_error("installing the App Store's types")(error)),
    }
    let objects: Api<DynamicObject> = Api::all_with(host.clone(), resource);
    let deadline = tokio::time::Instant::now() + SERVED_TIMEOUT;
    loop {
        match objects.list(&ListParams::default().limit(1)).await {
            Ok(_) => return Ok(()),
            Err(kube::Error::Api(status))
                if status.code == 404 && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(kube::Error::Api(status)) if status.code == 404 => {
                return Err(ReleaseError::NotServed(
                    resource.kind.clone(),
                    SERVED_TIMEOUT,
                ));
            }
            Err(error) => return Err(host_error("listing the App Store's objects")(error)),
        }
    }
}

/// What every reconcile needs.
struct Context {
    releases: Api<DynamicObject>,
    pool: Arc<Pool>,
    clients: ClusterClients,
}

/// Reconciles the host's `Release` objects until the returned future is dropped.
pub async fn reconcile_releases(host: kube::Client, pool: Arc<Pool>, clients: ClusterClients) {
    let resource = release_resource();
    let releases: Api<DynamicObject> = Api::all_with(host, &resource);
    let context = Arc::new(Context {
        releases: releases.clone(),
        pool,
        clients,
    });
    Controller::new_with(releases, watcher::Config::default(), resource)
        .run(reconcile, error_policy, context)
        .for_each(|result| async move {
            if let Err(error) = result {
                tracing::debug!("release reconcile: {error}");
            }
        })
        .await;
}

fn error_policy(_: Arc<DynamicObject>, error: &ReleaseError, _: Arc<Context>) -> Action {
    tracing::warn!("cannot reconcile a release: {error}");
    Action::requeue(RETRY)
}

/// The spec of a release, read from its object.
struct Spec {
    repo: String,
    chart: String,
    version: String,
    cluster: String,
    namespace: String,
    release_name: String,
    values: Value,
    create_namespace: bool,
}

impl Spec {
    fn read(object: &DynamicObject) -> Spec {
        let spec = &object.data["spec"];
        let text = |key: &str| spec[key].as_str().unwrap_or_default().to_owned();
        let name = object.metadata.name.clone().unwrap_or_default();
        let release_name = match text("releaseName") {
            given if given.is_empty() => name,
            given => given,
        };
        Spec {
            repo: text("repo"),
            chart: text("chart"),
            version: text("version"),
            cluster: text("cluster"),
            namespace: text("namespace"),
            release_name,
            values: spec["values"].clone(),
            create_namespace: spec["createNamespace"] == true,
        }
    }
}

async fn reconcile(
    cached: Arc<DynamicObject>,
    context: Arc<Context>,
) -> Result<Action, ReleaseError> {
    let name = cached.metadata.name.clone().unwrap_or_default();
    // The watch's copy may lag the status this reconciler wrote last: read the object afresh,
    // so that a revision is never installed twice.
    let Some(object) = context
        .releases
        .get_opt(&name)
        .await
        .map_err(host_error("reading a release"))?
    else {
        return Ok(Action::await_change());
    };
    let finalizers = object.metadata.finalizers.clone().unwrap_or_default();
    let has_finalizer = finalizers.iter().any(|f| f == FINALIZER);
    let spec = Spec::read(&object);
    if object.metadata.deletion_timestamp.is_some() {
        if !has_finalizer {
            return Ok(Action::await_change());
        }
        return uninstall(&context, &name, &spec, finalizers).await;
    }
    if !has_finalizer {
        let mut finalizers = finalizers;
        finalizers.push(FINALIZER.to_owned());
        context
            .releases
            .patch(
                &name,
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"finalizers": finalizers}})),
            )
            .await
            .map_err(host_error("adding the release's finalizer"))?;
        return Ok(Action::await_change());
    }
    let status = &object.data["status"];
    let generation = object.metadata.generation.unwrap_or(0);
    if status["observedGeneration"].as_i64() == Some(generation) {
        return Ok(Action::await_change());
    }
    // A failure worth retrying is retried when its time comes, not at every status change.
    if let Some(wait) = status["nextAttempt"]
        .as_str()
        .and_then(|at| at.parse::<jiff::Timestamp>().ok())
        .and_then(|at| Duration::try_from(at - jiff::Timestamp::now()).ok())
        .filter(|wait| !wait.is_zero())
    {
        return Ok(Action::requeue(wait));
    }
    let revision = status["revision"].as_i64().unwrap_or(0);
    let working = if revision > 0 {
        Phase::Upgrading
    } else {
        Phase::Installing
    };
    set_status(
        &context,
        &name,
        json!({"phase": working.as_str(), "message": "", "nextAttempt": null}),
    )
    .await?;
    match install(&context, &spec).await {
        Ok((installed, version)) => {
            let mut history: Vec<Value> = status["history"].as_array().cloned().unwrap_or_default();
            for entry in &mut history {
                entry["status"] = json!("superseded");
            }
            history.push(json!({
                "revision": installed.revision,
                "chartVersion": version,
                "status": "deployed",
                "deployedAt": jiff::Timestamp::now().to_string(),
                // What a rollback to this revision asks for again.
                "values": spec.values,
            }));
            let start = history.len().saturating_sub(HISTORY);
            set_status(
                &context,
                &name,
                json!({
                    "phase": Phase::Deployed.as_str(),
                    "revision": installed.revision,
                    "chartVersion": version,
                    "message": installed.notes,
                    "resources": installed.objects,
                    "history": history[start..],
                    "observedGeneration": generation,
                    "nextAttempt": null,
                }),
            )
            .await?;
            Ok(Action::await_change())
        }
        Err(failure) => {
            set_status(
                &context,
                &name,
                if failure.retry {
                    json!({
                        "phase": Phase::Failed.as_str(),
                        "message": failure.message,
                        "nextAttempt": (jiff::Timestamp::now() + RETRY).to_string(),
                    })
                } else {
                    json!({
                        "phase": Phase::Failed.as_str(),
                        "message": failure.message,
                        "observedGeneration": generation,
                        "nextAttempt": null,
                    })
                },
            )
            .await?;
            Ok(if failure.retry {
                Action::requeue(RETRY)
            } else {
                Action::await_change()
            })
        }
    }
}

/// Why an install failed, and whether trying again later may succeed.
struct Failure {
    message: String,
    retry: bool,
}

impl From<PoolError> for Failure {
    fn from(error: PoolError) -> Self {
        Failure {
            message: error.to_string(),
            retry: false,
        }
    }
}

impl From<InstallError> for Failure {
    fn from(error: InstallError) -> Self {
        let retry = matches!(error, InstallError::Cluster { .. });
        Failure {
            message: error.to_string(),
            retry,
        }
    }
}

async fn install(
    context: &Context,
    spec: &Spec,
) -> Result<(crate::installer::Installed, String), Failure> {
    let chart = context
        .pool
        .chart(&spec.repo, &spec.chart, &spec.version)
        .await?;
    let version = chart.metadata.version.clone();
    let client = (context.clients)(spec.cluster.clone())
        .await
        .map_err(|message| Failure {
            message: format!("cannot reach cluster {:?}: {message}", spec.cluster),
            retry: true,
        })?;
    let installed = Installer::new(client)
        .install_or_upgrade(&InstallRequest {
            chart,
            values: values_from_json(&spec.values),
            release_name: spec.release_name.clone(),
            namespace: spec.namespace.clone(),
            create_namespace: spec.create_namespace,
        })
        .await?;
    Ok((installed, version))
}

async fn uninstall(
    context: &Context,
    name: &str,
    spec: &Spec,
    finalizers: Vec<String>,
) -> Result<Action, ReleaseError> {
    set_status(
        context,
        name,
        json!({"phase": Phase::Uninstalling.as_str(), "message": ""}),
    )
    .await?;
    let outcome = match (context.clients)(spec.cluster.clone()).await {
        Ok(client) => match Installer::new(client)
            .uninstall(&spec.release_name, &spec.namespace)
            .await
        {
            Ok(_) | Err(InstallError::NotFound(_)) => Ok(()),
            Err(error) => Err(error.to_string()),
        },
        Err(message) => Err(format!(
            "cannot reach cluster {:?}: {message}",
            spec.cluster
        )),
    };
    if let Err(message) = outcome {
        set_status(context, name, json!({"message": message})).await?;
        return Ok(Action::requeue(RETRY));
    }
    let remaining: Vec<String> = finalizers.into_iter().filter(|f| f != FINALIZER).collect();
    context
        .releases
        .patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": remaining}})),
        )
        .await
        .map_err(host_error("removing the release's finalizer"))?;
    Ok(Action::await_change())
}

async fn set_status(context: &Context, name: &str, status: Value) -> Result<(), ReleaseError> {
    merge_status(&context.releases, name, status).await
}

/// Merges `status` into the status of the object `name`; one deleted meanwhile has nothing
/// left to report on.
pub(crate) async fn merge_status(
    objects: &Api<DynamicObject>,
    name: &str,
    status: Value,
) -> Result<(), ReleaseError> {
    match objects
        .patch_status(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": status})),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(error) => Err(host_error("updating a status")(error)),
    }
}
