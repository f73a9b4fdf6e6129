//! The one gate to every cluster. A [`Federation`] holds what reaches the clusters (on the host
//! the registry and client pool, on a member its own client) and the caches over them, all
//! private to this crate; the only way through is a [`Scope`], built per request for one
//! [`Principal`]. A member console's scope names, lists and reaches only its own cluster.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use futures::StreamExt;
use orbital_iam::{Access, Decision, ResourceAccess, Verb};
use orbital_lease::{Leadership, while_leading};
use orbital_syntax::is_dns_label;
use orbital_types::{
    ApiKind, Cluster, ClusterStatus, Connection, Findings, Kind, ObjectRef, Overview, Page, Query,
};
use tokio::task::JoinHandle;

use crate::agents::Agents;
use crate::cache::{CacheError, Caches, Held};
use crate::discovery::{Discoveries, DiscoveryError};
use crate::health::{self, probe_client};
use crate::host::Host;
use crate::join::{self, AgentJoinRequest, AgentJoined, JoinError, JoinRequest};
use crate::pool::PoolError;
use crate::principal::{ClusterProjects, Principal};
use crate::proxy::{self, Redaction};
use crate::registry::RegistryError;
use crate::views::{self, ViewError};

/// How long the readiness check waits for the cluster it depends on.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// How the console reaches its clusters.
pub(crate) enum Reach {
    /// The host: every registered member, through the pool.
    Host(Box<Host>),
    /// A member console: only its own cluster, by the name it goes by in URLs.
    Own {
        /// The name.
        name: String,
        /// Its client.
        client: kube::Client,
    },
}

impl Reach {
    /// The clusters in reach, with their last known status (a member probes its own now).
    pub(crate) async fn clusters(&self) -> Result<Vec<Cluster>, RegistryError> {
        match self {
            Self::Host(host) => host.registry().list().await,
            Self::Own { name, client } => Ok(vec![own_cluster(name, probe_client(client).await)]),
        }
    }

    /// The client of the cluster `name`; a name that is not a DNS label is unknown before any
    /// request is made with it.
    pub(crate) async fn client(&self, name: &str) -> Result<kube::Client, PoolError> {
        if !is_dns_label(name) {
            return Err(PoolError::Unknown(name.to_owned()));
        }
        match self {
            Self::Host(host) => host.pool().client(name).await,
            Self::Own { name: own, client } if own == name => Ok(client.clone()),
            Self::Own { .. } => Err(PoolError::Unknown(name.to_owned())),
        }
    }

    fn host(&self) -> Result<&Host, JoinError> {
        match self {
            Self::Host(host) => Ok(host),
            Self::Own { .. } => Err(JoinError::NotHost),
        }
    }
}

struct Inner {
    reach: Reach,
    caches: Caches,
    discoveries: Discoveries,
}

/// What the console reaches its clusters with. Cheap to clone; reached only through [`Scope`].
#[derive(Clone)]
pub struct Federation(Arc<Inner>);

impl fmt::Debug for Federation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.reach {
            Reach::Host(_) => f.write_str("Federation::Host"),
            Reach::Own { name, .. } => write!(f, "Federation::Own({name})"),
        }
    }
}

impl Federation {
    fn new(reach: Reach) -> Self {
        Self(Arc::new(Inner {
            reach,
            caches: Caches::new(),
            discoveries: Discoveries::default(),
        }))
    }

    /// The host console's federation, kept in the cluster `client` reaches (the registry is
    /// installed there when missing); `console_url` is where this console is, as the marks on
    /// its members will say.
    pub async fn host(client: kube::Client, console_url: &str) -> Result<Self, RegistryError> {
        let host = Host::connect(client, console_url.to_owned()).await?;
        Ok(Self::new(Reach::Host(Box::new(host))))
    }

    /// A member console's federation: only the cluster `client` reaches, named `name`.
    pub fn member(name: &str, client: kube::Client) -> Self {
        Self::new(Reach::Own {
            name: name.to_owned(),
            client,
        })
    }

    /// The way through for `principal`.
    pub fn scope(&self, principal: Principal) -> Scope {
        Scope {
            federation: self.clone(),
            principal,
        }
    }

    /// The members joined through an agent, whose agents dial in (host only).
    pub fn agents(&self) -> Option<&Agents> {
        match &self.0.reach {
            Reach::Host(host) => Some(host.agents()),
            Reach::Own { .. } => None,
        }
    }

