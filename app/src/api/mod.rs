//! Server functions and the types they exchange with the browser.

// The server macro turns each function's arguments into the fields of a public struct, which
// cannot carry docs of their own: the functions' docs describe them.
#[allow(missing_docs)]
mod account;
#[allow(missing_docs)]
mod act;
#[allow(missing_docs)]
mod appstore;
#[allow(missing_docs)]
mod audit;
#[allow(missing_docs)]
mod cluster_admin;
#[allow(missing_docs)]
mod clusters;
#[allow(missing_docs)]
mod events;
#[allow(missing_docs)]
mod find;
mod iam_error;
#[allow(missing_docs)]
mod join_agent;
#[allow(missing_docs)]
mod kinds;
#[allow(missing_docs)]
mod load;
#[allow(missing_docs)]
mod logs;
mod me;
#[allow(missing_docs)]
mod members;
#[cfg(feature = "ssr")]
mod object_call;
#[allow(missing_docs)]
mod object_view;
#[allow(missing_docs)]
mod objects;
mod overview;
#[allow(missing_docs)]
mod owned;
#[allow(missing_docs)]
mod plan_yaml;
#[allow(missing_docs)]
mod resources;
#[allow(missing_docs)]
mod reveal;
#[allow(missing_docs)]
mod save_yaml;
mod status;
#[allow(missing_docs)]
mod table;
#[allow(missing_docs)]
mod users;
#[allow(missing_docs)]
mod workspaces;

pub use account::{
    ChangePassword, CreateToken, GetPermissions, ListTokens, RevokeToken, change_password,
    create_token, get_permissions, list_tokens, revoke_token,
};
pub use act::{ActOnObject, ObjectAction, act_on_object, rollout_progress};
pub use appstore::{
    AddRepository, AppStoreState, DeleteUpload, GetApp, GetAppStoreState, GetRelease, InstallApp,
    ListApps, ListReleases, ListRepositories, RemoveRepository, RollbackRelease, SyncRepository,
    UninstallRelease, UpgradeRelease, add_repository, delete_upload, get_app, get_app_store_state,
    get_release, install_app, list_apps, list_releases, list_repositories, remove_repository,
    rollback_release, sync_repository, uninstall_release, upgrade_release, when_usable,
};
pub use audit::{AUDIT_PAGE, ListAudit, list_audit};
pub use cluster_admin::{
    RemoveCluster, RotateKubeconfig, UpdateCluster, remove_cluster, rotate_kubeconfig,
    update_cluster,
};
pub use clusters::{
    ClusterError, GetCluster, JoinCluster, ListClusters, get_cluster, join_cluster, list_clusters,
};
pub use events::{EventRow, ObjectEvents, object_events};
pub use find::{FindAnything, find_anything};
pub use iam_error::IamError;
pub use join_agent::{AgentJoined, JoinThroughAgent, join_through_agent};
pub use kinds::{ListKinds, list_kinds};
pub use load::{GetOverview, get_overview};
pub use logs::{LogOptions, MAX_LOG_PODS, ObjectLogs, log_containers, object_logs};
#[cfg(feature = "ssr")]
pub use logs::{PodLog, log_text, pod_logs_of};
pub use me::{GetMe, Me, get_me};
pub use members::{GrantRole, ListMembers, RevokeGrant, grant_role, list_members, revoke_grant};
pub use object_view::{GetObjectView, ObjectView, get_object_view};
pub use objects::{
    CreateObject, DeleteObject, GetObject, ListObjects, MAX_WATCH_SECONDS, ObjectError,
    PatchObject, ReplaceObject, WatchObjects, create_object, delete_object, get_object,
    list_objects, patch_object, replace_object, watch_objects,
};
pub use overview::{ConsoleOverview, GetConsoleOverview, get_console_overview};
pub use owned::{OwnedObject, OwnedObjects, makes, owned_objects};
pub use plan_yaml::{PlanObjects, PlannedObject, plan_objects};
pub use resources::{ListResources, list_resources};
pub use reveal::{RevealSecret, reveal_secret};
pub use save_yaml::{SaveObjectYaml, SaveOutcome, save_object_yaml};
pub use status::{ConsoleStatus, GetConsoleStatus, get_console_status};
pub use table::{ListColumns, ListTable, list_columns, list_table};
pub use users::{
    CreateUser, DeleteUser, ListUsers, ResetPassword, SetUserDisabled, create_user, delete_user,
    list_users, reset_password, set_user_disabled,
};
pub use workspaces::{
    CreateProject, CreateWorkspace, DeleteProject, DeleteWorkspace, GetWorkspace, ListWorkspaces,
    create_project, create_workspace, delete_project, delete_workspace, get_workspace,
    list_workspaces,
};

#[cfg(feature = "ssr")]
use leptos::prelude::{ServerFnError, use_context};

/// The console context every server function needs, or an error if the server did not provide it.
#[cfg(feature = "ssr")]
fn console_context() -> Result<crate::ConsoleContext, ServerFnError> {
    use_context::<crate::ConsoleContext>()
        .ok_or_else(|| ServerFnError::new("the console is not initialised; try again shortly"))
}

