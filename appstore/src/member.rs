//! A console's App Store as its pages reach it: served by this host console, or, on a member
//! console, its host's, asked over HTTP(S) at `POST {host}/appstore/member/{cluster}` with the
//! credential the host handed this console and the name of the user it asks for. The host
//! decides by that user's grants, on this cluster only.

use std::sync::Arc;

use hyper::body::Bytes;
use orbital_federation::{Federation, Principal, Scope};
use orbital_types::appstore::{
    AppDetails, AppList, AppQuery, AppStoreError, ChartRef, ClusterInstall, InstallForm,
    ReleaseDetails, ReleaseRow, RepositoryForm, RepositoryRow,
};
use serde::de::DeserializeOwned;

use crate::access::{Requester, StoreCall, values_per_cluster};
use crate::remote::exchange;
use crate::service::AppStore;

/// Where the host serves its App Store to member consoles: this, then the member's name.
pub const MEMBER_PATH: &str = "/appstore/member/";
/// The header naming the user a member console asks for.
pub const USER_HEADER: &str = "orbital-user";
/// The largest request a member console sends (an install's values included).
pub const MAX_CALL: usize = 4 << 20;

/// What a member console says when its host's App Store cannot be used from it.
fn host_needed(host_url: &str, why: &str) -> AppStoreError {
    AppStoreError::NotEnabled(format!(
        "the App Store must be enabled on the host console ({host_url}): {why}"
    ))
}

/// A member console's way to its host's App Store.
#[derive(Debug)]
pub struct HostAppStore {
    host_url: String,
    federation: Federation,
}

impl HostAppStore {
    /// The App Store of the host at `host_url`, for the member console of `federation`.
    pub fn new(host_url: &str, federation: Federation) -> Self {
        Self {
            host_url: host_url.trim_end_matches('/').to_owned(),
            federation,
        }
    }

    /// Asks the host `call` for the caller of `scope`.
    async fn ask<T: DeserializeOwned>(
        &self,
        scope: &Scope,
        call: &StoreCall,
    ) -> Result<T, AppStoreError> {
        let Principal::User(user) = scope.principal() else {
            return Err(AppStoreError::Forbidden(
                "the host's App Store answers a member console's users, not the console itself"
                    .to_owned(),
            ));
        };
        let cluster = self.federation.own_cluster().unwrap_or_default();
        let token = self
            .federation
            .host_credential()
            .await
            .map_err(|error| {
                AppStoreError::Failed(format!(
                    "cannot read this console's credential at its host: {error}"
                ))
            })?
            .ok_or_else(|| {
                host_needed(
                    &self.host_url,
                    "the host has not given this console access to its App Store",
                )
            })?;
        let url = format!("{}{MEMBER_PATH}{cluster}", self.host_url);
        let request = hyper::Request::post(&url)
            .header(hyper::header::USER_AGENT, "orbital-member-console")
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(hyper::header::AUTHORIZATION, format!("Bearer {token}"))
            .header(USER_HEADER, user.name());
        let body =
            serde_json::to_vec(call).map_err(|error| AppStoreError::Failed(error.to_string()))?;
        let (status, answer) =
            exchange(&url, request, Bytes::from(body))
                .await
                .map_err(|error| {
                    AppStoreError::Failed(format!("the host console does not answer: {error}"))
                })?;
        if status.is_success() {
            return serde_json::from_slice(&answer).map_err(|error| {
                AppStoreError::Failed(format!(
                    "the host console's answer is not readable: {error}"
                ))
            });
        }
        Err(match serde_json::from_slice::<AppStoreError>(&answer) {
            Ok(refusal) => refusal,
            Err(_) if status == hyper::StatusCode::UNAUTHORIZED => host_needed(
                &self.host_url,
                "the host does not accept this console's credential (revoked, or a new one is on its way)",
            ),
            Err(_) => AppStoreError::Failed(format!(
                "the host console answered {status}: {}",
                String::from_utf8_lossy(&answer).trim()
            )),
        })
    }
}

/// A console's App Store.
#[derive(Clone, Debug)]
pub enum ConsoleAppStore {
    /// This host console serves the pool.
    Host(Arc<AppStore>),
    /// A member console: its host's pool.
    Member(Arc<HostAppStore>),
}

impl ConsoleAppStore {
    /// Whether the caller of `scope` can use it: always on a host that serves it; on a
    /// member console, when its host answers.
    pub async fn check(&self, scope: &Scope) -> Result<(), AppStoreError> {
        match self {
            Self::Host(_) => Ok(()),
            Self::Member(host) => host.ask(scope, &StoreCall::Check).await,
        }
    }

    /// The apps `query` finds.
    pub async fn apps(&self, scope: &Scope, query: AppQuery) -> Result<AppList, AppStoreError> {
        match self {
            Self::Host(store) => Ok(store.apps(&query)),
            Self::Member(host) => host.ask(scope, &StoreCall::Apps(query)).await,
        }
    }

    /// The page of app `name` of repository `repo`.
    pub async fn app(
        &self,
        scope: &Scope,
        repo: String,
        name: String,
    ) -> Result<AppDetails, AppStoreError> {
        match self {
            Self::Host(store) => store.app(&repo, &name).await,
            Self::Member(host) => host.ask(scope, &StoreCall::App { repo, name }).await,
        }
    }

