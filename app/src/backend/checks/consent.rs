//! Consent that re-checks itself. Staff hand a customer's admin a link to
//! Tenantry (`/consent/start/<token>`); opening it sends the admin on to
//! Microsoft's admin-consent page and watches the registration every minute
//! for a while; when Microsoft sends the admin back to
//! `/consent/callback`, the registration is checked at once.

use super::{claim, engine, Trigger};
use crate::backend::tokens::{digest, new_token};
use crate::backend::{db, internal, Backend, Staff};
use crate::error::AppError;
use crate::ids::{OrganisationId, RegistrationId};
use crate::model::ConsentLink;
use crate::timestamp::Timestamp;
use domain::evaluation::Status;
use domain::watch::{CONSENT_RECHECK_SECS, CONSENT_WATCH_SECS};
use domain::{Action, Cloud};

/// Where Microsoft sends the admin back; the set-up script, the manifest
/// and the wizard's first step add it to the app registration.
pub fn callback_url(backend: &Backend) -> String {
    backend.link("/consent/callback")
}

/// A consent link for registration `id`. `redirect_registered`: staff say
/// the app has Tenantry's redirect URI, so Microsoft may send the admin back.
pub async fn link(
    ctx: &Staff,
    id: &RegistrationId,
    redirect_registered: bool,
) -> Result<ConsentLink, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let found: Option<(Option<Timestamp>,)> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT archived_at FROM registrations WHERE id = $1 AND organisation_id = $2",
    )
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not read a registration"))?;
    match found {
        None => return Err(AppError::NotFound),
        Some((Some(_),)) => {
            return Err(AppError::Conflict(
                "This registration is archived; restore it first.".into(),
            ))
        }
        Some((None,)) => {}
    }
    crate::execute_on!(
        ctx.pool(),
        sqlx::query(
            "UPDATE registrations SET consent_redirect = $1 WHERE id = $2 AND organisation_id = $3",
        )
        .bind(redirect_registered)
        .bind(id)
        .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not record the redirect URI"))?;
    let token = new_token();
    let now = ctx.now();
    let expires_at = Timestamp::of(now + ctx.backend.onboarding_ttl);
    crate::execute_on!(ctx.pool(), sqlx::query(
        "INSERT INTO consent_requests (id, organisation_id, registration_id, token_digest, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(ctx.scope.organisation_id())
    .bind(id)
    .bind(digest(&token))
    .bind(ctx.scope.user_id())
    .bind(Timestamp::of(now))
    .bind(&expires_at))
    .map_err(db("could not create a consent link"))?;
    Ok(ConsentLink {
        url: ctx.backend.link(&format!("/consent/start/{token}")),
        expires_at,
    })
}

#[derive(sqlx::FromRow)]
struct Request {
    organisation_id: OrganisationId,
    registration_id: RegistrationId,
    client_id: String,
    consent_redirect: bool,
    cloud: String,
    entra_tenant_id: Option<String>,
    primary_domain: Option<String>,
}

async fn request(backend: &Backend, token: &str) -> Result<Request, AppError> {
    crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT c.organisation_id, c.registration_id, r.client_id, r.consent_redirect, t.cloud,
                t.entra_tenant_id, t.primary_domain
           FROM consent_requests c
           JOIN registrations r ON r.id = c.registration_id AND r.organisation_id = c.organisation_id
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
          WHERE c.token_digest = $1 AND c.expires_at > $2 AND r.archived_at IS NULL",
    )
    .bind(digest(token))
    .bind(Timestamp::of(backend.now()))
    .fetch_optional(c)
    .await)
    .map_err(db("could not read a consent link"))?
    .ok_or_else(|| AppError::Gone("This consent link has expired or is not known. Ask your IT provider for a new one.".into()))
}

/// Opens a consent link: watches the registration every minute for a
/// while (in case Microsoft cannot send the admin back) and returns the
/// address of Microsoft's admin-consent page.
pub async fn open(backend: &Backend, token: &str) -> Result<String, AppError> {
    let found = request(backend, token).await?;
    let now = backend.now();
    crate::execute_on!(&backend.pool, sqlx::query(
        "UPDATE consent_requests SET opened_at = COALESCE(opened_at, $1) WHERE token_digest = $2",
    )
    .bind(Timestamp::of(now))
    .bind(digest(token)))
    .map_err(db("could not record an opened consent link"))?;
    let first_recheck = Timestamp::of(now + time::Duration::seconds(CONSENT_RECHECK_SECS));
    crate::execute_on!(&backend.pool, sqlx::query(
        "UPDATE registrations
            SET consent_watch_until = $1,
                next_check_at = CASE WHEN next_check_at IS NULL OR next_check_at > $4 THEN $4 ELSE next_check_at END
          WHERE id = $2 AND organisation_id = $3",
    )
    .bind(Timestamp::of(now + time::Duration::seconds(CONSENT_WATCH_SECS)))
    .bind(&found.registration_id)
    .bind(&found.organisation_id)
    .bind(&first_recheck))
    .map_err(db("could not watch a registration for consent"))?;
    let cloud: Cloud = found
        .cloud
        .parse()
        .map_err(|error| internal("a stored cloud is not known", error))?;
    let directory = found
        .entra_tenant_id
        .or(found.primary_domain)
        .unwrap_or_default();
    let callback = callback_url(backend);
    Ok(backend.entra.endpoints().admin_consent_url(
        cloud,
        &directory,
        &found.client_id,
        found.consent_redirect.then_some(callback.as_str()),
        token,
    ))
}

/// Microsoft sent the admin back. With consent granted, the registration
/// is checked at once (its cached token forgotten); the status found is
/// returned. A refusal changes nothing.
pub async fn answered(
    backend: &Backend,
    token: &str,
    granted: bool,
) -> Result<Option<Status>, AppError> {
    let found = request(backend, token).await?;
    if !granted {
        // The admin may open the link again and accept.
        return Ok(None);
    }
    // A granted answer counts once: replaying the address checks nothing.
    let first = crate::execute_on!(&backend.pool, sqlx::query(
        "UPDATE consent_requests SET answered_at = $1 WHERE token_digest = $2 AND answered_at IS NULL",
    )
    .bind(Timestamp::of(backend.now()))
    .bind(digest(token)))
    .map_err(db("could not record a consent answer"))?;
    if first.rows_affected() == 0 {
        return Ok(None);
    }
    // While consent is watched a check may be running; it sees the
    // consent itself.
    let claim = match claim::one(backend, &found.organisation_id, &found.registration_id).await {
        Ok(claim) => claim,
        Err(AppError::Conflict(_)) => return Ok(None),
        Err(error) => return Err(error),
    };
    engine::run(backend, &backend.entra, &claim, Trigger::Consent, None).await
}
