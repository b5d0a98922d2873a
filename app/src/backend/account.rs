//! What a member changes about their own account.

use crate::backend::sign_in_limits::{password_key, Attempt};
use crate::backend::{audit, begin, db, sessions, Staff};
use crate::error::AppError;
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::Password;

/// A new password, given the current one. The member's other sign-ins end
/// (whoever else held one no longer does); this browser stays signed in.
pub async fn change_password(ctx: &Staff, current: &str, new: &str) -> Result<(), AppError> {
    let backend = &ctx.backend;
    let new = Password::parse(new, &[ctx.scope.email()])
        .map_err(|error| AppError::invalid("new_password", error.to_string()))?;
    let stored = stored_password(ctx).await?;
    // A session left open must not become a way to guess the password:
    // wrong guesses here count against the same limit as at sign-in.
    verify_current_password(ctx, current, &stored).await?;
    let hash = backend.passwords.hash(&new).await?;
    let now = ctx.now();
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(
        &mut tx,
        sqlx::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2
          WHERE id = $3 AND organisation_id = $4",
        )
        .bind(&hash)
        .bind(Timestamp::of(now))
        .bind(ctx.scope.user_id())
        .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not change a password"))?;
    let ended = sessions::end_all_of(
        &mut tx,
        ctx.scope.organisation_id(),
        ctx.scope.user_id(),
        ctx.scope.session_id(),
        now,
    )
    .await?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::PasswordChanged,
        ctx.scope.email(),
        &format!("{ended} other sessions ended"),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a password change"))
}

/// Refuses unless `typed` is the member's password, counted like a sign-in
/// (a stolen session cannot guess it, nor use it unconfirmed to change the
/// account's security).
pub async fn verify_current_password(
    ctx: &Staff,
    typed: &str,
    stored: &str,
) -> Result<(), AppError> {
    let backend = &ctx.backend;
    let key = password_key(ctx.scope.email());
    let attempt = backend
        .sign_in
        .guarded(ctx.pool(), &ctx.origin, &key, ctx.now(), async {
            Ok(backend
                .passwords
                .verify(typed, Some(stored))
                .await?
                .then_some(()))
        })
        .await?;
    match attempt {
        Attempt::Passed(()) => Ok(()),
        Attempt::Failed { .. } => Err(AppError::invalid(
            "current_password",
            "This is not your current password.",
        )),
    }
}

/// The member's stored password hash.
pub async fn stored_password(ctx: &Staff) -> Result<String, AppError> {
    let (stored,): (String,) = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT password_hash FROM users WHERE id = $1 AND organisation_id = $2"
    )
    .bind(ctx.scope.user_id())
    .bind(ctx.scope.organisation_id())
    .fetch_one(c)
    .await)
    .map_err(db("could not load a password"))?;
    Ok(stored)
}