    /// Has this replica (host only), named `replica` among its peers and reached by them at
    /// `peer_url`, record the agent connections it holds, and relay the requests of members
    /// whose agent is connected to another replica to that one. Without it, a replica reaches
    /// only the agent members connected to it.
    pub async fn link_replicas(
        &self,
        replica: &str,
        peer_url: &str,
    ) -> Result<Option<JoinHandle<()>>, RegistryError> {
        match &self.0.reach {
            Reach::Host(host) => host.link(replica, peer_url).await.map(Some),
            Reach::Own { .. } => Ok(None),
        }
    }

    /// Serves a request another replica relays for the agent member `cluster` (the path and
    /// query on the member as given), through this replica's own connection of its agent.
    pub async fn relayed(
        &self,
        cluster: &str,
        path_and_query: &str,
        request: Request<Body>,
    ) -> Response<Body> {
        match &self.0.reach {
            Reach::Host(host) if is_dns_label(cluster) => match host.links() {
                Some(links) => links.relayed(cluster, path_and_query, request).await,
                None => proxy::not_relaying(),
            },
            _ => proxy::not_relaying(),
        }
    }

    /// Keeps every member's status true while `leadership` leads, so that of several replicas
    /// only one writes statuses (host only).
    pub fn spawn_health(&self, leadership: &Leadership) -> Option<JoinHandle<()>> {
        match &self.0.reach {
            Reach::Host(host) => {
                let pool = host.pool().clone();
                Some(while_leading(
                    leadership.clone(),
                    "the health loop",
                    move || health::spawn(pool.clone()),
                ))
            }
            Reach::Own { .. } => None,
        }
    }

    /// Keeps every member's copies of the host's users, grants and workspaces that concern it
    /// while `leadership` leads (host only).
    pub fn spawn_copies(
        &self,
        copier: orbital_iam::copies::Copier,
        leadership: &Leadership,
    ) -> Option<JoinHandle<()>> {
        match &self.0.reach {
            Reach::Host(host) => {
                let (pool, identity) = (host.pool().clone(), host.identity().to_owned());
                Some(while_leading(
                    leadership.clone(),
                    "copies to members",
                    move || crate::copies::spawn(pool.clone(), identity.clone(), copier.clone()),
                ))
            }
            Reach::Own { .. } => None,
        }
    }

    /// Issues each member console its credential at this host and hands it over while
    /// `leadership` leads (host only): what a member console needs to use the host's App Store.
    pub fn spawn_member_credentials(&self, leadership: &Leadership) -> Option<JoinHandle<()>> {
        match &self.0.reach {
            Reach::Host(host) => {
                let (pool, identity) = (host.pool().clone(), host.identity().to_owned());
                Some(while_leading(
                    leadership.clone(),
                    "member console credentials",
                    move || crate::console_credentials::spawn(pool.clone(), identity.clone()),
                ))
            }
            Reach::Own { .. } => None,
        }
    }

    /// Whether `token` is the current credential of the member console of `cluster` (host
    /// only: a member console admits none).
    pub async fn admits_member_console(
        &self,
        cluster: &str,
        token: &str,
    ) -> Result<bool, RegistryError> {
        match &self.0.reach {
            Reach::Host(host) => {
                crate::console_credentials::admits(host.registry(), cluster, token).await
            }
            Reach::Own { .. } => Ok(false),
        }
    }

    /// This member console's credential at its host, once the host handed one over (member
    /// only: a host console holds none).
    pub async fn host_credential(&self) -> Result<Option<String>, kube::Error> {
        match &self.0.reach {
            Reach::Own { client, .. } => crate::console_credentials::held(client).await,
            Reach::Host(_) => Ok(None),
        }
    }

    /// The name of the cluster a member console serves (`None` on a host).
    pub fn own_cluster(&self) -> Option<&str> {
        match &self.0.reach {
            Reach::Own { name, .. } => Some(name),
            Reach::Host(_) => None,
        }
    }

