//! Query parameters of resource requests.

use std::collections::HashMap;
use std::time::Duration;

use super::ApiError;

/// The query parameters the sandbox understands; others are ignored, as a real server does.
#[derive(Clone, Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
}

impl Params {
    /// Parses a URL query string.
    pub fn parse(query: Option<&str>) -> Self {
        let values = query
            .map(|q| {
                form_urlencoded_pairs(q)
                    .into_iter()
                    .collect::<HashMap<String, String>>()
            })
            .unwrap_or_default();
        Self { values }
    }

    /// A parameter's raw value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A boolean flag: `1` or `true`.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("1" | "true" | "True"))
    }

    /// A non-negative integer parameter.
    pub fn number(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| ApiError::BadRequest(format!("invalid value for {name}: {v:?}")))
            })
            .transpose()
    }

    /// `watch=1`.
    pub fn watch(&self) -> bool {
        self.flag("watch")
    }

    /// `dryRun=All`.
    pub fn dry_run(&self) -> Result<bool, ApiError> {
        match self.get("dryRun") {
            None => Ok(false),
            Some("All") => Ok(true),
            Some(other) => Err(ApiError::BadRequest(format!(
                "dryRun: Unsupported value: {other:?}: supported values: \"All\""
            ))),
        }
    }

    /// `timeoutSeconds`, for watches.
    pub fn timeout(&self) -> Result<Option<Duration>, ApiError> {
        Ok(self.number("timeoutSeconds")?.map(Duration::from_secs))
    }

    /// `limit`; zero means no limit.
    pub fn limit(&self) -> Result<Option<usize>, ApiError> {
        Ok(self
            .number("limit")?
            .filter(|limit| *limit > 0)
            .map(|limit| usize::try_from(limit).unwrap_or(usize::MAX)))
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs.
fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => decoded.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        decoded.push(byte);
                        index += 2;
                    }
                    None => decoded.push(b'%'),
                }
            }
            byte => decoded.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_selectors_and_flags() {
        let params = Params::parse(Some(
            "labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&watch=1&limit=500&dryRun=All&x=%",
        ));
        assert_eq!(params.get("labelSelector"), Some("app=web,tier in (a,b)"));
        assert!(params.watch());
        assert_eq!(params.limit().unwrap(), Some(500));
        assert!(params.dry_run().unwrap());
        assert_eq!(params.get("x"), Some("%"));
        assert!(Params::parse(Some("limit=ten")).limit().is_err());
        assert_eq!(Params::parse(Some("limit=0")).limit().unwrap(), None);
    }
}
