//! Changing users, grants and workspaces, and one's own password and tokens: every change
//! made for one caller and allowed or refused for them here, so that no page or server
//! function can reach the objects around it.

use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::core::DynamicObject;
use orbital_syntax::is_dns_label;
use orbital_types::Role;
use orbital_types::tenancy::{
    Member, MemberTarget, NewToken, Permissions, Project, TokenSummary, UserSummary,
    WorkspaceSummary,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::access::{Access, ResourceAccess, Verb};
use crate::authorizer::{Decision, Policy};
use crate::crd::{GROUP, IamKind, VERSION};
use crate::credentials::{CredentialError, Credentials, IssuedToken, hex};
use crate::directory::Directory;
use crate::grant::{Grant, GrantScope, GrantSpec};
use crate::password::{self, HASHED_ANNOTATION};
use crate::workspace::Projects;

/// The shortest password the console accepts.
pub const MIN_PASSWORD_LENGTH: usize = 8;
/// The longest a token may last.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(366 * 24 * 60 * 60);

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum TenancyError {
    /// The caller may not make it; says what they lack.
    #[error("{0}")]
    Forbidden(String),
    /// What it names does not exist (for this caller).
    #[error("{0} does not exist")]
    NotFound(String),
    /// What was asked for is malformed; says how to put it right.
    #[error("{0}")]
    Invalid(String),
    /// What it would make exists already.
    #[error("{0} already exists")]
    Exists(String),
    /// This console keeps copies made by its host: changes are made there.
    #[error(
        "users, grants and workspaces are managed on the host console; this member console keeps copies of them"
    )]
    ManagedByHost,
    /// The change was written but has not come back through the console's watches yet.
    #[error("the change was written but the console has not seen it back yet; reload in a moment")]
    NotSettled,
    /// The cluster refused or failed the request.
    #[error("the console's cluster failed the request: {0}")]
    Cluster(#[from] kube::Error),
    /// A session or token could not be read or written.
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// A password could not be hashed.
    #[error(transparent)]
    Hash(#[from] password::HashError),
    /// An object could not be built.
    #[error("an object is malformed: {0}")]
    Malformed(#[from] serde_json::Error),
}

/// A user to be made.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    /// The name they log in with: a DNS label.
    pub name: String,
    /// Their email address.
    pub email: String,
    /// Their name as shown.
    pub display_name: String,
    /// Their first password, hashed before it is written.
    pub password: String,
}

/// The users, grants and workspaces of the console's cluster, and the sessions and tokens kept
/// there. Cheap to clone; reached only through [`TenancyScope`].
#[derive(Clone, Debug)]
pub struct Tenancy {
    directory: Directory,
    credentials: Credentials,
    managed_here: bool,
}

impl Tenancy {
    /// The tenancy kept by `directory` and `credentials`; `managed_here` is false on a member
    /// console, whose users and grants are copies its host keeps up to date.
    pub fn new(directory: Directory, credentials: Credentials, managed_here: bool) -> Self {
        Self {
            directory,
            credentials,
            managed_here,
        }
    }

    /// What `user` may see and change; each call decides by the grants as they are then.
    pub fn scope(&self, user: &str) -> TenancyScope {
        TenancyScope {
            tenancy: self.clone(),
            user: user.to_owned(),
        }
    }
}

/// The tenancy as one caller may reach it. Built per request.
#[derive(Clone, Debug)]
pub struct TenancyScope {
    tenancy: Tenancy,
    user: String,
}

fn api(client: &kube::Client, kind: IamKind) -> Api<DynamicObject> {
    Api::all_with(client.clone(), &kind.resource())
}

fn object(kind: IamKind, value: serde_json::Value) -> Result<DynamicObject, TenancyError> {
    let mut value = value;
    value["apiVersion"] = json!(format!("{GROUP}/{VERSION}"));
    value["kind"] = json!(kind.kind());
    Ok(serde_json::from_value(value)?)
}

fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map_or_else(|_| seconds.to_string(), |t| t.to_string())
}

fn summary(token: IssuedToken) -> TokenSummary {
    TokenSummary {
        id: token.id,
        name: token.name,
        created: rfc3339(token.issued),
        expires: rfc3339(token.expires),
    }
}