    /// Whether what the console depends on answers now: the registry on the host cluster, or a
    /// member console's own cluster.
    pub async fn reachable(&self) -> bool {
        let checked = tokio::time::timeout(CHECK_TIMEOUT, async {
            match &self.0.reach {
                Reach::Host(host) => host.registry().check().await.map_err(|e| e.to_string()),
                Reach::Own { client, .. } => client
                    .apiserver_version()
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            }
        })
        .await;
        match checked {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                tracing::debug!("the console's cluster does not answer: {error}");
                false
            }
            Err(_) => false,
        }
    }

    /// Stops using what was built for `name`: after its kubeconfig changed or it was removed,
    /// no pooled client and no cache built before is used again.
    async fn forget(&self, name: &str) {
        if let Reach::Host(host) = &self.0.reach {
            host.pool().forget(name).await;
        }
        self.0.caches.forget(name);
        self.0.discoveries.forget(name);
    }
}

/// The clusters one caller may reach, and everything they may do with them. Built per request.
#[derive(Clone)]
pub struct Scope {
    federation: Federation,
    principal: Principal,
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({:?} for {})", self.federation, self.principal)
    }
}

impl Scope {
    pub(crate) fn reach(&self) -> &Reach {
        &self.federation.0.reach
    }

    /// Who this scope acts for.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    pub(crate) fn caches(&self) -> &Caches {
        &self.federation.0.caches
    }

    /// The clusters in scope, with their last known status.
    pub async fn clusters(&self) -> Result<Vec<Cluster>, RegistryError> {
        let mut clusters = self.reach().clusters().await?;
        clusters.retain(|cluster| self.principal.sees(&cluster.name));
        Ok(clusters)
    }

    /// The cluster `name`, if it is in scope.
    pub async fn cluster(&self, name: &str) -> Result<Option<Cluster>, RegistryError> {
        if !is_dns_label(name) || !self.principal.sees(name) {
            return Ok(None);
        }
        match self.reach() {
            Reach::Host(host) => host.registry().get(name).await,
            Reach::Own { name: own, client } if own == name => {
                Ok(Some(own_cluster(own, probe_client(client).await)))
            }
            Reach::Own { .. } => Ok(None),
        }
    }

    /// The host, for a change to its members: only a platform admin may make one, and a member
    /// the caller cannot see is unknown to them.
    fn manage(&self, name: Option<&str>) -> Result<&Host, JoinError> {
        let host = self.reach().host()?;
        if let Some(name) = name {
            known(name)?;
            if !self.principal.sees(name) {
                return Err(JoinError::Unknown(name.to_owned()));
            }
        }
        if !self.principal.is_platform_admin() {
            return Err(JoinError::Forbidden);
        }
        Ok(host)
    }

    /// Joins a member (host only).
    pub async fn join(&self, request: JoinRequest) -> Result<Cluster, JoinError> {
        join::join(self.manage(None)?, request).await
    }

    /// Joins a member that an agent will connect from its own network (host only): answers
    /// the token the agent dials in with.
    pub async fn join_agent(&self, request: AgentJoinRequest) -> Result<AgentJoined, JoinError> {
        join::join_agent(self.manage(None)?, request).await
    }

    /// The current join token of the agent member `name` (host only), made when its Secret
    /// is missing.
    pub async fn agent_token(&self, name: &str) -> Result<String, JoinError> {
        let host = self.manage(Some(name))?;
        match host.registry().get(name).await? {
            Some(member) if member.connection == Connection::Agent => {
                Ok(host.agents().token(name, None).await?)
            }
            Some(_) => Err(JoinError::NotThroughAgent(name.to_owned())),
            None => Err(JoinError::Unknown(name.to_owned())),
        }
    }

    /// Changes a member's labels, provider and description (host only).
    pub async fn update_details(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
        provider: &str,
        description: &str,
    ) -> Result<Cluster, JoinError> {
        let host = self.manage(Some(name))?;
        join::update_details(host.registry(), name, labels, provider, description).await
    }

    /// Replaces a member's kubeconfig with one for the same cluster (host only); nothing built
    /// from the old one is used afterwards.
    pub async fn rotate_kubeconfig(&self, name: &str, kubeconfig: &str) -> Result<(), JoinError> {
        let host = self.manage(Some(name))?;
        join::rotate_kubeconfig(host, name, kubeconfig).await?;
        self.federation.forget(name).await;
        Ok(())
    }

    /// Removes a member, reachable or not (host only); nothing built for it is used afterwards.
    pub async fn remove(&self, name: &str) -> Result<(), JoinError> {
        let host = self.manage(Some(name))?;
        join::remove(host, name).await?;
        self.federation.forget(name).await;
        Ok(())
    }

    /// A page of `kind` over the clusters in scope, from the caches: only the objects the caller
    /// may list.
    pub async fn view(&self, kind: &Kind, query: &Query) -> Result<Page, ViewError> {
        views::cached(self, kind, query).await
    }

    /// The changes to what [`Scope::view`] of `kind` and `query` may show, as the caches hear
    /// them (the query's cluster and namespace narrow them; its other filters do not, since a
    /// change can bring an object into them or take it out). The stream ends within a minute,
    /// to be followed afresh.
    pub async fn follow_view(
        &self,
        kind: &Kind,
        query: &Query,
    ) -> Result<futures::stream::BoxStream<'static, crate::ViewChange>, ViewError> {
        crate::follow::follow(self, kind, query).await
    }

    /// The objects of `kind` on `cluster`, from its cache, started if there is none: the
    /// cluster's kinds are asked of it now if `again`, else taken from memory while fresh.
    pub(crate) async fn objects(
        &self,
        cluster: &str,
        kind: &Kind,
        again: bool,
    ) -> Result<Held, CacheError> {
        self.caches()
            .objects(cluster, kind, self.serving(cluster, kind, again))
            .await
    }

    /// A client of `cluster` and `kind` as it serves it, or [`CacheError::NotServed`].
    pub(crate) async fn serving(
        &self,
        cluster: &str,
        kind: &Kind,
        again: bool,
    ) -> Result<(kube::Client, ApiKind), CacheError> {
        let kinds = self
            .discover(cluster, again)
            .await
            .map_err(|error| CacheError::Discovery(error.to_string()))?;
        let served = ApiKind::find(&kinds, &kind.address())
            .cloned()
            .ok_or(CacheError::NotServed)?;
        Ok((self.reach().client(cluster).await?, served))
    }

    /// The best matches for `text` among the clusters, namespaces, kinds and cached objects the
    /// caller may see (the command palette's answer); clusters that cannot answer are named.
    pub async fn find(&self, text: &str) -> Result<Findings, ViewError> {
        crate::find::find(self, text).await
    }

    /// How full the nodes of `cluster` (or of every cluster in scope) are, its workloads that
    /// are not healthy and its latest Warning events, from the caches and only where the
    /// caller may list them; clusters that cannot answer are named.
    pub async fn overview(&self, cluster: Option<&str>) -> Result<Overview, ViewError> {
        crate::overview::overview(self, cluster).await
    }

    /// The kinds the cluster `name` serves, if it is in scope.
    pub async fn kinds(&self, name: &str) -> Result<Arc<Vec<ApiKind>>, DiscoveryError> {
        self.discover(name, false).await
    }

    /// The kinds the cluster `name` serves, asked of it now.
    pub async fn kinds_again(&self, name: &str) -> Result<Arc<Vec<ApiKind>>, DiscoveryError> {
        self.discover(name, true).await
    }

    /// The kind `address` (`pods`, `deployments.apps`) on the cluster `name`; the cluster is
    /// asked again before a kind is called unknown, so one defined a moment ago is found.
    pub async fn kind(&self, name: &str, address: &str) -> Result<ApiKind, DiscoveryError> {
        for again in [false, true] {
            if let Some(kind) = ApiKind::find(&self.discover(name, again).await?, address) {
                return Ok(kind.clone());
            }
        }
        Err(DiscoveryError::UnknownKind(address.to_owned()))
    }

    async fn discover(&self, name: &str, again: bool) -> Result<Arc<Vec<ApiKind>>, DiscoveryError> {
        if !self.principal.sees(name) {
            return Err(DiscoveryError::UnknownCluster);
        }
        // A member known to be down is reported at once, not waited for.
        if let Reach::Host(host) = self.reach()
            && let Ok(Some(cluster)) = host.registry().get(name).await
            && !cluster.status.ready
        {
            return Err(DiscoveryError::Unreachable(format!(
                "the cluster {name} is not ready: {}",
                cluster.status.message
            )));
        }
        let client = match self.reach().client(name).await {
            Ok(client) => client,
            Err(PoolError::Unknown(_)) => return Err(DiscoveryError::UnknownCluster),
            Err(error) => {
                let id = crate::request_id::RequestId::new();
                tracing::warn!(request_id = %id, cluster = name, "no client: {error}");
                return Err(DiscoveryError::Unreachable(format!(
                    "the console cannot reach the cluster {name} now (request id {id})"
                )));
            }
        };
        self.federation
            .0
            .discoveries
            .kinds(name, client, again)
            .await
    }

    /// The same page, listing every cluster now: what the caches save (for comparison).
    pub async fn view_uncached(&self, kind: &Kind, query: &Query) -> Result<Page, ViewError> {
        views::live(self, kind, query).await
    }

    /// Which namespaces of `cluster` are projects of which workspace, when deciding for the
    /// caller needs it: from the namespace cache. A cluster whose namespaces cannot be read
    /// has no projects, so nothing is allowed on the strength of one.
    pub(crate) async fn projects(&self, cluster: &str) -> ClusterProjects {
        if !self.principal.needs_projects(cluster) {
            return ClusterProjects::default();
        }
        self.read_projects(cluster).await
    }

    /// Passes a Kubernetes API call, addressed `/clusters/{name}/{api path}`, to the cluster
    /// `name`. The path is read as the client sent it; a cluster out of scope is a 404,
    /// whether or not it exists elsewhere.
    pub async fn proxy(&self, request: Request<Body>) -> Response<Body> {
        let uri = request.uri().clone();
        let raw = uri.path_and_query().map_or("", |p| p.as_str());
        let target = match proxy::target(raw) {
            Ok(target) => target,
            Err(refusal) => return refusal.response(),
        };
        tracing::debug!(caller = %self.principal, cluster = target.cluster, method = %request.method(), "proxied request");
        if !self.principal.sees(target.cluster) {
            return proxy::unknown_cluster(target.cluster);
        }
        let mut redaction = Redaction::None;
        if let Principal::User(_) = &self.principal {
            let access =
                match orbital_iam::access::from_http(request.method(), target.path_and_query) {
                    Ok(access) => access,
                    Err(error) => return proxy::unreadable_access(&error),
                };
            let projects = self.projects(target.cluster).await;
            match self.principal.decide(target.cluster, &access, &projects) {
                Decision::Allow => {}
                Decision::Hidden => return proxy::unknown_cluster(target.cluster),
                Decision::Forbidden(message) => return proxy::forbidden(&message),
            }
            redaction = redaction_for(&access);
        }
        match self.reach().client(target.cluster).await {
            Ok(client) => proxy::forward(&client, &target, request, redaction).await,
            Err(PoolError::Unknown(_)) => proxy::unknown_cluster(target.cluster),
            Err(error) => proxy::unreachable_cluster(target.cluster, &error),
        }
    }
}

