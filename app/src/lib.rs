//! The Tenantry web application: routes, pages and the server functions they
//! call. The `ssr` feature adds the server side (`backend`); the `hydrate`
//! feature builds the browser bundle.

pub mod api;
pub mod components;
pub mod error;
pub mod ids;
pub mod model;
pub mod pages;
pub mod root;
pub mod timestamp;

#[cfg(feature = "ssr")]
pub mod backend;

pub use root::{shell, App};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are server-rendered HTML; only the islands in them (forms,
    // buttons, live progress) become interactive, so the browser downloads
    // the code of those alone.
    leptos::mount::hydrate_islands();
}