/// Sets the HTTP status of the answer to `status` when a script asked. Pages set their own
/// status, and a plain form post is sent back to its page, which a status here would undo.
#[cfg(feature = "ssr")]
pub(crate) fn set_status(status: http::StatusCode) {
    use http::header::ACCEPT;
    let from_script = use_context::<http::request::Parts>().is_some_and(|request| {
        request
            .headers
            .get(ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_none_or(|accept| !accept.contains("text/html"))
    });
    if from_script && let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// A server function that changes something, as the audit log records it.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Changing {
    /// The verb it amounts to.
    pub verb: orbital_iam::Verb,
    /// Where its request names what it changes.
    pub names: Names,
}

/// Where a changing server function's request names what it changes.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    /// A form, changing one kind of the console's own objects.
    Form {
        /// The API group of what it changes.
        group: &'static str,
        /// The resource it changes.
        resource: &'static str,
        /// The form field naming the object changed; `None` when it is the caller's user.
        name_field: Option<&'static str>,
        /// The form field naming the cluster changed on, if any.
        cluster_field: Option<&'static str>,
    },
    /// A JSON body whose `target` is an [`ObjectRef`](orbital_types::ObjectRef).
    Target,
}

/// The server function answering at `path`, if it changes something.
#[cfg(feature = "ssr")]
pub fn changing(path: &str) -> Option<Changing> {
    use leptos::server_fn::ServerFn;
    use orbital_iam::Verb;
    const CLUSTERS: (&str, &str) = ("cluster.orbital.dev", "clusters");
    const USERS: (&str, &str) = ("iam.orbital.dev", "users");
    const WORKSPACES: (&str, &str) = ("iam.orbital.dev", "workspaces");
    const GRANTS: (&str, &str) = ("iam.orbital.dev", "grants");
    const TOKENS: (&str, &str) = ("iam.orbital.dev", "tokens");
    const PROJECTS: (&str, &str) = ("", "namespaces");
    const RELEASES: (&str, &str) = (orbital_appstore::GROUP, orbital_appstore::RELEASE_PLURAL);
    const REPOS: (&str, &str) = (orbital_appstore::GROUP, orbital_appstore::REPO_PLURAL);
    const CHARTS: (&str, &str) = (orbital_appstore::GROUP, "charts");
    let change = |verb, (group, resource), name_field, cluster_field| Changing {
        verb,
        names: Names::Form {
            group,
            resource,
            name_field,
            cluster_field,
        },
    };
    let object = |verb| Changing {
        verb,
        names: Names::Target,
    };
    #[rustfmt::skip]
    let functions = [
        (JoinCluster::PATH, change(Verb::Create, CLUSTERS, Some("name"), Some("name"))),
        (JoinThroughAgent::PATH, change(Verb::Create, CLUSTERS, Some("name"), Some("name"))),
        (UpdateCluster::PATH, change(Verb::Update, CLUSTERS, Some("name"), Some("name"))),
        (RotateKubeconfig::PATH, change(Verb::Update, CLUSTERS, Some("name"), Some("name"))),
        (RemoveCluster::PATH, change(Verb::Delete, CLUSTERS, Some("name"), Some("name"))),
        (CreateUser::PATH, change(Verb::Create, USERS, Some("name"), None)),
        (SetUserDisabled::PATH, change(Verb::Patch, USERS, Some("name"), None)),
        (ResetPassword::PATH, change(Verb::Patch, USERS, Some("name"), None)),
        (DeleteUser::PATH, change(Verb::Delete, USERS, Some("name"), None)),
        (ChangePassword::PATH, change(Verb::Patch, USERS, None, None)),
        (CreateWorkspace::PATH, change(Verb::Create, WORKSPACES, Some("name"), None)),
        (DeleteWorkspace::PATH, change(Verb::Delete, WORKSPACES, Some("name"), None)),
        (CreateProject::PATH, change(Verb::Create, PROJECTS, Some("namespace"), Some("cluster"))),
        (DeleteProject::PATH, change(Verb::Delete, PROJECTS, Some("namespace"), Some("cluster"))),
        (GrantRole::PATH, change(Verb::Create, GRANTS, Some("user"), Some("cluster"))),
        (RevokeGrant::PATH, change(Verb::Delete, GRANTS, Some("grant"), Some("cluster"))),
        (CreateToken::PATH, change(Verb::Create, TOKENS, Some("name"), None)),
        (RevokeToken::PATH, change(Verb::Delete, TOKENS, Some("id"), None)),
        (CreateObject::PATH, object(Verb::Create)),
        (ReplaceObject::PATH, object(Verb::Update)),
        (PatchObject::PATH, object(Verb::Patch)),
        (DeleteObject::PATH, object(Verb::Delete)),
        (SaveObjectYaml::PATH, object(Verb::Update)),
        (ActOnObject::PATH, object(Verb::Patch)),
        // A release is named by its id, `RELEASE.NAMESPACE.CLUSTER`, once it is recorded.
        (InstallApp::PATH, change(Verb::Create, RELEASES, Some("release_name"), Some("clusters[]"))),
        (UpgradeRelease::PATH, change(Verb::Update, RELEASES, Some("id"), None)),
        (RollbackRelease::PATH, change(Verb::Update, RELEASES, Some("id"), None)),
        (UninstallRelease::PATH, change(Verb::Delete, RELEASES, Some("id"), None)),
        (AddRepository::PATH, change(Verb::Create, REPOS, Some("name"), None)),
        (RemoveRepository::PATH, change(Verb::Delete, REPOS, Some("name"), None)),
        (SyncRepository::PATH, change(Verb::Patch, REPOS, Some("name"), None)),
        (DeleteUpload::PATH, change(Verb::Delete, CHARTS, Some("name"), None)),
        // Not a change, but each reveal of a Secret's values is recorded.
        (RevealSecret::PATH, object(Verb::Get)),
    ];
    functions
        .into_iter()
        .find_map(|(changes, function)| (changes == path).then_some(function))
}
