//! Orbital's web app: the Leptos components, pages and routes, the server functions behind
//! them, and the API types shared by the server and the browser.
//!
//! Compiled twice: with the `ssr` feature into the `orbital` server, which renders pages and
//! answers server functions, and with the `hydrate` feature into the browser bundle, which
//! takes over the server-rendered page.

pub mod api;
mod app;
#[cfg(feature = "ssr")]
mod audit_trail;
mod components;
#[cfg(feature = "ssr")]
mod context;
mod form_answer;
mod live;
mod mode;
mod pages;
mod shell;
mod url;
mod wait;

pub use app::App;
#[cfg(feature = "ssr")]
pub use audit_trail::AuditTrail;
pub use components::upload_page_address;
#[cfg(feature = "ssr")]
pub use context::{ConsoleAddress, ConsoleContext, Readiness};
pub use form_answer::FormAnswer;
pub use mode::ConsoleMode;
pub use shell::shell;

/// The name under which the browser bundle is built (`pkg/orbital.js`, `.wasm` and `.css`);
/// it must equal `name` in the workspace's `[[workspace.metadata.leptos]]`.
pub const BUNDLE_NAME: &str = "orbital";
