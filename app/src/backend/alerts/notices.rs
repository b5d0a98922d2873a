//! Customer notices: when the credential Tenantry holds for a registration
//! reaches 30, 14 or 7 days before it expires, and its customer tenant asked
//! for notices, each of the tenant's contacts is e-mailed (through the
//! outbox, replies to the MSP) what will stop working and when, with a
//! renewal link (`onboarding::renewal`). Queued in the transaction that
//! records what was told, so a notice goes once per step.

use super::routing::written;
use crate::backend::db::listed;
use crate::backend::db::Tx;
use crate::backend::mail::outbox::queue_replying_to;
use crate::backend::onboarding::renewal;
use crate::backend::{audit, begin, db, tenants, Backend, Staff};
use crate::error::AppError;
use crate::ids::{CustomerTenantId, OrganisationId, RegistrationId};
use domain::audit::AuditAction;
use domain::form::FieldProblem;
use domain::notice::{renewal as renewal_notice, Renewal};
use domain::Action;

#[derive(sqlx::FromRow)]
struct Addressees {
    expiry_notices: bool,
    contact_emails: String,
    tenant: String,
    organisation: String,
    notice_reply_to: Option<String>,
    profiles: String,
    client_id: String,
    credential_kind: String,
}

/// Queues the notice of `days` (the step reached) for `registration`, if
/// its tenant asked for notices and has contacts; whether one was queued.
pub async fn send(
    tx: &mut Tx,
    backend: &Backend,
    organisation: &OrganisationId,
    registration: &RegistrationId,
    days: i64,
    expires_at: i64,
    now: time::OffsetDateTime,
) -> Result<bool, AppError> {
    let to: Option<Addressees> = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT t.expiry_notices, t.contact_emails, t.display_name AS tenant, o.name AS organisation,
                o.notice_reply_to, r.profiles, r.client_id, r.credential_kind
           FROM registrations r
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
           JOIN organisations o ON o.id = r.organisation_id
          WHERE r.id = $1 AND r.organisation_id = $2",
    )
    .bind(registration)
    .bind(organisation)
    .fetch_optional(c)
    .await)
    .map_err(db("could not read who is told of an expiry"))?;
    let Some(to) = to.filter(|to| to.expiry_notices) else {
        return Ok(false);
    };
    let contacts: Vec<&str> = listed(&to.contact_emails).collect();
    if contacts.is_empty() {
        return Ok(false);
    }
    let Some((link, link_expires)) =
        renewal::create(tx, backend, organisation, registration, now).await?
    else {
        return Ok(false);
    };
    let products: Vec<String> = domain::profile::parse_list(&to.profiles)
        .map(|profiles| profiles.into_iter().map(|p| p.name).collect())
        .unwrap_or_default();
    let notice = renewal_notice(&Renewal {
        organisation: &to.organisation,
        tenant: &to.tenant,
        products: &products.join(" and "),
        client_id: &to.client_id,
        credential: if to.credential_kind == "certificate" {
            "certificate"
        } else {
            "client secret"
        },
        days,
        expires_on: &written(expires_at),
        link: &link,
        link_expires_on: &written(link_expires.unix()),
    });
    for contact in contacts {
        queue_replying_to(
            &mut *tx,
            organisation,
            contact,
            &notice,
            to.notice_reply_to.as_deref(),
            now,
        )
        .await?;
    }
    Ok(true)
}

/// Staff turn a customer tenant's expiry notices on or off.
pub async fn set_for_tenant(
    ctx: &Staff,
    tenant: &CustomerTenantId,
    enabled: bool,
) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let owned = tenants::owned(ctx, tenant).await?;
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE customer_tenants SET expiry_notices = $1 WHERE id = $2 AND organisation_id = $3",
    )
    .bind(enabled)
    .bind(owned.id())
    .bind(owned.organisation_id()))
    .map_err(db("could not change a tenant's expiry notices"))?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::ExpiryNoticesChanged,
        owned.id().as_str(),
        if enabled { "on" } else { "off" },
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not change a tenant's expiry notices"))
}

/// Admins name the address customers' replies to notices go to (empty:
/// none, replies go to the sender).
pub async fn save_reply_to(ctx: &Staff, text: &str) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let reply_to = match text.trim() {
        "" => None,
        typed => Some(
            domain::staff::Email::parse(typed)
                .map_err(|_| {
                    AppError::Invalid(vec![FieldProblem::new(
                        "reply_to",
                        "Enter the address customers reply to, e.g. servicedesk@your-company.example.",
                    )])
                })?
                .as_str()
                .to_owned(),
        ),
    };
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(
        &mut tx,
        sqlx::query("UPDATE organisations SET notice_reply_to = $1 WHERE id = $2")
            .bind(&reply_to)
            .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not save the reply-to address"))?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::NoticeReplyToChanged,
        reply_to.as_deref().unwrap_or("none"),
        "",
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save the reply-to address"))
}
