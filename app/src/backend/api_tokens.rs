//! Organisation API tokens: made and revoked by admins, shown once, kept
//! only as a SHA-256 digest. A request bearing one becomes a `Staff`
//! context whose scope is the token's organisation, so the JSON API calls
//! the same services (and the same isolation) as the pages.

use crate::backend::db::Conn;
use crate::backend::origin::RequestOrigin;
use crate::backend::{audit, begin, db, tokens, Backend, OrgScope, Staff};
use crate::error::AppError;
use crate::ids::{ApiTokenId, OrganisationId, UserId};
use crate::model::{ApiTokenCreated, ApiTokenForm, ApiTokenView};
use crate::timestamp::Timestamp;
use domain::api_token::{self, ApiScope, ApiScopes, PresentedToken, Refused};
use domain::audit::AuditAction;
use domain::Action;

/// How often a token's "last used" is written: each request writing it
/// would make every API read a database write.
const LAST_USE_RESOLUTION_SECONDS: i64 = 60;

/// Whether the admin who made a token (`u`) still is one: a token of
/// anyone else is not usable.
const CREATOR_IS_ACTIVE_ADMIN: &str =
    "(u.role = 'admin' AND u.disabled_at IS NULL AND u.removed_at IS NULL) AS creator_is_active_admin";

pub async fn create(ctx: &Staff, form: &ApiTokenForm) -> Result<ApiTokenCreated, AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let now = ctx.now();
    let new = api_token::new_token(
        &form.name,
        &form.scopes,
        &form.expires_in_days,
        now.unix_timestamp(),
    )
    .map_err(AppError::Invalid)?;
    let id = ApiTokenId::from(uuid::Uuid::new_v4().simple().to_string());
    let token = api_token::token_text(id.as_str(), &tokens::new_token());
    let expires_at = new.expires_at.and_then(crate::backend::checks::view::at);
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(
        &mut tx,
        sqlx::query(
            "INSERT INTO api_tokens
            (id, organisation_id, name, scopes, token_digest, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(ctx.scope.organisation_id())
        .bind(&new.name)
        .bind(new.scopes.stored())
        .bind(tokens::digest(&token))
        .bind(ctx.scope.user_id())
        .bind(Timestamp::of(now))
        .bind(&expires_at)
    )
    .map_err(db("could not store an API token"))?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::ApiTokenCreated,
        &new.name,
        &format!(
            "scopes {}; {}",
            new.scopes.stored(),
            expires_at
                .as_ref()
                .map(|at| format!("expires {}", at.date()))
                .unwrap_or_else(|| "no expiry".to_owned())
        ),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not store an API token"))?;
    Ok(ApiTokenCreated {
        id,
        name: new.name,
        token,
        expires_at,
    })
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: ApiTokenId,
    name: String,
    scopes: String,
    created_by: String,
    created_at: Timestamp,
    expires_at: Option<Timestamp>,
    last_used_at: Option<Timestamp>,
    last_used_ip: Option<String>,
    revoked_at: Option<Timestamp>,
    creator_is_active_admin: bool,
}

pub async fn list(ctx: &Staff) -> Result<Vec<ApiTokenView>, AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let rows: Vec<ListRow> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(&format!(
        "SELECT t.id, t.name, t.scopes, u.email AS created_by, t.created_at, t.expires_at,
                t.last_used_at, t.last_used_ip, t.revoked_at,
                {CREATOR_IS_ACTIVE_ADMIN}
           FROM api_tokens t JOIN users u ON u.id = t.created_by
          WHERE t.organisation_id = $1
          ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC, t.id"
    ))
    .bind(ctx.scope.organisation_id())
    .fetch_all(c)
    .await)
    .map_err(db("could not list API tokens"))?;
    let now = ctx.now().unix_timestamp();
    Ok(rows
        .into_iter()
        .map(|row| {
            let usable = api_token::usable(
                row.revoked_at.is_some(),
                row.expires_at.as_ref().map(Timestamp::unix),
                row.creator_is_active_admin,
                now,
            );
            ApiTokenView {
                id: row.id,
                name: row.name,
                scopes: row.scopes.split(',').map(str::to_owned).collect(),
                created_by: row.created_by,
                created_at: row.created_at,
                expires_at: row.expires_at,
                last_used_at: row.last_used_at,
                last_used_ip: row.last_used_ip,
                revoked_at: row.revoked_at,
                active: usable.is_ok(),
            }
        })
        .collect())
}

/// Revokes at once: the next request with the token is refused.
pub async fn revoke(ctx: &Staff, id: &ApiTokenId) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let mut tx = begin(ctx.pool()).await?;
    let name: Option<(String,)> = crate::on_db!(&mut tx, |c| sqlx::query_as(
        "UPDATE api_tokens SET revoked_at = $1, revoked_by = $2
          WHERE id = $3 AND organisation_id = $4 AND revoked_at IS NULL
          RETURNING name",
    )
    .bind(Timestamp::of(ctx.now()))
    .bind(ctx.scope.user_id())
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not revoke an API token"))?;
    let (name,) = name.ok_or(AppError::NotFound)?;
    audit::by_member(&mut tx, ctx, AuditAction::ApiTokenRevoked, &name, "").await?;
    tx.commit()
        .await
        .map_err(db("could not revoke an API token"))?;
    Ok(())
}