fn check_name(what: &str, name: &str) -> Result<(), TenancyError> {
    if is_dns_label(name) {
        Ok(())
    } else {
        Err(TenancyError::Invalid(format!(
            "{name:?} cannot name a {what}: use up to 63 lower-case letters, digits and '-', starting and ending with a letter or digit"
        )))
    }
}

fn check_password(password: &str) -> Result<(), TenancyError> {
    if password.chars().count() < MIN_PASSWORD_LENGTH {
        return Err(TenancyError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD_LENGTH} characters"
        )));
    }
    Ok(())
}

async fn hash_off_thread(password: &str) -> Result<String, TenancyError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|error| TenancyError::Hash(password::HashError(error.to_string())))?
        .map_err(TenancyError::from)
}

/// The name of the grant object for `grant`: the same grant is made once.
fn grant_name(grant: &Grant) -> String {
    let scope = match &grant.scope {
        GrantScope::Platform => String::new(),
        GrantScope::Cluster(c) => format!("cluster/{c}"),
        GrantScope::Workspace(w) => format!("workspace/{w}"),
        GrantScope::Project { cluster, namespace } => format!("project/{cluster}/{namespace}"),
    };
    let digest = Sha256::digest(scope.as_bytes());
    format!("{}-{}-{}", grant.user, grant.role, hex(&digest[..4]))
}

fn scope_of(target: &MemberTarget) -> GrantScope {
    match target {
        MemberTarget::Platform => GrantScope::Platform,
        MemberTarget::Cluster(c) => GrantScope::Cluster(c.clone()),
        MemberTarget::Workspace(w) => GrantScope::Workspace(w.clone()),
        MemberTarget::Project(p) => GrantScope::Project {
            cluster: p.cluster.clone(),
            namespace: p.namespace.clone(),
        },
    }
}

fn target_of(scope: &GrantScope) -> MemberTarget {
    match scope {
        GrantScope::Platform => MemberTarget::Platform,
        GrantScope::Cluster(c) => MemberTarget::Cluster(c.clone()),
        GrantScope::Workspace(w) => MemberTarget::Workspace(w.clone()),
        GrantScope::Project { cluster, namespace } => MemberTarget::Project(Project {
            cluster: cluster.clone(),
            namespace: namespace.clone(),
        }),
    }
}

fn spec_of(grant: &Grant) -> GrantSpec {
    let mut spec = GrantSpec {
        user: grant.user.clone(),
        role: grant.role.as_str().to_owned(),
        ..GrantSpec::default()
    };
    match &grant.scope {
        GrantScope::Platform => {}
        GrantScope::Cluster(c) => spec.cluster = Some(c.clone()),
        GrantScope::Workspace(w) => spec.workspace = Some(w.clone()),
        GrantScope::Project { cluster, namespace } => {
            spec.cluster = Some(cluster.clone());
            spec.namespace = Some(namespace.clone());
        }
    }
    spec
}

impl TenancyScope {
    fn directory(&self) -> &Directory {
        &self.tenancy.directory
    }

    fn policy(&self) -> Arc<Policy> {
        self.directory().policy()
    }

    fn client(&self) -> &kube::Client {
        self.directory().client()
    }

    fn is_platform_admin(&self) -> bool {
        self.policy().is_platform_admin(&self.user)
    }

    /// Refused unless the caller administers the platform and this console manages tenancy.
    fn platform_change(&self, what: &str) -> Result<(), TenancyError> {
        self.managed_here()?;
        if self.is_platform_admin() {
            Ok(())
        } else {
            Err(TenancyError::Forbidden(format!(
                "only a platform admin may {what}"
            )))
        }
    }

    fn managed_here(&self) -> Result<(), TenancyError> {
        if self.tenancy.managed_here {
            Ok(())
        } else {
            Err(TenancyError::ManagedByHost)
        }
    }

    async fn settled(&self, done: impl Fn(&Directory) -> bool) -> Result<(), TenancyError> {
        if self.directory().settled(done).await {
            Ok(())
        } else {
            Err(TenancyError::NotSettled)
        }
    }

