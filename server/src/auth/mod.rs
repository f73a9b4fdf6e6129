//! Who is calling: a session for browsers, a bearer token for tools. The gate
//! ([`authenticate`]) runs before every route but the public ones and hands the caller on in
//! the request's extensions; the router builds the request's scope from nothing else.

mod limiter;
mod login;
mod oauth;
mod store;

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Extensions, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use orbital_federation::{User, proxy};
use orbital_iam::credentials::{CredentialKind, Credentials, bearer_token, unix_now};
use orbital_iam::{Account, Directory};
use orbital_lease::{Leadership, while_leading};

use crate::appstore::REPOSITORY_PATHS;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

pub use login::{login, logout};
pub use oauth::token;

use limiter::Limiter;
use store::SecretStore;

/// The session key of the user's name.
const USER_KEY: &str = "user";
/// The session key of the user's credential (changes with their password).
const CREDENTIAL_KEY: &str = "credential";
/// The session key of when the session began, in Unix seconds.
const CREATED_KEY: &str = "created";
/// The session key of when the session was last used, in Unix seconds (kept to the minute).
const SEEN_KEY: &str = "seen";

/// A session unused this long ends.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60 * 60);
/// A session ends this long after login, used or not.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::from_secs(12 * 60 * 60);
/// How long a token from `/oauth/token` lasts.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);
/// How often ended sessions and tokens are deleted.
const CLEANUP_INTERVAL: Duration = Duration::from_secs(10 * 60);
/// The session cookie's name.
const COOKIE_NAME: &str = "orbital_session";

/// Deletes ended sessions and tokens every [`CLEANUP_INTERVAL`], until aborted.
async fn clean_up(credentials: Credentials) {
    let mut ticker = tokio::time::interval(CLEANUP_INTERVAL);
    loop {
        ticker.tick().await;
        match credentials.delete_expired().await {
            Ok(0) => {}
            Ok(count) => tracing::debug!("deleted {count} ended sessions and tokens"),
            Err(error) => tracing::warn!("cannot delete ended sessions: {error}"),
        }
    }
}

/// Paths anyone may reach: probes, logging in, the browser bundle and the icon. Static files
/// sit two segments deep, since any one-segment path is a kind's page (`/pods`).
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/healthz" | "/readyz" | "/login" | "/logout" | "/oauth/token"
    ) || path.starts_with("/pkg/")
        || path.starts_with("/icons/")
}

struct Inner {
    directory: Directory,
    credentials: Credentials,
    limiter: Limiter,
}

/// Logging in and recognising callers. Cheap to clone.
#[derive(Clone)]
pub struct Auth(Arc<Inner>);

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Auth({:?})", self.0.directory)
    }
}

/// The logged-in caller of a request, as the gate found them.
#[derive(Clone, Debug)]
pub struct Caller(pub User);

impl Auth {
    /// Recognises callers from `directory`, keeping sessions and tokens in the cluster `client`
    /// reaches; ended ones are deleted in the background while `leadership` leads.
    pub fn new(directory: Directory, client: kube::Client, leadership: &Leadership) -> Self {
        let credentials = Credentials::new(client);
        let cleaner = credentials.clone();
        while_leading(
            leadership.clone(),
            "the clean-up of ended sessions and tokens",
            move || tokio::spawn(clean_up(cleaner.clone())),
        );
        Self(Arc::new(Inner {
            directory,
            credentials,
            limiter: Limiter::default(),
        }))
    }

