//! tower-sessions' store over the console's credential Secrets: a session outlives a restart of
//! the console and is accepted by every replica on the same cluster.

use async_trait::async_trait;
use orbital_iam::credentials::{CredentialKind, Credentials, Stored};
use tower_sessions::SessionStore;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};

use super::USER_KEY;

/// Sessions kept as Secrets in the console's cluster.
#[derive(Clone, Debug)]
pub struct SecretStore(pub Credentials);

fn backend(error: impl std::fmt::Display) -> Error {
    Error::Backend(error.to_string())
}

fn stored(record: &Record) -> Result<Stored> {
    let user = record
        .data
        .get(USER_KEY)
        .and_then(|user| user.as_str())
        .unwrap_or_default()
        .to_owned();
    Ok(Stored {
        user,
        expires: record.expiry_date.unix_timestamp(),
        payload: serde_json::to_value(&record.data).map_err(|e| Error::Encode(e.to_string()))?,
    })
}

#[async_trait]
impl SessionStore for SecretStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let stored = stored(record)?;
        // A new id until one is free: ids are random, so this almost never repeats.
        while !self
            .0
            .create(CredentialKind::Session, &record.id.to_string(), &stored)
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.0
            .save(
                CredentialKind::Session,
                &record.id.to_string(),
                &stored(record)?,
            )
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(stored) = self
            .0
            .get(CredentialKind::Session, &id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data =
            serde_json::from_value(stored.payload).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(stored.expires)
            .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.0
            .delete(CredentialKind::Session, &id.to_string())
            .await
            .map_err(backend)
    }
}
