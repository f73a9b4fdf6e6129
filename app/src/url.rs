//! Page addresses as the console writes them.

/// Percent-encodes a query value or a path segment.
pub(crate) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Sends the browser to `href`: a full page load, since pages are rendered on the server and
/// only their islands run in the browser.
pub(crate) fn go_to(href: &str) {
    #[cfg(feature = "hydrate")]
    let _ = leptos::prelude::window().location().set_href(href);
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}
