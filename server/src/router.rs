//! The HTTP surface of the console: probes, server functions, pages and static files.

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::Request;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{any, delete, get, post};
use leptos::config::LeptosOptions;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use orbital_app::{App, ConsoleContext, shell};
use orbital_federation::{Federation, Principal, Scope, proxy};
use orbital_iam::{Tenancy, TenancyScope};
use tower_http::trace::TraceLayer;

use crate::appstore;
use crate::audit::{self, AuditLog};
use crate::auth::{self, Auth, Caller};
use crate::kubeconfig;
use crate::{agents, form_answer, health, live, security};
use orbital_appstore::{ConsoleAppStore, MAX_CALL, MAX_UPLOAD};

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct ConsoleState {
    /// Where the browser bundle is and how pages reference it.
    pub leptos_options: LeptosOptions,
    /// The console's identity and readiness, also handed to server functions.
    pub console: ConsoleContext,
    /// What the console reaches its clusters with, once connected; reached only through the
    /// scope [`request_scope`] builds.
    pub federation: Option<Federation>,
    /// Who may log in, and who is calling; without it no request gets past the gate.
    pub auth: Option<Auth>,
    /// The users, grants and workspaces; reached only through the scope
    /// [`request_tenancy`] builds.
    pub tenancy: Option<Tenancy>,
    /// Whether the session cookie is marked `Secure` (users reach the console over HTTPS).
    pub secure_cookies: bool,
    /// Where changing requests are recorded.
    pub audit: Option<AuditLog>,
    /// The App Store: the pool this host console serves (with `--app-store`), or, on a
    /// member console, the way to its host's.
    pub app_store: Option<ConsoleAppStore>,
}

/// The scope of one request, for the caller the gate found: the one place where a request
/// gets its way to the clusters, for pages, server functions and the proxy alike. A request
/// without a caller gets none.
pub(crate) fn request_scope(
    federation: Option<&Federation>,
    caller: Option<&Caller>,
) -> Option<Scope> {
    let caller = caller?;
    federation.map(|federation| federation.scope(Principal::User(caller.0.clone())))
}

/// The tenancy of one request, for the caller the gate found.
fn request_tenancy(tenancy: Option<&Tenancy>, caller: Option<&Caller>) -> Option<TenancyScope> {
    Some(tenancy?.scope(caller?.0.name()))
}

impl FromRef<ConsoleState> for Option<Auth> {
    fn from_ref(state: &ConsoleState) -> Self {
        state.auth.clone()
    }
}

impl FromRef<ConsoleState> for LeptosOptions {
    fn from_ref(state: &ConsoleState) -> Self {
        state.leptos_options.clone()
    }
}

/// The page routes, listed once per process. Listing them renders the app with resource loading
/// suppressed process-wide for a moment; a page rendered in that moment would wait forever for
/// its data, so no router is handed out before the list exists.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The console's router.
pub fn app(state: ConsoleState) -> Router {
    let console = state.console.clone();
    let federation = state.federation.clone();
    let tenancy = state.tenancy.clone();
    let app_store = state.app_store.clone();
    let provide_console = move || {
        provide_context(console.clone());
        if let Some(store) = &app_store {
            provide_context(store.clone());
        }
        let caller = use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Caller>().cloned());
        if let Some(scope) = request_scope(federation.as_ref(), caller.as_ref()) {
            provide_context(scope);
        }
        if let Some(scope) = request_tenancy(tenancy.as_ref(), caller.as_ref()) {
            provide_context(scope);
        }
    };
    let leptos_options = state.leptos_options.clone();
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/oauth/token", post(auth::token))
        .route("/kubeconfig", post(kubeconfig::download))
        .route("/live/changes", get(live::changes))
        .route("/live/logs", get(live::logs))
        .route("/live/view", get(live::view))
        .route("/appstore/repos/{repo}/index.yaml", get(appstore::index))
        .route(
            "/appstore/repos/{repo}/charts/{file}",
            get(appstore::archive),
        )
        .route(
            "/appstore/repos/{repo}/api/charts",
            post(appstore::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD + 64 * 1024)),
        )
        .route(
            "/appstore/repos/{repo}/api/charts/{name}/{version}",
            delete(appstore::delete_upload),
        )
        // Only the API roots: the console's own pages live beside them under each cluster.
        .route("/clusters/{name}/api", any(cluster_api))
        .route("/clusters/{name}/api/{*path}", any(cluster_api))
        .route("/clusters/{name}/apis", any(cluster_api))
        .route("/clusters/{name}/apis/{*path}", any(cluster_api))
        .route("/clusters/{name}/version", any(cluster_api))
        .route("/clusters/{name}/openapi/{*path}", any(cluster_api))
        .leptos_routes_with_context(&state, page_routes(), provide_console.clone(), move || {
            shell(leptos_options.clone())
        })
        .fallback(file_and_error_handler_with_context::<ConsoleState, _>(
            provide_console,
            shell,
        ))
        // Inside the gate, so that each event names its caller.
        .layer(from_fn_with_state(state.audit.clone(), audit::record))
        .layer(from_fn_with_state(state.auth.clone(), auth::authenticate))
        // Inside the session layer, whose session it keeps the answer in.
        .layer(axum::middleware::from_fn(form_answer::carry));
    // Outside the gate, so that the gate finds the request's session.
    let router = match &state.auth {
        Some(auth) => router.layer(auth.session_layer(state.secure_cookies)),
        None => router,
    };
    router
        // Outside the gate: an agent's join token is its credential (`agents::connect`).
        .route("/agent/connect/{cluster}", get(agents::connect))
        // Outside the gate: a member console's credential at this host is its own
        // (`appstore::member_call`); the user it asks for is decided by their grants.
        .route(
            "/appstore/member/{cluster}",
            post(appstore::member_call).layer(DefaultBodyLimit::max(MAX_CALL)),
        )
        // Outside the gate: the replicas' shared token is the credential (`agents::relayed`).
        .route("/peer/clusters/{cluster}/{*path}", any(agents::relayed))
        .layer(axum::middleware::from_fn(security::guard))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `/clusters/{name}/...`: the Kubernetes API of one cluster, through the console. The path is
