//! Installing, upgrading and uninstalling a chart on a cluster as Helm does, so that the result
//! is an ordinary Helm release: the chart rendered for the cluster's version and API groups,
//! CRDs first, hooks around the rest by weight, every object applied (server-side) with the
//! labels and annotations by which Helm knows its own, readiness waited for, and each revision
//! recorded in Helm's storage.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::discovery::{ApiCapabilities, Discovery, Scope};
use orbital_chart::{
    Chart, ChartError, ClusterCapabilities, Hook, HookEvent, KubeVersion, Lookup, ReleaseOptions,
    Rendered, prepare_release, split_documents,
};
use orbital_template::{Map, Value, read_yaml, to_json};
use serde_json::json;

use crate::storage::{
    OWNER_LABEL, ReleaseRecord, ReleaseStatus, decode_record, manifest_text, secret_data,
};

/// The field manager Orbital applies objects as.
const FIELD_MANAGER: &str = "orbital-appstore";
/// How long objects may take to become ready, and hooks to finish.
const READY_TIMEOUT: Duration = Duration::from_secs(300);
const POLL: Duration = Duration::from_millis(250);

/// Why an install, upgrade or uninstall failed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The chart would not render.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// The cluster refused or failed a request.
    #[error("the cluster refused {what}: {source}")]
    Cluster {
        /// What was asked.
        what: String,
        /// The cluster's answer.
        source: kube::Error,
    },
    /// A rendered object is not one the cluster serves, or not an object at all.
    #[error("{0}")]
    Object(String),
    /// Objects did not become ready, or a hook did not succeed, in time.
    #[error("{0}")]
    NotReady(String),
    /// No release of that name is installed.
    #[error("release {0:?} not found")]
    NotFound(String),
    /// The release's record could not be written.
    #[error("cannot encode the release record: {0}")]
    Record(#[from] std::io::Error),
}

fn cluster_error(what: impl Into<String>) -> impl FnOnce(kube::Error) -> InstallError {
    let what = what.into();
    move |source| InstallError::Cluster { what, source }
}

/// What to install: a chart, the user's values, and where.
#[derive(Clone, Debug)]
pub struct InstallRequest {
    /// The chart.
    pub chart: Chart,
    /// The user's values (Helm's `config`).
    pub values: Map,
    /// The release's name.
    pub release_name: String,
    /// Its namespace.
    pub namespace: String,
    /// Whether the namespace is made when missing; else a missing one fails the install.
    pub create_namespace: bool,
}

/// What an install or upgrade made.
#[derive(Clone, Debug, PartialEq)]
pub struct Installed {
    /// The revision now deployed.
    pub revision: i64,
    /// The objects it applied, as `Kind/name` (`namespace/Kind/name` when namespaced).
    pub objects: Vec<String>,
    /// The rendered notes.
    pub notes: String,
}

/// A release as Helm's storage on a cluster has it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReleaseSummary {
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// Its latest revision.
    pub revision: i64,
    /// That revision's status.
    pub status: String,
    /// The chart, as `NAME-VERSION`.
    pub chart: String,
    /// The chart's app version.
    pub app_version: String,
}

/// An object of a manifest: where it is and what it is.
#[derive(Clone, Debug)]
struct Object {
    body: serde_json::Value,
    resource: ApiResource,
    namespace: Option<String>,
    name: String,
}