    /// The session layer: cookies `HttpOnly` and `SameSite=Lax`, `Secure` when asked.
    pub fn session_layer(&self, secure: bool) -> SessionManagerLayer<SecretStore> {
        SessionManagerLayer::new(SecretStore(self.0.credentials.clone()))
            .with_name(COOKIE_NAME)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure)
            .with_expiry(Expiry::OnInactivity(
                tower_sessions::cookie::time::Duration::seconds(
                    i64::try_from(IDLE_TIMEOUT.as_secs()).unwrap_or(i64::MAX),
                ),
            ))
    }

    /// The account `name` if it may act now: it exists, is not disabled, and still has the
    /// password `credential` was taken from.
    fn active(&self, name: &str, credential: &str) -> Option<Account> {
        self.0
            .directory
            .account(name)
            .filter(|account| !account.disabled && account.credential() == credential)
    }

    /// Checks a login attempt of `username` with `password` from `client`: refused while too
    /// many attempts failed lately, and counted and logged when it fails. An unknown user takes
    /// as long as a wrong password.
    async fn check_login(
        &self,
        username: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<Account, Refusal> {
        if let Some(wait) = self.0.limiter.wait(username, client, Instant::now()) {
            tracing::warn!(user = username, client = ?client, "login refused: too many failed attempts");
            return Err(Refusal::Limited(wait));
        }
        let account = self.0.directory.account(username);
        let checked = {
            let account = account.clone();
            let password = password.to_owned();
            tokio::task::spawn_blocking(move || match &account {
                Some(account) => account.check_password(&password),
                None => orbital_iam::password::verify(&password, &UNKNOWN_USER_HASH),
            })
            .await
            .unwrap_or(false)
        };
        match account {
            Some(account) if checked && !account.disabled => Ok(account),
            _ => {
                self.0.limiter.failed(username, client, Instant::now());
                tracing::warn!(user = username, client = ?client, "failed login");
                Err(Refusal::Wrong)
            }
        }
    }

    /// Issues `user` a token named `name` lasting `lifetime`, if they may act now; `None` if
    /// not or if it could not be recorded (which is logged).
    pub async fn issue_token(&self, user: &str, name: &str, lifetime: Duration) -> Option<String> {
        let account = self.0.directory.account(user).filter(|a| !a.disabled)?;
        match self
            .0
            .credentials
            .issue_token(&account, name, lifetime)
            .await
        {
            Ok((token, _)) => Some(token),
            Err(error) => {
                tracing::warn!("cannot record a token: {error}");
                None
            }
        }
    }

    /// The user `name` as a caller, if they may act now: for a member console asking on the
    /// behalf of a user it logged in (from its copies of this host's users).
    pub fn caller_named(&self, name: &str) -> Option<Caller> {
        let account = self.0.directory.account(name).filter(|a| !a.disabled)?;
        Some(self.caller(&account))
    }

    fn caller(&self, account: &Account) -> Caller {
        Caller(User::new(&account.name, self.0.directory.policy()))
    }

    /// The caller a bearer token stands for, if it is valid.
    async fn token_holder(&self, token: &str) -> Result<Option<Caller>, Unavailable> {
        let stored = self
            .0
            .credentials
            .get(CredentialKind::Token, token)
            .await
            .map_err(|error| Unavailable::log(&error))?;
        Ok(stored.and_then(|stored| {
            self.active(&stored.user, stored.credential())
                .map(|account| self.caller(&account))
        }))
    }

    /// The caller a session stands for, if it is valid; an ended or invalid one is flushed.
    async fn session_holder(&self, session: &Session) -> Result<Option<Caller>, Unavailable> {
        let read = async {
            let user: Option<String> = session.get(USER_KEY).await?;
            let credential: Option<String> = session.get(CREDENTIAL_KEY).await?;
            let created: Option<i64> = session.get(CREATED_KEY).await?;
            let seen: Option<i64> = session.get(SEEN_KEY).await?;
            Ok::<_, tower_sessions::session::Error>((user, credential, created, seen))
        };
        let (Some(user), Some(credential), Some(created), seen) =
            read.await.map_err(|error| Unavailable::log(&error))?
        else {
            return Ok(None);
        };
        let now = unix_now();
        let within = |since: i64, limit: Duration| {
            now.saturating_sub(since) < i64::try_from(limit.as_secs()).unwrap_or(i64::MAX)
        };
        let account = self.active(&user, &credential);
        let alive =
            within(created, ABSOLUTE_TIMEOUT) && within(seen.unwrap_or(created), IDLE_TIMEOUT);
        let Some(account) = account.filter(|_| alive) else {
            session
                .flush()
                .await
                .map_err(|error| Unavailable::log(&error))?;
            return Ok(None);
        };
        // Written back at most once a minute, which keeps the session from idling out.
        if seen.is_none_or(|seen| now - seen >= 60) {
            session
                .insert(SEEN_KEY, now)
                .await
                .map_err(|error| Unavailable::log(&error))?;
        }
        Ok(Some(self.caller(&account)))
    }
}

/// Why a login attempt was refused.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// Too many attempts failed lately: try again after this long.
    Limited(Duration),
    /// The user, the password or both are wrong, or the user is disabled.
    Wrong,
}

