//! A copy-to-clipboard button for IDs, permission names and scripts.

use leptos::prelude::*;

/// Copies `text`; `what` names it for screen readers ("Copy Mail.Send").
#[island]
pub fn CopyButton(text: String, what: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let label = format!("Copy {what}");
    view! {
        <button type="button" class="secondary small" aria-label=label
            on:click=move |_| {
                copy_to_clipboard(&text);
                copied.set(true);
            }>
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}

/// Click handlers only ever run in the browser; the server build has no clipboard.
fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}
