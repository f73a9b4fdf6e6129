//! The App Store as the host console serves it: its pool listed and searched, an app's page,
//! installs asked for (each recorded as a `Release` on the host, which the reconciler carries
//! out), and the releases with their status. Who may ask for what is decided by the caller
//! (the console's server functions, with the user's scope) before these are called.

use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DeleteParams, PostParams};
use kube::core::DynamicObject;
use orbital_chart::{
    Chart, ClusterCapabilities, ReleaseOptions, render_release, validate_release_name,
};
use orbital_template::{Map, Value, read_yaml, to_json, to_yaml};
use orbital_types::appstore::{
    AppDetails, AppList, AppQuery, AppStoreError, AppSummary, AppVersionRow, InstallForm,
    ReleaseDetails, ReleaseRevision, ReleaseRow,
};
use serde_json::json;

use crate::crd::{GROUP, RELEASE_KIND, VERSION};
use crate::installer::{Installer, ReleaseSummary};
use crate::pool::{Pool, PoolError};
use crate::reconciler::{ClusterClients, release_resource};
use crate::repos::{CREDENTIALS_NAMESPACE, repo_resource};
use crate::settings::schema_settings;
use crate::uploads::Uploads;

/// The annotation that says who asked for a release.
pub const REQUESTED_BY: &str = "appstore.orbital.dev/requested-by";

impl From<PoolError> for AppStoreError {
    fn from(error: PoolError) -> Self {
        match error {
            PoolError::NoRepository(_) | PoolError::NoChart { .. } => {
                AppStoreError::NotFound(error.to_string())
            }
            PoolError::Broken(..) => AppStoreError::Failed(error.to_string()),
        }
    }
}

/// An object an install would make, as the caller authorizes it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PlannedObject {
    /// Its `apiVersion`.
    pub(crate) api_version: String,
    /// Its `kind`.
    pub(crate) kind: String,
}

/// The App Store of a host console.
pub struct AppStore {
    pool: Arc<Pool>,
    generated: String,
    releases: Api<DynamicObject>,
    /// The repositories of other sites, as `Repo` objects on the host.
    pub(crate) repos: Api<DynamicObject>,
    /// The Secrets of their credentials.
    pub(crate) secrets: Api<k8s_openapi::api::core::v1::Secret>,
    /// The uploaded charts, kept on the host.
    pub(crate) uploads: Uploads,
    /// The console's own clients of the clusters, to find the releases Helm itself made there.
    clients: Option<ClusterClients>,
}

impl std::fmt::Debug for AppStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppStore")
            .field("pool", &self.pool)
            .finish_non_exhaustive()
    }
}

