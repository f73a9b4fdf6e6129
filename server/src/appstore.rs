//! The App Store's pool served as Helm repositories: `GET /appstore/repos/{repo}/index.yaml`
//! and the archives it names, so that `helm repo add`, `helm search repo`, `helm pull` and
//! `helm install` work against the host console unchanged (with `--username`/`--password`:
//! the gate takes HTTP Basic credentials on these paths, as Helm sends them); and the App
//! Store served to member consoles, `POST /appstore/member/{cluster}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use orbital_app::{ConsoleMode, upload_page_address};
use orbital_appstore::{
    AppStore, ConsoleAppStore, PoolError, Requester, StoreCall, UPLOADS, USER_HEADER,
};
use orbital_federation::Principal;
use orbital_iam::credentials::bearer_token;
use orbital_types::appstore::AppStoreError;
use serde::Deserialize;
use serde_json::json;

use crate::audit::Asked;
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

/// `GET /appstore/repos/{repo}/index.yaml`: the host's own repositories and those of other
/// sites, every archive served by the host.
pub async fn index(State(state): State<ConsoleState>, Path(repo): Path<String>) -> Response {
    let store = match served(&state) {
        Ok(store) => store,
        Err(refused) => return refused.into_response(),
    };
    match store.pool().index_yaml(&repo, store.generated()) {
        Some(index) => ([(header::CONTENT_TYPE, "application/x-yaml")], index).into_response(),
        None => no_repository(&repo),
    }
}

/// `GET /appstore/repos/{repo}/charts/{file}`: a chart archive the index names (one of
/// another site's is fetched from it, with the repository's credentials).
pub async fn archive(
    State(state): State<ConsoleState>,
    Path((repo, file)): Path<(String, String)>,
) -> Response {
    let store = match served(&state) {
        Ok(store) => store,
        Err(refused) => return refused.into_response(),
    };
    match store.pool().archive(&repo, &file).await {
        Ok(archive) => ([(header::CONTENT_TYPE, "application/gzip")], archive).into_response(),
        Err(PoolError::NoRepository(_)) => no_repository(&repo),
        Err(PoolError::NoChart { .. }) => (
            StatusCode::NOT_FOUND,
            format!("the repository {repo:?} has no chart archive {file:?}"),
        )
            .into_response(),
        Err(error @ PoolError::Broken(..)) => {
            (StatusCode::BAD_GATEWAY, error.to_string()).into_response()
        }
    }
}

/// What the upload routes answer, as ChartMuseum answers: `{"error": …}` with a status.
fn upload_refusal(error: AppStoreError) -> Response {
    let status = match &error {
        AppStoreError::Exists(_) => StatusCode::CONFLICT,
        AppStoreError::Failed(_) => StatusCode::BAD_GATEWAY,
        AppStoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppStoreError::NotFound(_) | AppStoreError::NotEnabled(_) => StatusCode::NOT_FOUND,
        AppStoreError::Invalid(_) => StatusCode::BAD_REQUEST,
    };
    (status, Json(json!({"error": error.to_string()}))).into_response()
}

/// The App Store and the caller for an upload route of repository `repo`, or the refusal.
fn uploads_of(
    state: &ConsoleState,
    caller: Option<Extension<Caller>>,
    repo: &str,
) -> Result<(Arc<AppStore>, Requester), AppStoreError> {
    let store = served(state).map_err(|(_, why)| AppStoreError::NotEnabled(why.to_owned()))?;
    if repo != UPLOADS {
        return Err(AppStoreError::NotFound(format!(
            "charts are uploaded into the repository {UPLOADS:?}, not {repo:?}"
        )));
    }
    // The gate lets no request without a caller through; a console without one has no users.
    let (Some(federation), Some(Extension(Caller(user)))) = (&state.federation, caller) else {
        return Err(AppStoreError::Forbidden("log in first".to_owned()));
    };
    Ok((
        Arc::clone(store),
        Requester::here(federation.scope(Principal::User(user))),
    ))
}

/// What an upload's query may say: `force` replaces a version already there.
#[derive(Debug, Default, Deserialize)]
pub struct UploadQuery {
    force: Option<String>,
}

/// `POST /appstore/repos/uploads/api/charts`: a chart archive into the host's repository of
/// uploads, as ChartMuseum takes it (the body itself, or a multipart form's `chart` field).
pub async fn upload(
    State(state): State<ConsoleState>,
    Path(repo): Path<String>,
    Query(query): Query<UploadQuery>,
    caller: Option<Extension<Caller>>,
    request: Request,
) -> Response {
    // A browser posting the page's form itself (without script) is sent back to the page.
    let from_page = accepts_html(request.headers());
    let uploaded = async {
        let (store, requester) = uploads_of(&state, caller, &repo)?;
        let (archive, force) = read_archive(request)
            .await
            .map_err(AppStoreError::Invalid)?;
        store
            .upload_as(&requester, archive, force || query.force.is_some())
            .await
    };
    match (uploaded.await, from_page) {
        (Ok(chart), false) => (
            StatusCode::CREATED,
            Json(json!({"saved": true, "name": chart.name, "version": chart.version})),
        )
            .into_response(),
        (Err(error), false) => upload_refusal(error),
        (Ok(chart), true) => {
            Redirect::to(&upload_page_address(Ok((&chart.name, &chart.version)))).into_response()
        }
        (Err(error), true) => {
            Redirect::to(&upload_page_address(Err(&error.to_string()))).into_response()
        }
    }
}

