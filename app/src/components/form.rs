use crate::error::AppError;
use leptos::prelude::*;

/// The address a form posts to for the server function `S`.
pub fn endpoint<S: leptos::server_fn::ServerFn>() -> String {
    S::PATH.to_owned()
}

/// The path of the server function `S`, for calls from an island.
pub fn path<S: leptos::server_fn::ServerFn>() -> &'static str {
    S::PATH
}

/// The page again, without an error an earlier plain post left in its
/// address.
pub fn reload_page() {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else {
            return;
        };
        let kept: Vec<String> = search
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| {
                !pair.is_empty() && !pair.starts_with("__err=") && !pair.starts_with("__path=")
            })
            .map(str::to_owned)
            .collect();
        let address = if kept.is_empty() {
            path
        } else {
            format!("{path}?{}", kept.join("&"))
        };
        let _ = location.replace(&address);
    }
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
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let message = move || error.get().and_then(|error| error.for_field(name));
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
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