/// How long one cluster may take to list its Helm releases for the installed apps.
const LIST_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) fn is_dns_label(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 63
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

impl AppStore {
    /// The App Store over `pool`, recording releases on the host `host` reaches.
    pub fn new(pool: Arc<Pool>, host: kube::Client) -> AppStore {
        AppStore {
            pool,
            generated: jiff::Timestamp::now().to_string(),
            releases: Api::all_with(host.clone(), &release_resource()),
            repos: Api::all_with(host.clone(), &repo_resource()),
            secrets: Api::namespaced(host.clone(), CREDENTIALS_NAMESPACE),
            uploads: Uploads::new(host),
            clients: None,
        }
    }

    /// The App Store reading, with `clients`, the releases Helm itself made on the clusters,
    /// for the installed apps to show them too.
    pub fn with_cluster_clients(self, clients: ClusterClients) -> AppStore {
        AppStore {
            clients: Some(clients),
            ..self
        }
    }

    /// The Helm releases on each of `clusters` (those it can be asked about within a few
    /// seconds; the others are left out).
    pub(crate) async fn helm_releases(&self, clusters: &[String]) -> Vec<(String, ReleaseSummary)> {
        let Some(clients) = &self.clients else {
            return Vec::new();
        };
        let lists = clusters.iter().map(|cluster| async move {
            let listed = tokio::time::timeout(LIST_TIMEOUT, async {
                let client = clients(cluster.clone()).await?;
                Installer::new(client)
                    .list(None)
                    .await
                    .map_err(|error| error.to_string())
            })
            .await;
            match listed {
                Ok(Ok(releases)) => releases
                    .into_iter()
                    .map(|release| (cluster.clone(), release))
                    .collect(),
                Ok(Err(error)) => {
                    tracing::debug!(cluster, "cannot list the cluster's Helm releases: {error}");
                    Vec::new()
                }
                Err(_) => {
                    tracing::debug!(cluster, "listing the cluster's Helm releases timed out");
                    Vec::new()
                }
            }
        });
        futures::future::join_all(lists)
            .await
            .into_iter()
            .flatten()
            .collect()
    }

    /// The pool.
    pub fn pool(&self) -> &Arc<Pool> {
        &self.pool
    }

    /// When the served indexes were made (RFC 3339).
    pub fn generated(&self) -> &str {
        &self.generated
    }

    /// Every app of the pool, newest version's facts.
    fn all_apps(&self) -> Vec<AppSummary> {
        let mut apps = Vec::new();
        for repository in self.pool.local() {
            for chart in &repository.charts {
                let metadata = &chart.metadata;
                let known = apps.iter().position(|app: &AppSummary| {
                    app.repo == repository.name && app.name == metadata.name
                });
                let newer = known.is_none_or(|at| {
                    orbital_template::compare_versions(&metadata.version, &apps[at].version)
                        .is_some_and(std::cmp::Ordering::is_gt)
                });
                if !newer {
                    continue;
                }
                let summary = AppSummary {
                    repo: repository.name.clone(),
                    name: metadata.name.clone(),
                    description: metadata.description.clone(),
                    icon: metadata.icon.clone(),
                    category: metadata
                        .annotations
                        .iter()
                        .find(|(key, _)| key == "orbital.dev/category" || key == "category")
                        .map(|(_, value)| value.clone())
                        .unwrap_or_default(),
                    version: metadata.version.clone(),
                    app_version: metadata.app_version.clone(),
                    keywords: metadata.keywords.clone(),
                };
                match known {
                    Some(at) => apps[at] = summary,
                    None => apps.push(summary),
                }
            }
        }
        for (repo, remote) in self.pool.remotes() {
            for app in remote.catalogue.apps.values() {
                let Some(newest) = app.versions.first() else {
                    continue;
                };
                apps.push(AppSummary {
                    repo: repo.clone(),
                    name: app.name.clone(),
                    description: newest.description.clone(),
                    icon: app.icon.clone(),
                    category: app.category.clone(),
                    version: newest.version.clone(),
                    app_version: newest.app_version.clone(),
                    keywords: app.keywords.clone(),
                });
            }
        }
        apps
    }

    /// The apps `query` finds, by name, and what there is to filter by.
    pub fn apps(&self, query: &AppQuery) -> AppList {
        let all = self.all_apps();
        let mut categories: Vec<String> = all
            .iter()
            .map(|app| app.category.clone())
            .filter(|category| !category.is_empty())
            .collect();
        categories.sort();
        categories.dedup();
        let mut repos: Vec<String> = all.iter().map(|app| app.repo.clone()).collect();
        repos.sort();
        repos.dedup();
        let text = query.text.trim().to_lowercase();
        let mut apps: Vec<AppSummary> = all
            .into_iter()
            .filter(|app| query.category.is_empty() || app.category == query.category)
            .filter(|app| query.repo.is_empty() || app.repo == query.repo)
            .filter(|app| {
                text.is_empty()
                    || app.name.to_lowercase().contains(&text)
                    || app.description.to_lowercase().contains(&text)
                    || app
                        .keywords
                        .iter()
                        .any(|k| k.to_lowercase().contains(&text))
            })
            .collect();
        apps.sort_by(|a, b| (&a.name, &a.repo).cmp(&(&b.name, &b.repo)));
        AppList {
            apps,
            categories,
            repos,
        }
    }

    /// The page of app `name` of repository `repo`: its versions, and its newest version's
    /// README and default values (an archive of another site is fetched for them).
    pub async fn app(&self, repo: &str, name: &str) -> Result<AppDetails, AppStoreError> {
        let chart = self.pool.chart(repo, name, "").await?;
        let summary = self
            .all_apps()
            .into_iter()
            .find(|app| app.repo == repo && app.name == name)
            .unwrap_or_default();
        let versions = match self.pool.repository(repo) {
            Some(local) => {
                let mut rows: Vec<AppVersionRow> = local
                    .charts
                    .iter()
                    .filter(|packaged| packaged.metadata.name == name)
                    .map(|packaged| AppVersionRow {
                        version: packaged.metadata.version.clone(),
                        app_version: packaged.metadata.app_version.clone(),
                        created: String::new(),
                    })
                    .collect();
                rows.sort_by(|a, b| {
                    orbital_template::compare_versions(&b.version, &a.version)
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                rows
            }
            None => self
                .pool
                .remote(repo)
                .and_then(|remote| remote.catalogue.apps.get(name).cloned())
                .map(|app| {
                    app.versions
                        .into_iter()
                        .map(|version| AppVersionRow {
                            version: version.version,
                            app_version: version.app_version,
                            created: version.created,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        let file = |chart: &Chart, wanted: &str| {
            chart
                .files
                .iter()
                .find(|file| file.name.eq_ignore_ascii_case(wanted))
                .map(|file| String::from_utf8_lossy(&file.data).into_owned())
                .unwrap_or_default()
        };
        Ok(AppDetails {
            home: chart.metadata.home.clone(),
            maintainers: chart
                .metadata
                .maintainers
                .iter()
                .map(|maintainer| maintainer.name.clone())
                .collect(),
            versions,
            readme: file(&chart, "README.md"),
            values: chart.values_yaml.clone(),
            settings: schema_settings(&chart),
            summary,
        })
    }

    /// Checks `form` and the chart it names, and renders it (with `helm template`'s cluster
    /// facts) to tell which objects it would make, for the caller to authorize them.
    pub(crate) async fn plan(
        &self,
        form: &InstallForm,
    ) -> Result<Vec<PlannedObject>, AppStoreError> {
        let invalid = AppStoreError::Invalid;
        if !is_dns_label(&form.cluster) {
            return Err(invalid("choose a cluster".to_owned()));
        }
        if !is_dns_label(&form.namespace) {
            return Err(invalid(format!(
                "{:?} is not a namespace name: lower-case letters, digits and '-', at most 63",
                form.namespace
            )));
        }
        validate_release_name(&form.release_name).map_err(|error| invalid(error.to_string()))?;
        let values = user_values(&form.values)?;
        let chart = self
            .pool
            .chart(&form.repo, &form.chart, &form.version)
            .await?;
        let rendered = render_release(
            chart,
            &values,
            &ReleaseOptions {
                name: form.release_name.clone(),
                namespace: form.namespace.clone(),
                revision: 1,
                is_upgrade: false,
            },
            &ClusterCapabilities::default(),
        )
        .map_err(|error| invalid(error.to_string()))?;
        let mut planned = Vec::new();
        let heads = rendered
            .sorted
            .manifests
            .iter()
            .map(|manifest| &manifest.content)
            .chain(
                rendered
                    .sorted
                    .hooks
                    .iter()
                    .map(|hook| &hook.manifest.content),
            );
        for content in heads {
            let Ok(Value::Map(fields)) = read_yaml(content) else {
                continue;
            };
            let text = |key: &str| match fields.get(key) {
                Some(Value::Str(text)) => text,
                _ => String::new(),
            };
            let object = PlannedObject {
                api_version: text("apiVersion"),
                kind: text("kind"),
            };
            if !planned.contains(&object) {
                planned.push(object);
            }
        }
        Ok(planned)
    }

    /// Records an install `requested_by` asked for: a `Release` on the host named
    /// `RELEASE.NAMESPACE.CLUSTER`, which the reconciler carries out. Returns its name.
    pub(crate) async fn request_install(
        &self,
        form: &InstallForm,
        create_namespace: bool,
        requested_by: &str,
    ) -> Result<String, AppStoreError> {
        let values = user_values(&form.values)?;
        let id = format!("{}.{}.{}", form.release_name, form.namespace, form.cluster);
        let values: serde_json::Value = serde_json::from_str(&to_json(&Value::Map(values)))
            .map_err(|error| AppStoreError::Invalid(error.to_string()))?;
        let object: DynamicObject = serde_json::from_value(json!({
            "apiVersion": format!("{GROUP}/{VERSION}"),
            "kind": RELEASE_KIND,
            "metadata": {"name": id, "annotations": {REQUESTED_BY: requested_by}},
            "spec": {
                "repo": form.repo,
                "chart": form.chart,
                "version": form.version,
                "cluster": form.cluster,
                "namespace": form.namespace,
                "releaseName": form.release_name,
                "createNamespace": create_namespace,
                "values": values,
            },
        }))
        .map_err(|error| AppStoreError::Invalid(error.to_string()))?;
        match self.releases.create(&PostParams::default(), &object).await {
            Ok(_) => Ok(id),
            Err(kube::Error::Api(status)) if status.code == 409 => {
                Err(AppStoreError::Exists(format!(
                    "{} is already installed in {} on {}",
                    form.release_name, form.namespace, form.cluster
                )))
            }
            Err(error) => Err(AppStoreError::Failed(format!(
                "the host cluster could not record the install: {error}"
            ))),
        }
    }

    /// Every release the App Store keeps.
    pub(crate) async fn releases(&self) -> Result<Vec<ReleaseRow>, AppStoreError> {
        let listed = self
            .releases
            .list(&Default::default())
            .await
            .map_err(host_failed)?;
        Ok(listed.items.iter().map(release_row).collect())
    }

    /// The release `id`, if it exists.
    pub(crate) async fn release(&self, id: &str) -> Result<Option<ReleaseRow>, AppStoreError> {
        self.releases
            .get_opt(id)
            .await
            .map(|found| found.as_ref().map(release_row))
            .map_err(host_failed)
    }

    /// The release `id` with its values, its history and its chart's versions, if it exists.
    pub(crate) async fn release_details(
        &self,
        id: &str,
    ) -> Result<Option<ReleaseDetails>, AppStoreError> {
        let Some(object) = self.releases.get_opt(id).await.map_err(host_failed)? else {
            return Ok(None);
        };
        let row = release_row(&object);
        let values = values_yaml(&object.data["spec"]["values"]);
        let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
        let mut history: Vec<ReleaseRevision> = object.data["status"]["history"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|entry| ReleaseRevision {
                        revision: entry["revision"].as_i64().unwrap_or(0),
                        chart_version: text(&entry["chartVersion"]),
                        status: text(&entry["status"]),
                        deployed_at: text(&entry["deployedAt"]),
                        can_roll_back: entry.get("values").is_some(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        history.reverse();
        // A chart the pool no longer has leaves the release as it is, with nothing to move to.
        let versions = self
            .app(&row.repo, &row.chart)
            .await
            .map(|app| app.versions)
            .unwrap_or_default();
        Ok(Some(ReleaseDetails {
            row,
            values,
            history,
            versions,
        }))
    }

    /// The chart version and values (YAML) that revision `revision` of release `id` was
    /// installed with, if the App Store kept them.
    pub(crate) async fn revision_asked(
        &self,
        id: &str,
        revision: i64,
    ) -> Result<Option<(String, String)>, AppStoreError> {
        let Some(object) = self.releases.get_opt(id).await.map_err(host_failed)? else {
            return Ok(None);
        };
        Ok(object.data["status"]["history"]
            .as_array()
            .and_then(|entries| {
                entries
                    .iter()
                    .find(|entry| entry["revision"].as_i64() == Some(revision))
            })
            .filter(|entry| entry.get("values").is_some())
            .map(|entry| {
                (
                    entry["chartVersion"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    values_yaml(&entry["values"]),
                )
            }))
    }

    /// Has release `id` ask for the chart at `version` with `values`: an upgrade, which the
    /// reconciler carries out as a new revision.
    pub(crate) async fn change(
        &self,
        id: &str,
        version: &str,
        values: &str,
    ) -> Result<(), AppStoreError> {
        let values: serde_json::Value =
            serde_json::from_str(&to_json(&Value::Map(user_values(values)?)))
                .map_err(|error| AppStoreError::Invalid(error.to_string()))?;
        let mut object = self
            .releases
            .get_opt(id)
            .await
            .map_err(host_failed)?
            .ok_or_else(|| AppStoreError::NotFound(format!("there is no release {id:?}")))?;
        object.data["spec"]["version"] = json!(version);
        object.data["spec"]["values"] = values;
        match self
            .releases
            .replace(id, &PostParams::default(), &object)
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 409 => Err(AppStoreError::Failed(
                format!("the release {id:?} changed meanwhile: look at it again and retry"),
            )),
            Err(error) => Err(host_failed(error)),
        }
    }

    /// Asks for release `id` to be uninstalled (its `Release` deleted; the reconciler removes
    /// the app, then the object).
    pub(crate) async fn uninstall(&self, id: &str) -> Result<(), AppStoreError> {
        match self.releases.delete(id, &DeleteParams::default()).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(error) => Err(host_failed(error)),
        }
    }
}

/// Values kept as JSON, as the YAML a user edits; nothing for none.
fn values_yaml(values: &serde_json::Value) -> String {
    match values {
        serde_json::Value::Object(map) if !map.is_empty() => to_yaml(&Value::from(values.clone())),
        _ => String::new(),
    }
}

/// The host cluster failed a request about the App Store's releases.
fn host_failed(error: kube::Error) -> AppStoreError {
    AppStoreError::Failed(format!(
        "the host cluster failed a request about releases: {error}"
    ))
}

/// The user's values from the form's YAML: a map, or nothing.
pub(crate) fn user_values(text: &str) -> Result<Map, AppStoreError> {
    match read_yaml(text) {
        Ok(Value::Map(values)) => Ok(values),
        Ok(Value::Nil) => Ok(Map::default()),
        Ok(_) => Err(AppStoreError::Invalid(
            "the values must be a map of keys (YAML), like the chart's values.yaml".to_owned(),
        )),
        Err(error) => Err(AppStoreError::Invalid(format!(
            "the values are not YAML: {error}"
        ))),
    }
}

/// A release Helm itself made on `cluster` (no `Release` of the App Store's), as the installed
/// apps show it.
pub(crate) fn helm_release_row(cluster: &str, release: ReleaseSummary) -> ReleaseRow {
    let phase = match release.status.as_str() {
        "deployed" => "Deployed",
        "failed" => "Failed",
        "pending-install" => "Installing",
        "pending-upgrade" | "pending-rollback" => "Upgrading",
        "uninstalling" => "Uninstalling",
        other => other,
    };
    ReleaseRow {
        id: String::new(),
        release_name: release.name,
        cluster: cluster.to_owned(),
        namespace: release.namespace,
        repo: String::new(),
        chart: release.chart,
        version: release.app_version,
        phase: phase.to_owned(),
        revision: release.revision,
        message: String::new(),
        requested_by: String::new(),
    }
}

fn release_row(object: &DynamicObject) -> ReleaseRow {
    let (spec, status) = (&object.data["spec"], &object.data["status"]);
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    let name = object.metadata.name.clone().unwrap_or_default();
    let release_name = match text(&spec["releaseName"]) {
        given if given.is_empty() => name.clone(),
        given => given,
    };
    // A changed spec the reconciler has not taken up yet is an upgrade on its way.
    let changed = status["observedGeneration"].as_i64() != object.metadata.generation;
    let phase = if object.metadata.deletion_timestamp.is_some() {
        "Uninstalling".to_owned()
    } else {
        match text(&status["phase"]) {
            phase if phase.is_empty() => "Pending".to_owned(),
            phase if phase == "Deployed" && changed => "Upgrading".to_owned(),
            phase => phase,
        }
    };
    let version = match text(&status["chartVersion"]) {
        installed if installed.is_empty() => text(&spec["version"]),
        installed => installed,
    };
    ReleaseRow {
        id: name,
        release_name,
        cluster: text(&spec["cluster"]),
        namespace: text(&spec["namespace"]),
        repo: text(&spec["repo"]),
        chart: text(&spec["chart"]),
        version,
        phase,
        revision: status["revision"].as_i64().unwrap_or(0),
        message: text(&status["message"]),
        requested_by: object
            .metadata
            .annotations
            .as_ref()
            .and_then(|annotations| annotations.get(REQUESTED_BY).cloned())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> AppStore {
        // The host is never asked anything here.
        let config = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
        AppStore::new(
            Arc::new(Pool::builtin().unwrap()),
            kube::Client::try_from(config).unwrap(),
        )
    }

    #[tokio::test]
    async fn apps_are_found_and_an_apps_page_has_its_readme_and_default_values() {
        let store = store();
        let found = store.apps(&AppQuery {
            text: "REDIS".to_owned(),
            ..AppQuery::default()
        });
        let names: Vec<&str> = found.apps.iter().map(|app| app.name.as_str()).collect();
        assert_eq!(names, ["cache"]);
        assert_eq!(found.categories, ["Database", "Demo", "Web"]);
        let page = store.app("builtin", "cache").await.unwrap();
        assert!(page.readme.starts_with("# cache"), "{}", page.readme);
        assert!(page.values.contains("maxMemory: 64mb"), "{}", page.values);
        assert_eq!(page.versions[0].version, "1.0.0");
    }

    #[test]
    fn a_changed_spec_not_taken_up_yet_reads_as_an_upgrade_on_its_way() {
        let release = |generation: i64, observed: i64| -> DynamicObject {
            serde_json::from_value(json!({
                "apiVersion": "appstore.orbital.dev/v1alpha1",
                "kind": "Release",
                "metadata": {"name": "web.demo.member-1", "generation": generation},
                "spec": {"releaseName": "web"},
                "status": {"phase": "Deployed", "observedGeneration": observed},
            }))
            .unwrap()
        };
        assert_eq!(release_row(&release(1, 1)).phase, "Deployed");
        assert_eq!(release_row(&release(2, 1)).phase, "Upgrading");
    }

    #[tokio::test]
    async fn an_install_is_checked_before_it_is_recorded() {
        let store = store();
        let form = InstallForm {
            repo: "builtin".to_owned(),
            chart: "web-server".to_owned(),
            cluster: "member-1".to_owned(),
            namespace: "apps".to_owned(),
            release_name: "web".to_owned(),
            values: "replicaCount: 2".to_owned(),
            ..InstallForm::default()
        };
        let planned = store.plan(&form).await.unwrap();
        let kinds: Vec<&str> = planned.iter().map(|object| object.kind.as_str()).collect();
        assert_eq!(kinds, ["ConfigMap", "Service", "Deployment", "Pod"]);
        for bad in [
            InstallForm {
                namespace: "Apps".to_owned(),
                ..form.clone()
            },
            InstallForm {
                values: "- a list".to_owned(),
                ..form.clone()
            },
        ] {
            assert!(matches!(
                store.plan(&bad).await,
                Err(AppStoreError::Invalid(_))
            ));
        }
        let missing = InstallForm {
            chart: "nothing".to_owned(),
            ..form
        };
        assert!(matches!(
            store.plan(&missing).await,
            Err(AppStoreError::NotFound(_))
        ));
    }
}
