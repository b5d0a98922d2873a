//! The second factor: TOTP (RFC 6238, `totp-rs`) with one-time recovery
//! codes. The secret is sealed in the member's row like every other
//! secret; recovery codes are kept only as digests. A code is accepted once
//! (the last time step used is kept), and wrong codes count against the
//! same per-address and per-client limits as wrong passwords.

use crate::backend::auth::Authenticated;
use crate::backend::db::Tx;
use crate::backend::origin::RequestOrigin;
use crate::backend::sign_in_limits::{code_key, Attempt};
use crate::backend::vault::SealedIn;
use crate::backend::{audit, begin, db, internal, sessions, tokens, Backend, Staff};
use crate::error::AppError;
use crate::ids::{OrganisationId, UserId};
use crate::model::{MfaEnrolment, SecondFactorStatus};
use crate::timestamp::Timestamp;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::audit::AuditAction;
use domain::mfa::{parse_code, show_recovery_code, step_is_new, Code, RECOVERY_CODES};
use domain::Action;
use rand::RngCore;
use totp_rs::{Algorithm, TOTP};

const ISSUER: &str = "Tenantry";
const STEP_SECONDS: i64 = 30;
/// Codes from the step before and after are accepted too, for clocks a
/// little apart.
const STEPS_EITHER_SIDE: i64 = 1;

fn authenticator(secret: Vec<u8>, account: &str) -> Result<TOTP, AppError> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        0,
        STEP_SECONDS as u64,
        secret,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .map_err(|error| internal("could not prepare an authenticator", error))
}

fn pending_context(user_id: &UserId) -> String {
    format!("users:{user_id}:mfa-pending")
}

fn secret_context(user_id: &UserId) -> String {
    SealedIn::Users.context(user_id.as_str())
}

#[derive(sqlx::FromRow)]
struct FactorRow {
    secret_sealed: Option<String>,
    mfa_pending_sealed: Option<String>,
    mfa_last_step: Option<i64>,
    require_mfa: bool,
}

async fn factor(
    backend: &Backend,
    user_id: &UserId,
    organisation_id: &OrganisationId,
) -> Result<FactorRow, AppError> {
    crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT u.secret_sealed, u.mfa_pending_sealed, u.mfa_last_step, o.require_mfa
           FROM users u JOIN organisations o ON o.id = u.organisation_id
          WHERE u.id = $1 AND u.organisation_id = $2",
    )
    .bind(user_id)
    .bind(organisation_id)
    .fetch_one(c)
    .await)
    .map_err(db("could not read a member's second factor"))
}

/// Whether the member has a second factor, and whether their organisation
/// requires one.
pub async fn enrolled_and_required(
    backend: &Backend,
    member: &Authenticated,
) -> Result<(bool, bool), AppError> {
    let row = factor(backend, &member.user_id, &member.organisation_id).await?;
    Ok((row.secret_sealed.is_some(), row.require_mfa))
}

pub async fn status(ctx: &Staff) -> Result<SecondFactorStatus, AppError> {
    let row = factor(
        &ctx.backend,
        ctx.scope.user_id(),
        ctx.scope.organisation_id(),
    )
    .await?;
    let (left,): (i64,) = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT COUNT(*) FROM mfa_recovery_codes
          WHERE user_id = $1 AND organisation_id = $2 AND used_at IS NULL",
    )
    .bind(ctx.scope.user_id())
    .bind(ctx.scope.organisation_id())
    .fetch_one(c)
    .await)
    .map_err(db("could not count recovery codes"))?;
    Ok(SecondFactorStatus {
        enrolled: row.secret_sealed.is_some(),
        required: row.require_mfa,
        recovery_codes_left: left,
    })
}

/// A new secret for the member to add to an authenticator app, shown as a
/// QR code and as text. It counts only once confirmed with a code.
pub async fn begin_enrolment(
    backend: &Backend,
    member: &Authenticated,
) -> Result<MfaEnrolment, AppError> {
    let row = factor(backend, &member.user_id, &member.organisation_id).await?;
    if row.secret_sealed.is_some() {
        return Err(AppError::Conflict(
            "A second factor is already set up for this account.".to_owned(),
        ));
    }
    let mut secret = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let totp = authenticator(secret.clone(), &member.email)?;
    let url = totp.get_url();
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map_err(|error| internal("could not draw the QR code", error))?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    crate::execute_on!(
        &backend.pool,
        sqlx::query(
            "UPDATE users SET mfa_pending_sealed = $1 WHERE id = $2 AND organisation_id = $3"
        )
        .bind(
            backend
                .vault
                .seal(&secret, &pending_context(&member.user_id)),
        )
        .bind(&member.user_id)
        .bind(&member.organisation_id)
    )
    .map_err(db("could not keep a new second factor"))?;
    Ok(MfaEnrolment {
        qr_svg_data_url: format!("data:image/svg+xml;base64,{}", STANDARD.encode(qr)),
        secret: totp.get_secret_base32(),
        account: member.email.clone(),
    })
}

