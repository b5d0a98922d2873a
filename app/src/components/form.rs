use crate::error::AppError;
use leptos::prelude::*;

/// The address a form posts to for the server function `S`.
pub fn endpoint<S: leptos::server_fn::ServerFn>() -> String {
    S::PATH.to_owned()
}

/// The page again, without an error an earlier plain post left in its
/// address.
pub fn reload_page() {
    #[cfg(feature = "hydrate")]
    if let Ok(href) = window().location().href() {
        open_within_tenantry(&href);
    }
}

/// Opens `to` (an address the server or a form named), but only on
/// Tenantry's own origin: an answer can never send the browser elsewhere.
/// An error left in the address by a plain post (`__err`) is dropped.
pub fn open_within_tenantry(to: &str) {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let Ok(origin) = location.origin() else {
            return;
        };
        let Ok(url) = web_sys::Url::new_with_base(to, &origin) else {
            return;
        };
        if url.origin() != origin {
            return;
        }
        url.search_params().delete("__err");
        url.search_params().delete("__path");
        let _ = location.replace(&url.href());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = to;
}

/// The latest error of a server action, if its last run failed.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|result| result.err()))
}

/// The error not tied to one of `fields`, in an alert region that screen
/// readers announce.
#[component]
pub fn FormError(
    error: Signal<Option<AppError>>,
    fields: &'static [&'static str],
) -> impl IntoView {
    let message = move || {
        error
            .get()
            .filter(|error| !fields.iter().any(|field| error.for_field(field).is_some()))
            .map(|error| error.to_string())
    };
    // Always in the page, so a form sent in the background can fill it
    // (`post_form.rs`).
    view! {
        <p class="form-error" role="alert" data-form-error="" hidden=move || message().is_none()>{message}</p>
    }
}

/// A labelled input with its hint and its own error message, linked by
/// aria-describedby. Values typed stay in place when the server refuses them.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    /// Tells apart two forms on one page that ask for the same field.
    #[prop(optional)]
    form: Option<&'static str>,
) -> impl IntoView {
    let id = match form {
        Some(form) => format!("field-{form}-{name}"),
        None => format!("field-{name}"),
    };
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let message = move || error.get().and_then(|error| error.for_field(name));
    // The error's place is always named: a form sent in the background
    // fills it without drawing the field again.
    let described_by = match hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=true
                data-field=name
                aria-invalid=move || message().map(|_| "true")
                aria-describedby=described_by
            />
            <p class="field-error" id=error_id data-error-for=name>{message}</p>
        </div>
    }
}
