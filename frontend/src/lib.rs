//! The browser entry point: brings the islands of the page the server rendered to life; the
//! rest of the page is plain HTML.
//!
//! Everything lives behind `target_arch = "wasm32"`, so native workspace builds see an empty
//! crate and never enable the app's `hydrate` feature next to the server's `ssr`.

// The islands are the app's exported functions, which the hydration script calls by name: the
// app must be linked in though nothing here names it.
#[cfg(target_arch = "wasm32")]
extern crate orbital_app;

/// Called by the hydration script once the WASM bundle has loaded, before the islands are
/// hydrated one by one in document order.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