/// A request for [`Scope::call`]: what to do to which object, and what to send.
#[derive(Clone, Debug)]
pub struct Call<'a> {
    /// The HTTP method, as the API server reads it.
    pub method: axum::http::Method,
    /// The object or collection.
    pub target: &'a ObjectRef,
    /// A subresource of the object (`log`, `scale`).
    pub subresource: Option<&'a str>,
    /// The query, without `?` (`watch=true&timeoutSeconds=5`); empty for none.
    pub query: &'a str,
    /// The body and its content type, if any.
    pub body: Option<(Vec<u8>, &'static str)>,
    /// For a watch: how long to collect what the cluster sends before answering.
    pub collect_for: Option<Duration>,
    /// What the answer should be.
    pub accept: Accept,
}

/// The representation a [`Call`] asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Accept {
    /// The objects as they are.
    #[default]
    Objects,
    /// A `meta.k8s.io/v1` `Table` of them, with the API server's columns.
    Table,
}

impl Accept {
    fn header(self) -> &'static str {
        match self {
            Self::Objects => "application/json",
            Self::Table => "application/json;as=Table;v=v1;g=meta.k8s.io",
        }
    }
}

/// What the cluster (or the console, refusing) answered a [`Call`].
#[derive(Clone, Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: axum::http::StatusCode,
    /// The body: JSON, or text for logs; for a watch, the events collected, one per line.
    pub body: Vec<u8>,
}

