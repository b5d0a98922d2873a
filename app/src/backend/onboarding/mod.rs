//! Onboarding links: a customer's admin follows the guided steps from a link,
//! without an account. A link reaches exactly one customer tenant of one
//! organisation, only until it expires or is revoked, and every use is
//! logged. What the customer saves is kept on the link (secrets sealed).
//!
//! This file holds the staff side; `link` finds a live link by its token,
//! `customer` serves the wizard's steps, `credential` its credential step
//! and `test` the final test.

mod credential;
mod customer;
pub mod link;
mod ownership;
pub mod renewal;
pub(crate) mod test;

pub use credential::{certificate_download, generate_certificate, save_secret, upload_certificate};
pub use customer::{finish_step, open, save_ids};
pub use link::Link;
pub use test::test;

use crate::backend::db::Conn;
use crate::backend::tenants;
use crate::backend::{audit, begin, db, internal, tokens, Staff};
use crate::error::AppError;
use crate::ids::{CustomerTenantId, LinkId};
use crate::model::{OnboardingCreated, OnboardingLinkView};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::form::Problems;
use domain::onboarding::LinkState;
use domain::profile::Profile;
use domain::Action;

pub(super) fn profiles_of(ids: &str) -> Result<Vec<Profile>, AppError> {
    domain::profile::parse_list(ids)
        .map_err(|error| internal("stored profile list is not valid", error))
}

pub(super) async fn log(
    conn: impl Into<Conn<'_>>,
    link_id: &LinkId,
    at: &Timestamp,
    event: &str,
) -> Result<(), AppError> {
    crate::execute_on!(
        &mut crate::backend::hold(conn).await?,
        sqlx::query(
            "INSERT INTO onboarding_events (id, link_id, at, event) VALUES ($1, $2, $3, $4)"
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(link_id)
        .bind(at)
        .bind(event)
    )
    .map_err(db("could not log an onboarding event"))?;
    Ok(())
}

pub async fn create_link(
    ctx: &Staff,
    customer_tenant_id: &CustomerTenantId,
    profiles: &str,
) -> Result<OnboardingCreated, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let tenant = tenants::owned(ctx, customer_tenant_id).await?;
    let mut problems = Problems::default();
    let chosen = domain::onboarding::link_products(profiles, &mut problems);
    let chosen = problems.finish(chosen).map_err(AppError::Invalid)?;
    if tenant.archived() {
        return Err(AppError::Conflict(
            "Restore the tenant before sending it an onboarding link.".into(),
        ));
    }
    let token = tokens::new_token();
    let created = ctx.now();
    let expires = Timestamp::of(created + ctx.backend.onboarding_ttl);
    let created = Timestamp::of(created);
    let id = LinkId::generate();
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(&mut tx, sqlx::query(
        "INSERT INTO onboarding_links (id, organisation_id, customer_tenant_id, profiles, token_digest, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(tenant.organisation_id())
    .bind(tenant.id())
    .bind(domain::profile::list_ids(&chosen))
    .bind(tokens::digest(&token))
    .bind(ctx.scope.user_id())
    .bind(&created)
    .bind(&expires))
    .map_err(db("could not create an onboarding link"))?;
    log(&mut tx, &id, &created, "created").await?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::LinkCreated,
        id.as_str(),
        &domain::profile::list_ids(&chosen),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save an onboarding link"))?;
    Ok(OnboardingCreated {
        link: ctx.backend.link(&format!("/onboard/{token}")),
        expires_at: expires,
    })
}

#[derive(sqlx::FromRow)]
struct LinkListRow {
    id: LinkId,
    profiles: String,
    created_at: Timestamp,
    expires_at: Timestamp,
    revoked_at: Option<Timestamp>,
    opened_at: Option<Timestamp>,
    completed_at: Option<Timestamp>,
    step_reached: i64,
}

pub async fn list_links(
    ctx: &Staff,
    customer_tenant_id: &CustomerTenantId,
) -> Result<Vec<OnboardingLinkView>, AppError> {
    let tenant = tenants::owned(ctx, customer_tenant_id).await?;
    let rows: Vec<LinkListRow> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT id, profiles, created_at, expires_at, revoked_at, opened_at, completed_at, step_reached
           FROM onboarding_links WHERE customer_tenant_id = $1 AND organisation_id = $2 ORDER BY created_at DESC",
    )
    .bind(tenant.id())
    .bind(tenant.organisation_id())
    .fetch_all(c)
    .await)
    .map_err(db("could not list onboarding links"))?;
    let now = ctx.now().unix_timestamp();
    rows.into_iter()
        .map(|row| {
            let state = LinkState::of(
                row.revoked_at.is_some(),
                row.completed_at.is_some(),
                row.expires_at.unix(),
                now,
            );
            Ok(OnboardingLinkView {
                active: state == LinkState::Active,
                state: match state {
                    LinkState::Revoked => "Revoked".to_owned(),
                    LinkState::Completed => "Completed".to_owned(),
                    LinkState::Expired => "Expired".to_owned(),
                    LinkState::Active => domain::onboarding::progress_label(
                        row.step_reached,
                        row.opened_at.is_some(),
                    ),
                },
                id: row.id,
                profiles: profiles_of(&row.profiles)?
                    .into_iter()
                    .map(|p| p.name)
                    .collect(),
                created_at: row.created_at,
                expires_at: row.expires_at,
            })
        })
        .collect()
}

/// When a tenant is archived its unfinished links stop working and forget
/// what the customer entered; returns how many were revoked.
pub(in crate::backend) async fn revoke_all_of<'e>(
    conn: impl Into<Conn<'_>>,
    tenant: &tenants::OwnedTenant,
    now: &Timestamp,
) -> Result<u64, AppError> {
    let revoked = crate::execute_on!(
        &mut crate::backend::hold(conn).await?,
        sqlx::query(
            "UPDATE onboarding_links SET revoked_at = $1, secret_sealed = NULL
          WHERE customer_tenant_id = $2 AND organisation_id = $3
            AND revoked_at IS NULL AND completed_at IS NULL",
        )
        .bind(now)
        .bind(tenant.id())
        .bind(tenant.organisation_id())
    )
    .map_err(db("could not revoke a tenant's onboarding links"))?;
    Ok(revoked.rows_affected())
}

pub async fn revoke_link(ctx: &Staff, link_id: &LinkId) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let now = Timestamp::of(ctx.now());
    let mut tx = begin(ctx.pool()).await?;
    let revoked = crate::execute_on!(
        &mut tx,
        sqlx::query(
            "UPDATE onboarding_links SET revoked_at = $1, secret_sealed = NULL
          WHERE id = $2 AND organisation_id = $3 AND revoked_at IS NULL",
        )
        .bind(&now)
        .bind(link_id)
        .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not revoke an onboarding link"))?;
    if revoked.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    log(&mut tx, link_id, &now, "revoked").await?;
    audit::by_member(&mut tx, ctx, AuditAction::LinkRevoked, link_id.as_str(), "").await?;
    tx.commit().await.map_err(db("could not save a revocation"))
}
