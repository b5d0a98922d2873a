//! The one way into the server for a server function: a context obtained
//! in a single call, then a service call with it. `as_staff` proves the
//! caller is a signed-in member (their `OrgScope`), `as_customer` that the
//! caller holds a live onboarding link, `as_anyone` is for the few public
//! entry points (sign-in, set-up, invitations). Each also turns the error
//! into the matching HTTP status.

use crate::backend::auth::Authenticated;
use crate::backend::db::Db;
use crate::backend::flow_tokens::{self, Flow};
use crate::backend::onboarding::{self, Link};
use crate::backend::origin::RequestOrigin;
use crate::backend::{internal, Backend, OrgScope};
use crate::error::AppError;
use leptos::prelude::*;
use std::future::Future;

/// A signed-in member's request.
pub struct Staff {
    pub backend: Backend,
    pub scope: OrgScope,
    /// Where the request came from, for the audit trail.
    pub origin: RequestOrigin,
}

impl Staff {
    pub fn pool(&self) -> &Db {
        &self.backend.pool
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.backend.now()
    }
}

impl Staff {
    /// The signed-in member, as sign-in knows them.
    pub fn member(&self) -> Authenticated {
        Authenticated {
            user_id: self.scope.user_id().clone(),
            organisation_id: self.scope.organisation_id().clone(),
            email: self.scope.email().to_owned(),
        }
    }
}

/// A browser that gave a member's password and owes the second factor.
pub struct HalfSignedIn {
    pub backend: Backend,
    pub member: Authenticated,
    pub origin: RequestOrigin,
    pub session: tower_sessions::Session,
}

/// A request made with an onboarding link's token: the link is the whole
/// of what the caller may see or change.
pub struct Customer {
    pub backend: Backend,
    pub link: Link,
    pub token: String,
}

impl Customer {
    pub fn pool(&self) -> &Db {
        &self.backend.pool
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.backend.now()
    }

    /// The link as stored now, after a change.
    pub async fn reloaded(&self) -> Result<Link, AppError> {
        onboarding::link::by_token(&self.backend, &self.token).await
    }
}

fn backend() -> Result<Backend, AppError> {
    use_context::<Backend>().ok_or_else(|| {
        tracing::error!("server function ran without the Backend context");
        AppError::Internal
    })
}

pub async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|error| internal("session layer missing", error))
}

/// Runs a server function's body and turns its error into the matching HTTP
/// status, so API clients and tests see 401/403/422 rather than a bare 500.
/// A form the browser posted itself (sent before the page was interactive)
/// is answered with a redirect back to its page, the error in the address
/// for the page to show; a status here would replace that redirect.
async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(error) = &result {
        if posted_by_a_plain_form() {
            return result;
        }
        if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(
                axum::http::StatusCode::from_u16(error.http_status())
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
            );
            if let AppError::TooManyAttempts {
                retry_after_seconds,
            } = error
            {
                options.insert_header(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(*retry_after_seconds),
                );
            }
        }
    }
    result
}

/// Browsers ask for a page when they post a form themselves; the bundle's
/// calls ask for data. (Pages rendered on the server call server functions
/// in a GET, whose errors keep setting the page's status.)
pub(crate) fn posted_by_a_plain_form() -> bool {
    use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts.method == axum::http::Method::POST
            && parts
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
    })
}

pub async fn as_staff<T, Fut>(body: impl FnOnce(Staff) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    respond(async {
        let backend = backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        body(Staff {
            backend,
            scope,
            origin: RequestOrigin::current(),
        })
        .await
    })
    .await
}

/// What a browser without the flow's cookie is told.
pub fn open_the_link_again() -> AppError {
    AppError::Gone("Open the link from your IT provider's message again to continue.".to_owned())
}

/// A request from the holder of an onboarding link, whose token is in the
/// flow's cookie (`flow_tokens`), never in the request.
pub async fn as_customer<T, Fut>(body: impl FnOnce(Customer) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    respond(async {
        let backend = backend()?;
        let token = flow_tokens::current(Flow::Onboarding).ok_or_else(open_the_link_again)?;
        let link = onboarding::link::by_token(&backend, &token).await?;
        body(Customer {
            backend,
            link,
            token,
        })
        .await
    })
    .await
}

pub async fn as_half_signed_in<T, Fut>(
    body: impl FnOnce(HalfSignedIn) -> Fut,
) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    respond(async {
        let backend = backend()?;
        let session = session().await?;
        let member = crate::backend::auth::half_signed_in(&backend, &session).await?;
        body(HalfSignedIn {
            backend,
            member,
            origin: RequestOrigin::current(),
            session,
        })
        .await
    })
    .await
}

pub async fn as_anyone<T, Fut>(body: impl FnOnce(Backend) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    respond(async { body(backend()?).await }).await
}
