//! The second factor: members set it up and use it at sign-in; admins
//! reset it and can require it for everyone.

use crate::error::AppError;
use crate::ids::UserId;
use crate::model::{MfaEnrolment, SecondFactorStatus};
use domain::form::SecretText;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "mfa_status")]
pub async fn mfa_status() -> Result<SecondFactorStatus, AppError> {
    use crate::backend::{as_staff, mfa};
    as_staff(|ctx| async move { mfa::status(&ctx).await }).await
}

#[server(prefix = "/api", endpoint = "start_mfa_enrolment")]
pub async fn start_mfa_enrolment() -> Result<MfaEnrolment, AppError> {
    use crate::backend::{as_staff, mfa};
    as_staff(|ctx| async move { mfa::begin_enrolment(&ctx.backend, &ctx.member()).await }).await
}

/// Needs the current password too, so an unattended session cannot tie
/// the account to someone else's authenticator. Returns the recovery
/// codes, shown this once.
#[server(prefix = "/api", endpoint = "confirm_mfa_enrolment")]
pub async fn confirm_mfa_enrolment(
    current_password: SecretText,
    code: String,
) -> Result<Vec<String>, AppError> {
    use crate::backend::{account, as_staff, mfa};
    as_staff(|ctx| async move {
        let stored = account::stored_password(&ctx).await?;
        account::verify_current_password(&ctx, current_password.expose(), &stored).await?;
        mfa::confirm_enrolment(&ctx.backend, &ctx.member(), &code, &ctx.origin).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "reset_member_mfa")]
pub async fn reset_member_mfa(user_id: UserId) -> Result<(), AppError> {
    use crate::backend::{as_staff, mfa};
    as_staff(|ctx| async move { mfa::reset(&ctx, &user_id).await }).await
}

#[server(prefix = "/api", endpoint = "require_mfa")]
pub async fn require_mfa(required: bool) -> Result<(), AppError> {
    use crate::backend::{as_staff, mfa};
    as_staff(|ctx| async move { mfa::set_requirement(&ctx, required).await }).await
}

/// The second step of signing in, after the password.
#[server(prefix = "/api", endpoint = "sign_in_code")]
pub async fn sign_in_code(code: String) -> Result<(), AppError> {
    use crate::backend::{as_half_signed_in, auth, mfa};
    as_half_signed_in(|half| async move {
        mfa::verify(&half.backend, &half.member, &code, &half.origin).await?;
        auth::complete_sign_in(&half).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// At sign-in, for a member whose organisation requires a second factor
/// they do not have yet.
#[server(prefix = "/api", endpoint = "sign_in_enrolment")]
pub async fn sign_in_enrolment() -> Result<MfaEnrolment, AppError> {
    use crate::backend::{as_half_signed_in, mfa};
    as_half_signed_in(|half| async move { mfa::begin_enrolment(&half.backend, &half.member).await })
        .await
}

/// Confirms the new factor and completes the sign-in; returns the recovery
/// codes, shown this once.
#[server(prefix = "/api", endpoint = "confirm_sign_in_enrolment")]
pub async fn confirm_sign_in_enrolment(code: String) -> Result<Vec<String>, AppError> {
    use crate::backend::{as_half_signed_in, auth, mfa};
    as_half_signed_in(|half| async move {
        let codes =
            mfa::confirm_enrolment(&half.backend, &half.member, &code, &half.origin).await?;
        auth::complete_sign_in(&half).await?;
        Ok(codes)
    })
    .await
}