    /// Who this scope acts for.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// What the caller may change, for pages to offer only what will work.
    pub fn permissions(&self) -> Permissions {
        let platform_admin = self.is_platform_admin();
        let policy = self.policy();
        let administered_workspaces = policy
            .workspaces()
            .filter(|w| policy.administers_workspace(&self.user, &w.name))
            .map(|w| w.name.clone())
            .collect();
        Permissions {
            platform_admin,
            administered_workspaces,
            managed_here: self.tenancy.managed_here,
        }
    }

    /// Every user (platform admins only).
    pub fn users(&self) -> Result<Vec<UserSummary>, TenancyError> {
        if !self.is_platform_admin() {
            return Err(TenancyError::Forbidden(
                "only a platform admin may list users".into(),
            ));
        }
        Ok(self
            .directory()
            .accounts()
            .into_iter()
            .map(|account| UserSummary {
                name: account.name,
                email: account.email,
                display_name: account.display_name,
                disabled: account.disabled,
                last_login: account.last_login,
            })
            .collect())
    }

    /// Makes a user, their password hashed before it is written.
    pub async fn create_user(&self, new: &NewUser) -> Result<(), TenancyError> {
        self.platform_change("create users")?;
        check_name("user", &new.name)?;
        check_password(&new.password)?;
        let hash = hash_off_thread(&new.password).await?;
        let user = object(
            IamKind::User,
            json!({
                "metadata": {"name": new.name, "annotations": {HASHED_ANNOTATION: "true"}},
                "spec": {
                    "email": new.email.trim(),
                    "displayName": new.display_name.trim(),
                    "password": hash,
                    "disabled": false,
                },
            }),
        )?;
        match api(self.client(), IamKind::User)
            .create(&PostParams::default(), &user)
            .await
        {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 409 => {
                return Err(TenancyError::Exists(format!("the user {:?}", new.name)));
            }
            Err(error) => return Err(error.into()),
        }
        tracing::info!(by = %self.user, user = %new.name, "created a user");
        self.settled(|d| d.account(&new.name).is_some()).await
    }

    fn other_user(&self, name: &str, what: &str) -> Result<(), TenancyError> {
        if name == self.user {
            return Err(TenancyError::Invalid(format!(
                "you cannot {what} yourself; another platform admin can"
            )));
        }
        if self.directory().account(name).is_none() {
            return Err(TenancyError::NotFound(format!("the user {name:?}")));
        }
        Ok(())
    }

