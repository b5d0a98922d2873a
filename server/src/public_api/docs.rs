//! The API's documentation page: rendered here from the OpenAPI document
//! into plain HTML with the site's own stylesheet, so it works offline and
//! under the Content-Security-Policy (no script, nothing from a CDN).

use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr};

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Stable problem codes and when each is answered.
pub const PROBLEMS: [(&str, u16, &str); 17] = [
    ("unauthenticated", 401, "No token, or one that is unknown, wrong, revoked or expired, or whose creator is no longer an active admin."),
    ("insufficient_scope", 403, "The token lacks the scope the operation needs; `required_scope` names it."),
    ("forbidden", 403, "The organisation's rules refuse the operation."),
    ("not_found", 404, "Nothing of the token's organisation is at that address (another organisation's ids read the same)."),
    ("method_not_allowed", 405, "The address exists but does not take that method."),
    ("conflict", 409, "The operation clashes with the current state, such as revoking a used link."),
    ("already_created", 409, "A request with this Idempotency-Key already created an onboarding link; its address was shown once and is not shown again."),
    ("idempotency_key_in_use", 409, "A request with the same Idempotency-Key is still being answered."),
    ("precondition_failed", 412, "The tenant changed since the version sent in If-Match."),
    ("gone", 410, "The thing asked for has expired."),
    ("unsupported_media_type", 415, "A body was sent that is not JSON."),
    ("malformed_body", 400, "The body is not valid JSON."),
    ("validation_failed", 422, "Fields were refused; `errors` lists each with its field."),
    ("idempotency_key_reused", 422, "The Idempotency-Key was used before for a different request."),
    ("rate_limited", 429, "The token sent too many requests; wait `Retry-After` seconds."),
    ("busy", 503, "Tenantry is busy; try again shortly."),
    ("internal", 500, "Something failed on the server; its log has the cause."),
];

fn method_name(method: &HttpMethod) -> &'static str {
    match method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Delete => "DELETE",
        HttpMethod::Options => "OPTIONS",
        HttpMethod::Head => "HEAD",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Trace => "TRACE",
    }
}

/// Every operation of the document as (method, path, operation).
pub fn operations(document: &OpenApi) -> Vec<(&'static str, String, &Operation)> {
    let mut found = Vec::new();
    for (path, item) in &document.paths.paths {
        for (method, operation) in [
            (HttpMethod::Get, &item.get),
            (HttpMethod::Post, &item.post),
            (HttpMethod::Put, &item.put),
            (HttpMethod::Patch, &item.patch),
            (HttpMethod::Delete, &item.delete),
        ] {
            if let Some(operation) = operation {
                found.push((method_name(&method), path.clone(), operation));
            }
        }
    }
    found
}

fn scopes(operation: &Operation) -> String {
    let value = serde_json::to_value(&operation.security).unwrap_or_default();
    let mut scopes: Vec<String> = Vec::new();
    for requirement in value.as_array().into_iter().flatten() {
        for list in requirement.as_object().into_iter().flat_map(|o| o.values()) {
            for scope in list.as_array().into_iter().flatten() {
                scopes.extend(scope.as_str().map(str::to_owned));
            }
        }
    }
    scopes.join(", ")
}

pub fn page(document: &OpenApi) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Tenantry API</title><link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"/pkg/tenantry.css\"></head>\
         <body><main class=\"api-docs\"><h1>Tenantry API, version 1</h1>",
    );
    if let Some(description) = &document.info.description {
        html.push_str(&format!("<p>{}</p>", escaped(description)));
    }
    html.push_str(
        "<p>Every address below is under <code>/api/v1</code>. The machine-readable description is \
         <a href=\"/api/v1/openapi.json\">openapi.json</a> (OpenAPI 3.1). Lists are read a page at a time: \
         pass <code>next_cursor</code> back as <code>cursor</code>. Each token may send a limited number of \
         requests a minute; the <code>RateLimit</code> and <code>RateLimit-Policy</code> headers say how many \
         are left. A creating request with an <code>Idempotency-Key</code> header creates once, however often \
         it is sent.</p><h2>Operations</h2>",
    );
    for (method, path, operation) in operations(document) {
        let anchor = operation.operation_id.clone().unwrap_or_default();
        html.push_str(&format!(
            "<section class=\"api-operation\" id=\"{}\"><h3><code>{method} {}</code></h3>",
            escaped(&anchor),
            escaped(&path)
        ));
        if let Some(summary) = &operation.summary {
            html.push_str(&format!("<p>{}</p>", escaped(summary)));
        }
        if let Some(description) = &operation.description {
            html.push_str(&format!("<p>{}</p>", escaped(description)));
        }
        html.push_str(&format!(
            "<p>Token scope: <strong>{}</strong></p>",
            escaped(&scopes(operation))
        ));
        let parameters = operation.parameters.as_deref().unwrap_or_default();
        if !parameters.is_empty() {
            html.push_str("<dl>");
            for parameter in parameters {
                let place = match parameter.parameter_in {
                    ParameterIn::Query => "query",
                    ParameterIn::Path => "path",
                    ParameterIn::Header => "header",
                    ParameterIn::Cookie => "cookie",
                };
                html.push_str(&format!(
                    "<dt><code>{}</code> ({place})</dt><dd>{}</dd>",
                    escaped(&parameter.name),
                    escaped(parameter.description.as_deref().unwrap_or_default())
                ));
            }
            html.push_str("</dl>");
        }
        if let Some(body) = &operation.request_body {
            for content in body.content.values() {
                if let Some(RefOr::Ref(reference)) = &content.schema {
                    html.push_str(&format!(
                        "<p>Body: <a href=\"#schema-{0}\"><code>{0}</code></a></p>",
                        escaped(
                            reference
                                .ref_location
                                .rsplit('/')
                                .next()
                                .unwrap_or_default()
                        )
                    ));
                }
            }
        }
        let answers: Vec<String> = operation
            .responses
            .responses
            .keys()
            .map(|status| escaped(status))
            .collect();
        html.push_str(&format!("<p>Answers: {}</p></section>", answers.join(", ")));
    }
    html.push_str("<h2>Schemas</h2>");
    if let Some(components) = &document.components {
        for (name, schema) in &components.schemas {
            let text = serde_json::to_string_pretty(schema).unwrap_or_default();
            html.push_str(&format!(
                "<section id=\"schema-{0}\"><h3><code>{0}</code></h3><pre>{1}</pre></section>",
                escaped(name),
                escaped(&text)
            ));
        }
    }
    html.push_str(
        "<h2>Problems</h2><p>Errors are <code>application/problem+json</code> (RFC 9457) with a stable \
         <code>code</code>:</p><dl>",
    );
    for (code, status, meaning) in PROBLEMS {
        html.push_str(&format!(
            "<dt id=\"problem-{code}\"><code>{code}</code> ({status})</dt><dd>{}</dd>",
            escaped(meaning)
        ));
    }
    html.push_str("</dl></main></body></html>");
    html
}
