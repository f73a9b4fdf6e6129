//! The host's answer to an agent dialling in: the WebSocket upgrade of its HTTP request.

use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use hyper::upgrade::OnUpgrade;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// Why a request cannot become an agent connection.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    /// It is not a WebSocket upgrade (version 13) of a GET request.
    #[error("an agent connects with a WebSocket upgrade of a GET request")]
    NotWebSocket,
    /// The server gives no way to take the connection over.
    #[error("this connection cannot be upgraded")]
    NotUpgradable,
}

fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|value| {
        value.to_str().is_ok_and(|value| {
            value
                .split(',')
                .any(|part| part.trim().eq_ignore_ascii_case(token))
        })
    })
}

/// Accepts the WebSocket upgrade `request` asks for: the `101 Switching Protocols` answer to
/// send, and the connection, which is the agent's once that answer is sent.
pub fn upgrade<B>(request: &mut Request<B>) -> Result<(Response<()>, OnUpgrade), UpgradeError> {
    let headers = request.headers();
    let key = headers
        .get(header::SEC_WEBSOCKET_KEY)
        .ok_or(UpgradeError::NotWebSocket)?;
    let websocket = request.method() == Method::GET
        && has_token(headers, header::CONNECTION, "upgrade")
        && has_token(headers, header::UPGRADE, "websocket")
        && headers
            .get(header::SEC_WEBSOCKET_VERSION)
            .is_some_and(|version| version == "13");
    if !websocket {
        return Err(UpgradeError::NotWebSocket);
    }
    let accept = HeaderValue::from_str(&derive_accept_key(key.as_bytes()))
        .map_err(|_| UpgradeError::NotWebSocket)?;
    let connection = request
        .extensions_mut()
        .remove::<OnUpgrade>()
        .ok_or(UpgradeError::NotUpgradable)?;
    let mut response = Response::new(());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let answer = response.headers_mut();
    answer.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    answer.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    answer.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    Ok((response, connection))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(connection: &str, upgrade: &str) -> Request<()> {
        Request::get("/agent/connect/member-2")
            .header(header::CONNECTION, connection)
            .header(header::UPGRADE, upgrade)
            .header(header::SEC_WEBSOCKET_VERSION, "13")
            .header(header::SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
            .body(())
            .unwrap()
    }

    #[test]
    fn only_a_websocket_upgrade_is_accepted() {
        let mut plain = request("keep-alive", "h2c");
        assert!(matches!(
            upgrade(&mut plain),
            Err(UpgradeError::NotWebSocket)
        ));
        // Without a server that can hand the connection over, nothing is answered.
        let mut unservable = request("keep-alive, Upgrade", "WebSocket");
        assert!(matches!(
            upgrade(&mut unservable),
            Err(UpgradeError::NotUpgradable)
        ));
    }
}
