//! What every resource of the JSON API shares: reading a JSON body into a
//! problem on failure, cursors and page sizes, and answering a creating
//! request once per idempotency key.

use super::problem::{ApiResult, Problem};
use app::backend::api_tokens::ApiCaller;
use app::backend::idempotency::{self, Claim};
use app::timestamp::Timestamp;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

/// A JSON body; anything unreadable is a problem, never a plain-text 400.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(error)) => Err(Problem::invalid_field(
                "body",
                format!("The body does not match the schema: {}", error.body_text()),
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send JSON",
                "Send the body as JSON with 'Content-Type: application/json'.",
            )),
            Err(other) => Err(Problem::malformed(other.body_text())),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

impl PageParams {
    pub fn limit(&self) -> ApiResult<u32> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(limit @ 1..=MAX_LIMIT) => Ok(limit),
            Some(_) => Err(Problem::invalid_field(
                "limit",
                format!("limit is from 1 to {MAX_LIMIT}."),
            )),
        }
    }

    /// The cursor's parts, as `cursor` wrote them.
    pub fn after(&self) -> ApiResult<Option<Vec<String>>> {
        let Some(cursor) = &self.cursor else {
            return Ok(None);
        };
        URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(|text| Some(text.split('\n').map(str::to_owned).collect()))
            .ok_or_else(bad_cursor)
    }
}

impl PageParams {
    /// The cursor of a list ordered by an instant, then an id.
    pub fn after_instant<Id: From<String>>(&self) -> ApiResult<Option<(Timestamp, Id)>> {
        match self.after()? {
            None => Ok(None),
            Some(parts) => match parts.as_slice() {
                [at, id] => Ok(Some((
                    Timestamp::parse(at).map_err(|_| bad_cursor())?,
                    Id::from(id.clone()),
                ))),
                _ => Err(bad_cursor()),
            },
        }
    }
}

/// An opaque cursor naming where the next page starts.
pub fn cursor(parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(parts.join("\n"))
}

pub fn bad_cursor() -> Problem {
    Problem::invalid_field(
        "cursor",
        "The cursor is not one this API gave out; start again without it.",
    )
}

/// How a domain enum reads on the wire (its serde name), such as
/// `could_not_check`.
pub fn wire_name(value: impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// What a token is told of a thing it changed: all of it with the `read`
/// scope, only its id without (a token that may write or start checks is
/// not thereby allowed to read the fleet).
pub fn shown(caller: &ApiCaller, id: &str, body: impl Serialize) -> serde_json::Value {
    if caller.allows(domain::api_token::ApiScope::Read) {
        serde_json::to_value(body).unwrap_or_default()
    } else {
        serde_json::json!({ "id": id })
    }
}

/// What a creating handler made: where it is, and how it reads.
pub struct Created<T> {
    pub location: String,
    pub body: T,
}

/// Whether a repeated request may be answered with the first answer's
/// body: not when it carries something shown only once (a link's address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    Body,
    /// A repeat learns only that it was created, and where.
    Receipt,
}

/// Creates once per `Idempotency-Key`: a repeat of the same request to the
/// same route gets the first answer (marked `Idempotency-Replayed: true`);
/// the same key with another request is refused (422), and one still being
/// answered is a conflict (409) until it has been unanswered for two
/// minutes. A refusal frees the key for a corrected retry. `digested` is
/// what identifies the request: callers leave secrets out of it.
pub async fn create_once<T, F, Fut>(
    caller: &ApiCaller,
    headers: &HeaderMap,
    route: &str,
    digested: &impl Serialize,
    replay: Replay,
    create: F,
) -> Response
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ApiResult<Created<T>>>,
{
    let Some(key) = headers.get("idempotency-key") else {
        return match create().await {
            Ok(created) => created_response(&created.location, &json(&created.body), false),
            Err(problem) => problem.into_response(),
        };
    };
    let key = match key.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) => key.to_owned(),
        _ => {
            return Problem::invalid_field(
                "Idempotency-Key",
                "The Idempotency-Key header is 1 to 255 visible ASCII characters.",
            )
            .into_response()
        }
    };
    let digest = hex_digest(&format!("{route}\n{}", json(digested)));
    match idempotency::claim(caller, &key, &digest).await {
        Err(error) => Problem::from(error).into_response(),
        Ok(Claim::Mismatch) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "Idempotency key reused",
            "This Idempotency-Key was used for a different request; use a new key.",
        )
        .into_response(),
        Ok(Claim::InFlight) => Problem::new(
            StatusCode::CONFLICT,
            "idempotency_key_in_use",
            "Request still in progress",
            "A request with this Idempotency-Key is still being answered; retry shortly.",
        )
        .into_response(),
        Ok(Claim::Replay {
            status,
            location,
            body: Some(body),
        }) => {
            let mut response =
                created_response(location.as_deref().unwrap_or_default(), &body, true);
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
            response
        }
        Ok(Claim::Replay {
            location,
            body: None,
            ..
        }) => {
            let mut response = Problem::new(
                StatusCode::CONFLICT,
                "already_created",
                "Already created",
                "A request with this Idempotency-Key already created this; what it showed once is not shown again.",
            )
            .into_response();
            if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Ok(Claim::Fresh) => match create().await {
            Ok(created) => {
                let body = json(&created.body);
                let kept = (replay == Replay::Body).then_some(body.as_str());
                if let Err(error) =
                    idempotency::finish(caller, &key, 201, Some(&created.location), kept).await
                {
                    return Problem::from(error).into_response();
                }
                created_response(&created.location, &body, false)
            }
            Err(problem) => {
                // A refusal changed nothing; a failure on our side might
                // have, so its key waits out the two minutes instead.
                if problem.status < 500 {
                    let _ = idempotency::release(caller, &key).await;
                }
                problem.into_response()
            }
        },
    }
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn hex_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn created_response(location: &str, body: &str, replayed: bool) -> Response {
    let mut response = (StatusCode::CREATED, body.to_owned()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(location) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, location);
    }
    if replayed {
        headers.insert("idempotency-replayed", HeaderValue::from_static("true"));
    }
    response
}
