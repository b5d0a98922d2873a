//! Claims: a registration is checked only by whoever holds its lease. A
//! claim is one statement, so two claimants never hold the same row; on
//! PostgreSQL the inner select gains `FOR UPDATE SKIP LOCKED` and the same
//! statement splits a sweep between servers. A result is stored only under
//! the claim it was made for (see `record`), and a claimant that dies
//! simply lets its lease run out. The tenant's row is not locked (`OF r`):
//! a claimant busy with one tenant must not hide its other registrations.

use crate::backend::{db, Backend};
use crate::error::AppError;
use crate::ids::{OrganisationId, RegistrationId};
use crate::timestamp::Timestamp;

/// The right to check one registration and store the result once. Made
/// only here, so holding one proves the row was claimed.
#[derive(Debug, Clone)]
pub struct Claim {
    pub(super) registration_id: RegistrationId,
    pub(super) token: String,
}

impl Claim {
    pub fn registration_id(&self) -> &RegistrationId {
        &self.registration_id
    }

    /// What the stored check records, unique per claimed registration.
    pub(super) fn key(&self) -> String {
        format!("{}:{}", self.token, self.registration_id.as_str())
    }
}

fn fresh_token() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn lease_end(backend: &Backend) -> Timestamp {
    Timestamp::of(backend.now() + backend.watch.lease)
}

/// Claims up to `limit` registrations that are due: active, in an active
/// tenant that Microsoft has not asked us to leave alone, and not leased.
/// A claimed row's due time moves to the end of its lease, so the index on
/// due times finds only unclaimed rows, and a row whose claimant died falls
/// due again by itself. A row never checked has no due time and counts as
/// due since the beginning: written as the empty text it comes first, and
/// "due" stays one range of that index (`registrations_due`).
pub async fn due(backend: &Backend, limit: usize) -> Result<Vec<Claim>, AppError> {
    let token = fresh_token();
    let now = Timestamp::of(backend.now());
    let skip_locked = backend.pool.engine().skip_locked("r");
    let _turn = backend.watch.writer.turn().await;
    let ids: Vec<(RegistrationId,)> = crate::on_db!(&backend.pool, |c| sqlx::query_as(&format!(
        "UPDATE registrations SET lease_claim = $1, lease_until = $2, next_check_at = $2
          WHERE id IN (
                SELECT r.id FROM registrations r
                  JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
                 WHERE r.archived_at IS NULL AND t.archived_at IS NULL
                   AND COALESCE(r.next_check_at, '') <= $3
                   AND (r.lease_until IS NULL OR r.lease_until <= $3)
                   AND (t.checks_paused_until IS NULL OR t.checks_paused_until <= $3)
                 ORDER BY COALESCE(r.next_check_at, '')
                 LIMIT $4
                 {skip_locked})
         RETURNING id",
    ))
    .bind(&token)
    .bind(lease_end(backend))
    .bind(&now)
    .bind(limit as i64)
    .fetch_all(c)
    .await)
    .map_err(db("could not claim due registrations"))?;
    Ok(ids
        .into_iter()
        .map(|(registration_id,)| Claim {
            registration_id,
            token: token.clone(),
        })
        .collect())
}

/// Claims one registration of `organisation_id` (the caller's, or the one
/// a consent link belongs to) for a check someone asked for, due or not.
pub async fn one(
    backend: &Backend,
    organisation_id: &OrganisationId,
    registration_id: &RegistrationId,
) -> Result<Claim, AppError> {
    let token = fresh_token();
    let now = Timestamp::of(backend.now());
    let claimed: Option<(RegistrationId,)> = crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "UPDATE registrations SET lease_claim = $1, lease_until = $2
          WHERE id = $3 AND organisation_id = $4 AND archived_at IS NULL
            AND (lease_until IS NULL OR lease_until <= $5)
            AND customer_tenant_id IN (
                SELECT id FROM customer_tenants
                 WHERE organisation_id = $4 AND archived_at IS NULL
                   AND (checks_paused_until IS NULL OR checks_paused_until <= $5))
         RETURNING id",
    )
    .bind(&token)
    .bind(lease_end(backend))
    .bind(registration_id)
    .bind(organisation_id)
    .bind(&now)
    .fetch_optional(c)
    .await)
    .map_err(db("could not claim a registration"))?;
    match claimed {
        Some((registration_id,)) => Ok(Claim {
            registration_id,
            token,
        }),
        None => Err(busy_or_missing(backend, organisation_id, registration_id).await?),
    }
}

async fn busy_or_missing(
    backend: &Backend,
    organisation_id: &OrganisationId,
    registration_id: &RegistrationId,
) -> Result<AppError, AppError> {
    let row: Option<(Option<Timestamp>,)> = crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT archived_at FROM registrations WHERE id = $1 AND organisation_id = $2",
    )
    .bind(registration_id)
    .bind(organisation_id)
    .fetch_optional(c)
    .await)
    .map_err(db("could not read a registration"))?;
    Ok(match row {
        None => AppError::NotFound,
        Some((Some(_),)) => {
            AppError::Conflict("This registration is archived; it is no longer checked.".into())
        }
        Some((None,)) => AppError::Conflict(
            "A check of this registration is running, or Microsoft asked Tenantry to wait before asking this tenant again; try again shortly.".into(),
        ),
    })
}