impl Refusal {
    /// The 429 of a limited attempt, saying when to try again.
    fn too_many(wait: Duration) -> Response {
        let seconds = wait.as_secs().max(1);
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, seconds.to_string())],
            format!("too many failed logins: try again in {seconds} s"),
        )
            .into_response()
    }
}

/// A hash no password matches in practice, checked for unknown users so that they take as long
/// as known ones.
static UNKNOWN_USER_HASH: LazyLock<String> = LazyLock::new(|| {
    orbital_iam::password::hash(&orbital_iam::credentials::new_key("")).unwrap_or_default()
});

/// The console cannot tell who is calling now: its cluster failed.
#[derive(Debug)]
struct Unavailable;

impl Unavailable {
    fn log(error: &dyn std::fmt::Display) -> Self {
        tracing::warn!("cannot read sessions or tokens from the console's cluster: {error}");
        Self
    }
}

/// The client's address, when the server recorded it.
pub(crate) fn client_address(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

/// The gate: lets public paths through, finds the caller of every other request (a bearer token
/// first, else the session) and hands them on, or answers as the path's client expects: a
/// Kubernetes `Status` for the proxy, 401 for server functions, a redirect to the login page
/// for pages.
pub async fn authenticate(
    State(auth): State<Option<Auth>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if is_public(&path) {
        return next.run(request).await;
    }
    let Some(auth) = auth else {
        return unauthenticated(&request);
    };
    // Helm's clients send Basic credentials to the App Store's repositories.
    if path.starts_with(REPOSITORY_PATHS)
        && let Some((username, password)) = basic_credentials(request.headers())
    {
        let client = client_address(request.extensions());
        return match auth.check_login(&username, &password, client).await {
            Ok(account) => {
                request.extensions_mut().insert(auth.caller(&account));
                next.run(request).await
            }
            Err(Refusal::Limited(wait)) => Refusal::too_many(wait),
            Err(Refusal::Wrong) => basic_challenge("the username or password is wrong"),
        };
    }
    let found = match bearer_token(request.headers()) {
        Some(token) => auth.token_holder(token).await,
        None => match request.extensions().get::<Session>().cloned() {
            Some(session) => auth.session_holder(&session).await,
            None => Ok(None),
        },
    };
    match found {
        Ok(Some(caller)) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Ok(None) => unauthenticated(&request),
        Err(Unavailable) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the console cannot check who you are right now; try again shortly",
        )
            .into_response(),
    }
}

/// The user name and password of an HTTP Basic `Authorization` header.
fn basic_credentials(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let (username, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((username.trim().to_owned(), password.to_owned()))
}

/// A 401 asking for Basic credentials, as Helm's clients expect from a repository.
fn basic_challenge(message: &'static str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            "Basic realm=\"Orbital App Store\"",
        )],
        message,
    )
        .into_response()
}

fn unauthenticated(request: &Request) -> Response {
    let path = request.uri().path();
    if path.starts_with(REPOSITORY_PATHS) {
        return basic_challenge("log in first: give helm --username and --password");
    }
    if path.starts_with("/clusters/") {
        return proxy::status_response(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "log in first: send a token from /oauth/token as a bearer token",
        );
    }
    if path.starts_with("/api/") {
        return (StatusCode::UNAUTHORIZED, "log in first").into_response();
    }
    let next = request.uri().path_and_query().map_or("/", |p| p.as_str());
    Redirect::to(&format!("/login?next={}", encode_component(next))).into_response()
}

/// `text` percent-encoded for a query value.
fn encode_component(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Where to go after logging in: only a path on this console, never another site.
fn safe_next(next: Option<&str>) -> &str {
    next.filter(|next| next.starts_with('/') && !next.starts_with("//") && !next.contains('\\'))
        .unwrap_or("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_console_are_followed_after_login() {
        assert_eq!(safe_next(Some("/clusters?x=1")), "/clusters?x=1");
        for next in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
        ] {
            assert_eq!(safe_next(Some(next)), "/", "{next}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn a_next_path_is_encoded_into_the_login_link() {
        assert_eq!(
            encode_component("/pods?cluster=a&x=b c"),
            "/pods%3Fcluster%3Da%26x%3Db%20c"
        );
    }
}
