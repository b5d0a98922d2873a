//! An admin sends a member who forgot their password a reset link: single
//! use, kept only as a digest, expiring. Using it sets a new password and
//! ends every sign-in the member had.

use crate::backend::db::Tx;
use crate::backend::origin::RequestOrigin;
use crate::backend::sign_in_limits::password_key;
use crate::backend::users::colleague;
use crate::backend::{audit, begin, db, sessions, tokens, Backend, Staff};
use crate::error::AppError;
use crate::ids::{OrganisationId, UserId};
use crate::model::{PasswordResetCreated, PasswordResetDetails};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::{Action, Password};

/// How long a reset link works.
pub const LIFETIME: time::Duration = time::Duration::hours(24);

pub async fn create(ctx: &Staff, user_id: &UserId) -> Result<PasswordResetCreated, AppError> {
    ctx.scope.permit(Action::ManageStaff)?;
    if user_id == ctx.scope.user_id() {
        return Err(AppError::Conflict(
            "Change your own password on your account page.".to_owned(),
        ));
    }
    let mut tx = begin(ctx.pool()).await?;
    let member = colleague(&mut tx, &ctx.scope, user_id).await?;
    let (token, expires_at) = issue(
        &mut tx,
        user_id,
        ctx.scope.organisation_id(),
        ctx.scope.user_id(),
        ctx.now(),
    )
    .await?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::PasswordResetSent,
        &member.email,
        "",
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a reset link"))?;
    Ok(PasswordResetCreated {
        email: member.email,
        link: ctx.backend.link(&format!("/reset/{token}")),
        expires_at,
    })
}

/// Stores a new single-use link for `user_id`, replacing any unused one;
/// returns its token (shown once, kept only as a digest) and expiry.
pub(crate) async fn issue(
    tx: &mut Tx,
    user_id: &UserId,
    organisation_id: &OrganisationId,
    created_by: &UserId,
    now: time::OffsetDateTime,
) -> Result<(String, Timestamp), AppError> {
    let token = tokens::new_token();
    let expires_at = Timestamp::of(now + LIFETIME);
    crate::execute_on!(&mut *tx, sqlx::query(
        "DELETE FROM password_resets WHERE user_id = $1 AND organisation_id = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(organisation_id))
    .map_err(db("could not replace a reset link"))?;
    crate::execute_on!(
        &mut *tx,
        sqlx::query(
            "INSERT INTO password_resets
            (token_digest, user_id, organisation_id, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tokens::digest(&token))
        .bind(user_id)
        .bind(organisation_id)
        .bind(created_by)
        .bind(Timestamp::of(now))
        .bind(&expires_at)
    )
    .map_err(db("could not store a reset link"))?;
    Ok((token, expires_at))
}

pub fn not_valid() -> AppError {
    AppError::Gone(
        "This password reset link is not valid, was already used or has expired. Ask your administrator for a new one."
            .to_owned(),
    )
}

#[derive(sqlx::FromRow)]
struct OpenReset {
    user_id: UserId,
    organisation_id: OrganisationId,
    email: String,
    organisation_name: String,
}

/// The reset a token opens: unused, unexpired, for a member who may still
/// sign in, sent by an admin who still may.
async fn open(backend: &Backend, token: &str) -> Result<OpenReset, AppError> {
    crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT r.user_id, r.organisation_id, u.email, o.name AS organisation_name
           FROM password_resets r
           JOIN users u ON u.id = r.user_id AND u.organisation_id = r.organisation_id
           JOIN users sender ON sender.id = r.created_by
           JOIN organisations o ON o.id = r.organisation_id
          WHERE r.token_digest = $1 AND r.used_at IS NULL AND r.expires_at > $2
            AND u.disabled_at IS NULL AND u.removed_at IS NULL
            AND sender.disabled_at IS NULL AND sender.removed_at IS NULL",
    )
    .bind(tokens::digest(token))
    .bind(Timestamp::of(backend.now()))
    .fetch_optional(c)
    .await)
    .map_err(db("could not look up a reset link"))?
    .ok_or_else(not_valid)
}

pub async fn preview(backend: &Backend, token: &str) -> Result<PasswordResetDetails, AppError> {
    let reset = open(backend, token).await?;
    Ok(PasswordResetDetails {
        email: reset.email,
        organisation_name: reset.organisation_name,
    })
}

/// Sets the new password, uses the link up and ends the member's sign-ins.
pub async fn complete(
    backend: &Backend,
    token: &str,
    new_password: &str,
    origin: &RequestOrigin,
) -> Result<(), AppError> {
    backend.sign_in.admit_client(origin)?;
    let reset = open(backend, token).await?;
    let password = Password::parse(new_password, &[&reset.email])?;
    let hash = backend.passwords.hash(&password).await?;
    let now = backend.now();
    let mut tx = begin(&backend.pool).await?;
    let used =
        crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE token_digest = $2 AND used_at IS NULL",
    )
    .bind(Timestamp::of(now))
    .bind(tokens::digest(token)))
        .map_err(db("could not use a reset link"))?;
    if used.rows_affected() != 1 {
        return Err(not_valid());
    }
    crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3 AND organisation_id = $4",
    )
    .bind(&hash)
    .bind(Timestamp::of(now))
    .bind(&reset.user_id)
    .bind(&reset.organisation_id))
    .map_err(db("could not set a new password"))?;
    let ended =
        sessions::end_all_of(&mut tx, &reset.organisation_id, &reset.user_id, None, now).await?;
    audit::record(
        &mut tx,
        audit::Event {
            organisation_id: &reset.organisation_id,
            actor_user_id: Some(&reset.user_id),
            actor: &reset.email,
            action: AuditAction::PasswordReset,
            target: &reset.email,
            detail: &format!("with a reset link; {ended} sessions ended"),
            origin,
            at: now,
        },
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a new password"))?;
    backend
        .sign_in
        .clear(&backend.pool, &password_key(&reset.email), now)
        .await
}