/// Revokes every token `user_id` made, when they stop being an active
/// admin: a token that merely stopped working would come back if they
/// were made an admin again. Returns how many were revoked.
pub async fn revoke_all_of<'e>(
    conn: impl Into<Conn<'_>>,
    organisation_id: &OrganisationId,
    user_id: &UserId,
    by: &UserId,
    now: time::OffsetDateTime,
) -> Result<u64, AppError> {
    let revoked = crate::execute_on!(
        &mut crate::backend::hold(conn).await?,
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1, revoked_by = $2
          WHERE created_by = $3 AND organisation_id = $4 AND revoked_at IS NULL",
        )
        .bind(Timestamp::of(now))
        .bind(by)
        .bind(user_id)
        .bind(organisation_id)
    )
    .map_err(db("could not revoke a member's API tokens"))?;
    Ok(revoked.rows_affected())
}

/// A request authenticated by a token: the context its services run in,
/// and what the token may do.
pub struct ApiCaller {
    pub staff: Staff,
    pub token_id: ApiTokenId,
    pub scopes: ApiScopes,
}

impl ApiCaller {
    pub fn allows(&self, scope: ApiScope) -> bool {
        self.scopes.allows(scope)
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    organisation_id: OrganisationId,
    name: String,
    scopes: String,
    token_digest: String,
    created_by: UserId,
    expires_at: Option<Timestamp>,
    last_used_at: Option<Timestamp>,
    revoked: bool,
    creator_is_active_admin: bool,
}

/// The caller a bearer token proves, or `Unauthenticated`, the same for
/// every reason (unknown, wrong, revoked, expired) so the answer reveals
/// nothing; the reason is logged.
pub async fn authenticate(
    backend: &Backend,
    presented: &PresentedToken,
    origin: RequestOrigin,
) -> Result<ApiCaller, AppError> {
    let row: Option<TokenRow> = crate::on_db!(&backend.pool, |c| sqlx::query_as(&format!(
        "SELECT t.organisation_id, t.name, t.scopes, t.token_digest, t.created_by, t.expires_at,
                t.last_used_at, t.revoked_at IS NOT NULL AS revoked,
                {CREATOR_IS_ACTIVE_ADMIN}
           FROM api_tokens t JOIN users u ON u.id = t.created_by
          WHERE t.id = $1"
    ))
    .bind(&presented.id)
    .fetch_optional(c)
    .await)
    .map_err(db("could not read an API token"))?;
    let Some(row) = row else {
        return Err(AppError::Unauthenticated);
    };
    // Both sides are digests of 256-bit secrets: comparing them leaks
    // nothing an attacker can steer towards a match.
    if tokens::digest(presented.expose()) != row.token_digest {
        tracing::info!(token = %presented.id, "an API token was presented with a wrong secret");
        return Err(AppError::Unauthenticated);
    }
    let now = backend.now();
    if let Err(refused) = api_token::usable(
        row.revoked,
        row.expires_at.as_ref().map(Timestamp::unix),
        row.creator_is_active_admin,
        now.unix_timestamp(),
    ) {
        let reason = match refused {
            Refused::Revoked => "revoked",
            Refused::Expired => "expired",
            Refused::CreatorGone => "its creator is no longer an active admin",
        };
        tracing::info!(token = %presented.id, reason, "an API token was refused");
        return Err(AppError::Unauthenticated);
    }
    let scopes = ApiScopes::from_stored(&row.scopes)
        .map_err(|error| crate::backend::internal("stored API token scopes", Garbled(error)))?;
    let id = ApiTokenId::from(presented.id.clone());
    let stale = row
        .last_used_at
        .as_ref()
        .is_none_or(|at| now.unix_timestamp() - at.unix() >= LAST_USE_RESOLUTION_SECONDS);
    if stale {
        crate::execute_on!(
            &backend.pool,
            sqlx::query("UPDATE api_tokens SET last_used_at = $1, last_used_ip = $2 WHERE id = $3")
                .bind(Timestamp::of(now))
                .bind(origin.ip_text())
                .bind(&id)
        )
        .map_err(db("could not note an API token's use"))?;
    }
    let label = format!("API token \u{201c}{}\u{201d}", row.name);
    Ok(ApiCaller {
        staff: Staff {
            backend: backend.clone(),
            scope: OrgScope::of_api_token(
                row.created_by,
                row.organisation_id,
                scopes.changes_anything(),
                label,
            ),
            origin,
        },
        token_id: id,
        scopes,
    })
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Garbled(String);