impl Object {
    fn label(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{namespace}/{}/{}", self.resource.kind, self.name),
            None => format!("{}/{}", self.resource.kind, self.name),
        }
    }

    fn keep(&self) -> bool {
        self.body["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    }
}

/// Installs charts on one cluster, through its client.
#[derive(Clone)]
pub struct Installer {
    client: kube::Client,
}

impl Installer {
    /// An installer for the cluster `client` reaches.
    pub fn new(client: kube::Client) -> Installer {
        Installer { client }
    }

    /// The cluster's version and API versions, as Helm reads them for `.Capabilities`.
    async fn capabilities(&self) -> Result<(ClusterCapabilities, Discovery), InstallError> {
        let version = self
            .client
            .apiserver_version()
            .await
            .map_err(cluster_error("its version"))?;
        let kube_version = KubeVersion::parse(&version.git_version)
            .or_else(|_| KubeVersion::parse(&format!("{}.{}", version.major, version.minor)))
            .map_err(|error| InstallError::Object(format!("the cluster's version: {error}")))?;
        let discovery = Discovery::new(self.client.clone())
            .run()
            .await
            .map_err(cluster_error("discovery"))?;
        let mut api_versions = Vec::new();
        for group in discovery.groups() {
            for version in group.versions() {
                let group_version = if group.name().is_empty() {
                    version.to_owned()
                } else {
                    format!("{}/{version}", group.name())
                };
                api_versions.push(group_version.clone());
                for (resource, _) in group.versioned_resources(version) {
                    api_versions.push(format!("{group_version}/{}", resource.kind));
                }
            }
        }
        Ok((
            ClusterCapabilities {
                kube_version,
                api_versions,
            },
            discovery,
        ))
    }

    /// The records of release `name` in `namespace`, by revision, as Helm's JSON.
    async fn records(
        &self,
        name: &str,
        namespace: &str,
    ) -> Result<Vec<(i64, serde_json::Value)>, InstallError> {
        let secrets: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), namespace, &secret_resource());
        let listed = secrets
            .list(
                &ListParams::default()
                    .labels(&format!("{}={},name={name}", OWNER_LABEL.0, OWNER_LABEL.1)),
            )
            .await
            .map_err(cluster_error(format!("listing the records of {name}")))?;
        let mut records: Vec<(i64, serde_json::Value)> = listed
            .items
            .iter()
            .filter_map(|secret| decode_record(secret.data["data"]["release"].as_str()?))
            .filter_map(|record| Some((record["version"].as_i64()?, record)))
            .collect();
        records.sort_by_key(|(revision, _)| *revision);
        Ok(records)
    }

    /// Every release on the cluster (in `namespace`, or all), each at its latest revision.
    pub async fn list(&self, namespace: Option<&str>) -> Result<Vec<ReleaseSummary>, InstallError> {
        let secrets: Api<DynamicObject> = match namespace {
            Some(namespace) => {
                Api::namespaced_with(self.client.clone(), namespace, &secret_resource())
            }
            None => Api::all_with(self.client.clone(), &secret_resource()),
        };
        let listed = secrets
            .list(&ListParams::default().labels(&format!("{}={}", OWNER_LABEL.0, OWNER_LABEL.1)))
            .await
            .map_err(cluster_error("listing releases"))?;
        let mut latest: HashMap<(String, String), ReleaseSummary> = HashMap::new();
        for secret in &listed.items {
            let Some(record) = secret.data["data"]["release"]
                .as_str()
                .and_then(decode_record)
            else {
                continue;
            };
            let summary = ReleaseSummary {
                name: record["name"].as_str().unwrap_or_default().to_owned(),
                namespace: record["namespace"].as_str().unwrap_or_default().to_owned(),
                revision: record["version"].as_i64().unwrap_or_default(),
                status: record["info"]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                chart: format!(
                    "{}-{}",
                    record["chart"]["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default(),
                    record["chart"]["metadata"]["version"]
                        .as_str()
                        .unwrap_or_default()
                ),
                app_version: record["chart"]["metadata"]["appVersion"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            };
            let key = (summary.namespace.clone(), summary.name.clone());
            if latest
                .get(&key)
                .is_none_or(|known| known.revision < summary.revision)
            {
                latest.insert(key, summary);
            }
        }
        let mut releases: Vec<ReleaseSummary> = latest.into_values().collect();
        releases.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        Ok(releases)
    }

    /// Installs the chart as a new release, or upgrades the release to it: a new revision.
    pub async fn install_or_upgrade(
        &self,
        request: &InstallRequest,
    ) -> Result<Installed, InstallError> {
        let (name, namespace) = (&request.release_name, &request.namespace);
        let records = self.records(name, namespace).await?;
        let revision = records.last().map_or(1, |(revision, _)| revision + 1);
        let deployed: Vec<&(i64, serde_json::Value)> = records
            .iter()
            .filter(|(_, record)| record["info"]["status"] == "deployed")
            .collect();
        let previous = deployed.last().map(|(_, record)| record.clone());
        let is_upgrade = previous.is_some();
        let (capabilities, discovery) = self.capabilities().await?;
        let prepared = prepare_release(
            request.chart.clone(),
            &request.values,
            &ReleaseOptions {
                name: name.clone(),
                namespace: namespace.clone(),
                revision,
                is_upgrade,
            },
            &capabilities,
        )?;
        // Off the async threads: the templates' `lookup` calls wait on the cluster.
        let lookup = cluster_lookup(self.client.clone(), &discovery);
        let rendered =
            tokio::task::spawn_blocking(move || prepared.render_with_lookup(Some(&lookup)))
                .await
                .map_err(|error| InstallError::Object(format!("the render stopped: {error}")))??;
        let now = jiff::Timestamp::now().to_string();
        let first_deployed = previous
            .as_ref()
            .and_then(|record| record["info"]["first_deployed"].as_str())
            .unwrap_or(&now)
            .to_owned();
        let mut record = ReleaseRecord {
            name: name.clone(),
            namespace: namespace.clone(),
            revision,
            status: if is_upgrade {
                ReleaseStatus::PendingUpgrade
            } else {
                ReleaseStatus::PendingInstall
            },
            first_deployed,
            last_deployed: now,
            description: if is_upgrade {
                "Preparing upgrade".to_owned()
            } else {
                "Initial install underway".to_owned()
            },
            notes: rendered.notes.clone(),
            chart: request.chart.clone(),
            config: request.values.clone(),
            manifest: manifest_text(&rendered.sorted.manifests),
            hooks: rendered.sorted.hooks.clone(),
        };
        self.ensure_namespace(namespace, request.create_namespace)
            .await?;
        self.write_record(&record, false).await?;
        let resolver = Resolver::new(&discovery, namespace, name);
        let outcome = self
            .deploy(&rendered, previous.as_ref(), &resolver, is_upgrade)
            .await;
        match outcome {
            Ok(objects) => {
                for (old_revision, old) in &deployed {
                    self.supersede(old, *old_revision).await?;
                }
                record.status = ReleaseStatus::Deployed;
                record.description = if is_upgrade {
                    "Upgrade complete".to_owned()
                } else {
                    "Install complete".to_owned()
                };
                self.write_record(&record, true).await?;
                Ok(Installed {
                    revision,
                    objects,
                    notes: rendered.notes,
                })
            }
            Err(error) => {
                record.status = ReleaseStatus::Failed;
                record.description = format!(
                    "{} \"{name}\" failed: {error}",
                    if is_upgrade { "Upgrade" } else { "Release" }
                );
                self.write_record(&record, true).await?;
                Err(error)
            }
        }
    }

    /// Applies a render: CRDs (on install), pre-hooks, the objects (deleting what the previous
    /// revision had and this one does not), readiness, post-hooks.
    async fn deploy(
        &self,
        rendered: &Rendered,
        previous: Option<&serde_json::Value>,
        resolver: &Resolver<'_>,
        is_upgrade: bool,
    ) -> Result<Vec<String>, InstallError> {
        if !is_upgrade {
            for crd in &rendered.crds {
                for document in split_documents(&String::from_utf8_lossy(&crd.data)) {
                    let object = resolver.object(&document)?;
                    self.create_if_missing(&object).await?;
                }
            }
        }
        let (before, after) = if is_upgrade {
            (HookEvent::PreUpgrade, HookEvent::PostUpgrade)
        } else {
            (HookEvent::PreInstall, HookEvent::PostInstall)
        };
        self.run_hooks(&rendered.sorted.hooks, before, resolver)
            .await?;
        let mut objects = Vec::new();
        for manifest in &rendered.sorted.manifests {
            objects.push(resolver.object(&manifest.content)?);
        }
        for object in &objects {
            self.apply(object, resolver).await?;
        }
        if let Some(previous) = previous {
            let kept: Vec<String> = objects.iter().map(Object::label).collect();
            for old in manifest_objects(previous, resolver)? {
                if !kept.contains(&old.label()) && !old.keep() {
                    self.delete(&old).await?;
                }
            }
        }
        for object in &objects {
            self.wait_ready(object).await?;
        }
        self.run_hooks(&rendered.sorted.hooks, after, resolver)
            .await?;
        Ok(objects.iter().map(Object::label).collect())
    }

    /// Uninstalls release `name`: its hooks run, its objects deleted (but those marked
    /// `helm.sh/resource-policy: keep`), and its records removed.
    pub async fn uninstall(
        &self,
        name: &str,
        namespace: &str,
    ) -> Result<Vec<String>, InstallError> {
        let records = self.records(name, namespace).await?;
        let Some((_, latest)) = records.last() else {
            return Err(InstallError::NotFound(name.to_owned()));
        };
        let discovery = Discovery::new(self.client.clone())
            .run()
            .await
            .map_err(cluster_error("discovery"))?;
        let resolver = Resolver::new(&discovery, namespace, name);
        let hooks = stored_hooks(latest);
        self.run_hooks(&hooks, HookEvent::PreDelete, &resolver)
            .await?;
        let mut objects = manifest_objects(latest, &resolver)?;
        objects.reverse();
        let mut deleted = Vec::new();
        for object in objects.iter().filter(|object| !object.keep()) {
            self.delete(object).await?;
            deleted.push(object.label());
        }
        self.run_hooks(&hooks, HookEvent::PostDelete, &resolver)
            .await?;
        let secrets: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), namespace, &secret_resource());
        for (revision, _) in &records {
            let secret = format!("sh.helm.release.v1.{name}.v{revision}");
            match secrets.delete(&secret, &DeleteParams::default()).await {
                Ok(_) => {}
                Err(error) if has_code(&error, 404) => {}
                Err(error) => return Err(cluster_error(format!("deleting {secret}"))(error)),
            }
        }
        Ok(deleted)
    }

    /// Makes `namespace` when it is missing and `create` says so; a missing one fails.
    async fn ensure_namespace(&self, namespace: &str, create: bool) -> Result<(), InstallError> {
        let namespaces: Api<DynamicObject> =
            Api::all_with(self.client.clone(), &namespace_resource());
        let found = namespaces
            .get_opt(namespace)
            .await
            .map_err(cluster_error(format!("reading namespace {namespace}")))?;
        if found.is_some() {
            return Ok(());
        }
        if !create {
            return Err(InstallError::Object(format!(
                "the namespace {namespace:?} does not exist on the cluster"
            )));
        }
        let object: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace},
        }))
        .map_err(|error| InstallError::Object(error.to_string()))?;
        match namespaces.create(&PostParams::default(), &object).await {
            Ok(_) => Ok(()),
            Err(error) if has_code(&error, 409) => Ok(()),
            Err(error) => Err(cluster_error(format!("creating namespace {namespace}"))(
                error,
            )),
        }
    }

    /// Writes a revision's record: created, or replaced when `replace`.
    async fn write_record(
        &self,
        record: &ReleaseRecord,
        replace: bool,
    ) -> Result<(), InstallError> {
        let secrets: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), &record.namespace, &secret_resource());
        let secret: DynamicObject = serde_json::from_value(record.secret()?)
            .map_err(|error| InstallError::Object(error.to_string()))?;
        let what = format!("recording {}", record.secret_name());
        if replace {
            secrets
                .patch(
                    &record.secret_name(),
                    &PatchParams::apply(FIELD_MANAGER).force(),
                    &Patch::Apply(&secret),
                )
                .await
                .map_err(cluster_error(what))?;
        } else {
            secrets
                .create(&PostParams::default(), &secret)
                .await
                .map_err(cluster_error(what))?;
        }
        Ok(())
    }

    /// Marks an older deployed revision superseded, as Helm does after an upgrade.
    async fn supersede(
        &self,
        record: &serde_json::Value,
        revision: i64,
    ) -> Result<(), InstallError> {
        let mut record = record.clone();
        record["info"]["status"] = json!("superseded");
        let namespace = record["namespace"].as_str().unwrap_or_default().to_owned();
        let name = record["name"].as_str().unwrap_or_default().to_owned();
        let encoded = secret_data(&record.to_string())?;
        let secrets: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), &namespace, &secret_resource());
        let patch = json!({
            "metadata": {"labels": {"status": "superseded"}},
            "data": {"release": encoded},
        });
        let secret = format!("sh.helm.release.v1.{name}.v{revision}");
        secrets
            .patch(&secret, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map_err(cluster_error(format!("updating {secret}")))?;
        Ok(())
    }

    fn api(&self, object: &Object) -> Api<DynamicObject> {
        match &object.namespace {
            Some(namespace) => {
                Api::namespaced_with(self.client.clone(), namespace, &object.resource)
            }
            None => Api::all_with(self.client.clone(), &object.resource),
        }
    }

    /// Applies `object` with the marks by which Helm knows it belongs to the release.
    async fn apply(&self, object: &Object, resolver: &Resolver<'_>) -> Result<(), InstallError> {
        let mut body = object.body.clone();
        let metadata = &mut body["metadata"];
        metadata["labels"]["app.kubernetes.io/managed-by"] = json!("Helm");
        metadata["annotations"]["meta.helm.sh/release-name"] = json!(resolver.release_name());
        metadata["annotations"]["meta.helm.sh/release-namespace"] = json!(resolver.namespace);
        self.api(object)
            .patch(
                &object.name,
                &PatchParams::apply(FIELD_MANAGER).force(),
                &Patch::Apply(&body),
            )
            .await
            .map_err(cluster_error(format!("applying {}", object.label())))?;
        Ok(())
    }

    async fn create_if_missing(&self, object: &Object) -> Result<(), InstallError> {
        let body: DynamicObject = serde_json::from_value(object.body.clone())
            .map_err(|error| InstallError::Object(error.to_string()))?;
        match self.api(object).create(&PostParams::default(), &body).await {
            Ok(_) => Ok(()),
            Err(error) if has_code(&error, 409) => Ok(()),
            Err(error) => Err(cluster_error(format!("creating {}", object.label()))(error)),
        }
    }

    async fn delete(&self, object: &Object) -> Result<(), InstallError> {
        match self
            .api(object)
            .delete(&object.name, &DeleteParams::background())
            .await
        {
            Ok(_) => Ok(()),
            Err(error) if has_code(&error, 404) => Ok(()),
            Err(error) => Err(cluster_error(format!("deleting {}", object.label()))(error)),
        }
    }

    /// Runs the hooks of `event`, lightest first: each applied (replacing an old one when its
    /// policy says so), a Job or Pod waited for, deleted after success when its policy says so.
    async fn run_hooks(
        &self,
        hooks: &[Hook],
        event: HookEvent,
        resolver: &Resolver<'_>,
    ) -> Result<(), InstallError> {
        let mut chosen: Vec<&Hook> = hooks
            .iter()
            .filter(|hook| hook.events.contains(&event))
            .collect();
        chosen.sort_by_key(|hook| hook.weight);
        for hook in chosen {
            let object = resolver.object(&hook.manifest.content)?;
            let policies = &hook.delete_policies;
            if policies.is_empty() || policies.iter().any(|p| p == "before-hook-creation") {
                self.delete(&object).await?;
                self.wait_gone(&object).await?;
            }
            self.create_if_missing(&object).await?;
            let finished = self.wait_hook(&object).await;
            let succeeded = finished.is_ok();
            let policy = if succeeded {
                "hook-succeeded"
            } else {
                "hook-failed"
            };
            if policies.iter().any(|p| p == policy) {
                self.delete(&object).await?;
            }
            finished?;
        }
        Ok(())
    }

    async fn wait_gone(&self, object: &Object) -> Result<(), InstallError> {
        let api = self.api(object);
        let deadline = tokio::time::Instant::now() + READY_TIMEOUT;
        while tokio::time::Instant::now() < deadline {
            match api.get_opt(&object.name).await {
                Ok(None) => return Ok(()),
                Ok(Some(_)) => tokio::time::sleep(POLL).await,
                Err(error) => {
                    return Err(cluster_error(format!("reading {}", object.label()))(error));
                }
            }
        }
        Err(InstallError::NotReady(format!(
            "{} was not deleted in time",
            object.label()
        )))
    }

    /// Waits for a Job hook to complete or a Pod hook to succeed; other kinds are done when
    /// created.
    async fn wait_hook(&self, object: &Object) -> Result<(), InstallError> {
        if !matches!(object.resource.kind.as_str(), "Job" | "Pod") {
            return Ok(());
        }
        self.wait_for(object, |found| {
            let status = &found["status"];
            match found["kind"].as_str() {
                Some("Job") => {
                    let conditions = status["conditions"].as_array().cloned().unwrap_or_default();
                    let has = |kind: &str| {
                        conditions
                            .iter()
                            .any(|c| c["type"] == kind && c["status"] == "True")
                    };
                    if has("Failed") {
                        Some(Err("the hook's Job failed".to_owned()))
                    } else {
                        (has("Complete") || status["succeeded"].as_i64().unwrap_or(0) > 0)
                            .then_some(Ok(()))
                    }
                }
                _ => match status["phase"].as_str() {
                    Some("Succeeded") => Some(Ok(())),
                    Some("Failed") => Some(Err("the hook's Pod failed".to_owned())),
                    _ => None,
                },
            }
        })
        .await
    }

    /// Waits until a workload has its replicas ready, as `helm install --wait` does.
    async fn wait_ready(&self, object: &Object) -> Result<(), InstallError> {
        if !matches!(
            object.resource.kind.as_str(),
            "Deployment" | "StatefulSet" | "DaemonSet"
        ) {
            return Ok(());
        }
        self.wait_for(object, |found| {
            let (spec, status) = (&found["spec"], &found["status"]);
            let generation = found["metadata"]["generation"].as_i64().unwrap_or(0);
            if status["observedGeneration"].as_i64().unwrap_or(0) < generation {
                return None;
            }
            let ready = match found["kind"].as_str() {
                Some("DaemonSet") => {
                    status["numberReady"].as_i64().unwrap_or(0)
                        >= status["desiredNumberScheduled"].as_i64().unwrap_or(0)
                }
                Some("StatefulSet") => {
                    status["readyReplicas"].as_i64().unwrap_or(0)
                        >= spec["replicas"].as_i64().unwrap_or(1)
                }
                _ => {
                    let wanted = spec["replicas"].as_i64().unwrap_or(1);
                    status["updatedReplicas"].as_i64().unwrap_or(0) >= wanted
                        && status["availableReplicas"].as_i64().unwrap_or(0) >= wanted
                }
            };
            ready.then_some(Ok(()))
        })
        .await
    }

    async fn wait_for(
        &self,
        object: &Object,
        done: impl Fn(&serde_json::Value) -> Option<Result<(), String>>,
    ) -> Result<(), InstallError> {
        let api = self.api(object);
        let deadline = tokio::time::Instant::now() + READY_TIMEOUT;
        loop {
            let found = api
                .get(&object.name)
                .await
                .map_err(cluster_error(format!("reading {}", object.label())))?;
            let found = serde_json::to_value(&found)
                .map_err(|error| InstallError::Object(error.to_string()))?;
            match done(&found) {
                Some(Ok(())) => return Ok(()),
                Some(Err(why)) => {
                    return Err(InstallError::NotReady(format!("{}: {why}", object.label())));
                }
                None if tokio::time::Instant::now() >= deadline => {
                    return Err(InstallError::NotReady(format!(
                        "{} was not ready within {} s",
                        object.label(),
                        READY_TIMEOUT.as_secs()
                    )));
                }
                None => tokio::time::sleep(POLL).await,
            }
        }
    }
}

