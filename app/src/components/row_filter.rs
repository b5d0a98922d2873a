//! A search box that narrows a server-rendered table as one types. Rows
//! carry their searchable text in `data-search` (lower case); the table
//! itself is plain HTML, so only this box is code in the browser.

use leptos::prelude::*;

#[island]
pub fn RowFilter(
    input_id: String,
    label: String,
    placeholder: String,
    table_id: String,
    total: usize,
) -> impl IntoView {
    let shown = RwSignal::new(total);
    let narrow = move |event: leptos::ev::Event| {
        let needle = event_target_value(&event).trim().to_lowercase();
        shown.set(hide_rows_without(&table_id, &needle).unwrap_or(total));
    };
    view! {
        <div class="field inline">
            <label for=input_id.clone()>{label}</label>
            <input id=input_id type="search" placeholder=placeholder on:input=narrow/>
        </div>
        <p class="muted" role="status">{move || format!("Showing {} of {}", shown.get(), total)}</p>
    }
}

/// Hides the rows of `table_id` whose text lacks `needle`; the number left.
#[cfg(feature = "hydrate")]
fn hide_rows_without(table_id: &str, needle: &str) -> Option<usize> {
    let rows =
        crate::components::dom::all::<web_sys::HtmlElement>(None, &format!("#{table_id} tbody tr"));
    let mut shown = 0;
    for row in rows {
        let matches = row
            .get_attribute("data-search")
            .is_some_and(|text| text.contains(needle));
        row.set_hidden(!matches);
        shown += usize::from(matches);
    }
    Some(shown)
}

#[cfg(not(feature = "hydrate"))]
fn hide_rows_without(_: &str, _: &str) -> Option<usize> {
    None
}
