//! The credential each member console holds at its host. The host issues one token per member,
//! kept in its Secret `orbital-system/console-<cluster>` (key `token`, owned by the member's
//! `Cluster`, so it goes with it), and hands it to the member as the Secret
//! `orbital-system/orbital-host-credential`. With it a member console asks its host, on its
//! users' behalf, for what only the host serves (the App Store's pool), and only about its own
//! cluster. Deleting the host's Secret revokes the token at once; the host's next pass issues a
//! new one and hands that over.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, PostParams};
use orbital_syntax::is_dns_label;
use tokio::task::JoinHandle;

use crate::agents::{TOKEN_KEY, holds, stored_token};
use crate::cluster::SYSTEM_NAMESPACE;
use crate::host_mark::ensure_system_namespace;
use crate::pool::ClientPool;
use crate::registry::{Registry, RegistryError, member_secret};
use crate::rounds::{every_member, is_host_cluster};

/// The Secret on a member that holds its console's credential at the host.
pub const HOST_CREDENTIAL: &str = "orbital-host-credential";

/// How often each member's credential is checked and handed over when it changed.
const ISSUE_INTERVAL: Duration = Duration::from_secs(5);
/// How long one pass over one member may take.
const ISSUE_TIMEOUT: Duration = Duration::from_secs(20);

/// The host's Secret holding the credential of the member console of `cluster`.
pub fn console_secret_name(cluster: &str) -> String {
    format!("console-{cluster}")
}

/// Issues and hands over every registered member's credential (but the host cluster's own,
/// whose `kube-system` UID is `identity`), until aborted.
pub(crate) fn spawn(pool: ClientPool, identity: String) -> JoinHandle<()> {
    let passes = pool.clone();
    every_member(
        pool,
        ISSUE_INTERVAL,
        "member console credentials",
        move |member| issue_once(passes.clone(), member.name, identity.clone()),
    )
}

/// One pass over the member `name`.
async fn issue_once(pool: ClientPool, name: String, host_identity: String) {
    let pass = async {
        let client = pool.client(&name).await.map_err(|e| e.to_string())?;
        if is_host_cluster(&client, &host_identity)
            .await
            .map_err(|e| e.to_string())?
        {
            return Ok(false);
        }
        let token = issued(pool.registry(), &name)
            .await
            .map_err(|e| e.to_string())?;
        hand_over(&client, &token).await.map_err(|e| e.to_string())
    };
    match tokio::time::timeout(ISSUE_TIMEOUT, pass).await {
        Ok(Ok(true)) => {
            tracing::info!(cluster = %name, "handed the member console its credential at this host");
        }
        Ok(Ok(false)) => {}
        Ok(Err(error)) => {
            tracing::debug!(cluster = %name, "cannot hand the member console its credential: {error}");
        }
        Err(_) => {
            tracing::debug!(cluster = %name, "handing the member console its credential timed out");
        }
    }
}

/// The member `cluster`'s current token, issued now when its Secret is missing or empty.
async fn issued(registry: &Registry, cluster: &str) -> Result<Vec<u8>, RegistryError> {
    let name = console_secret_name(cluster);
    if let Some(secret) = registry.secret(&name).await?
        && let Some(token) = stored_token(&secret)
    {
        return Ok(token.to_vec());
    }
    let owner = registry.owner(cluster).await?;
    let token = orbital_iam::credentials::new_key("orbital-console-").into_bytes();
    registry
        .put_secret(member_secret(
            name,
            cluster,
            Some(owner),
            TOKEN_KEY,
            token.clone(),
        ))
        .await?;
    Ok(token)
}

/// Writes `token` on the cluster `member` reaches, unless it holds it already; whether it
/// was written.
async fn hand_over(member: &kube::Client, token: &[u8]) -> Result<bool, kube::Error> {
    let secrets: Api<Secret> = Api::namespaced(member.clone(), SYSTEM_NAMESPACE);
    let current = secrets.get_opt(HOST_CREDENTIAL).await?;
    if current.as_ref().and_then(stored_token) == Some(token) {
        return Ok(false);
    }
    let mut secret = Secret {
        metadata: kube::api::ObjectMeta {
            name: Some(HOST_CREDENTIAL.to_owned()),
            namespace: Some(SYSTEM_NAMESPACE.to_owned()),
            ..Default::default()
        },
        type_: Some("Opaque".to_owned()),
        data: Some(BTreeMap::from([(
            TOKEN_KEY.to_owned(),
            ByteString(token.to_vec()),
        )])),
        ..Default::default()
    };
    match current {
        Some(current) => {
            secret.metadata.resource_version = current.metadata.resource_version;
            secrets
                .replace(HOST_CREDENTIAL, &PostParams::default(), &secret)
                .await?;
        }
        None => {
            ensure_system_namespace(member).await?;
            secrets.create(&PostParams::default(), &secret).await?;
        }
    }
    Ok(true)
}

/// Takes the credential off the cluster `member` reaches (it was removed from this host).
pub(crate) async fn withdraw(member: &kube::Client) -> Result<(), kube::Error> {
    let secrets: Api<Secret> = Api::namespaced(member.clone(), SYSTEM_NAMESPACE);
    match secrets
        .delete(HOST_CREDENTIAL, &DeleteParams::default())
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(error) => Err(error),
    }
}

/// Whether `token` is the current credential of the member console of `cluster`, compared in
/// constant time.
pub(crate) async fn admits(
    registry: &Registry,
    cluster: &str,
    token: &str,
) -> Result<bool, RegistryError> {
    if !is_dns_label(cluster) {
        return Ok(false);
    }
    let secret = registry.secret(&console_secret_name(cluster)).await?;
    Ok(holds(secret.as_ref(), token.as_bytes()))
}

/// The credential the member console whose cluster `own` reaches holds at its host, once the
/// host handed one over.
pub(crate) async fn held(own: &kube::Client) -> Result<Option<String>, kube::Error> {
    let secrets: Api<Secret> = Api::namespaced(own.clone(), SYSTEM_NAMESPACE);
    Ok(secrets
        .get_opt(HOST_CREDENTIAL)
        .await?
        .as_ref()
        .and_then(stored_token)
        .map(|token| String::from_utf8_lossy(token).into_owned()))
}