/// Helm's `lookup` on the cluster `client` reaches: the object as a map (an empty one when it
/// does not exist), or the list when no name is given. Called from the render's thread, it
/// waits on the runtime the installer runs on.
fn cluster_lookup(client: kube::Client, discovery: &Discovery) -> Lookup {
    let mut resources: Vec<(ApiResource, bool)> = Vec::new();
    for group in discovery.groups() {
        for version in group.versions() {
            for (resource, capabilities) in group.versioned_resources(version) {
                resources.push((resource, capabilities.scope == Scope::Namespaced));
            }
        }
    }
    let runtime = tokio::runtime::Handle::current();
    Arc::new(
        move |api_version: &str, kind: &str, namespace: &str, name: &str| {
            let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
            let Some((resource, namespaced)) = resources
                .iter()
                .find(|(r, _)| r.group == group && r.version == version && r.kind == kind)
            else {
                return Err(format!(
                    "unable to get apiresource from unstructured: {api_version}, Kind={kind}"
                ));
            };
            let api: Api<DynamicObject> = if *namespaced && !namespace.is_empty() {
                Api::namespaced_with(client.clone(), namespace, resource)
            } else {
                Api::all_with(client.clone(), resource)
            };
            let found = runtime.block_on(async {
                if name.is_empty() {
                    api.list(&ListParams::default())
                        .await
                        .map(|list| serde_json::to_value(list).unwrap_or_default())
                } else {
                    api.get_opt(name).await.map(|object| {
                        object
                            .and_then(|object| serde_json::to_value(object).ok())
                            .unwrap_or_else(|| json!({}))
                    })
                }
            });
            found
                .map(Value::from)
                .map_err(|error| format!("lookup of {kind} {namespace}/{name}: {error}"))
        },
    )
}