/// The most a call's answer may hold.
const MAX_ANSWER: usize = 64 << 20;

impl Scope {
    /// Whether the caller may do `access` on `cluster`, decided as the proxy decides a request:
    /// `Err` with what the refusal says (a cluster the caller cannot see is unknown to them).
    pub async fn may(&self, cluster: &str, access: ResourceAccess) -> Result<(), String> {
        if !is_dns_label(cluster) || !self.principal.sees(cluster) {
            return Err(format!("no cluster named {cluster:?} is registered"));
        }
        let projects = self.projects(cluster).await;
        match self
            .principal
            .decide(cluster, &Access::Resource(access), &projects)
        {
            Decision::Allow => Ok(()),
            Decision::Hidden => Err(format!("no cluster named {cluster:?} is registered")),
            Decision::Forbidden(message) => Err(message),
        }
    }

    /// The console's own client of cluster `name`, for the console's own work on it (the App
    /// Store installing the releases the host records). Only a scope of
    /// [`Principal::Console`] has one: a user's requests go through [`Scope::call`].
    pub async fn console_client(&self, name: &str) -> Result<kube::Client, String> {
        match &self.principal {
            Principal::Console => self
                .federation
                .0
                .reach
                .client(name)
                .await
                .map_err(|error| error.to_string()),
            Principal::User(user) => Err(format!(
                "{} may reach clusters only through the console's checks",
                user.name()
            )),
        }
    }

