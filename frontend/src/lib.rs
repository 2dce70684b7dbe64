//! The wasm entry point: hydrate the server-rendered page.

// Release builds keep the full view types (no `erase_components`); the deepest pages need more
// than the default 128 levels to lay them out.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
