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
use axum::http::{HeaderMap, HeaderValue};
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

    /// What one client address may send, whatever tokens it holds.
    pub fn per_client(&self) -> app::backend::client_limit::PerClient {
        let per_minute = self.per_minute.saturating_mul(10);
        app::backend::client_limit::PerClient::new(Quota::per_minute(
            NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN),
        ))
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
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                // Whole seconds, rounded up: waiting less is refused again.
                let wait = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
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
    /// A first line before any token is looked up: ten tokens' worth of
    /// requests a minute from one client address, so made-up tokens cannot
    /// make the database work without bound.
    pub clients: app::backend::client_limit::PerClient,
}

fn bearer(headers: &HeaderMap) -> Option<PresentedToken> {
    PresentedToken::parse(crate::bearer::credential(headers)?)
}

/// Where a `Writer` notes the route it wrote through, for the audit entry
/// made once the change succeeded.
#[derive(Clone, Default)]
struct WriteUse(Arc<std::sync::OnceLock<String>>);

/// Authenticates every request of the API's protected routes.
pub async fn authenticate(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let Some(presented) = bearer(&parts.headers) else {
        return Problem::unauthenticated().into_response();
    };
    let origin = RequestOrigin::of_parts(&parts);
    if let Err(error) = state.clients.admit(&origin) {
        return Problem::from(error).into_response();
    }
    let caller = match api_tokens::authenticate(&state.backend, &presented, origin).await {
        Ok(caller) => Arc::new(caller),
        Err(error) => return Problem::from(error).into_response(),
    };
    let rate = match state.limits.admit(&caller.token_id) {
        Ok(headers) => headers,
        Err(problem) => return problem.into_response(),
    };
    let wrote = WriteUse::default();
    parts.extensions.insert(caller.clone());
    parts.extensions.insert(wrote.clone());
    let method = parts.method.clone();
    let mut response = next.run(Request::from_parts(parts, body)).await;
    for (name, value) in rate {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    // Every change made with the write scope is in the audit trail (the
    // service records what changed; this, that the token was used). A
    // refusal changed nothing, and a replay repeats an audited answer.
    let replayed = response.headers().contains_key("idempotency-replayed");
    if let Some(route) = wrote.0.get() {
        if response.status().is_success() && !replayed {
            let recorded = audit::by_member(
                &caller.staff.backend.pool,
                &caller.staff,
                AuditAction::ApiWrite,
                &format!("{method} {route}"),
                &format!(
                    "token {}; answered {}",
                    caller.token_id,
                    response.status().as_u16()
                ),
            )
            .await;
            if recorded.is_err() {
                return Problem::from(app::error::AppError::Internal).into_response();
            }
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
/// audit trail once the change succeeded (see `authenticate`).
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
        if let Some(wrote) = parts.extensions.get::<WriteUse>() {
            let _ = wrote.0.set(route);
        }
        Ok(Writer(caller))
    }
}
