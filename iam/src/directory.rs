//! The users, grants and workspaces of the console's cluster, kept in memory by watches: who
//! may log in, with which password, and the [`Policy`] every request is decided by. Passwords
//! written in plain text are replaced by their hash as soon as they are seen.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, Patch, PatchParams};
use kube::core::DynamicObject;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;

use crate::authorizer::Policy;
use crate::crd::{self, GROUP, IamKind, VERSION};
use crate::credentials::hex;
use crate::grant::{Grant, GrantSpec};
use crate::objects::create_unless_exists;
use crate::password::{self, HASHED_ANNOTATION};
use crate::workspace::{Workspace, WorkspaceSpec};
use orbital_types::Role;

/// How long starting waits for the first complete lists.
const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a change written through the console may take to come back through the watches.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The annotation in which `kubectl apply` keeps the object as last applied.
pub(crate) const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The user made on first start.
pub const ADMIN_USER: &str = "admin";

/// Why the directory could not be started or written.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The cluster refused or failed a request.
    #[error("the cluster failed the request: {0}")]
    Cluster(#[from] kube::Error),
    /// An object could not be built.
    #[error("an object is malformed: {0}")]
    Malformed(#[from] serde_json::Error),
    /// A type was installed but is not served.
    #[error("the {0} resource type is not served after installing it")]
    NotServed(&'static str),
    /// The first lists did not complete in time.
    #[error("the users, grants and workspaces could not be listed within {} s", SYNC_TIMEOUT.as_secs())]
    NotSynced,
    /// A password could not be hashed.
    #[error(transparent)]
    Hash(#[from] password::HashError),
}

/// A user as the console knows them. The password hash stays inside: it can be checked, not
/// read.
#[derive(Clone)]
pub struct Account {
    /// The user's name (the object's name).
    pub name: String,
    /// Their email address.
    pub email: String,
    /// Their name as shown.
    pub display_name: String,
    /// Whether they are barred from logging in.
    pub disabled: bool,
    /// When they last logged in (RFC 3339), if ever.
    pub last_login: Option<String>,
    password_hash: Option<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("name", &self.name)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

impl Account {
    fn from_object(object: &DynamicObject) -> Self {
        let spec = &object.data["spec"];
        let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
        let stored = text(&spec["password"]);
        Self {
            name: object.metadata.name.clone().unwrap_or_default(),
            email: text(&spec["email"]),
            display_name: text(&spec["displayName"]),
            disabled: spec["disabled"].as_bool().unwrap_or(false),
            last_login: object.data["status"]["lastLoginTime"]
                .as_str()
                .map(str::to_owned),
            password_hash: password::is_hash(&stored).then_some(stored),
        }
    }

    /// Whether `password` is this user's. A password not yet hashed matches nothing.
    pub fn check_password(&self, password: &str) -> bool {
        self.password_hash
            .as_deref()
            .is_some_and(|hash| password::verify(password, hash))
    }

    /// A value that changes whenever the password does, for ending the sessions and tokens
    /// made with the old one; it reveals nothing of the hash.
    pub fn credential(&self) -> String {
        hex(&Sha256::digest(self.password_hash.as_deref().unwrap_or_default())[..12])
    }
}

struct Inner {
    client: kube::Client,
    users: Store<DynamicObject>,
    grants: Store<DynamicObject>,
    policy: RwLock<Arc<Policy>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The console's users, grants and workspaces. Cheap to clone.
#[derive(Clone)]
pub struct Directory(Arc<Inner>);

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Directory({} users)", self.0.users.state().len())
    }
}

/// The stores the policy is built from.
#[derive(Clone)]
struct PolicySources {
    grants: Store<DynamicObject>,
    workspaces: Store<DynamicObject>,
}

impl PolicySources {
    fn build(&self) -> Policy {
        let grants = self.grants.state().into_iter().filter_map(|object| {
            let name = object.metadata.name.clone().unwrap_or_default();
            let spec: GrantSpec = serde_json::from_value(object.data["spec"].clone()).ok()?;
            Grant::try_from(&spec)
                .inspect_err(
                    |error| tracing::warn!(grant = %name, "the grant gives nothing: {error}"),
                )
                .ok()
        });
        let workspaces = self.workspaces.state().into_iter().map(|object| Workspace {
            name: object.metadata.name.clone().unwrap_or_default(),
            spec: serde_json::from_value::<WorkspaceSpec>(object.data["spec"].clone())
                .unwrap_or_default(),
        });
        Policy::new(grants.collect::<Vec<_>>(), workspaces.collect::<Vec<_>>())
    }
}

impl Directory {
    /// Installs the types on the cluster `client` reaches when missing, starts watching them
    /// and returns once the first lists are in.
    pub async fn start(client: kube::Client) -> Result<Self, DirectoryError> {
        crd::install(&client).await?;
        let (users, users_events) = reflect(&client, IamKind::User);
        let (grants, grants_events) = reflect(&client, IamKind::Grant);
        let (workspaces, workspaces_events) = reflect(&client, IamKind::Workspace);
        let sources = PolicySources { grants, workspaces };
        let directory = Arc::new_cyclic(|weak: &std::sync::Weak<Inner>| {
            let rebuild = {
                let weak = weak.clone();
                let sources = sources.clone();
                move || {
                    if let Some(inner) = weak.upgrade() {
                        let policy = Arc::new(sources.build());
                        *inner.policy.write().unwrap_or_else(PoisonError::into_inner) = policy;
                    }
                }
            };
            let hasher = Hasher(Api::all_with(client.clone(), &IamKind::User.resource()));
            let tasks = vec![
                tokio::spawn(follow(users_events, move |event| hasher.saw(event))),
                tokio::spawn(follow(grants_events, {
                    let rebuild = rebuild.clone();
                    move |event| rebuild_on(event, &rebuild)
                })),
                tokio::spawn(follow(workspaces_events, move |event| {
                    rebuild_on(event, &rebuild)
                })),
            ];
            Inner {
                client: client.clone(),
                users: users.clone(),
                grants: sources.grants.clone(),
                policy: RwLock::new(Arc::new(Policy::default())),
                tasks,
            }
        });
        let synced = tokio::time::timeout(SYNC_TIMEOUT, async {
            users.wait_until_ready().await.is_ok()
                && sources.grants.wait_until_ready().await.is_ok()
                && sources.workspaces.wait_until_ready().await.is_ok()
        })
        .await;
        if synced != Ok(true) {
            return Err(DirectoryError::NotSynced);
        }
        *directory
            .policy
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(sources.build());
        Ok(Self(directory))
    }

    /// The policy as of now.
    pub fn policy(&self) -> Arc<Policy> {
        self.0
            .policy
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The user `name`, if there is one.
    pub fn account(&self, name: &str) -> Option<Account> {
        let key = ObjectRef::<DynamicObject>::new_with(name, IamKind::User.resource());
        self.0
            .users
            .get(&key)
            .map(|object| Account::from_object(&object))
    }

    /// Every user, by name.
    pub fn accounts(&self) -> Vec<Account> {
        let mut accounts: Vec<Account> = self
            .0
            .users
            .state()
            .iter()
            .map(|object| Account::from_object(object))
            .collect();
        accounts.sort_by(|a, b| a.name.cmp(&b.name));
        accounts
    }

    /// Every grant that gives something, with the name of its object, by name.
    pub(crate) fn named_grants(&self) -> Vec<(String, Grant)> {
        let mut grants: Vec<(String, Grant)> = self
            .0
            .grants
            .state()
            .iter()
            .filter_map(|object| {
                let spec: GrantSpec = serde_json::from_value(object.data["spec"].clone()).ok()?;
                Some((object.metadata.name.clone()?, Grant::try_from(&spec).ok()?))
            })
            .collect();
        grants.sort_by(|a, b| a.0.cmp(&b.0));
        grants
    }

    /// Every grant object as written, by name.
    pub(crate) fn grant_objects(&self) -> Vec<(String, Value)> {
        objects_of(&self.0.grants)
    }

    /// Every user object as written, by name, password hashes included: for copies to
    /// members only.
    pub(crate) fn user_objects(&self) -> Vec<(String, Value)> {
        objects_of(&self.0.users)
    }

    /// The client of the directory's cluster.
    pub(crate) fn client(&self) -> &kube::Client {
        &self.0.client
    }

    /// Waits until `done` holds of the directory, as a change just written comes back through
    /// the watches; `false` if it does not within a few seconds.
    pub(crate) async fn settled(&self, done: impl Fn(&Self) -> bool) -> bool {
        let wait = async {
            while !done(self) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(SETTLE_TIMEOUT, wait).await.is_ok()
    }

    /// Records that `name` logged in just now (`status.lastLoginTime`), in the background: a
    /// login does not wait for it, nor fail with it.
    pub fn record_login(&self, name: &str) {
        let users: Api<DynamicObject> =
            Api::all_with(self.0.client.clone(), &IamKind::User.resource());
        let name = name.to_owned();
        tokio::spawn(async move {
            let now = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
                .unwrap_or_else(|_| jiff::Timestamp::now());
            let patch = json!({"status": {"lastLoginTime": now.to_string()}});
            if let Err(error) = users
                .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                tracing::warn!(user = %name, "cannot record the login time: {error}");
            }
        });
    }

    /// Makes the first platform admin, [`ADMIN_USER`] with `password`, unless that user
    /// exists. Returns whether it was made.
    pub async fn ensure_admin(&self, password: &str) -> Result<bool, DirectoryError> {
        let users: Api<DynamicObject> =
            Api::all_with(self.0.client.clone(), &IamKind::User.resource());
        if users.get_opt(ADMIN_USER).await?.is_some() {
            return Ok(false);
        }
        let hash = password::hash(password)?;
        let user: DynamicObject = serde_json::from_value(json!({
            "apiVersion": format!("{GROUP}/{VERSION}"), "kind": "User",
            "metadata": {"name": ADMIN_USER, "annotations": {HASHED_ANNOTATION: "true"}},
            "spec": {"displayName": "Administrator", "password": hash, "disabled": false},
        }))?;
        let made = create_unless_exists(&users, &user).await?;
        let grants: Api<DynamicObject> =
            Api::all_with(self.0.client.clone(), &IamKind::Grant.resource());
        let grant: DynamicObject = serde_json::from_value(json!({
            "apiVersion": format!("{GROUP}/{VERSION}"), "kind": "Grant",
            "metadata": {"name": format!("{ADMIN_USER}-{}", Role::PlatformAdmin)},
            "spec": {"user": ADMIN_USER, "role": Role::PlatformAdmin},
        }))?;
        create_unless_exists(&grants, &grant).await?;
        Ok(made)
    }
}

/// The objects of `store` as JSON, by name.
fn objects_of(store: &Store<DynamicObject>) -> Vec<(String, Value)> {
    store
        .state()
        .iter()
        .filter_map(|object| {
            let name = object.metadata.name.clone()?;
            Some((name, serde_json::to_value(object.as_ref()).ok()?))
        })
        .collect()
}

type Events = std::pin::Pin<
    Box<dyn futures::Stream<Item = Result<watcher::Event<DynamicObject>, watcher::Error>> + Send>,
>;

/// A store of `kind` and the stream of events that fills it.
fn reflect(client: &kube::Client, kind: IamKind) -> (Store<DynamicObject>, Events) {
    let resource = kind.resource();
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    let writer = reflector::store::Writer::new(resource);
    let store = writer.as_reader();
    let events = reflector::reflector(writer, watcher(api, watcher::Config::default()))
        .default_backoff()
        .boxed();
    (store, events)
}

async fn follow(mut events: Events, mut on: impl FnMut(&watcher::Event<DynamicObject>)) {
    while let Some(event) = events.next().await {
        match event {
            Ok(event) => on(&event),
            Err(error) => tracing::warn!("watching users, grants or workspaces failed: {error}"),
        }
    }
}

/// Rebuilds the policy when a change is complete (not for each object of a first list).
fn rebuild_on(event: &watcher::Event<DynamicObject>, rebuild: &impl Fn()) {
    if matches!(
        event,
        watcher::Event::Apply(_) | watcher::Event::Delete(_) | watcher::Event::InitDone
    ) {
        rebuild();
    }
}

/// Replaces passwords written in plain text with their hash.
struct Hasher(Api<DynamicObject>);

impl Hasher {
    fn saw(&self, event: &watcher::Event<DynamicObject>) {
        let (watcher::Event::Apply(user) | watcher::Event::InitApply(user)) = event else {
            return;
        };
        let Some(plain) = user.data["spec"]["password"].as_str() else {
            return;
        };
        if plain.is_empty() || password::is_hash(plain) {
            return;
        }
        let plain = plain.to_owned();
        let name = user.metadata.name.clone().unwrap_or_default();
        let version = user.metadata.resource_version.clone();
        let last_applied = user
            .metadata
            .annotations
            .as_ref()
            .and_then(|annotations| annotations.get(LAST_APPLIED))
            .and_then(|text| serde_json::from_str::<Value>(text).ok());
        let api = self.0.clone();
        tokio::spawn(async move {
            let hashed = tokio::task::spawn_blocking(move || password::hash(&plain)).await;
            let hash = match hashed {
                Ok(Ok(hash)) => hash,
                Ok(Err(error)) => return tracing::error!(user = %name, "{error}"),
                Err(error) => return tracing::error!(user = %name, "hashing stopped: {error}"),
            };
            // Written only over the version that held the plain text: a newer one is hashed
            // when its own event comes.
            let mut patch = json!({
                "metadata": {"resourceVersion": version, "annotations": {HASHED_ANNOTATION: "true"}},
                "spec": {"password": hash},
            });
            // `kubectl apply` keeps what it applied, the plain text too: that copy gets the
            // hash, so the text is nowhere and the next apply of the same file hashes anew.
            if let Some(mut applied) = last_applied {
                applied["spec"]["password"] = Value::from(hash.as_str());
                patch["metadata"]["annotations"][LAST_APPLIED] = Value::from(applied.to_string());
            }
            match api
                .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                Ok(_) => {
                    tracing::info!(user = %name, "replaced a plain-text password with its hash")
                }
                Err(kube::Error::Api(status)) if status.code == 409 || status.code == 404 => {}
                Err(error) => tracing::warn!(user = %name, "could not hash the password: {error}"),
            }
        });
    }
}
