//! The pool's repositories managed by platform admins on the host console: the repositories
//! listed with their sync status, other sites' added (with credentials kept in a Secret the
//! `Repo` owns), removed and synced at once, and charts uploaded into (or deleted from) the
//! host's repository of uploads.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{DeleteParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::core::DynamicObject;
use orbital_types::appstore::{
    AppStoreError, ChartRef, RepositoryForm, RepositoryKind, RepositoryRow,
};
use serde_json::{Value, json};

use crate::access::Requester;
use crate::crd::{GROUP, REPO_KIND, VERSION};
use crate::repos::{SYNC_REQUESTED, parse_interval};
use crate::repository::Repository;
use crate::service::{AppStore, is_dns_label};
use crate::uploads::UploadError;

impl From<UploadError> for AppStoreError {
    fn from(error: UploadError) -> Self {
        match error {
            UploadError::TooLarge(_) | UploadError::NotAChart(_) => {
                AppStoreError::Invalid(error.to_string())
            }
            UploadError::Exists { .. } => AppStoreError::Exists(error.to_string()),
            UploadError::Missing { .. } => AppStoreError::NotFound(error.to_string()),
            UploadError::Host(_) => AppStoreError::Failed(error.to_string()),
        }
    }
}

/// The Secret that holds the credentials of the repository `name`.
fn credentials_secret(name: &str) -> String {
    format!("repo-{name}-credentials")
}

fn host_failed(what: &str) -> impl FnOnce(kube::Error) -> AppStoreError + '_ {
    move |error| AppStoreError::Failed(format!("the host cluster failed {what}: {error}"))
}

/// A row for a repository the host keeps itself.
fn local_row(repository: &Repository, kind: RepositoryKind) -> RepositoryRow {
    let mut charts: Vec<ChartRef> = repository
        .charts
        .iter()
        .map(|chart| ChartRef {
            name: chart.metadata.name.clone(),
            version: chart.metadata.version.clone(),
        })
        .collect();
    charts.sort();
    let mut apps: Vec<&str> = charts.iter().map(|chart| chart.name.as_str()).collect();
    apps.dedup();
    RepositoryRow {
        name: repository.name.clone(),
        kind,
        apps: apps.len(),
        versions: charts.len(),
        charts: if kind == RepositoryKind::Uploads {
            charts
        } else {
            Vec::new()
        },
        ..RepositoryRow::default()
    }
}

/// A row for a `Repo` object.
fn remote_row(object: &DynamicObject) -> RepositoryRow {
    let spec = &object.data["spec"];
    let status = &object.data["status"];
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let count = |value: &Value| value.as_u64().unwrap_or_default() as usize;
    RepositoryRow {
        name: object.metadata.name.clone().unwrap_or_default(),
        kind: RepositoryKind::Remote,
        url: text(&spec["url"]),
        with_credentials: spec["credentialsSecret"]
            .as_str()
            .is_some_and(|secret| !secret.is_empty()),
        sync_interval: text(&spec["syncInterval"]),
        apps: count(&status["appCount"]),
        versions: count(&status["versionCount"]),
        last_sync: text(&status["lastSyncTime"]),
        error: text(&status["error"]),
        charts: Vec::new(),
    }
}

impl AppStore {
    /// Refused unless `requester` is a platform admin asking on the host console itself.
    fn administers(requester: &Requester) -> Result<(), AppStoreError> {
        if requester.member().is_some() {
            return Err(AppStoreError::Forbidden(
                "the App Store's repositories are managed on the host console".to_owned(),
            ));
        }
        if !requester.scope().principal().is_platform_admin() {
            return Err(AppStoreError::Forbidden(
                "only a platform admin may manage the App Store's repositories".to_owned(),
            ));
        }
        Ok(())
    }

    /// Every repository of the pool, the host's own first (platform admins only).
    pub async fn repositories_as(
        &self,
        requester: &Requester,
    ) -> Result<Vec<RepositoryRow>, AppStoreError> {
        Self::administers(requester)?;
        let [builtin, uploads] = self.pool().local();
        let mut rows = vec![
            local_row(&builtin, RepositoryKind::Builtin),
            local_row(&uploads, RepositoryKind::Uploads),
        ];
        let mut remote: Vec<RepositoryRow> = self
            .repos
            .list(&Default::default())
            .await
            .map_err(host_failed("listing the repositories"))?
            .items
            .iter()
            .map(remote_row)
            .collect();
        remote.sort_by(|a, b| a.name.cmp(&b.name));
        rows.extend(remote);
        Ok(rows)
    }