/// handed on as the client sent it, still encoded.
async fn cluster_api(State(state): State<ConsoleState>, request: Request<Body>) -> Response {
    let caller = request.extensions().get::<Caller>().cloned();
    match request_scope(state.federation.as_ref(), caller.as_ref()) {
        Some(scope) => scope.proxy(request).await,
        None => proxy::status_response(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "the console is still connecting to its clusters; try again shortly",
        ),
    }
}

/// A console's state with nothing connected, for tests of the handlers.
#[cfg(test)]
pub(crate) fn test_state(mode: orbital_app::ConsoleMode) -> (ConsoleState, orbital_app::Readiness) {
    let readiness = orbital_app::Readiness::default();
    let leptos_options = LeptosOptions::builder()
        .output_name(orbital_app::BUNDLE_NAME)
        .site_root("target/site")
        .build();
    let console = ConsoleContext::new(mode, readiness.clone());
    (
        ConsoleState {
            leptos_options,
            console,
            federation: None,
            auth: None,
            tenancy: None,
            secure_cookies: false,
            audit: None,
            app_store: None,
        },
        readiness,
    )
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode, header};
    use orbital_app::ConsoleMode;
    use tower::ServiceExt;

    use super::*;

    use super::test_state as state;

    async fn call(router: Router, request: Request<Body>) -> (StatusCode, String) {
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    fn get(uri: &str) -> Request<Body> {
        Request::get(uri).body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn healthz_answers_while_not_ready() {
        let (state, _) = state(ConsoleMode::Host);
        let (status, body) = call(app(state), get("/healthz")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "ok");
    }

    #[tokio::test]
    async fn readyz_follows_readiness() {
        let (state, readiness) = state(ConsoleMode::Host);
        let router = app(state);
        let (status, _) = call(router.clone(), get("/readyz")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        readiness.mark_ready();
        let (status, _) = call(router.clone(), get("/readyz")).await;
        assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "serving, but no cluster answers yet"
        );
        readiness.set_connected(true);
        let (status, _) = call(router.clone(), get("/readyz")).await;
        assert_eq!(status, StatusCode::OK);
        readiness.set_connected(false);
        let (status, _) = call(router.clone(), get("/readyz")).await;
        assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "the cluster stopped answering"
        );
        readiness.set_connected(true);
        readiness.mark_not_ready();
        let (status, _) = call(router, get("/readyz")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    }

    #[tokio::test]
    async fn the_login_page_is_rendered_on_the_server_with_the_mode() {
        let (state, _) = state(ConsoleMode::Member);
        let (status, body) = call(app(state), get("/login?next=/pods")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Orbital"), "{body}");
        assert!(body.contains("member mode"), "{body}");
        assert!(body.contains("/pkg/orbital.js"), "{body}");
        assert!(body.contains(r#"action="/login""#), "{body}");
        assert!(
            body.contains(r#"name="next" value="/pods""#),
            "the page to go on to is in the form, also without JavaScript: {body}"
        );
        assert!(
            !body.contains(r#"class="side-nav""#),
            "no navigation before logging in"
        );
    }

    #[tokio::test]
    async fn pages_carry_a_policy_with_their_nonce_and_cross_site_posts_are_refused() {
        let (state, _) = state(ConsoleMode::Host);
        let router = app(state);
        let response = router.clone().oneshot(get("/login")).await.unwrap();
        let headers = response.headers().clone();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        let nonce = body
            .split("nonce=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        assert!(policy.contains(&format!("'nonce-{nonce}'")), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

        let probe = router.clone().oneshot(get("/healthz")).await.unwrap();
        assert!(
            probe.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );

        let cross_site = Request::post("/login")
            .header(header::HOST, "console.test")
            .header(header::ORIGIN, "http://evil.test")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("username=admin&password=x"))
            .unwrap();
        let (status, _) = call(router, cross_site).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn without_a_caller_pages_go_to_the_login_and_the_rest_is_401() {
        let (state, readiness) = state(ConsoleMode::Member);
        readiness.mark_ready();
        readiness.set_connected(true);
        let router = app(state);
        for (path, next) in [
            ("/", "/"),
            ("/pods?namespace=demo", "/pods%3Fnamespace%3Ddemo"),
            ("/no/such/page", "/no/such/page"),
        ] {
            let response = router.clone().oneshot(get(path)).await.unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
            assert_eq!(
                response.headers()[header::LOCATION],
                format!("/login?next={next}").as_str()
            );
        }
        let post = Request::post("/api/console/status")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::empty())
            .unwrap();
        let (status, _) = call(router.clone(), post).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body) = call(router, get("/clusters/own/api/v1/pods")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(answer["kind"], "Status");
        assert_eq!(answer["reason"], "Unauthorized");
    }
}
