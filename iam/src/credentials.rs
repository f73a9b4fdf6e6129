//! Sessions and tokens, kept as Secrets in `orbital-system` of the console's cluster, so a
//! restart or another replica of the console accepts them. A Secret is named by a hash of the
//! key the client holds, never by the key itself: whoever reads the Secrets cannot present them.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, PostParams};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::directory::Account;
use crate::objects::create_unless_exists;

/// The namespace the console keeps its own objects in.
pub const SYSTEM_NAMESPACE: &str = "orbital-system";
/// The label saying what a credential Secret holds.
const KIND_LABEL: &str = "iam.orbital.dev/credential";
/// The label naming the user a credential is for.
const USER_LABEL: &str = "iam.orbital.dev/user";
/// The annotation holding when a credential ends, in Unix seconds.
const EXPIRES_ANNOTATION: &str = "iam.orbital.dev/expires";
/// The key of the payload in a credential Secret.
const PAYLOAD_KEY: &str = "payload";
/// The payload field of a token holding its owner's credential when it was issued.
const CREDENTIAL_FIELD: &str = "credential";
/// The payload field of a token holding the name its owner gave it.
const NAME_FIELD: &str = "name";
/// The payload field of a token holding when it was issued, in Unix seconds.
const ISSUED_FIELD: &str = "issued";

/// What a credential is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    /// A browser session.
    Session,
    /// A bearer token for tools.
    Token,
}

impl CredentialKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Token => "token",
        }
    }
}

/// Why a credential could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The cluster refused or failed the request.
    #[error("the console's cluster failed the request: {0}")]
    Cluster(#[from] kube::Error),
    /// The payload could not be written or read.
    #[error("a stored credential is malformed: {0}")]
    Malformed(#[from] serde_json::Error),
}

/// A credential as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    /// Whose it is.
    pub user: String,
    /// When it ends, in Unix seconds.
    pub expires: i64,
    /// What the console keeps with it.
    pub payload: Value,
}

impl Stored {
    /// The owner's credential when a token was issued: the token stops working once the
    /// owner's password changes.
    pub fn credential(&self) -> &str {
        self.payload[CREDENTIAL_FIELD].as_str().unwrap_or_default()
    }
}

/// A token as its owner sees it listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedToken {
    /// What it is called in the cluster, by which it is revoked; not the token.
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// When it was issued, in Unix seconds.
    pub issued: i64,
    /// When it ends, in Unix seconds.
    pub expires: i64,
}

/// The credential Secrets of the console's cluster. Cheap to clone.
#[derive(Clone)]
pub struct Credentials {
    secrets: Api<Secret>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials")
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

fn secret_name(kind: CredentialKind, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("orbital-{}-{}", kind.as_str(), hex(&digest[..20]))
}

impl Credentials {
    /// The credentials kept in the cluster `client` reaches.
    pub fn new(client: kube::Client) -> Self {
        Self {
            secrets: Api::namespaced(client, SYSTEM_NAMESPACE),
        }
    }

    fn secret(kind: CredentialKind, key: &str, stored: &Stored) -> Result<Secret, CredentialError> {
        Ok(Secret {
            metadata: ObjectMeta {
                name: Some(secret_name(kind, key)),
                namespace: Some(SYSTEM_NAMESPACE.to_owned()),
                labels: Some(BTreeMap::from([
                    (KIND_LABEL.to_owned(), kind.as_str().to_owned()),
                    (USER_LABEL.to_owned(), stored.user.clone()),
                ])),
                annotations: Some(BTreeMap::from([(
                    EXPIRES_ANNOTATION.to_owned(),
                    stored.expires.to_string(),
                )])),
                ..ObjectMeta::default()
            },
            type_: Some("Opaque".to_owned()),
            data: Some(BTreeMap::from([(
                PAYLOAD_KEY.to_owned(),
                ByteString(serde_json::to_vec(&stored.payload)?),
            )])),
            ..Secret::default()
        })
    }

    /// Records a new credential under `key`; `false` if one already has that key.
    pub async fn create(
        &self,
        kind: CredentialKind,
        key: &str,
        stored: &Stored,
    ) -> Result<bool, CredentialError> {
        let secret = Self::secret(kind, key, stored)?;
        Ok(create_unless_exists(&self.secrets, &secret).await?)
    }

