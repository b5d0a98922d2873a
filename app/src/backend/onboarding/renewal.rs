//! Renewal links: an onboarding link limited to replacing one registration's
//! credential. It starts past the Entra steps and with the registration's
//! IDs, which the customer cannot change; its test replaces the stored
//! credential only when the new one passes, for the same app in the same
//! tenant (`test::test`). Made for a customer's expiry notice.

use super::log;
use crate::backend::checks::record::{store, Observation};
use crate::backend::checks::Trigger;
use crate::backend::credentials::Intake;
use crate::backend::db::Tx;
use crate::backend::origin::RequestOrigin;
use crate::backend::registrations::edit::store_credential;
use crate::backend::registrations::StoredCredential;
use crate::backend::{audit, db, tokens, Backend, Customer};
use crate::error::AppError;
use crate::ids::{LinkId, OrganisationId, RegistrationId, UserId};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::onboarding::Step;

/// A renewal link works this long: short, as it replaces a live credential.
pub const RENEWAL_LINK_DAYS: i64 = 7;

#[derive(sqlx::FromRow)]
struct Renewed {
    customer_tenant_id: String,
    profiles: String,
    client_id: String,
    object_id: Option<String>,
    entered_by: UserId,
    entra_tenant_id: Option<String>,
}

/// A new renewal link for `registration` (earlier ones still open are
/// withdrawn): its address and when it stops working. None when the
/// registration is archived or its tenant's Directory ID is not on file.
pub async fn create(
    tx: &mut Tx,
    backend: &Backend,
    organisation: &OrganisationId,
    registration: &RegistrationId,
    now: time::OffsetDateTime,
) -> Result<Option<(String, Timestamp)>, AppError> {
    let renewed: Option<Renewed> = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT r.customer_tenant_id, r.profiles, r.client_id, r.object_id, r.entered_by, t.entra_tenant_id
           FROM registrations r
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
          WHERE r.id = $1 AND r.organisation_id = $2 AND r.archived_at IS NULL AND t.archived_at IS NULL",
    )
    .bind(registration)
    .bind(organisation)
    .fetch_optional(c)
    .await)
    .map_err(db("could not read a registration to renew"))?;
    let Some(renewed) = renewed else {
        return Ok(None);
    };
    let Some(tenant_id) = renewed.entra_tenant_id else {
        return Ok(None);
    };
    let at = Timestamp::of(now);
    crate::execute_on!(
        &mut *tx,
        sqlx::query(
            "UPDATE onboarding_links SET revoked_at = $1
          WHERE renews_registration_id = $2 AND organisation_id = $3
            AND completed_at IS NULL AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(registration)
        .bind(organisation)
    )
    .map_err(db("could not withdraw an earlier renewal link"))?;
    let token = tokens::new_token();
    let expires = Timestamp::of(now + time::Duration::days(RENEWAL_LINK_DAYS));
    let id = LinkId::generate();
    crate::execute_on!(&mut *tx, sqlx::query(
        "INSERT INTO onboarding_links
            (id, organisation_id, customer_tenant_id, profiles, token_digest, created_by, created_at,
             expires_at, step_reached, entered_tenant_id, client_id, object_id, renews_registration_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(organisation)
    .bind(&renewed.customer_tenant_id)
    .bind(&renewed.profiles)
    .bind(tokens::digest(&token))
    .bind(&renewed.entered_by)
    .bind(&at)
    .bind(&expires)
    // The app exists and has its consent: the customer starts at the
    // credential.
    .bind(i64::from(Step::Consent.number()))
    .bind(&tenant_id)
    .bind(&renewed.client_id)
    .bind(&renewed.object_id)
    .bind(registration))
    .map_err(db("could not create a renewal link"))?;
    log(&mut *tx, &id, &at, "created for renewal").await?;
    Ok(Some((backend.link(&format!("/onboard/{token}")), expires)))
}

/// The renewal link's test passed: the new credential takes the old one's
/// place, the test is stored as the registration's newest check, the link
/// is complete, and the audit trail (and through it, staff's alert
/// channels) says the customer renewed it.
pub(super) async fn replace(
    ctx: &Customer,
    tx: &mut Tx,
    intake: &Intake,
    report: &entra::VerifyReport,
    (started_at, finished_at): (Timestamp, time::OffsetDateTime),
    duration_ms: i64,
) -> Result<(), AppError> {
    let link = &ctx.link;
    let Some(registration) = &link.renews else {
        return Ok(());
    };
    let organisation = link.tenant.organisation_id();
    let now = Timestamp::of(finished_at);
    let stored = StoredCredential::sealed_for(&ctx.backend, registration, intake);
    if !store_credential(
        tx,
        organisation,
        registration,
        &stored,
        &link.created_by,
        &now,
    )
    .await?
    {
        return Err(AppError::Conflict(
            "Your IT provider no longer watches this app registration, so there is nothing to renew. Please contact them."
                .into(),
        ));
    }
    store(
        tx,
        None,
        &Observation {
            registration_id: registration,
            organisation_id: organisation,
            trigger: Trigger::Onboarding,
            triggered_by: None,
            report,
            started_at: &started_at,
            finished_at: &now,
            duration_ms,
            next_check_at: &ctx
                .backend
                .watch
                .next_due(report.verdict.status, finished_at),
        },
    )
    .await?;
    crate::execute_on!(&mut *tx, sqlx::query(
        "UPDATE onboarding_links SET completed_at = $1, registration_id = $2, secret_sealed = NULL
          WHERE id = $3 AND completed_at IS NULL",
    )
    .bind(&now)
    .bind(registration)
    .bind(&link.id))
    .map_err(db("could not complete a renewal link"))?;
    log(&mut *tx, &link.id, &now, "renewed").await?;
    let products: Vec<&str> = link.profiles.iter().map(|p| p.name.as_str()).collect();
    audit::record(
        &mut *tx,
        audit::Event {
            organisation_id: organisation,
            actor_user_id: None,
            actor: "customer (renewal link)",
            action: AuditAction::RenewedByCustomer,
            target: &link.tenant_name,
            detail: &format!(
                "{} (Application (client) ID {})",
                products.join(" and "),
                link.client_id.as_deref().unwrap_or_default()
            ),
            origin: &RequestOrigin::current(),
            at: finished_at,
        },
    )
    .await?;
    Ok(())
}
