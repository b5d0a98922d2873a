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
mod link;
mod test;

pub use credential::{certificate_download, generate_certificate, save_secret, upload_certificate};
pub use customer::{finish_step, open, save_ids};
pub use test::test;

use crate::backend::{db, internal, now, parse_timestamp, timestamp, tokens, Backend, OrgScope};
use crate::error::AppError;
use crate::model::{OnboardingCreated, OnboardingLinkView};
use domain::profile::Profile;
use domain::Action;

pub(super) fn profiles_of(ids: &str) -> Result<Vec<Profile>, AppError> {
    domain::profile::parse_list(ids)
        .map_err(|error| internal("stored profile list is not valid", error))
}

pub(super) async fn log(backend: &Backend, link_id: &str, event: &str) -> Result<(), AppError> {
    sqlx::query("INSERT INTO onboarding_events (id, link_id, at, event) VALUES ($1, $2, $3, $4)")
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(link_id)
        .bind(timestamp(now()))
        .bind(event)
        .execute(&backend.pool)
        .await
        .map_err(db("could not log an onboarding event"))?;
    Ok(())
}

pub async fn create_link(
    backend: &Backend,
    scope: &OrgScope,
    tenant_id: &str,
    profiles: &str,
) -> Result<OnboardingCreated, AppError> {
    scope.permit(Action::ManageTenants)?;
    let chosen = domain::profile::parse_list(profiles)
        .map_err(|error| AppError::invalid("profiles", error))?;
    if chosen.is_empty() {
        return Err(AppError::invalid(
            "profiles",
            "Choose at least one product to set up.",
        ));
    }
    let owned: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT archived_at FROM customer_tenants WHERE id = $1 AND organisation_id = $2",
    )
    .bind(tenant_id)
    .bind(scope.organisation_id())
    .fetch_optional(&backend.pool)
    .await
    .map_err(db("could not load a customer tenant"))?;
    if owned.ok_or(AppError::NotFound)?.0.is_some() {
        return Err(AppError::Conflict(
            "Restore the tenant before sending it an onboarding link.".into(),
        ));
    }
    let token = tokens::new_token();
    let created = now();
    let expires = created + backend.onboarding_ttl;
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO onboarding_links (id, organisation_id, customer_tenant_id, profiles, token_digest, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(scope.organisation_id())
    .bind(tenant_id)
    .bind(domain::profile::list_ids(&chosen))
    .bind(tokens::digest(&token))
    .bind(scope.user_id())
    .bind(timestamp(created))
    .bind(timestamp(expires))
    .execute(&backend.pool)
    .await
    .map_err(db("could not create an onboarding link"))?;
    log(backend, &id, "created").await?;
    Ok(OnboardingCreated {
        link: backend.link(&format!("/onboard/{token}")),
        expires_at: timestamp(expires),
    })
}

#[derive(sqlx::FromRow)]
struct LinkListRow {
    id: String,
    profiles: String,
    created_at: String,
    expires_at: String,
    revoked_at: Option<String>,
    opened_at: Option<String>,
    completed_at: Option<String>,
    step_reached: i64,
}

pub async fn list_links(
    backend: &Backend,
    scope: &OrgScope,
    tenant_id: &str,
) -> Result<Vec<OnboardingLinkView>, AppError> {
    let rows: Vec<LinkListRow> = sqlx::query_as(
        "SELECT id, profiles, created_at, expires_at, revoked_at, opened_at, completed_at, step_reached
           FROM onboarding_links WHERE customer_tenant_id = $1 AND organisation_id = $2 ORDER BY created_at DESC",
    )
    .bind(tenant_id)
    .bind(scope.organisation_id())
    .fetch_all(&backend.pool)
    .await
    .map_err(db("could not list onboarding links"))?;
    let at = now();
    rows.into_iter()
        .map(|row| {
            let expired = parse_timestamp(&row.expires_at)? <= at;
            let state = if row.revoked_at.is_some() {
                "Revoked".to_owned()
            } else if row.completed_at.is_some() {
                "Completed".to_owned()
            } else if expired {
                "Expired".to_owned()
            } else {
                domain::onboarding::progress_label(row.step_reached, row.opened_at.is_some())
            };
            Ok(OnboardingLinkView {
                active: row.revoked_at.is_none() && row.completed_at.is_none() && !expired,
                id: row.id,
                profiles: profiles_of(&row.profiles)?
                    .into_iter()
                    .map(|p| p.name)
                    .collect(),
                created_at: row.created_at,
                expires_at: row.expires_at,
                state,
            })
        })
        .collect()
}

pub async fn revoke_link(
    backend: &Backend,
    scope: &OrgScope,
    link_id: &str,
) -> Result<(), AppError> {
    scope.permit(Action::ManageTenants)?;
    let revoked = sqlx::query(
        "UPDATE onboarding_links SET revoked_at = $1 WHERE id = $2 AND organisation_id = $3 AND revoked_at IS NULL",
    )
    .bind(timestamp(now()))
    .bind(link_id)
    .bind(scope.organisation_id())
    .execute(&backend.pool)
    .await
    .map_err(db("could not revoke an onboarding link"))?;
    if revoked.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    log(backend, link_id, "revoked").await
}