    /// Records the credential under `key`, made or replaced.
    pub async fn save(
        &self,
        kind: CredentialKind,
        key: &str,
        stored: &Stored,
    ) -> Result<(), CredentialError> {
        let secret = Self::secret(kind, key, stored)?;
        let name = secret_name(kind, key);
        match self
            .secrets
            .replace(&name, &PostParams::default(), &secret)
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => {
                self.create(kind, key, stored).await.map(|_| ())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The credential under `key`, unless there is none or it has ended.
    pub async fn get(
        &self,
        kind: CredentialKind,
        key: &str,
    ) -> Result<Option<Stored>, CredentialError> {
        let Some(secret) = self.secrets.get_opt(&secret_name(kind, key)).await? else {
            return Ok(None);
        };
        let stored = read(&secret)?;
        Ok(stored.filter(|stored| stored.expires > unix_now()))
    }

    /// Forgets the credential under `key`.
    pub async fn delete(&self, kind: CredentialKind, key: &str) -> Result<(), CredentialError> {
        match self
            .secrets
            .delete(&secret_name(kind, key), &DeleteParams::default())
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Issues a bearer token named `name` for `account`, lasting `lifetime`: the token, shown
    /// once, and how it is listed.
    pub async fn issue_token(
        &self,
        account: &Account,
        name: &str,
        lifetime: Duration,
    ) -> Result<(String, IssuedToken), CredentialError> {
        let token = new_key("orbital-");
        let issued = unix_now();
        let expires = issued + i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2);
        let stored = Stored {
            user: account.name.clone(),
            expires,
            payload: json!({
                CREDENTIAL_FIELD: account.credential(),
                NAME_FIELD: name,
                ISSUED_FIELD: issued,
            }),
        };
        // A fresh 256-bit key cannot already be taken; `create` refuses to overwrite anyway.
        self.create(CredentialKind::Token, &token, &stored).await?;
        let listed = IssuedToken {
            id: secret_name(CredentialKind::Token, &token),
            name: name.to_owned(),
            issued,
            expires,
        };
        Ok((token, listed))
    }

    /// The tokens of `user` that have not ended, the newest first.
    pub async fn tokens_of(&self, user: &str) -> Result<Vec<IssuedToken>, CredentialError> {
        let list = self
            .secrets
            .list(&Self::of_user(CredentialKind::Token, user))
            .await?;
        let now = unix_now();
        let mut tokens: Vec<IssuedToken> = list
            .items
            .iter()
            .filter_map(|secret| {
                let stored = read(secret).ok().flatten()?;
                (stored.user == user && stored.expires > now).then(|| IssuedToken {
                    id: secret.metadata.name.clone().unwrap_or_default(),
                    name: stored.payload[NAME_FIELD]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    issued: stored.payload[ISSUED_FIELD].as_i64().unwrap_or_default(),
                    expires: stored.expires,
                })
            })
            .collect();
        tokens.sort_by(|a, b| b.issued.cmp(&a.issued).then_with(|| a.id.cmp(&b.id)));
        Ok(tokens)
    }

    /// Revokes the token `id` of `user`; `false` if `user` has no such token.
    pub async fn revoke_token(&self, user: &str, id: &str) -> Result<bool, CredentialError> {
        let Some(secret) = self.secrets.get_opt(id).await? else {
            return Ok(false);
        };
        let owned = read(&secret)?.is_some_and(|stored| stored.user == user)
            && secret
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(KIND_LABEL))
                == Some(&CredentialKind::Token.as_str().to_owned());
        if !owned {
            return Ok(false);
        }
        match self.secrets.delete(id, &DeleteParams::default()).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Ends every session and token of `user`, e.g. when the user is deleted.
    pub async fn end_all_of(&self, user: &str) -> Result<(), CredentialError> {
        for kind in [CredentialKind::Session, CredentialKind::Token] {
            self.secrets
                .delete_collection(&DeleteParams::default(), &Self::of_user(kind, user))
                .await?;
        }
        Ok(())
    }

    fn of_user(kind: CredentialKind, user: &str) -> ListParams {
        ListParams::default().labels(&format!(
            "{KIND_LABEL}={},{USER_LABEL}={user}",
            kind.as_str()
        ))
    }

    /// Deletes every credential that has ended; returns how many.
    pub async fn delete_expired(&self) -> Result<usize, CredentialError> {
        let list = self
            .secrets
            .list(&ListParams::default().labels(KIND_LABEL))
            .await?;
        let now = unix_now();
        let mut deleted = 0;
        for secret in list.items {
            let ended = expires(&secret).is_none_or(|expires| expires <= now);
            if let (true, Some(name)) = (ended, secret.metadata.name.as_deref()) {
                match self.secrets.delete(name, &DeleteParams::default()).await {
                    Ok(_) => deleted += 1,
                    Err(kube::Error::Api(status)) if status.code == 404 => {}
                    Err(error) => return Err(error.into()),
                }
            }
        }
        Ok(deleted)
    }
}

fn expires(secret: &Secret) -> Option<i64> {
    secret
        .metadata
        .annotations
        .as_ref()?
        .get(EXPIRES_ANNOTATION)?
        .parse()
        .ok()
}

fn read(secret: &Secret) -> Result<Option<Stored>, CredentialError> {
    let user = secret
        .metadata
        .labels
        .as_ref()
        .and_then(|labels| labels.get(USER_LABEL))
        .cloned();
    let payload = secret.data.as_ref().and_then(|data| data.get(PAYLOAD_KEY));
    match (user, expires(secret), payload) {
        (Some(user), Some(expires), Some(payload)) => Ok(Some(Stored {
            user,
            expires,
            payload: serde_json::from_slice(&payload.0)?,
        })),
        _ => Ok(None),
    }
}

/// The bearer token of `headers` (`Authorization: Bearer <token>`, the scheme in any case), if
/// one is sent.
pub fn bearer_token(headers: &http::HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// `bytes` as lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh secret key for a client to hold: 256 random bits as hex, after `prefix`.
pub fn new_key(prefix: &str) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_from_either_case_of_the_scheme() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert(http::header::AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert(http::header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), None);
    }
}
