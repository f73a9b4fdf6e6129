//! Users, for platform admins: listing, making, disabling, resetting and deleting.

use leptos::prelude::*;
use orbital_types::tenancy::UserSummary;

use super::IamError;

/// Every user, by name (platform admins only).
#[server(endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserSummary>, IamError> {
    Ok(super::iam_error::tenancy()?.users()?)
}

/// Makes a user who logs in as `name` with `password`.
#[server(endpoint = "users/create")]
pub async fn create_user(
    name: String,
    email: String,
    display_name: String,
    password: String,
) -> Result<String, IamError> {
    let user = orbital_iam::NewUser {
        name: name.trim().to_owned(),
        email,
        display_name,
        password,
    };
    super::iam_error::tenancy()?.create_user(&user).await?;
    Ok(user.name)
}

/// Bars `name` from logging in (`disabled` is `true`) or lets them again.
#[server(endpoint = "users/set-disabled")]
pub async fn set_user_disabled(name: String, disabled: bool) -> Result<(), IamError> {
    Ok(super::iam_error::tenancy()?
        .set_disabled(&name, disabled)
        .await?)
}

/// Gives `name` a new password; their sessions and tokens end.
#[server(endpoint = "users/reset-password")]
pub async fn reset_password(name: String, password: String) -> Result<(), IamError> {
    Ok(super::iam_error::tenancy()?
        .reset_password(&name, &password)
        .await?)
}

/// Deletes `name` with their grants, sessions and tokens.
#[server(endpoint = "users/delete")]
pub async fn delete_user(name: String) -> Result<(), IamError> {
    Ok(super::iam_error::tenancy()?.delete_user(&name).await?)
}
