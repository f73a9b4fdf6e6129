//! The answer to a form sent without script: the server function's output, kept by the server
//! for the one page the browser is sent back to, which shows what was done.

use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

use crate::api::{CreateToken, JoinThroughAgent};

/// A server function's answer to a form post, carried from the post to the page rendered next.
/// Kept in the session on the server, so it is made only through [`FormAnswer::new`], which
/// refuses the answers that carry a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormAnswer {
    /// The server function's path (`/api/users/create`).
    function: String,
    /// Its output, as the server function encodes it (JSON).
    output: String,
}

impl FormAnswer {
    /// Whether the answer of the server function at `function` may be kept for the next page:
    /// not a new token nor an agent's instructions, which hold a secret that must never be
    /// stored; their forms are islands that show it from script.
    pub fn may_keep(function: &str) -> bool {
        ![CreateToken::PATH, JoinThroughAgent::PATH].contains(&function)
    }

    /// The answer `output` of the server function at `function`, unless it may not be kept.
    pub fn new(function: String, output: String) -> Option<Self> {
        Self::may_keep(&function).then_some(Self { function, output })
    }

    /// The output, when this answers the server function at `function`.
    pub fn output_of<T: serde::de::DeserializeOwned>(&self, function: &str) -> Option<T> {
        (self.function == function)
            .then(|| serde_json::from_str(&self.output).ok())
            .flatten()
    }
}

/// The output of the server function `S` to a form posted just before this page, if the page
/// is rendered right after one (server side; the browser never has it).
pub(crate) fn answered<S>() -> Option<S::Output>
where
    S: ServerFn,
    S::Output: serde::de::DeserializeOwned,
{
    #[cfg(feature = "ssr")]
    let answer = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<FormAnswer>().cloned());
    #[cfg(not(feature = "ssr"))]
    let answer = None::<FormAnswer>;
    answer.and_then(|answer| answer.output_of(S::PATH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_read_only_by_its_own_function() {
        let answer = FormAnswer::new("/api/users/create".into(), "\"ada\"".into()).unwrap();
        assert_eq!(
            answer.output_of::<String>("/api/users/create").as_deref(),
            Some("ada")
        );
        assert_eq!(answer.output_of::<String>("/api/users/delete"), None);
        assert_eq!(answer.output_of::<u32>("/api/users/create"), None);
    }

    #[test]
    fn an_answer_holding_a_secret_is_never_kept() {
        let token = r#"{"token":"orbital-token-0123","summary":{}}"#.to_owned();
        assert_eq!(FormAnswer::new(CreateToken::PATH.into(), token), None);
        assert_eq!(
            FormAnswer::new(JoinThroughAgent::PATH.into(), "{}".into()),
            None
        );
        assert!(FormAnswer::may_keep("/api/users/create"));
    }
}