/// The time step `code` is valid for at `now`, if any step near it matches
/// and has not been used.
fn matching_step(
    totp: &TOTP,
    code: &str,
    now: time::OffsetDateTime,
    last_accepted: Option<i64>,
) -> Option<i64> {
    let now = now.unix_timestamp();
    (-STEPS_EITHER_SIDE..=STEPS_EITHER_SIDE)
        .map(|offset| now + offset * STEP_SECONDS)
        .filter(|at| *at >= 0)
        .find(|at| totp.check(code, *at as u64))
        .map(|at| at / STEP_SECONDS)
        .filter(|step| step_is_new(*step, last_accepted))
}

fn wrong_code() -> AppError {
    AppError::invalid(
        "code",
        "That code is not right, or was already used. Codes change every 30 seconds.",
    )
}

/// One code attempt, counted under the member's own code key (which a
/// correct password does not clear); a wrong code is refused and recorded.
async fn guarded<T>(
    backend: &Backend,
    member: &Authenticated,
    origin: &RequestOrigin,
    check: impl std::future::Future<Output = Result<Option<T>, AppError>>,
) -> Result<T, AppError> {
    let now = backend.now();
    let key = code_key(&member.user_id);
    match backend
        .sign_in
        .guarded(&backend.pool, origin, &key, now, check)
        .await?
    {
        Attempt::Passed(value) => Ok(value),
        Attempt::Failed { now_waiting } => {
            let attempt_on = |action, detail| {
                audit::Event::against_account(
                    &member.organisation_id,
                    &member.email,
                    action,
                    detail,
                    origin,
                    now,
                )
            };
            backend.metrics.sign_in_failed(now_waiting);
            audit::record(
                &backend.pool,
                attempt_on(AuditAction::SignInFailed, "wrong second-factor code"),
            )
            .await?;
            if now_waiting {
                audit::record(
                    &backend.pool,
                    attempt_on(AuditAction::SignInLocked, "codes"),
                )
                .await?;
            }
            Err(wrong_code())
        }
    }
}

/// Confirms enrolment with a first code; returns the recovery codes, shown
/// this once.
pub async fn confirm_enrolment(
    backend: &Backend,
    member: &Authenticated,
    typed: &str,
    origin: &RequestOrigin,
) -> Result<Vec<String>, AppError> {
    let Code::Totp(code) = parse_code(typed).map_err(|error| AppError::invalid("code", error))?
    else {
        return Err(AppError::invalid(
            "code",
            "Enter the 6-digit code your authenticator app shows for Tenantry.",
        ));
    };
    let row = factor(backend, &member.user_id, &member.organisation_id).await?;
    let pending = row.mfa_pending_sealed.ok_or_else(|| {
        AppError::Conflict("Start setting up the second factor again.".to_owned())
    })?;
    let secret = backend
        .vault
        .open(&pending, &pending_context(&member.user_id))
        .map_err(|error| internal("could not open a pending second factor", error))?;
    let totp = authenticator(secret.clone(), &member.email)?;
    let now = backend.now();
    let step = guarded(backend, member, origin, async {
        Ok(matching_step(&totp, &code, now, None))
    })
    .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let mut tx = begin(&backend.pool).await?;
    let saved = crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE users SET secret_sealed = $1, mfa_enrolled_at = $2, mfa_last_step = $3, mfa_pending_sealed = NULL
          WHERE id = $4 AND organisation_id = $5 AND mfa_pending_sealed = $6",
    )
    .bind(backend.vault.seal(&secret, &secret_context(&member.user_id)))
    .bind(Timestamp::of(now))
    .bind(step)
    .bind(&member.user_id)
    .bind(&member.organisation_id)
    .bind(&pending))
    .map_err(db("could not save a second factor"))?;
    if saved.rows_affected() != 1 {
        return Err(AppError::Conflict(
            "Setting up the second factor was started again elsewhere; use the newest QR code."
                .to_owned(),
        ));
    }
    replace_recovery_codes(&mut tx, member, &codes).await?;
    audit::record(
        &mut tx,
        audit::Event::by_account(member, AuditAction::MfaEnrolled, "", origin, now),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a second factor"))?;
    Ok(codes.iter().map(|code| show_recovery_code(code)).collect())
}

/// Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L).
fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|byte| ALPHABET[*byte as usize % ALPHABET.len()] as char)
        .collect()
}

async fn forget_recovery_codes(
    tx: &mut Tx,
    user_id: &UserId,
    organisation_id: &OrganisationId,
) -> Result<(), AppError> {
    crate::execute_on!(
        &mut *tx,
        sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1 AND organisation_id = $2")
            .bind(user_id)
            .bind(organisation_id)
    )
    .map_err(db("could not remove recovery codes"))?;
    Ok(())
}

