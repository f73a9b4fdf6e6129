//! The App Store: the pool's apps, an app's page, installs and the releases they made, from
//! the console's `ConsoleAppStore` (this host's, or a member console's host's), which decides
//! every install and uninstall by the caller's grants.

// A server function's arguments are its form's fields, one each, also in the browser's build.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use orbital_types::appstore::{
    AppDetails, AppList, ClusterInstall, ReleaseDetails, ReleaseRow, RepositoryRow,
};
use serde::{Deserialize, Serialize};

use super::IamError;

/// Whether this console has an App Store, and why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppStoreState {
    /// This host console serves the pool, or this member console reaches its host's.
    Enabled,
    /// This host console was started without `--app-store`.
    Disabled,
    /// A member console whose host has no App Store for it: it must be enabled there. The
    /// text says so, and why (what the host answered).
    HostNeeded(String),
}

/// `fetch`ed once the App Store is known to be usable here; else why it is not (so a page
/// says so rather than asking for what cannot be had).
pub async fn when_usable<T, F>(
    fetch: impl FnOnce() -> F,
) -> Result<Result<T, AppStoreState>, IamError>
where
    F: Future<Output = Result<T, IamError>>,
{
    match get_app_store_state().await? {
        AppStoreState::Enabled => fetch().await.map(Ok),
        other => Ok(Err(other)),
    }
}

#[cfg(feature = "ssr")]
fn store() -> Result<orbital_appstore::ConsoleAppStore, IamError> {
    use_context::<orbital_appstore::ConsoleAppStore>().ok_or_else(|| {
        IamError::Refused(
            "the App Store is not enabled on this console: it must be enabled on the host console (--app-store)"
                .into(),
        )
        .answer()
    })
}

/// The error the browser is told for what the App Store refused or failed.
#[cfg(feature = "ssr")]
fn refused(error: orbital_types::appstore::AppStoreError) -> IamError {
    use orbital_types::appstore::AppStoreError;
    match error {
        AppStoreError::NotFound(text) => IamError::NotFound(text),
        AppStoreError::Forbidden(text) => IamError::Forbidden(text),
        AppStoreError::Failed(text) => IamError::Failed(text),
        AppStoreError::NotEnabled(text)
        | AppStoreError::Invalid(text)
        | AppStoreError::Exists(text) => IamError::Refused(text),
    }
    .answer()
}

/// Whether this console has an App Store the caller can use.
#[server(endpoint = "appstore/state")]
pub async fn get_app_store_state() -> Result<AppStoreState, IamError> {
    use orbital_types::appstore::AppStoreError;

    let scope = super::iam_error::clusters()?;
    let console = use_context::<crate::ConsoleContext>()
        .ok_or_else(|| IamError::Failed("the console is still starting".into()).answer())?;
    let Ok(store) = store() else {
        return Ok(match console.mode() {
            crate::ConsoleMode::Member => AppStoreState::HostNeeded(
                "the App Store must be enabled on the host console: no host console is known (--host-url)"
                    .into(),
            ),
            crate::ConsoleMode::Host => AppStoreState::Disabled,
        });
    };
    match store.check(&scope).await {
        Ok(()) => Ok(AppStoreState::Enabled),
        Err(AppStoreError::NotEnabled(why)) => Ok(AppStoreState::HostNeeded(why)),
        Err(error) => Err(refused(error)),
    }
}

/// The apps of the pool `text` (in names, descriptions and keywords), `category` and `repo`
/// find.
#[server(endpoint = "appstore/apps")]
pub async fn list_apps(text: String, category: String, repo: String) -> Result<AppList, IamError> {
    let scope = super::iam_error::clusters()?;
    let query = orbital_types::appstore::AppQuery {
        text,
        category,
        repo,
    };
    store()?.apps(&scope, query).await.map_err(refused)
}

/// The page of app `name` of repository `repo`.
#[server(endpoint = "appstore/app")]
pub async fn get_app(repo: String, name: String) -> Result<AppDetails, IamError> {
    let scope = super::iam_error::clusters()?;
    store()?.app(&scope, repo, name).await.map_err(refused)
}

