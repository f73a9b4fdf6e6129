//! The App Store's pool served as Helm repositories: `GET /appstore/repos/{repo}/index.yaml`
//! and the archives it names, so that `helm repo add`, `helm search repo`, `helm pull` and
//! `helm install` work against the host console unchanged (with `--username`/`--password`:
//! the gate takes HTTP Basic credentials on these paths, as Helm sends them).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use orbital_app::ConsoleMode;

use crate::router::ConsoleState;

/// The paths of the served repositories: Helm's clients authenticate with Basic credentials.
pub const REPOSITORY_PATHS: &str = "/appstore/repos/";

/// Why a repository request is not answered with the repository.
fn unavailable(state: &ConsoleState) -> Option<Response> {
    if state.console.mode() == ConsoleMode::Member {
        return Some(
            (
                StatusCode::NOT_FOUND,
                "this is a member cluster's console: its App Store is its host console's",
            )
                .into_response(),
        );
    }
    state.app_store.is_none().then(|| {
        (
            StatusCode::NOT_FOUND,
            "the App Store is not enabled on this console (start it with --app-store)",
        )
            .into_response()
    })
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
    if let Some(refused) = unavailable(&state) {
        return refused;
    }
    let Some(store) = &state.app_store else {
        return no_repository(&repo);
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
    if let Some(refused) = unavailable(&state) {
        return refused;
    }
    let Some(repository) = state
        .app_store
        .as_ref()
        .and_then(|store| store.pool().repository(&repo))
    else {
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

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use std::sync::Arc;

    use orbital_appstore::{AppStore, Pool};

    use super::*;
    use crate::router::test_state;

    /// An App Store whose host is never asked anything in these tests.
    fn store() -> Arc<AppStore> {
        let config = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
        let host = kube::Client::try_from(config).unwrap();
        Arc::new(AppStore::new(Arc::new(Pool::builtin().unwrap()), host))
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