    /// Installs what `form` asks for, if the caller of `scope` may; the release's id.
    pub async fn install(&self, scope: &Scope, form: InstallForm) -> Result<String, AppStoreError> {
        match self {
            Self::Host(store) => {
                store
                    .install_as(&Requester::here(scope.clone()), &form)
                    .await
            }
            Self::Member(host) => host.ask(scope, &StoreCall::Install(form)).await,
        }
    }

    /// Installs what `form` asks for on each of `clusters` (the form's own cluster aside),
    /// with `overrides` (YAML: cluster name → values) over the form's values; how each went.
    pub async fn install_on(
        &self,
        scope: &Scope,
        form: InstallForm,
        clusters: &[String],
        overrides: &str,
    ) -> Result<Vec<ClusterInstall>, AppStoreError> {
        if clusters.is_empty() {
            return Err(AppStoreError::Invalid(
                "choose at least one cluster".to_owned(),
            ));
        }
        let mut outcomes = Vec::new();
        for (cluster, values) in values_per_cluster(&form.values, overrides, clusters)? {
            let form = InstallForm {
                cluster: cluster.clone(),
                values,
                ..form.clone()
            };
            outcomes.push(ClusterInstall {
                cluster,
                outcome: self.install(scope, form).await,
            });
        }
        Ok(outcomes)
    }

    /// The releases the caller of `scope` may see.
    pub async fn releases(&self, scope: &Scope) -> Result<Vec<ReleaseRow>, AppStoreError> {
        match self {
            Self::Host(store) => store.releases_as(&Requester::here(scope.clone())).await,
            Self::Member(host) => host.ask(scope, &StoreCall::Releases).await,
        }
    }

    /// The release `id` with its values and history, if the caller of `scope` may see it.
    pub async fn release(
        &self,
        scope: &Scope,
        id: String,
    ) -> Result<ReleaseDetails, AppStoreError> {
        match self {
            Self::Host(store) => store.release_as(&Requester::here(scope.clone()), &id).await,
            Self::Member(host) => host.ask(scope, &StoreCall::Release { id }).await,
        }
    }

    /// Upgrades the release `id` to `version` with `values` (YAML), if the caller may.
    pub async fn upgrade(
        &self,
        scope: &Scope,
        id: String,
        version: String,
        values: String,
    ) -> Result<(), AppStoreError> {
        match self {
            Self::Host(store) => {
                store
                    .upgrade_as(&Requester::here(scope.clone()), &id, &version, &values)
                    .await
            }
            Self::Member(host) => {
                let call = StoreCall::Upgrade {
                    id,
                    version,
                    values,
                };
                host.ask(scope, &call).await
            }
        }
    }

    /// Rolls the release `id` back to `revision`, if the caller may.
    pub async fn rollback(
        &self,
        scope: &Scope,
        id: String,
        revision: i64,
    ) -> Result<(), AppStoreError> {
        match self {
            Self::Host(store) => {
                store
                    .rollback_as(&Requester::here(scope.clone()), &id, revision)
                    .await
            }
            Self::Member(host) => host.ask(scope, &StoreCall::Rollback { id, revision }).await,
        }
    }

    /// Uninstalls the release `id`, if the caller of `scope` may.
    pub async fn uninstall(&self, scope: &Scope, id: String) -> Result<(), AppStoreError> {
        match self {
            Self::Host(store) => {
                store
                    .uninstall_as(&Requester::here(scope.clone()), &id)
                    .await
            }
            Self::Member(host) => host.ask(scope, &StoreCall::Uninstall { id }).await,
        }
    }

    /// This host console's App Store, for what only its own users do (managing the
    /// repositories); a member console's users are told where that is done.
    fn hosts(&self) -> Result<&AppStore, AppStoreError> {
        match self {
            Self::Host(store) => Ok(store),
            Self::Member(_) => Err(AppStoreError::Forbidden(
                "the App Store's repositories are managed on the host console".to_owned(),
            )),
        }
    }

    /// Every repository of the pool (platform admins of the host only).
    pub async fn repositories(&self, scope: &Scope) -> Result<Vec<RepositoryRow>, AppStoreError> {
        let requester = Requester::here(scope.clone());
        self.hosts()?.repositories_as(&requester).await
    }

    /// Adds another site's repository (platform admins of the host only).
    pub async fn add_repository(
        &self,
        scope: &Scope,
        form: &RepositoryForm,
    ) -> Result<(), AppStoreError> {
        let requester = Requester::here(scope.clone());
        self.hosts()?.add_repository_as(&requester, form).await
    }

    /// Removes another site's repository (platform admins of the host only).
    pub async fn remove_repository(&self, scope: &Scope, name: &str) -> Result<(), AppStoreError> {
        let requester = Requester::here(scope.clone());
        self.hosts()?.remove_repository_as(&requester, name).await
    }

    /// Syncs another site's repository now (platform admins of the host only).
    pub async fn sync_repository(&self, scope: &Scope, name: &str) -> Result<(), AppStoreError> {
        let requester = Requester::here(scope.clone());
        self.hosts()?.sync_repository_as(&requester, name).await
    }

    /// Deletes an uploaded chart's version (platform admins of the host only).
    pub async fn delete_upload(
        &self,
        scope: &Scope,
        chart: &ChartRef,
    ) -> Result<(), AppStoreError> {
        let requester = Requester::here(scope.clone());
        self.hosts()?
            .delete_upload_as(&requester, &chart.name, &chart.version)
            .await
    }
}
