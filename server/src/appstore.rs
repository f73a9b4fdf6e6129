//! The App Store's pool served as Helm repositories: `GET /appstore/repos/{repo}/index.yaml`
//! and the archives it names, so that `helm repo add`, `helm search repo`, `helm pull` and
//! `helm install` work against the host console unchanged (with `--username`/`--password`:
//! the gate takes HTTP Basic credentials on these paths, as Helm sends them); and the App
//! Store served to member consoles, `POST /appstore/member/{cluster}`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orbital_app::ConsoleMode;
use orbital_appstore::{AppStore, ConsoleAppStore, Requester, StoreCall, USER_HEADER};
use orbital_federation::Principal;
use orbital_iam::credentials::bearer_token;
use orbital_types::appstore::AppStoreError;

use crate::auth::Caller;
use crate::router::ConsoleState;

/// The paths of the served repositories: Helm's clients authenticate with Basic credentials.
pub const REPOSITORY_PATHS: &str = "/appstore/repos/";

/// The App Store this console serves, or why a repository request is not answered with it.
fn served(state: &ConsoleState) -> Result<&Arc<AppStore>, (StatusCode, &'static str)> {
    if state.console.mode() == ConsoleMode::Member {
        return Err((
            StatusCode::NOT_FOUND,
            "this is a member cluster's console: its App Store is its host console's",
        ));
    }
    match &state.app_store {
        Some(ConsoleAppStore::Host(store)) => Ok(store),
        _ => Err((
            StatusCode::NOT_FOUND,
            "the App Store is not enabled on this console (start it with --app-store)",
        )),
    }
}

fn no_repository(name: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!("the App Store has no repository {name:?}"),
    )
        .into_response()
}

/// `GET /appstore/repos/{repo}/index.yaml`.
pub async fn index(State(state): State<ConsoleState>, Path(repo): Path<String>) -> Response {
    let store = match served(&state) {
        Ok(store) => store,
        Err(refused) => return refused.into_response(),
    };
    match store.pool().repository(&repo) {
        Some(repository) => (
            [(header::CONTENT_TYPE, "application/x-yaml")],
            repository.index_yaml(store.generated()),
        )
            .into_response(),
        None => no_repository(&repo),
    }
}

/// `GET /appstore/repos/{repo}/charts/{file}`: a chart archive the index names.
pub async fn archive(
    State(state): State<ConsoleState>,
    Path((repo, file)): Path<(String, String)>,
) -> Response {
    let store = match served(&state) {
        Ok(store) => store,
        Err(refused) => return refused.into_response(),
    };
    let Some(repository) = store.pool().repository(&repo) else {
        return no_repository(&repo);
    };
    match repository.archive(&format!("charts/{file}")) {
        Some(archive) => (
            [(header::CONTENT_TYPE, "application/gzip")],
            archive.to_vec(),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            format!("the repository {repo:?} has no chart archive {file:?}"),
        )
            .into_response(),
    }
}

/// The answer to a member console for what the App Store refused or failed: the error as it
/// is, with a status to match.
fn refusal(error: AppStoreError) -> Response {
    let status = match &error {
        AppStoreError::NotEnabled(_) | AppStoreError::NotFound(_) => StatusCode::NOT_FOUND,
        AppStoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppStoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppStoreError::Exists(_) => StatusCode::CONFLICT,
        AppStoreError::Failed(_) => StatusCode::BAD_GATEWAY,
    };
    (status, Json(error)).into_response()
}

/// `POST /appstore/member/{cluster}`: the member console of `cluster`, with its credential at
/// this host, asks the App Store for one of its users (the `orbital-user` header). Only that
/// cluster is reached, and only as far as that user's grants here allow; every refusal of the
/// credential reads the same.
pub async fn member_call(
    State(state): State<ConsoleState>,
    Path(cluster): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (Some(federation), Some(auth)) = (&state.federation, &state.auth) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let token = bearer_token(&headers).unwrap_or_default();
    match federation.admits_member_console(&cluster, token).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(cluster, "a member console's credential was refused");
            return (
                StatusCode::UNAUTHORIZED,
                "the cluster name or the credential is not valid",
            )
                .into_response();
        }
        Err(error) => {
            return refusal(AppStoreError::Failed(format!(
                "the host console cannot check the credential: {error}"
            )));
        }
    }
    let Some(ConsoleAppStore::Host(store)) = &state.app_store else {
        return refusal(AppStoreError::NotEnabled(
            "the App Store must be enabled on the host console: it was started without --app-store"
                .to_owned(),
        ));
    };
    let user = headers
        .get(USER_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let Some(Caller(user)) = auth.caller_named(user) else {
        return refusal(AppStoreError::Forbidden(format!(
            "the host console has no active user {user:?}"
        )));
    };
    let call: StoreCall = match serde_json::from_slice(&body) {
        Ok(call) => call,
        Err(error) => {
            return refusal(AppStoreError::Invalid(format!(
                "not a request of the App Store: {error}"
            )));
        }
    };
    let requester = Requester::through_member(federation.scope(Principal::User(user)), &cluster);
    match store.answer(&requester, call).await {
        Ok(answer) => Json(answer).into_response(),
        Err(error) => refusal(error),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use orbital_appstore::Pool;

    use super::*;
    use crate::router::test_state;

    /// An App Store whose host is never asked anything in these tests.
    fn store() -> ConsoleAppStore {
        let config = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
        let host = kube::Client::try_from(config).unwrap();
        ConsoleAppStore::Host(Arc::new(AppStore::new(
            Arc::new(Pool::builtin().unwrap()),
            host,
        )))
    }

    async fn text(response: Response) -> (StatusCode, String) {
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn the_pool_is_served_only_by_a_host_that_has_it_enabled() {
        let (state, _) = test_state(ConsoleMode::Host);
        let (status, body) = text(index(State(state), Path("builtin".to_owned())).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("not enabled on this console"), "{body}");

        let (mut state, _) = test_state(ConsoleMode::Member);
        state.app_store = Some(store());
        let (status, body) = text(index(State(state), Path("builtin".to_owned())).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("its host console's"), "{body}");

        let (mut state, _) = test_state(ConsoleMode::Host);
        state.app_store = Some(store());
        let (status, body) =
            text(index(State(state.clone()), Path("builtin".to_owned())).await).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("charts/web-server-1.0.0.tgz"), "{body}");
        let (status, _) = text(index(State(state.clone()), Path("other".to_owned())).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let found = archive(
            State(state.clone()),
            Path(("builtin".to_owned(), "web-server-1.0.0.tgz".to_owned())),
        )
        .await;
        assert_eq!(found.status(), StatusCode::OK);
        let missing = archive(
            State(state),
            Path(("builtin".to_owned(), "web-server-9.0.0.tgz".to_owned())),
        )
        .await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }
}
