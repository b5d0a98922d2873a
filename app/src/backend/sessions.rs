//! Sign-ins as rows (`staff_sessions`). A browser's session names its row
//! and every request checks that the row is open and its member active,
//! so ending rows (sign out everywhere, a member disabled or removed) takes
//! effect on the next request, whichever server answers it.

use crate::backend::db::{Conn, Db};
use crate::backend::origin::RequestOrigin;
use crate::backend::users::{parse_role, Membership};
use crate::backend::{audit, db, Staff};
use crate::error::AppError;
use crate::ids::{OrganisationId, StaffSessionId, UserId};
use crate::model::SessionView;
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;

pub async fn open(
    pool: &Db,
    user_id: &UserId,
    organisation_id: &OrganisationId,
    origin: &RequestOrigin,
    now: time::OffsetDateTime,
) -> Result<StaffSessionId, AppError> {
    let id = StaffSessionId::generate();
    let now = Timestamp::of(now);
    crate::execute_on!(
        pool,
        sqlx::query(
            "INSERT INTO staff_sessions
            (id, user_id, organisation_id, created_at, last_seen_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(organisation_id)
        .bind(&now)
        .bind(origin.ip_text())
        .bind(&origin.user_agent)
    )
    .map_err(db("could not record a sign-in"))?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    organisation_id: OrganisationId,
    role: String,
    email: String,
}

/// The member an open session row signs in, if they may still sign in.
pub async fn member(
    pool: &Db,
    id: &StaffSessionId,
    user_id: &UserId,
) -> Result<Option<Membership>, AppError> {
    let row: Option<MemberRow> = crate::on_db!(pool, |c| sqlx::query_as(
        "SELECT u.organisation_id, u.role, u.email
           FROM staff_sessions s
           JOIN users u ON u.id = s.user_id AND u.organisation_id = s.organisation_id
          WHERE s.id = $1 AND s.user_id = $2 AND s.ended_at IS NULL
            AND u.disabled_at IS NULL AND u.removed_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(c)
    .await)
    .map_err(db("could not look up a session"))?;
    row.map(|row| {
        Ok(Membership {
            organisation_id: row.organisation_id,
            role: parse_role(&row.role)?,
            email: row.email,
        })
    })
    .transpose()
}

/// Marks `user_id`'s session row as used at `now`.
pub async fn touch(
    pool: &Db,
    id: &StaffSessionId,
    user_id: &UserId,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    crate::execute_on!(
        pool,
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE id = $2 AND user_id = $3")
            .bind(Timestamp::of(now))
            .bind(id)
            .bind(user_id)
    )
    .map_err(db("could not mark a session as used"))?;
    Ok(())
}

/// Ends `user_id`'s session row, if still open.
pub async fn end(
    pool: &Db,
    id: &StaffSessionId,
    user_id: &UserId,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    crate::execute_on!(pool, sqlx::query(
        "UPDATE staff_sessions SET ended_at = $1 WHERE id = $2 AND user_id = $3 AND ended_at IS NULL",
    )
    .bind(Timestamp::of(now))
    .bind(id)
    .bind(user_id))
    .map_err(db("could not end a session"))?;
    Ok(())
}

/// Ends every open sign-in of a member of `organisation_id` (but `keep`,
/// if given); returns how many.
pub async fn end_all_of<'e>(
    conn: impl Into<Conn<'_>>,
    organisation_id: &OrganisationId,
    user_id: &UserId,
    keep: Option<&StaffSessionId>,
    now: time::OffsetDateTime,
) -> Result<u64, AppError> {
    let ended = crate::execute_on!(
        &mut crate::backend::hold(conn).await?,
        sqlx::query(
            "UPDATE staff_sessions SET ended_at = $1
          WHERE user_id = $2 AND organisation_id = $3 AND ended_at IS NULL
            AND ($4 IS NULL OR id <> $4)",
        )
        .bind(Timestamp::of(now))
        .bind(user_id)
        .bind(organisation_id)
        .bind(keep)
    )
    .map_err(db("could not end sessions"))?;
    Ok(ended.rows_affected())
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: StaffSessionId,
    created_at: Timestamp,
    last_seen_at: Timestamp,
    ip: String,
    user_agent: String,
}

/// The caller's sign-ins that are still open and within their lifetimes,
/// newest first.
pub async fn mine(ctx: &Staff) -> Result<Vec<SessionView>, AppError> {
    let limits = ctx.backend.session_limits;
    let now = ctx.now();
    let rows: Vec<SessionRow> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT id, created_at, last_seen_at, ip, user_agent FROM staff_sessions
          WHERE user_id = $1 AND organisation_id = $2 AND ended_at IS NULL
            AND created_at > $3 AND last_seen_at > $4
          ORDER BY last_seen_at DESC, id",
    )
    .bind(ctx.scope.user_id())
    .bind(ctx.scope.organisation_id())
    .bind(Timestamp::of(
        now - time::Duration::seconds(limits.absolute_seconds),
    ))
    .bind(Timestamp::of(
        now - time::Duration::seconds(limits.idle_seconds),
    ))
    .fetch_all(c)
    .await)
    .map_err(db("could not list sessions"))?;
    Ok(rows
        .into_iter()
        .map(|row| SessionView {
            current: ctx.scope.session_id() == Some(&row.id),
            id: row.id,
            signed_in_at: row.created_at,
            last_seen_at: row.last_seen_at,
            ip: row.ip,
            user_agent: row.user_agent,
        })
        .collect())
}

/// Signs the caller out of every other browser (or of all, this one too).
pub async fn sign_out_everywhere(ctx: &Staff, this_one_too: bool) -> Result<u64, AppError> {
    let keep = if this_one_too {
        None
    } else {
        ctx.scope.session_id()
    };
    let mut tx = crate::backend::begin(ctx.pool()).await?;
    let ended = end_all_of(
        &mut tx,
        ctx.scope.organisation_id(),
        ctx.scope.user_id(),
        keep,
        ctx.now(),
    )
    .await?;
    let detail = if this_one_too {
        format!("{ended} sessions, this one included")
    } else {
        format!("{ended} other sessions")
    };
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::SessionsRevoked,
        ctx.scope.email(),
        &detail,
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save ended sessions"))?;
    Ok(ended)
}
