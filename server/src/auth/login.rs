//! `POST /login` and `POST /logout`: the login form's session, made and ended.

use axum::Form;
use axum::extract::State;
use axum::http::Extensions;
use axum::response::{IntoResponse, Redirect, Response};
use orbital_iam::credentials::unix_now;
use serde::Deserialize;
use tower_sessions::Session;

use super::{
    Auth, CREATED_KEY, CREDENTIAL_KEY, Refusal, SEEN_KEY, USER_KEY, client_address,
    encode_component, safe_next,
};

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// Back to the login page, saying why.
fn back(problem: &str, next: &str) -> Response {
    Redirect::to(&format!(
        "/login?problem={problem}&next={}",
        encode_component(next)
    ))
    .into_response()
}

/// Logs the form's user in: a new session (never one the browser had before), then on to the
/// page they asked for.
pub async fn login(
    State(auth): State<Option<Auth>>,
    extensions: Extensions,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref()).to_owned();
    let (Some(auth), Some(session)) = (auth, extensions.get::<Session>()) else {
        return back("unavailable", &next);
    };
    let client = client_address(&extensions);
    let account = match auth
        .check_login(form.username.trim(), &form.password, client)
        .await
    {
        Ok(account) => account,
        Err(Refusal::Limited(wait)) => return Refusal::too_many(wait),
        Err(Refusal::Wrong) => return back("failed", &next),
    };
    let now = unix_now();
    let started = async {
        session.cycle_id().await?;
        session.insert(USER_KEY, &account.name).await?;
        session.insert(CREDENTIAL_KEY, account.credential()).await?;
        session.insert(CREATED_KEY, now).await?;
        session.insert(SEEN_KEY, now).await
    };
    if let Err(error) = started.await {
        tracing::warn!(user = %account.name, "cannot start a session: {error}");
        return back("unavailable", &next);
    }
    tracing::info!(user = %account.name, "logged in");
    auth.0.directory.record_login(&account.name);
    Redirect::to(&next).into_response()
}

/// Ends the session and goes back to the login page.
pub async fn logout(extensions: Extensions) -> Response {
    if let Some(session) = extensions.get::<Session>()
        && let Err(error) = session.flush().await
    {
        tracing::warn!("cannot end a session: {error}");
    }
    Redirect::to("/login").into_response()
}
