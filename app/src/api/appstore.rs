//! The App Store: the pool's apps, an app's page, installs and the releases they made. Every
//! install and uninstall is decided by the caller's grants: an install needs the right to
//! create each kind of object the chart makes, in the namespace asked for (and to create
//! namespaces, for one that does not exist yet), as the proxy would decide those requests.

use leptos::prelude::*;
use orbital_types::appstore::{AppDetails, AppList, ReleaseRow};
use serde::{Deserialize, Serialize};

use super::IamError;

/// Whether this console has an App Store, and why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppStoreState {
    /// This host console serves the pool.
    Enabled,
    /// This host console was started without `--app-store`.
    Disabled,
    /// A member console: its App Store is its host's (at this address, when known).
    Member(Option<String>),
}

#[cfg(feature = "ssr")]
fn store() -> Result<std::sync::Arc<orbital_appstore::AppStore>, IamError> {
    use_context::<std::sync::Arc<orbital_appstore::AppStore>>().ok_or_else(|| {
        IamError::Refused(
            "the App Store is not enabled on this console: it must be enabled on the host console (--app-store)"
                .into(),
        )
        .answer()
    })
}

/// Whether this console has an App Store.
#[server(endpoint = "appstore/state")]
pub async fn get_app_store_state() -> Result<AppStoreState, IamError> {
    let console = use_context::<crate::ConsoleContext>()
        .ok_or_else(|| IamError::Failed("the console is still starting".into()).answer())?;
    Ok(match console.mode() {
        crate::ConsoleMode::Member => AppStoreState::Member(console.host_url().map(str::to_owned)),
        crate::ConsoleMode::Host if store().is_ok() => AppStoreState::Enabled,
        crate::ConsoleMode::Host => AppStoreState::Disabled,
    })
}

/// The apps of the pool `text` (in names, descriptions and keywords), `category` and `repo`
/// find.
#[server(endpoint = "appstore/apps")]
pub async fn list_apps(text: String, category: String, repo: String) -> Result<AppList, IamError> {
    super::iam_error::clusters()?;
    Ok(store()?.apps(&orbital_types::appstore::AppQuery {
        text,
        category,
        repo,
    }))
}

/// The page of app `name` of repository `repo`.
#[server(endpoint = "appstore/app")]
pub async fn get_app(repo: String, name: String) -> Result<AppDetails, IamError> {
    super::iam_error::clusters()?;
    store()?
        .app(&repo, &name)
        .await
        .map_err(|error| IamError::NotFound(error.to_string()).answer())
}

/// Installs the chart `chart` of `repo` at `version` (the newest when empty) as the release
/// `release_name` in `namespace` of `cluster`, with `values` (YAML) over its defaults: checked
/// against the caller's grants for every kind of object it makes, then recorded on the host,
/// which carries it out. Returns the release's id.
#[server(endpoint = "appstore/install")]
pub async fn install_app(
    repo: String,
    chart: String,
    version: String,
    cluster: String,
    namespace: String,
    release_name: String,
    values: String,
) -> Result<String, IamError> {
    use orbital_appstore::InstallRefusal;
    use orbital_iam::{ResourceAccess, Verb};

    let form = orbital_types::appstore::InstallForm {
        repo,
        chart,
        version,
        cluster: cluster.trim().to_owned(),
        namespace: namespace.trim().to_owned(),
        release_name: release_name.trim().to_owned(),
        values,
    };
    let scope = super::iam_error::clusters()?;
    let store = store()?;
    let refused = |error: InstallRefusal| match error {
        InstallRefusal::Host(text) => IamError::Failed(text).answer(),
        other => IamError::Refused(other.to_string()).answer(),
    };
    let planned = store.plan(&form).await.map_err(refused)?;
    let kinds = scope
        .kinds(&form.cluster)
        .await
        .map_err(|error| IamError::NotFound(error.to_string()).answer())?;
    for object in &planned {
        let (group, _) = object
            .api_version
            .rsplit_once('/')
            .unwrap_or(("", &object.api_version));
        let access = match kinds
            .iter()
            .find(|k| k.group == group && k.kind == object.kind)
        {
            Some(kind) => ResourceAccess::new(
                Verb::Create,
                kind.namespaced.then_some(form.namespace.as_str()),
                &kind.group,
                &kind.resource,
            ),
            // A kind the cluster does not serve yet comes with a definition the chart makes.
            None => ResourceAccess::new(
                Verb::Create,
                None,
                "apiextensions.k8s.io",
                "customresourcedefinitions",
            ),
        };
        scope
            .may(&form.cluster, access)
            .await
            .map_err(|message| IamError::Forbidden(message).answer())?;
    }
    let create_namespace = scope
        .may(
            &form.cluster,
            ResourceAccess::new(Verb::Create, None, "", "namespaces"),
        )
        .await
        .is_ok();
    let caller = match scope.principal() {
        orbital_federation::Principal::User(user) => user.name().to_owned(),
        orbital_federation::Principal::Console => "console".to_owned(),
    };
    let id = store
        .request_install(&form, create_namespace, &caller)
        .await
        .map_err(refused)?;
    tracing::info!(caller, release = id, "asked for an install");
    Ok(id)
}

/// The App Store's releases on the clusters and namespaces whose workloads the caller may
/// list.
#[server(endpoint = "appstore/releases")]
pub async fn list_releases() -> Result<Vec<ReleaseRow>, IamError> {
    let scope = super::iam_error::clusters()?;
    let rows = store()?
        .releases()
        .await
        .map_err(|error| IamError::Failed(error).answer())?;
    let mut shown = Vec::new();
    for row in rows {
        if scope
            .may(
                &row.cluster,
                workloads(orbital_iam::Verb::List, &row.namespace),
            )
            .await
            .is_ok()
        {
            shown.push(row);
        }
    }
    Ok(shown)
}

/// Uninstalls the release `id`, if the caller may delete the workloads of its namespace.
#[server(endpoint = "appstore/uninstall")]
pub async fn uninstall_release(id: String) -> Result<(), IamError> {
    let scope = super::iam_error::clusters()?;
    let store = store()?;
    let unknown = || IamError::NotFound(format!("there is no release {id:?}")).answer();
    let row = store
        .release(&id)
        .await
        .map_err(|error| IamError::Failed(error).answer())?
        .ok_or_else(unknown)?;
    scope
        .may(
            &row.cluster,
            workloads(orbital_iam::Verb::List, &row.namespace),
        )
        .await
        .map_err(|_| unknown())?;
    scope
        .may(
            &row.cluster,
            workloads(orbital_iam::Verb::Delete, &row.namespace),
        )
        .await
        .map_err(|message| IamError::Forbidden(message).answer())?;
    store
        .uninstall(&id)
        .await
        .map_err(|error| IamError::Failed(error).answer())
}

/// `verb` on the Deployments of `namespace`: what decides who sees and removes a release.
#[cfg(feature = "ssr")]
fn workloads(verb: orbital_iam::Verb, namespace: &str) -> orbital_iam::ResourceAccess {
    orbital_iam::ResourceAccess::new(verb, Some(namespace), "apps", "deployments")
}