/// Whether the request is a browser's own (a page's form sent without script): it takes HTML,
/// where Helm, curl and the page's script take anything.
pub(crate) fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The archive of an upload request — a multipart form's `chart` field, or the body — and
/// whether the form's `force` box was ticked.
async fn read_archive(request: Request) -> Result<(Vec<u8>, bool), String> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    if !multipart {
        return Bytes::from_request(request, &())
            .await
            .map(|body| (body.to_vec(), false))
            .map_err(|error| error.body_text());
    }
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|error| error.body_text())?;
    let (mut archive, mut force) = (None, false);
    while let Some(field) = form.next_field().await.map_err(|error| error.body_text())? {
        match field.name() {
            Some("chart") => {
                let bytes = field.bytes().await.map_err(|error| error.body_text())?;
                archive = Some(bytes.to_vec());
            }
            Some("force") => force = true,
            _ => {}
        }
    }
    archive
        .map(|archive| (archive, force))
        .ok_or_else(|| "the form has no field \"chart\" with the chart's archive".to_owned())
}

/// `DELETE /appstore/repos/uploads/api/charts/{name}/{version}`, as ChartMuseum takes it.
pub async fn delete_upload(
    State(state): State<ConsoleState>,
    Path((repo, name, version)): Path<(String, String, String)>,
    caller: Option<Extension<Caller>>,
) -> Response {
    let (store, requester) = match uploads_of(&state, caller, &repo) {
        Ok(found) => found,
        Err(refused) => return upload_refusal(refused),
    };
    match store.delete_upload_as(&requester, &name, &version).await {
        Ok(()) => Json(json!({"deleted": true})).into_response(),
        Err(error) => upload_refusal(error),
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
    request: Request,
) -> Response {
    let asked = Asked::of(&request, jiff::Timestamp::now());
    let headers = request.headers().clone();
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        Err(rejection) => return rejection.into_response(),
    };
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
    let name = user.name().to_owned();
    let requester = Requester::through_member(federation.scope(Principal::User(user)), &cluster);
    let response = match store.answer(&requester, call.clone()).await {
        Ok(answer) => Json(answer).into_response(),
        Err(error) => refusal(error),
    };
    // The member console records the call in its own log; the host records what it did.
    if let Some(log) = &state.audit {
        log.member_call(&asked, &cluster, &call, &name, response.status().as_u16());
    }
    response
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

    #[tokio::test]
    async fn uploads_go_only_to_the_repository_of_uploads_and_only_for_a_caller() {
        let (mut state, _) = test_state(ConsoleMode::Host);
        state.app_store = Some(store());
        let upload_to = |repo: &str| {
            upload(
                State(state.clone()),
                Path(repo.to_owned()),
                Query(UploadQuery::default()),
                None,
                Request::new(axum::body::Body::from("an archive")),
            )
        };
        let (status, body) = text(upload_to("builtin").await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            body.contains("charts are uploaded into the repository"),
            "{body}"
        );
        let (status, body) = text(upload_to(UPLOADS).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("log in first"), "{body}");
        // The page's form sent without script is sent back to the page with the refusal.
        let mut from_page = Request::new(axum::body::Body::from("an archive"));
        from_page
            .headers_mut()
            .insert(header::ACCEPT, "text/html".parse().unwrap());
        let refused = upload(
            State(state.clone()),
            Path(UPLOADS.to_owned()),
            Query(UploadQuery::default()),
            None,
            from_page,
        )
        .await;
        assert_eq!(refused.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            refused.headers()[header::LOCATION],
            "/appstore/repositories?upload_error=log%20in%20first"
        );
    }

    #[tokio::test]
    async fn another_sites_repository_is_served_with_its_archives_at_the_host() {
        let (mut state, _) = test_state(ConsoleMode::Host);
        let pool = Arc::new(Pool::builtin().unwrap());
        let catalogue = orbital_appstore::Catalogue::from_index(
            "apiVersion: v1\nentries:\n  redis:\n  - {apiVersion: v2, name: redis, version: 1.2.3, urls: [https://cdn.example.com/redis-1.2.3.tgz], digest: abc}\n",
        )
        .unwrap();
        pool.set_remote(
            "partner",
            orbital_appstore::RemoteRepository::new(
                "https://charts.example.com".to_owned(),
                None,
                catalogue,
            ),
        );
        let config = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
        let host = kube::Client::try_from(config).unwrap();
        state.app_store = Some(ConsoleAppStore::Host(Arc::new(AppStore::new(pool, host))));
        let (status, body) = text(index(State(state), Path("partner".to_owned())).await).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("- charts/redis-1.2.3.tgz"), "{body}");
        assert!(!body.contains("cdn.example.com"), "{body}");
        assert!(body.contains("digest: abc"), "{body}");
    }
}
