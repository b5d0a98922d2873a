//! The admin-consent endpoint: `GET /{tenant}/adminconsent?client_id=…&state=…
//! [&redirect_uri=…]` shows a consent prompt; accepting it (POST) grants the
//! app's requested application permissions and, when a redirect URI was
//! given and is one of the app's, sends the admin back with
//! `admin_consent=True&tenant=…&state=…`. Declining sends back
//! `error=access_denied`. A redirect URI the app does not have is refused
//! before anything is granted, as Microsoft does (AADSTS50011).

use crate::{admin, now, Shared};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Request {
    client_id: String,
    state: Option<String>,
    redirect_uri: Option<String>,
}

#[derive(Deserialize)]
pub struct Decision {
    decision: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The app the request names, in that tenant, or the error page.
fn find(shared: &Shared, tenant: &str, request: &Request) -> Result<(String, String), Response> {
    let directory = shared.lock();
    let Some(tenant) = directory.tenant(tenant).map(|t| t.id.clone()) else {
        return Err(refuse("AADSTS90002: Tenant not found."));
    };
    let Some(app) = directory.app_in(&tenant, &request.client_id) else {
        return Err(refuse(
            "AADSTS700016: Application not found in the directory.",
        ));
    };
    if let Some(uri) = &request.redirect_uri {
        if !app.redirect_uris.iter().any(|known| known == uri) {
            return Err(refuse(
                "AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.",
            ));
        }
    }
    Ok((tenant, app.display_name.clone()))
}

fn refuse(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!DOCTYPE html><title>Error</title><p>{}</p>",
            escape(message)
        )),
    )
        .into_response()
}

pub async fn prompt(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Query(request): Query<Request>,
) -> Response {
    match find(&shared, &tenant, &request) {
        Err(page) => page,
        Ok((_, name)) => Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><title>Permissions requested</title>\
             <h1>Permissions requested</h1><p>{} asks for admin consent on behalf of your organisation.</p>\
             <form method=\"post\"><button name=\"decision\" value=\"accept\">Accept</button>\
             <button name=\"decision\" value=\"cancel\">Cancel</button></form></html>",
            escape(&name)
        ))
        .into_response(),
    }
}

pub async fn decide(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Query(request): Query<Request>,
    Form(decision): Form<Decision>,
) -> Response {
    let tenant = match find(&shared, &tenant, &request) {
        Err(page) => return page,
        Ok((tenant, _)) => tenant,
    };
    let accepted = decision.decision == "accept";
    if accepted {
        let app = {
            let mut directory = shared.lock();
            let Some(app) = directory.app_mut(&request.client_id) else {
                return refuse("AADSTS700016: Application not found in the directory.");
            };
            let requested = app.requested.clone();
            app.roles.extend(requested);
            app.clone()
        };
        let granted: Vec<String> = app.requested.iter().cloned().collect();
        admin::record_consent(&shared, &app, &granted, None, now(), None);
    }
    let state = request.state.unwrap_or_default();
    match request.redirect_uri.as_deref().map(url::Url::parse) {
        Some(Ok(mut back)) => {
            {
                let mut query = back.query_pairs_mut();
                if accepted {
                    query
                        .append_pair("admin_consent", "True")
                        .append_pair("tenant", &tenant);
                } else {
                    query
                        .append_pair("error", "access_denied")
                        .append_pair("error_description", "The admin canceled the request.");
                }
                query.append_pair("state", &state);
            }
            Redirect::to(back.as_str()).into_response()
        }
        Some(Err(_)) => refuse("AADSTS50011: The redirect URI is not valid."),
        None if accepted => Html("<!DOCTYPE html><title>Done</title><p>Permissions granted. You can close this window.</p>").into_response(),
        None => Html("<!DOCTYPE html><title>Canceled</title><p>Nothing was granted.</p>").into_response(),
    }
}
