//! Why a request about users, workspaces, members or tokens failed, as the browser is told.

use std::fmt;

use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

/// Why a request about users, workspaces, members or tokens failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IamError {
    /// What it names does not exist for the caller; the text names it.
    NotFound(String),
    /// The request cannot be carried out as asked; the text says why and what to do.
    Refused(String),
    /// The caller may not; the text names what they lack.
    Forbidden(String),
    /// The console could not carry it out now; the text says what failed.
    Failed(String),
}

impl fmt::Display for IamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound(text)
            | Self::Refused(text)
            | Self::Forbidden(text)
            | Self::Failed(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for IamError {}

impl FromServerFnError for IamError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Failed(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl IamError {
    /// The error, with the HTTP status of the answer set to match it when a script asked.
    pub(super) fn answer(self) -> Self {
        use http::StatusCode;
        super::set_status(match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Failed(_) => StatusCode::SERVICE_UNAVAILABLE,
        });
        self
    }
}

#[cfg(feature = "ssr")]
impl From<orbital_iam::TenancyError> for IamError {
    fn from(error: orbital_iam::TenancyError) -> Self {
        use orbital_iam::TenancyError;
        let text = error.to_string();
        match error {
            TenancyError::NotFound(_) => Self::NotFound(text),
            TenancyError::Forbidden(_) => Self::Forbidden(text),
            TenancyError::Invalid(_) | TenancyError::Exists(_) | TenancyError::ManagedByHost => {
                Self::Refused(text)
            }
            TenancyError::NotSettled => Self::Failed(text),
            other => {
                tracing::warn!("a change to users, grants or workspaces failed: {other}");
                Self::Failed("the console's cluster failed the request; try again".into())
            }
        }
        .answer()
    }
}

#[cfg(feature = "ssr")]
impl From<orbital_federation::ProjectError> for IamError {
    fn from(error: orbital_federation::ProjectError) -> Self {
        use orbital_federation::ProjectError;
        let text = error.to_string();
        match error {
            ProjectError::UnknownCluster(_) | ProjectError::NotAProject { .. } => {
                Self::NotFound(text)
            }
            ProjectError::Forbidden(_) => Self::Forbidden(text),
            ProjectError::InvalidName(_) | ProjectError::Exists { .. } => Self::Refused(text),
            ProjectError::Unreachable { .. } | ProjectError::Cluster(_) => Self::Failed(text),
        }
        .answer()
    }
}

/// The users, grants and workspaces as this request's caller may reach them.
#[cfg(feature = "ssr")]
pub(super) fn tenancy() -> Result<orbital_iam::TenancyScope, IamError> {
    use_context::<orbital_iam::TenancyScope>().ok_or_else(|| {
        IamError::Failed("the console is still starting; try again shortly".into()).answer()
    })
}

/// The clusters as this request's caller may reach them.
#[cfg(feature = "ssr")]
pub(super) fn clusters() -> Result<orbital_federation::Scope, IamError> {
    use_context::<orbital_federation::Scope>().ok_or_else(|| {
        IamError::Failed(
            "the console is still connecting to its clusters; try again shortly".into(),
        )
        .answer()
    })
}