    /// Adds another site's repository to the pool (platform admins only); it is synced at once.
    pub async fn add_repository_as(
        &self,
        requester: &Requester,
        form: &RepositoryForm,
    ) -> Result<(), AppStoreError> {
        Self::administers(requester)?;
        let invalid = |why: String| Err(AppStoreError::Invalid(why));
        let name = form.name.trim();
        if !is_dns_label(name) {
            return invalid(format!(
                "{name:?} is not a repository name: lower-case letters, digits and '-', at most 63"
            ));
        }
        if let Some(why) = self.pool().reserved(name) {
            return invalid(why);
        }
        let url = form.url.trim().trim_end_matches('/');
        let host_part = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .unwrap_or_default();
        if host_part.is_empty() || host_part.contains(char::is_whitespace) {
            return invalid(format!(
                "{url:?} is not a repository's address: give the http(s) address of the folder of its index.yaml"
            ));
        }
        let interval = form.sync_interval.trim();
        if !interval.is_empty() && parse_interval(interval).is_none() {
            return invalid(format!(
                "{interval:?} is not an interval: write it as 90s, 10m or 1h30m"
            ));
        }
        let (username, password) = (form.username.trim(), form.password.as_str());
        if username.is_empty() != password.is_empty() {
            return invalid("give both a user name and a password, or neither".to_owned());
        }
        let mut spec = json!({"url": url});
        if !interval.is_empty() {
            spec["syncInterval"] = json!(interval);
        }
        if !username.is_empty() {
            spec["credentialsSecret"] = json!(credentials_secret(name));
        }
        let object = DynamicObject {
            types: Some(kube::core::TypeMeta {
                api_version: format!("{GROUP}/{VERSION}"),
                kind: REPO_KIND.to_owned(),
            }),
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                ..ObjectMeta::default()
            },
            data: json!({"spec": spec}),
        };
        let created = match self.repos.create(&PostParams::default(), &object).await {
            Ok(created) => created,
            Err(kube::Error::Api(status)) if status.code == 409 => {
                return Err(AppStoreError::Exists(format!(
                    "the App Store has a repository {name:?} already"
                )));
            }
            Err(error) => return Err(host_failed("adding the repository")(error)),
        };
        if username.is_empty() {
            return Ok(());
        }
        let secret = Secret {
            metadata: ObjectMeta {
                name: Some(credentials_secret(name)),
                owner_references: Some(vec![
                    k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
                        api_version: format!("{GROUP}/{VERSION}"),
                        kind: REPO_KIND.to_owned(),
                        name: name.to_owned(),
                        uid: created.metadata.uid.clone().unwrap_or_default(),
                        ..Default::default()
                    },
                ]),
                ..ObjectMeta::default()
            },
            string_data: Some(BTreeMap::from([
                ("username".to_owned(), username.to_owned()),
                ("password".to_owned(), password.to_owned()),
            ])),
            ..Secret::default()
        };
        let kept = match self.secrets.create(&PostParams::default(), &secret).await {
            Err(kube::Error::Api(status)) if status.code == 409 => {
                self.secrets
                    .replace(&credentials_secret(name), &PostParams::default(), &secret)
                    .await
            }
            kept => kept,
        };
        if let Err(error) = kept {
            let _ = self.repos.delete(name, &DeleteParams::default()).await;
            return Err(host_failed("keeping the repository's credentials")(error));
        }
        // A sync may have run before the credentials were there: it is asked for again.
        self.ask_sync(name).await
    }

    /// Takes another site's repository out of the pool, with its credentials (platform admins
    /// only).
    pub async fn remove_repository_as(
        &self,
        requester: &Requester,
        name: &str,
    ) -> Result<(), AppStoreError> {
        Self::administers(requester)?;
        if self.pool().is_local(name) {
            return Err(AppStoreError::Invalid(format!(
                "the repository {name:?} is kept by the host itself and cannot be removed"
            )));
        }
        match self.repos.delete(name, &DeleteParams::default()).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Err(AppStoreError::NotFound(
                format!("the App Store has no repository {name:?}"),
            )),
            Err(error) => Err(host_failed("removing the repository")(error)),
        }
    }

    /// Asks for another site's repository to be synced now (platform admins only).
    pub async fn sync_repository_as(
        &self,
        requester: &Requester,
        name: &str,
    ) -> Result<(), AppStoreError> {
        Self::administers(requester)?;
        self.ask_sync(name).await
    }

    /// Asks for a sync of the repository `name` of another site now.
    async fn ask_sync(&self, name: &str) -> Result<(), AppStoreError> {
        let asked = json!({"metadata": {"annotations": {
            SYNC_REQUESTED: jiff::Timestamp::now().to_string()
        }}});
        match self
            .repos
            .patch(name, &PatchParams::default(), &Patch::Merge(asked))
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Err(AppStoreError::NotFound(
                format!("the App Store has no repository {name:?} of another site"),
            )),
            Err(error) => Err(host_failed("asking for a sync")(error)),
        }
    }

    /// Takes a chart archive (as `helm package` writes it) into the host's repository of
    /// uploads, over the same version when `replace` (platform admins only).
    pub async fn upload_as(
        &self,
        requester: &Requester,
        archive: Vec<u8>,
        replace: bool,
    ) -> Result<ChartRef, AppStoreError> {
        Self::administers(requester)?;
        let chart = self.uploads.keep(archive, replace).await?;
        let uploaded = ChartRef {
            name: chart.metadata.name.clone(),
            version: chart.metadata.version.clone(),
        };
        self.pool().add_upload(chart);
        tracing::info!(
            caller = requester.scope().principal().to_string(),
            chart = uploaded.name,
            version = uploaded.version,
            "uploaded a chart"
        );
        Ok(uploaded)
    }

    /// Deletes version `version` of chart `name` from the host's repository of uploads
    /// (platform admins only).
    pub async fn delete_upload_as(
        &self,
        requester: &Requester,
        name: &str,
        version: &str,
    ) -> Result<(), AppStoreError> {
        Self::administers(requester)?;
        self.uploads.delete(name, version).await?;
        self.pool().remove_upload(name, version);
        Ok(())
    }
}
