//! The caller's own account: their password, their tokens and what they may change.

use leptos::prelude::*;
use orbital_types::tenancy::{NewToken, Permissions, TokenSummary};

use super::IamError;

/// What the caller may change, for pages to offer only the controls that will work; nothing
/// before logging in.
#[server(endpoint = "me/permissions")]
pub async fn get_permissions() -> Result<Permissions, IamError> {
    Ok(use_context::<orbital_iam::TenancyScope>()
        .map(|tenancy| tenancy.permissions())
        .unwrap_or_default())
}

/// Changes the caller's password; `confirm` must repeat the new one. Every session and token
/// of theirs ends, so the browser is sent to log in again.
#[server(endpoint = "me/change-password")]
pub async fn change_password(
    current: String,
    password: String,
    confirm: String,
) -> Result<(), IamError> {
    if password != confirm {
        return Err(
            IamError::Refused("the new passwords differ; type the same one twice".into()).answer(),
        );
    }
    super::iam_error::tenancy()?
        .change_password(&current, &password)
        .await?;
    leptos_axum::redirect("/login?problem=password-changed");
    Ok(())
}

/// The caller's tokens that have not ended.
#[server(endpoint = "me/tokens")]
pub async fn list_tokens() -> Result<Vec<TokenSummary>, IamError> {
    Ok(super::iam_error::tenancy()?.tokens().await?)
}

/// Issues the caller a token called `name` lasting `days` days: the only time it is shown.
#[server(endpoint = "me/tokens/create")]
pub async fn create_token(name: String, days: u32) -> Result<NewToken, IamError> {
    let lifetime = std::time::Duration::from_secs(u64::from(days) * 24 * 60 * 60);
    Ok(super::iam_error::tenancy()?
        .create_token(&name, lifetime)
        .await?)
}

/// Revokes the caller's token `id`.
#[server(endpoint = "me/tokens/revoke")]
pub async fn revoke_token(id: String) -> Result<(), IamError> {
    Ok(super::iam_error::tenancy()?.revoke_token(&id).await?)
}
