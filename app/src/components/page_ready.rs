//! The island every page ends with. It runs after the page's other islands
//! are awake: it puts the page's dates in the reader's terms ("3 hours
//! ago", from the reader's own clock) and marks the page interactive, so
//! browser tests and support staff can tell a live page from its HTML.

use leptos::prelude::*;

#[island]
pub fn PageReady() -> impl IntoView {
    // Effects run only in the browser.
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        {
            show_times_relative();
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        }
    });
}

#[cfg(feature = "hydrate")]
fn show_times_relative() {
    use crate::components::relative_time::relative;
    for time in crate::components::dom::all::<web_sys::Element>(None, "time[data-relative]") {
        let at = time
            .get_attribute("datetime")
            .map(|datetime| js_sys::Date::parse(&datetime))
            .filter(|at| !at.is_nan());
        if let Some(at) = at {
            let seconds = ((at - js_sys::Date::now()) / 1000.0).round() as i64;
            time.set_text_content(Some(&relative(seconds)));
        }
    }
}