/// Installs the chart `chart` of `repo` at `version` (the newest when empty) as the release
/// `release_name` in `namespace` of each of `clusters`, with `values` (YAML) over its defaults
/// and each cluster's entry of `overrides` (YAML: cluster name → values) over those, with the
/// form's `settings` (from the chart's values schema: path → text) over all of them: checked
/// against the caller's grants for every kind of object it makes there, then recorded on the
/// host, which carries it out. Answers how each went; for one cluster, its refusal is the
/// answer's.
#[server(endpoint = "appstore/install")]
pub async fn install_app(
    repo: String,
    chart: String,
    version: String,
    clusters: Option<Vec<String>>,
    namespace: String,
    release_name: String,
    values: String,
    overrides: Option<String>,
    settings: Option<std::collections::BTreeMap<String, String>>,
) -> Result<Vec<ClusterInstall>, IamError> {
    let form = orbital_types::appstore::InstallForm {
        repo,
        chart,
        version,
        cluster: String::new(),
        namespace: namespace.trim().to_owned(),
        release_name: release_name.trim().to_owned(),
        values,
        settings: settings.unwrap_or_default(),
    };
    let clusters: Vec<String> = clusters
        .unwrap_or_default()
        .iter()
        .map(|cluster| cluster.trim().to_owned())
        .collect();
    let scope = super::iam_error::clusters()?;
    let outcomes = store()?
        .install_on(&scope, form, &clusters, &overrides.unwrap_or_default())
        .await
        .map_err(refused)?;
    if let [only] = outcomes.as_slice()
        && let Err(error) = &only.outcome
    {
        return Err(refused(error.clone()));
    }
    // A form goes on to the installed apps once every cluster took it; else its page says
    // which did not.
    if outcomes.iter().all(|install| install.outcome.is_ok()) {
        leptos_axum::redirect("/appstore/installed");
    }
    Ok(outcomes)
}

/// The App Store's releases on the clusters and namespaces whose workloads the caller may
/// list.
#[server(endpoint = "appstore/releases")]
pub async fn list_releases() -> Result<Vec<ReleaseRow>, IamError> {
    let scope = super::iam_error::clusters()?;
    store()?.releases(&scope).await.map_err(refused)
}

/// The release `id`'s page: its values, history and the versions it can move to.
#[server(endpoint = "appstore/release")]
pub async fn get_release(id: String) -> Result<ReleaseDetails, IamError> {
    let scope = super::iam_error::clusters()?;
    store()?.release(&scope, id).await.map_err(refused)
}

/// Upgrades the release `id` to the chart at `version` with `values` (YAML over the chart's
/// defaults), if the caller may create everything that makes.
#[server(endpoint = "appstore/upgrade")]
pub async fn upgrade_release(id: String, version: String, values: String) -> Result<(), IamError> {
    let scope = super::iam_error::clusters()?;
    store()?
        .upgrade(&scope, id, version, values)
        .await
        .map_err(refused)
}

/// Rolls the release `id` back to `revision`: a new revision with that one's chart version
/// and values.
#[server(endpoint = "appstore/rollback")]
pub async fn rollback_release(id: String, revision: i64) -> Result<(), IamError> {
    let scope = super::iam_error::clusters()?;
    store()?
        .rollback(&scope, id, revision)
        .await
        .map_err(refused)
}

/// Uninstalls the release `id`, if the caller may delete the workloads of its namespace.
#[server(endpoint = "appstore/uninstall")]
pub async fn uninstall_release(id: String) -> Result<(), IamError> {
    let scope = super::iam_error::clusters()?;
    store()?.uninstall(&scope, id).await.map_err(refused)
}

/// Every repository of the pool with its sync status, and the uploaded charts (platform
/// admins of the host console only).
#[server(endpoint = "appstore/repositories")]
pub async fn list_repositories() -> Result<Vec<RepositoryRow>, IamError> {
    let scope = super::iam_error::clusters()?;
    store()?.repositories(&scope).await.map_err(refused)
}

/// Adds the repository of another site at `url` as `name`, synced every `sync_interval` (10
/// minutes when empty), with `username` and `password` when it asks for them.
#[server(endpoint = "appstore/repositories/add")]
pub async fn add_repository(
    name: String,
    url: String,
    sync_interval: String,
    username: String,
    password: String,
) -> Result<(), IamError> {
    let scope = super::iam_error::clusters()?;
    let form = orbital_types::appstore::RepositoryForm {
        name,
        url,
        sync_interval,
        username,
        password,
    };
    store()?
        .add_repository(&scope, &form)
        .await
        .map_err(refused)
}

/// Takes the repository `name` of another site out of the pool.
#[server(endpoint = "appstore/repositories/remove")]
pub async fn remove_repository(name: String) -> Result<(), IamError> {
    let scope = super::iam_error::clusters()?;
    store()?
        .remove_repository(&scope, &name)
        .await
        .map_err(refused)
}

/// Syncs the repository `name` of another site now.
#[server(endpoint = "appstore/repositories/sync")]
pub async fn sync_repository(name: String) -> Result<(), IamError> {
    let scope = super::iam_error::clusters()?;
    store()?
        .sync_repository(&scope, &name)
        .await
        .map_err(refused)
}

/// Deletes version `version` of the uploaded chart `name`.
#[server(endpoint = "appstore/uploads/delete")]
pub async fn delete_upload(name: String, version: String) -> Result<(), IamError> {
    let scope = super::iam_error::clusters()?;
    let chart = orbital_types::appstore::ChartRef { name, version };
    store()?
        .delete_upload(&scope, &chart)
        .await
        .map_err(refused)
}
