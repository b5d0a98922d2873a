//! Who is calling the JSON API: a bearer token, checked before any
//! handler runs, then counted against the token's rate limit. Handlers
//! name the scope they need by the extractor they take (`Reader`,
//! `Writer`, `Checker`); a writer's use is put in the audit trail.

use super::problem::Problem;
use app::backend::api_tokens::{self, ApiCaller};
use app::backend::audit;
use app::backend::origin::RequestOrigin;
use app::backend::Backend;
use app::ids::ApiTokenId;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::api_token::{ApiScope, PresentedToken};
use domain::audit::AuditAction;
use governor::clock::{Clock as _, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

type Limiter = RateLimiter<
    ApiTokenId,
    DefaultKeyedStateStore<ApiTokenId>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// Requests per minute for each token, in this process.
#[derive(Clone)]
pub struct TokenLimits {
    limiter: Arc<Limiter>,
    per_minute: u32,
}

impl TokenLimits {
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: Arc::new(
                RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            ),
            per_minute,
        }
    }

    /// The headers of draft-ietf-httpapi-ratelimit-headers: the policy,
    /// and what is left of it with the seconds until it is whole again.
    fn admit(&self, token: &ApiTokenId) -> Result<[(&'static str, String); 2], Problem> {
        let policy = format!("\"per-token\";q={};w=60", self.per_minute);
        match self.limiter.check_key(token) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let used = self.per_minute.saturating_sub(remaining);
                let reset = (used as u64 * 60).div_ceil(self.per_minute as u64);
                Ok([
                    ("ratelimit-policy", policy),
                    (
                        "ratelimit",
                        format!("\"per-token\";r={remaining};t={reset}"),
                    ),
                ])
            }
            Err(not_until) => {
                let wait = not_until
                    .wait_time_from(DefaultClock::default().now())
                    .as_secs()
                    .max(1);
                let mut problem = Problem::rate_limited(wait);
                problem.rate_headers = vec![
                    ("ratelimit-policy", policy),
                    ("ratelimit", format!("\"per-token\";r=0;t={wait}")),
                ];
                Err(problem)
            }
        }
    }
}

#[derive(Clone)]
pub struct ApiState {
    pub backend: Backend,
    pub limits: TokenLimits,
}

fn bearer(headers: &HeaderMap) -> Option<PresentedToken> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| PresentedToken::parse(token))?
}

/// Authenticates every request of the API's protected routes.
pub async fn authenticate(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let Some(presented) = bearer(&parts.headers) else {
        return Problem::unauthenticated().into_response();
    };
    let origin = RequestOrigin::of_parts(&parts);
    let caller = match api_tokens::authenticate(&state.backend, &presented, origin).await {
        Ok(caller) => caller,
        Err(error) => return Problem::from(error).into_response(),
    };
    let rate = match state.limits.admit(&caller.token_id) {
        Ok(headers) => headers,
        Err(problem) => return problem.into_response(),
    };
    parts.extensions.insert(Arc::new(caller));
    let mut response = next.run(Request::from_parts(parts, body)).await;
    for (name, value) in rate {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

fn caller(parts: &Parts, scope: ApiScope) -> Result<Arc<ApiCaller>, Problem> {
    let caller = parts
        .extensions
        .get::<Arc<ApiCaller>>()
        .cloned()
        .ok_or_else(Problem::unauthenticated)?;
    if caller.allows(scope) {
        Ok(caller)
    } else {
        Err(Problem::insufficient_scope(scope))
    }
}

/// A caller whose token has the `read` scope.
pub struct Reader(pub Arc<ApiCaller>);

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        caller(parts, ApiScope::Read).map(Reader)
    }
}

/// A caller whose token has the `checks` scope.
pub struct Checker(pub Arc<ApiCaller>);

impl<S: Send + Sync> FromRequestParts<S> for Checker {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        caller(parts, ApiScope::Checks).map(Checker)
    }
}

/// A caller whose token has the `write` scope; its use is recorded in the
/// audit trail before anything changes, so even a refused change shows.
pub struct Writer(pub Arc<ApiCaller>);

impl<S: Send + Sync> FromRequestParts<S> for Writer {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let caller = caller(parts, ApiScope::Write)?;
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map(|path| path.as_str().to_owned())
            .unwrap_or_else(|| parts.uri.path().to_owned());
        audit::by_member(
            &caller.staff.backend.pool,
            &caller.staff,
            AuditAction::ApiWrite,
            &format!("{} {route}", parts.method),
            &format!("token {}", caller.token_id),
        )
        .await
        .map_err(Problem::from)?;
        Ok(Writer(caller))
    }
}