    async fn patch_user(&self, name: &str, patch: serde_json::Value) -> Result<(), TenancyError> {
        match api(self.client(), IamKind::User)
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => {
                Err(TenancyError::NotFound(format!("the user {name:?}")))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Bars a user from logging in, or lets them again; their sessions and tokens stop working
    /// on their next request.
    pub async fn set_disabled(&self, name: &str, disabled: bool) -> Result<(), TenancyError> {
        self.platform_change("disable users")?;
        self.other_user(name, "disable")?;
        self.patch_user(name, json!({"spec": {"disabled": disabled}}))
            .await?;
        tracing::info!(by = %self.user, user = %name, disabled, "changed whether a user may log in");
        self.settled(|d| d.account(name).is_some_and(|a| a.disabled == disabled))
            .await
    }

    /// Gives a user a new password; their sessions and tokens stop working.
    pub async fn reset_password(&self, name: &str, password: &str) -> Result<(), TenancyError> {
        self.platform_change("reset passwords")?;
        if self.directory().account(name).is_none() {
            return Err(TenancyError::NotFound(format!("the user {name:?}")));
        }
        self.write_password(name, password).await?;
        tracing::info!(by = %self.user, user = %name, "reset a password");
        Ok(())
    }

    async fn write_password(&self, name: &str, password: &str) -> Result<(), TenancyError> {
        check_password(password)?;
        let before = self.directory().account(name).map(|a| a.credential());
        let hash = hash_off_thread(password).await?;
        self.patch_user(
            name,
            json!({
                "metadata": {"annotations": {HASHED_ANNOTATION: "true"}},
                "spec": {"password": hash},
            }),
        )
        .await?;
        self.settled(|d| d.account(name).map(|a| a.credential()) != before)
            .await
    }

    /// Deletes a user with their grants, sessions and tokens.
    pub async fn delete_user(&self, name: &str) -> Result<(), TenancyError> {
        self.platform_change("delete users")?;
        self.other_user(name, "delete")?;
        for (grant, held) in self.directory().named_grants() {
            if held.user == name {
                self.delete_grant(&grant).await?;
            }
        }
        match api(self.client(), IamKind::User)
            .delete(name, &DeleteParams::default())
            .await
        {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(error) => return Err(error.into()),
        }
        self.tenancy.credentials.end_all_of(name).await?;
        tracing::info!(by = %self.user, user = %name, "deleted a user");
        self.settled(|d| d.account(name).is_none()).await
    }

    /// Changes the caller's own password, given the current one. Their sessions and tokens,
    /// this one too, stop working: they log in again with the new one.
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), TenancyError> {
        self.managed_here()?;
        let account = self
            .directory()
            .account(&self.user)
            .ok_or_else(|| TenancyError::NotFound(format!("the user {:?}", self.user)))?;
        let given = current.to_owned();
        let matches = tokio::task::spawn_blocking(move || account.check_password(&given))
            .await
            .unwrap_or(false);
        if !matches {
            return Err(TenancyError::Invalid(
                "the current password is wrong".into(),
            ));
        }
        self.write_password(&self.user, new).await?;
        tracing::info!(user = %self.user, "changed their password");
        Ok(())
    }

    /// The workspaces the caller belongs to (every one, for platform admins).
    pub fn workspaces(&self) -> Vec<WorkspaceSummary> {
        let policy = self.policy();
        let mut workspaces: Vec<WorkspaceSummary> = policy
            .workspaces()
            .filter(|w| policy.is_in_workspace(&self.user, &w.name))
            .map(|w| WorkspaceSummary {
                name: w.name.clone(),
                clusters: w.spec.clusters.clone(),
                description: w.spec.description.clone(),
            })
            .collect();
        workspaces.sort_by(|a, b| a.name.cmp(&b.name));
        workspaces
    }

    /// The workspace `name`, if the caller belongs to it.
    pub fn workspace(&self, name: &str) -> Option<WorkspaceSummary> {
        self.workspaces().into_iter().find(|w| w.name == name)
    }

    /// Makes a workspace placed on `clusters` (which the caller has checked exist).
    pub async fn create_workspace(
        &self,
        name: &str,
        clusters: &[String],
        description: &str,
    ) -> Result<(), TenancyError> {
        self.platform_change("create workspaces")?;
        check_name("workspace", name)?;
        if clusters.is_empty() {
            return Err(TenancyError::Invalid(
                "place the workspace on at least one cluster".into(),
            ));
        }
        let workspace = object(
            IamKind::Workspace,
            json!({
                "metadata": {"name": name},
                "spec": {"clusters": clusters, "description": description.trim()},
            }),
        )?;
        match api(self.client(), IamKind::Workspace)
            .create(&PostParams::default(), &workspace)
            .await
        {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 409 => {
                return Err(TenancyError::Exists(format!("the workspace {name:?}")));
            }
            Err(error) => return Err(error.into()),
        }
        tracing::info!(by = %self.user, workspace = %name, ?clusters, "created a workspace");
        self.settled(|d| d.policy().workspace(name).is_some()).await
    }

    /// Deletes a workspace and the grants on it. Its projects stay on their clusters, still
    /// labelled, giving nobody anything until a workspace of the name is made again.
    pub async fn delete_workspace(&self, name: &str) -> Result<(), TenancyError> {
        self.platform_change("delete workspaces")?;
        if self.policy().workspace(name).is_none() {
            return Err(TenancyError::NotFound(format!("the workspace {name:?}")));
        }
        for (grant, held) in self.directory().named_grants() {
            if held.scope == GrantScope::Workspace(name.to_owned()) {
                self.delete_grant(&grant).await?;
            }
        }
        match api(self.client(), IamKind::Workspace)
            .delete(name, &DeleteParams::default())
            .await
        {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(error) => return Err(error.into()),
        }
        tracing::info!(by = %self.user, workspace = %name, "deleted a workspace");
        self.settled(|d| d.policy().workspace(name).is_none()).await
    }

    /// Whether the caller may see who holds roles on `target`: platform admins; for a cluster
    /// whoever may read it whole; for a workspace its members; for a project whoever may read
    /// it (which `projects` tells for workspace members).
    fn sees_members(&self, target: &MemberTarget, projects: &impl Projects) -> bool {
        if self.is_platform_admin() {
            return true;
        }
        let reads = |cluster: &str, namespace: Option<&str>| {
            let access = Access::Resource(ResourceAccess::new(Verb::List, namespace, "", "pods"));
            self.policy()
                .authorize(&self.user, cluster, &access, projects)
                == Decision::Allow
        };
        match target {
            MemberTarget::Platform => false,
            MemberTarget::Cluster(cluster) => reads(cluster, None),
            MemberTarget::Workspace(workspace) => {
                self.policy().is_in_workspace(&self.user, workspace)
            }
            MemberTarget::Project(project) => reads(&project.cluster, Some(&project.namespace)),
        }
    }

    /// The grants on `target`, if the caller may see them.
    pub fn members(
        &self,
        target: &MemberTarget,
        projects: &impl Projects,
    ) -> Result<Vec<Member>, TenancyError> {
        if !self.sees_members(target, projects) {
            return Err(TenancyError::Forbidden(format!(
                "you may not see the members of {target}"
            )));
        }
        let scope = scope_of(target);
        Ok(self
            .directory()
            .named_grants()
            .into_iter()
            .filter(|(_, grant)| grant.scope == scope)
            .map(|(name, grant)| Member {
                grant: name,
                user: grant.user,
                role: grant.role,
                target: target_of(&grant.scope),
            })
            .collect())
    }

    /// Gives `user` the role `role` on `target`; `projects` tells which namespaces are
    /// projects of which workspace, for workspace admins granting on their projects.
    pub async fn grant(
        &self,
        user: &str,
        role: Role,
        target: &MemberTarget,
        projects: &impl Projects,
    ) -> Result<Member, TenancyError> {
        self.managed_here()?;
        let grant = Grant {
            user: user.to_owned(),
            role,
            scope: scope_of(target),
        };
        Grant::try_from(&spec_of(&grant))
            .map_err(|_| TenancyError::Invalid(format!("{role} is not granted on {target}")))?;
        if !self.policy().may_grant(&self.user, &grant, projects) {
            return Err(TenancyError::Forbidden(format!(
                "you may not grant {role} on {target}"
            )));
        }
        if self.directory().account(user).is_none() {
            return Err(TenancyError::NotFound(format!("the user {user:?}")));
        }
        if let MemberTarget::Workspace(w) = target
            && self.policy().workspace(w).is_none()
        {
            return Err(TenancyError::NotFound(format!("the workspace {w:?}")));
        }
        let name = grant_name(&grant);
        let written = object(
            IamKind::Grant,
            json!({"metadata": {"name": name}, "spec": spec_of(&grant)}),
        )?;
        match api(self.client(), IamKind::Grant)
            .create(&PostParams::default(), &written)
            .await
        {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 409 => {
                return Err(TenancyError::Exists(format!(
                    "the grant of {role} on {target} to {user:?}"
                )));
            }
            Err(error) => return Err(error.into()),
        }
        tracing::info!(by = %self.user, %user, %role, %target, "granted a role");
        self.settled(|d| d.policy().grants_of(user).contains(&grant))
            .await?;
        Ok(Member {
            grant: name,
            user: user.to_owned(),
            role,
            target: target.clone(),
        })
    }

    /// Takes back the grant named `name`, if the caller may give it.
    pub async fn revoke(&self, name: &str, projects: &impl Projects) -> Result<(), TenancyError> {
        self.managed_here()?;
        let Some((_, grant)) = self
            .directory()
            .named_grants()
            .into_iter()
            .find(|(grant, _)| grant == name)
        else {
            return Err(TenancyError::NotFound(format!("the grant {name:?}")));
        };
        if !self.policy().may_grant(&self.user, &grant, projects) {
            return Err(TenancyError::Forbidden(format!(
                "you may not revoke {} on {}",
                grant.role,
                target_of(&grant.scope)
            )));
        }
        if grant.user == self.user && grant.role == orbital_types::Role::PlatformAdmin {
            return Err(TenancyError::Invalid(
                "you cannot revoke your own platform-admin grant; another platform admin can"
                    .into(),
            ));
        }
        self.delete_grant(name).await?;
        tracing::info!(by = %self.user, grant = %name, "revoked a grant");
        self.settled(|d| !d.policy().grants_of(&grant.user).contains(&grant))
            .await
    }

    async fn delete_grant(&self, name: &str) -> Result<(), TenancyError> {
        match api(self.client(), IamKind::Grant)
            .delete(name, &DeleteParams::default())
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// The caller's tokens that have not ended, the newest first.
    pub async fn tokens(&self) -> Result<Vec<TokenSummary>, TenancyError> {
        let tokens = self.tenancy.credentials.tokens_of(&self.user).await?;
        Ok(tokens.into_iter().map(summary).collect())
    }

    /// Issues the caller a token named `name` lasting `lifetime`: shown this once.
    pub async fn create_token(
        &self,
        name: &str,
        lifetime: Duration,
    ) -> Result<NewToken, TenancyError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 63 {
            return Err(TenancyError::Invalid(
                "name the token, in up to 63 characters, e.g. after the tool it is for".into(),
            ));
        }
        if lifetime.is_zero() || lifetime > MAX_TOKEN_LIFETIME {
            return Err(TenancyError::Invalid(format!(
                "a token lasts from one day to {} days",
                MAX_TOKEN_LIFETIME.as_secs() / 86_400
            )));
        }
        let account = self
            .directory()
            .account(&self.user)
            .ok_or_else(|| TenancyError::NotFound(format!("the user {:?}", self.user)))?;
        let (token, issued) = self
            .tenancy
            .credentials
            .issue_token(&account, name, lifetime)
            .await?;
        tracing::info!(user = %self.user, token = %issued.id, "issued a personal access token");
        Ok(NewToken {
            token,
            summary: summary(issued),
        })
    }

    /// Revokes the caller's token `id`.
    pub async fn revoke_token(&self, id: &str) -> Result<(), TenancyError> {
        if self
            .tenancy
            .credentials
            .revoke_token(&self.user, id)
            .await?
        {
            tracing::info!(user = %self.user, token = %id, "revoked a token");
            Ok(())
        } else {
            Err(TenancyError::NotFound(format!("your token {id:?}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_grant_is_named_alike_and_another_scope_otherwise() {
        let grant = |namespace: &str| Grant {
            user: "ann".into(),
            role: Role::ProjectViewer,
            scope: GrantScope::Project {
                cluster: "member-1".into(),
                namespace: namespace.into(),
            },
        };
        assert_eq!(grant_name(&grant("demo")), grant_name(&grant("demo")));
        assert_ne!(grant_name(&grant("demo")), grant_name(&grant("other")));
        assert!(grant_name(&grant("demo")).starts_with("ann-project-viewer-"));
    }

    #[test]
    fn a_grant_round_trips_through_its_spec_and_its_target() {
        let grant = Grant {
            user: "ann".into(),
            role: Role::WorkspaceAdmin,
            scope: GrantScope::Workspace("team".into()),
        };
        assert_eq!(Grant::try_from(&spec_of(&grant)), Ok(grant.clone()));
        assert_eq!(scope_of(&target_of(&grant.scope)), grant.scope);
    }

    #[test]
    fn names_and_passwords_are_checked_before_anything_is_written() {
        assert!(check_name("user", "ann").is_ok());
        assert!(matches!(
            check_name("user", "Ann"),
            Err(TenancyError::Invalid(_))
        ));
        assert!(matches!(
            check_password("short"),
            Err(TenancyError::Invalid(_))
        ));
        assert!(check_password("long enough").is_ok());
    }
}