    /// Makes `call` on its cluster as the proxy would make it for the caller: the same
    /// decision before anything is sent, the same answers (a Kubernetes `Status` when
    /// refused), the same redaction. For the console's own object functions.
    pub async fn call(&self, call: Call<'_>) -> Answer {
        let collect_for = call.collect_for;
        let response = self.open(call).await;
        let status = response.status();
        let mut body = response.into_body().into_data_stream();
        let mut read = Vec::new();
        let reading = async {
            while let Some(Ok(chunk)) = body.next().await {
                read.extend_from_slice(&chunk);
                if read.len() > MAX_ANSWER {
                    break;
                }
            }
        };
        match collect_for {
            Some(limit) => {
                let _ = tokio::time::timeout(limit, reading).await;
            }
            None => reading.await,
        }
        Answer { status, body: read }
    }

    /// Makes `call` as [`Scope::call`] does, answering with the response as it streams in: for
    /// watches and followed logs that the console passes on as they come.
    pub async fn open(&self, call: Call<'_>) -> Response<Body> {
        let path = match call.target.api_path(call.subresource) {
            Ok(path) => path,
            Err(error) => {
                return proxy::status_response(
                    axum::http::StatusCode::BAD_REQUEST,
                    "BadRequest",
                    &error.to_string(),
                );
            }
        };
        let mut uri = format!("/clusters/{}{path}", call.target.cluster);
        if !call.query.is_empty() {
            uri = format!("{uri}?{}", call.query);
        }
        let mut request = Request::builder()
            .method(call.method)
            .uri(uri)
            .header(axum::http::header::ACCEPT, call.accept.header());
        let body = match call.body {
            Some((body, content_type)) => {
                request = request.header(axum::http::header::CONTENT_TYPE, content_type);
                Body::from(body)
            }
            None => Body::empty(),
        };
        match request.body(body) {
            Ok(request) => self.proxy(request).await,
            Err(error) => proxy::status_response(
                axum::http::StatusCode::BAD_REQUEST,
                "BadRequest",
                &error.to_string(),
            ),
        }
    }
}

/// What a read of users must not carry: their passwords. Any other answer passes as it is.
fn redaction_for(access: &Access) -> Redaction {
    match access {
        Access::Resource(read)
            if read.group == orbital_iam::crd::GROUP
                && read.resource == orbital_iam::crd::IamKind::User.plural()
                && read.verb.reads() =>
        {
            Redaction::Users {
                watch: read.verb == Verb::Watch,
            }
        }
        _ => Redaction::None,
    }
}

/// A member name from a URL or a form: one that is not a DNS label names no member.
fn known(name: &str) -> Result<(), JoinError> {
    if is_dns_label(name) {
        Ok(())
    } else {
        Err(JoinError::Unknown(name.to_owned()))
    }
}

fn own_cluster(name: &str, status: ClusterStatus) -> Cluster {
    Cluster {
        name: name.to_owned(),
        connection: Connection::Local,
        status,
        ..Cluster::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dns_labels_name_members() {
        assert!(known("member-1").is_ok());
        for name in ["", "../member-1", "member-1%2F", "Member-1", "a.b", "-a"] {
            assert!(
                matches!(known(name), Err(JoinError::Unknown(_))),
                "{name:?}"
            );
        }
    }
}