/// Finds the API resource of each rendered object, and the namespace it goes in.
struct Resolver<'a> {
    discovery: &'a Discovery,
    namespace: String,
    release_name: String,
}

impl<'a> Resolver<'a> {
    fn new(discovery: &'a Discovery, namespace: &str, release_name: &str) -> Resolver<'a> {
        Resolver {
            discovery,
            namespace: namespace.to_owned(),
            release_name: release_name.to_owned(),
        }
    }

    fn release_name(&self) -> &str {
        &self.release_name
    }

    fn object(&self, document: &str) -> Result<Object, InstallError> {
        let value = read_yaml(document)
            .map_err(|error| InstallError::Object(format!("a manifest is not YAML: {error}")))?;
        let body: serde_json::Value = serde_json::from_str(&to_json(&value))
            .map_err(|error| InstallError::Object(error.to_string()))?;
        let (Some(api_version), Some(kind), Some(name)) = (
            body["apiVersion"].as_str(),
            body["kind"].as_str(),
            body["metadata"]["name"].as_str(),
        ) else {
            return Err(InstallError::Object(format!(
                "a manifest lacks apiVersion, kind or metadata.name: {document}"
            )));
        };
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let (resource, capabilities): (ApiResource, ApiCapabilities) = self
            .discovery
            .resolve_gvk(&GroupVersionKind::gvk(group, version, kind))
            .ok_or_else(|| {
                InstallError::Object(format!(
                    "the cluster serves no {kind} in {api_version} (for {name})"
                ))
            })?;
        let namespace = match capabilities.scope {
            Scope::Namespaced => Some(
                body["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or(&self.namespace)
                    .to_owned(),
            ),
            Scope::Cluster => None,
        };
        let mut body = body.clone();
        if let Some(namespace) = &namespace {
            body["metadata"]["namespace"] = json!(namespace);
        }
        Ok(Object {
            body,
            resource,
            namespace,
            name: name.to_owned(),
        })
    }
}

/// The objects of a stored revision's manifest.
fn manifest_objects(
    record: &serde_json::Value,
    resolver: &Resolver<'_>,
) -> Result<Vec<Object>, InstallError> {
    let manifest = record["manifest"].as_str().unwrap_or_default();
    split_documents(manifest)
        .iter()
        .filter(|document| {
            document
                .lines()
                .any(|line| !line.trim().is_empty() && !line.starts_with('#'))
        })
        .map(|document| resolver.object(document))
        .collect()
}

/// The hooks of a stored revision.
fn stored_hooks(record: &serde_json::Value) -> Vec<Hook> {
    record["hooks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|hook| {
            let events = hook["events"]
                .as_array()?
                .iter()
                .filter_map(|event| match event.as_str()? {
                    "pre-delete" => Some(HookEvent::PreDelete),
                    "post-delete" => Some(HookEvent::PostDelete),
                    _ => None,
                })
                .collect();
            Some(Hook {
                manifest: orbital_chart::Manifest {
                    source: hook["path"].as_str()?.to_owned(),
                    content: hook["manifest"].as_str()?.to_owned(),
                    kind: hook["kind"].as_str()?.to_owned(),
                    name: hook["name"].as_str()?.to_owned(),
                },
                events,
                weight: hook["weight"].as_i64().unwrap_or(0),
                delete_policies: hook["delete_policies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.as_str().map(str::to_owned))
                    .collect(),
            })
        })
        .collect()
}

/// Whether the cluster answered `error` with the HTTP status `code`.
fn has_code(error: &kube::Error, code: u16) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == code)
}

fn secret_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("", "v1", "Secret"), "secrets")
}

fn namespace_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("", "v1", "Namespace"), "namespaces")
}

/// The user's values as `orbital_template` values, from JSON.
pub fn values_from_json(values: &serde_json::Value) -> Map {
    match Value::from(values.clone()) {
        Value::Map(map) => map,
        _ => Map::default(),
    }
}
