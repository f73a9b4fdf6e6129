//! The browser entry point: hydrates the page the server rendered.
//!
//! Everything lives behind `target_arch = "wasm32"`, so native workspace builds see an empty
//! crate and never enable the app's `hydrate` feature next to the server's `ssr`.

/// Called by the hydration script once the WASM bundle has loaded.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(orbital_app::App);
}
