//! The elements a selector finds, for the islands that work on the
//! server-rendered page around them (browser only).

use wasm_bindgen::JsCast;

/// Every element under `root` (the document when `None`) that `selector`
/// matches and that is a `T` (`web_sys::Element`, `HtmlElement`, …).
pub fn all<T: JsCast>(root: Option<&web_sys::Element>, selector: &str) -> Vec<T> {
    let found = match root {
        Some(root) => root.query_selector_all(selector),
        None => leptos::prelude::document().query_selector_all(selector),
    };
    let Ok(found) = found else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|index| found.item(index))
        .filter_map(|node| node.dyn_into::<T>().ok())
        .collect()
}
