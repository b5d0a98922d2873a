//! The two addresses a customer's admin passes through when granting
//! consent: Tenantry's link, which goes on to Microsoft, and the callback
//! Microsoft sends the admin back to. Both are public: the link's token
//! (Microsoft's `state`) is the only credential.

use app::backend::checks::consent;
use app::backend::Backend;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::evaluation::Status;
use serde::Deserialize;

pub async fn start(State(backend): State<Backend>, Path(token): Path<String>) -> Response {
    match consent::open(&backend, &token).await {
        Ok(microsoft) => Redirect::to(&microsoft).into_response(),
        Err(error) => page(
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::GONE),
            "This consent link cannot be used",
            &error.to_string(),
        ),
    }
}

/// What Microsoft sends back: `admin_consent=True&tenant=…&state=…`, or
/// `error=…&error_description=…&state=…` when consent was not granted.
#[derive(Deserialize)]
pub struct Answer {
    state: Option<String>,
    admin_consent: Option<String>,
    error: Option<String>,
}

pub async fn callback(State(backend): State<Backend>, Query(answer): Query<Answer>) -> Response {
    let Some(state) = answer.state else {
        return page(
            StatusCode::BAD_REQUEST,
            "Nothing to record",
            "This address is where Microsoft sends you back after granting consent.",
        );
    };
    let granted = answer
        .admin_consent
        .is_some_and(|value| value.eq_ignore_ascii_case("true"))
        && answer.error.is_none();
    match consent::answered(&backend, &state, granted).await {
        Ok(Some(status)) => page(StatusCode::OK, "Thank you", &checked(status)),
        Ok(None) if granted => page(
            StatusCode::OK,
            "Thank you",
            "Consent is recorded; Tenantry checks the registration again in a moment.",
        ),
        Ok(None) => page(
            StatusCode::OK,
            "Consent was not granted",
            &format!(
                "Microsoft answered {}. Nothing was changed; you can open the link again.",
                error_code(answer.error.as_deref())
            ),
        ),
        Err(error) => page(
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::GONE),
            "This consent link cannot be used",
            &error.to_string(),
        ),
    }
}

fn checked(status: Status) -> String {
    match status {
        Status::Healthy => "Consent is granted and Tenantry checked the registration: it works.".into(),
        Status::CouldNotCheck => "Consent is recorded, but Microsoft could not be reached to check it; Tenantry tries again shortly.".into(),
        other => format!(
            "Consent is recorded. Tenantry checked the registration and found it {}: your IT provider sees what is left to fix.",
            other.label().to_lowercase()
        ),
    }
}

/// Microsoft's error code, shown only when it looks like one: the query
/// string is anyone's to write.
fn error_code(code: Option<&str>) -> &str {
    match code {
        Some(code)
            if !code.is_empty()
                && code.len() <= 64
                && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            code
        }
        _ => "with an error",
    }
}

/// A small page of fixed text; `title` and `message` never carry input.
fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Tenantry</title><link rel=\"stylesheet\" href=\"/pkg/tenantry.css\"></head>\
         <body><main class=\"narrow\"><section class=\"card\"><h1>{title}</h1><p role=\"status\">{message}</p>\
         </section></main></body></html>"
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}
