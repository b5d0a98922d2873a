//! A file input for credentials: the browser reads the chosen file and a
//! hidden field sends it base64-encoded with the rest of the form, so
//! uploads go through the same server functions as typed fields. The form
//! around it shows its error (`data-error-for`); `error` is the one the
//! server rendered.

use leptos::prelude::*;

/// A file input whose file is sent as `form[<name>]`, base64-encoded.
#[island]
pub fn FileField(
    label: String,
    name: String,
    accept: String,
    hint: String,
    error: Option<String>,
) -> impl IntoView {
    let id = format!("file-{name}");
    let target = RwSignal::new(String::new());
    view! {
        <div class="field">
            <input type="hidden" name=format!("form[{name}]") prop:value=target/>
            <label for=id.clone()>{label}</label>
            <p class="hint">{hint}</p>
            <input id=id.clone() type="file" accept=accept data-field=name.clone()
                aria-invalid=error.as_ref().map(|_| "true") aria-describedby=format!("{id}-error")
                on:change=move |event| read_file(event, target)/>
            <p class="field-error" id=format!("{id}-error") data-error-for=name>{error}</p>
        </div>
    }
}

/// Reads the chosen file into `target` as base64; an emptied input clears it.
fn read_file(event: leptos::ev::Event, target: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use base64::Engine;
        let input: web_sys::HtmlInputElement = event_target(&event);
        match input.files().and_then(|files| files.get(0)) {
            Some(file) => leptos::task::spawn_local(async move {
                if let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await
                {
                    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                    target.set(base64::engine::general_purpose::STANDARD.encode(bytes));
                }
            }),
            None => target.set(String::new()),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (event, target);
}