/// Forgets a member's second factor: the secret, an enrolment under way and
/// the recovery codes. Returns the member's e-mail address, or None when
/// there is no such member.
pub(crate) async fn forget_second_factor(
    tx: &mut Tx,
    user_id: &UserId,
    organisation_id: &OrganisationId,
) -> Result<Option<String>, AppError> {
    let email: Option<(String,)> = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "UPDATE users SET secret_sealed = NULL, mfa_enrolled_at = NULL, mfa_last_step = NULL,
                mfa_pending_sealed = NULL
          WHERE id = $1 AND organisation_id = $2 AND removed_at IS NULL
          RETURNING email",
    )
    .bind(user_id)
    .bind(organisation_id)
    .fetch_optional(c)
    .await)
    .map_err(db("could not reset a second factor"))?;
    if email.is_some() {
        forget_recovery_codes(tx, user_id, organisation_id).await?;
    }
    Ok(email.map(|(email,)| email))
}

async fn replace_recovery_codes(
    tx: &mut Tx,
    member: &Authenticated,
    codes: &[String],
) -> Result<(), AppError> {
    forget_recovery_codes(tx, &member.user_id, &member.organisation_id).await?;
    for code in codes {
        crate::execute_on!(&mut *tx, sqlx::query(
            "INSERT INTO mfa_recovery_codes (user_id, organisation_id, code_digest) VALUES ($1, $2, $3)",
        )
        .bind(&member.user_id)
        .bind(&member.organisation_id)
        .bind(tokens::digest(code)))
        .map_err(db("could not store a recovery code"))?;
    }
    Ok(())
}

/// The second step of signing in: a code from the app, or a recovery code
/// (each good once).
pub async fn verify(
    backend: &Backend,
    member: &Authenticated,
    typed: &str,
    origin: &RequestOrigin,
) -> Result<(), AppError> {
    let code = parse_code(typed).map_err(|error| AppError::invalid("code", error))?;
    guarded(backend, member, origin, async {
        match &code {
            Code::Totp(code) => accept_totp(backend, member, code).await,
            Code::Recovery(code) => accept_recovery_code(backend, member, code, origin).await,
        }
    })
    .await
}

async fn accept_totp(
    backend: &Backend,
    member: &Authenticated,
    code: &str,
) -> Result<Option<()>, AppError> {
    let row = factor(backend, &member.user_id, &member.organisation_id).await?;
    let Some(sealed) = row.secret_sealed else {
        return Ok(None);
    };
    let secret = backend
        .vault
        .open(&sealed, &secret_context(&member.user_id))
        .map_err(|error| internal("could not open a second factor", error))?;
    let totp = authenticator(secret, &member.email)?;
    let Some(step) = matching_step(&totp, code, backend.now(), row.mfa_last_step) else {
        return Ok(None);
    };
    // Compare-and-swap: of two requests with the same code, one wins.
    let taken = crate::execute_on!(
        &backend.pool,
        sqlx::query(
            "UPDATE users SET mfa_last_step = $1
          WHERE id = $2 AND organisation_id = $3 AND (mfa_last_step IS NULL OR mfa_last_step < $1)",
        )
        .bind(step)
        .bind(&member.user_id)
        .bind(&member.organisation_id)
    )
    .map_err(db("could not record a used code"))?;
    Ok((taken.rows_affected() == 1).then_some(()))
}

async fn accept_recovery_code(
    backend: &Backend,
    member: &Authenticated,
    code: &str,
    origin: &RequestOrigin,
) -> Result<Option<()>, AppError> {
    let used = crate::execute_on!(
        &backend.pool,
        sqlx::query(
            "UPDATE mfa_recovery_codes SET used_at = $1
          WHERE user_id = $2 AND organisation_id = $3 AND code_digest = $4 AND used_at IS NULL",
        )
        .bind(Timestamp::of(backend.now()))
        .bind(&member.user_id)
        .bind(&member.organisation_id)
        .bind(tokens::digest(code))
    )
    .map_err(db("could not use a recovery code"))?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    audit::record(
        &backend.pool,
        audit::Event::by_account(
            member,
            AuditAction::RecoveryCodeUsed,
            "",
            origin,
            backend.now(),
        ),
    )
    .await?;
    Ok(Some(()))
}

/// An admin clears a colleague's second factor (a lost phone): their
/// sign-ins end, and they sign in with the password alone, or enrol again
/// if the organisation requires it.
pub async fn reset(ctx: &Staff, user_id: &UserId) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageStaff)?;
    let mut tx = begin(ctx.pool()).await?;
    let email = forget_second_factor(&mut tx, user_id, ctx.scope.organisation_id())
        .await?
        .ok_or(AppError::NotFound)?;
    let ended = sessions::end_all_of(
        &mut tx,
        ctx.scope.organisation_id(),
        user_id,
        None,
        ctx.now(),
    )
    .await?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::MfaReset,
        &email,
        &format!("{ended} sessions ended"),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a second factor reset"))
}

/// Whether every member must use a second factor from their next sign-in.
pub async fn set_requirement(ctx: &Staff, required: bool) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageStaff)?;
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(
        &mut tx,
        sqlx::query("UPDATE organisations SET require_mfa = $1 WHERE id = $2")
            .bind(required)
            .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not change the second factor requirement"))?;
    let detail = if required { "required" } else { "optional" };
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::MfaRequirementChanged,
        "organisation",
        detail,
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save the second factor requirement"))
}
