//! Forms sent without script: a server function answers such a post by sending the browser back
//! to its page; its output is kept in the session for that page, which shows what was done
//! (`orbital_app::FormAnswer`, never an answer that holds a secret). Leptos itself puts an
//! error in the page's address instead.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use orbital_app::FormAnswer;
use tower_sessions::Session;

use crate::appstore::accepts_html;

/// The session key of the answer waiting for its page.
const KEY: &str = "orbital.form_answer";

/// The most of a server function's output kept for its page.
const MAX_OUTPUT: usize = 64 * 1024;

/// The path under which server functions answer.
const FUNCTIONS: &str = "/api/";

/// Keeps the answer to a form post in the session, and hands the next page the answer waiting
/// for it (as a request extension, which the app reads while rendering).
pub async fn carry(mut request: Request, next: Next) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    if !accepts_html(request.headers()) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    if request.method() == Method::POST
        && path.starts_with(FUNCTIONS)
        && FormAnswer::may_keep(&path)
    {
        let response = next.run(request).await;
        return keep(&session, path, response).await;
    }
    if request.method() == Method::GET {
        match session.remove::<FormAnswer>(KEY).await {
            Ok(Some(answer)) => {
                request.extensions_mut().insert(answer);
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "could not read a form's answer"),
        }
    }
    next.run(request).await
}

/// Keeps the output of the server function at `function` when it answered a form with a
/// redirect that carries no error.
async fn keep(session: &Session, function: String, response: Response) -> Response {
    let succeeded = response.status().is_redirection()
        && response
            .headers()
            .get(header::LOCATION)
            .and_then(|location| location.to_str().ok())
            .is_some_and(|location| !location.contains("__err="));
    if !succeeded {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_OUTPUT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let output = String::from_utf8_lossy(&bytes).into_owned();
    if let Some(answer) = FormAnswer::new(function, output)
        && let Err(error) = session.insert(KEY, answer).await
    {
        tracing::warn!(%error, "could not keep a form's answer");
    }
    Response::from_parts(parts, Body::from(bytes))
}
