//! `POST /oauth/token`: a bearer token for tools, from a user's name and password (the OAuth
//! password grant, form-encoded).

use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::{Extensions, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{Auth, Refusal, TOKEN_LIFETIME, client_address};

/// The token request.
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// An OAuth error answer.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// Issues a token for the user whose password is given.
pub async fn token(
    State(auth): State<Option<Auth>>,
    extensions: Extensions,
    Form(request): Form<TokenRequest>,
) -> Response {
    if request.grant_type != "password" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only grant_type=password is supported",
        );
    }
    let Some(auth) = auth else {
        return oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the console is still starting",
        );
    };
    let client = client_address(&extensions);
    let account = match auth
        .check_login(request.username.trim(), &request.password, client)
        .await
    {
        Ok(account) => account,
        Err(Refusal::Limited(wait)) => return Refusal::too_many(wait),
        Err(Refusal::Wrong) => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_grant",
                "the username or password is wrong",
            );
        }
    };
    let lifetime = TOKEN_LIFETIME.as_secs();
    let token = match auth
        .0
        .credentials
        .issue_token(&account, "password grant", TOKEN_LIFETIME)
        .await
    {
        Ok((token, _)) => token,
        Err(error) => {
            tracing::warn!("cannot record a token: {error}");
            return oauth_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the token could not be recorded; try again",
            );
        }
    };
    tracing::info!(user = %account.name, "issued a token");
    Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": lifetime}))
        .into_response()
}
