use crate::error::AppError;
use crate::ids::{InvitationId, UserId};
use crate::model::{
    InvitationCreated, InvitationDetails, PasswordResetCreated, PasswordResetDetails, StaffOverview,
};
use domain::form::SecretText;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "load_staff")]
pub async fn load_staff() -> Result<StaffOverview, AppError> {
    use crate::backend::{as_staff, invitations, mfa, users};
    use domain::Action;
    as_staff(|ctx| async move {
        let can_manage = ctx.scope.may(Action::ManageStaff);
        Ok(StaffOverview {
            mfa_required: mfa::status(&ctx).await?.required,
            organisation_name: users::current(&ctx).await?.organisation_name,
            members: users::list(&ctx).await?,
            invitations: if can_manage {
                invitations::pending(&ctx).await?
            } else {
                Vec::new()
            },
            can_manage,
        })
    })
    .await
}

#[server(prefix = "/api", endpoint = "invite_staff")]
pub async fn invite_staff(email: String, role: String) -> Result<InvitationCreated, AppError> {
    use crate::backend::{as_staff, invitations};
    use domain::{Email, Role};
    as_staff(|ctx| async move {
        let email = Email::parse(&email)?;
        let role: Role = role
            .parse()
            .map_err(|error| AppError::invalid("role", error))?;
        invitations::create(&ctx, &email, role).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "change_role")]
pub async fn change_role(user_id: UserId, role: String) -> Result<(), AppError> {
    use crate::backend::{as_staff, users};
    use domain::Role;
    as_staff(|ctx| async move {
        let role: Role = role
            .parse()
            .map_err(|error| AppError::invalid("role", error))?;
        users::set_role(&ctx, &user_id, role).await
    })
    .await
}

/// `change` is `disable`, `enable` or `remove`.
#[server(prefix = "/api", endpoint = "change_member_standing")]
pub async fn change_member_standing(user_id: UserId, change: String) -> Result<(), AppError> {
    use crate::backend::as_staff;
    use crate::backend::lifecycle::{self, Standing};
    as_staff(
        |ctx| async move { lifecycle::change(&ctx, &user_id, Standing::parse(&change)?).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(invitation_id: InvitationId) -> Result<(), AppError> {
    use crate::backend::{as_staff, invitations};
    as_staff(|ctx| async move { invitations::revoke(&ctx, &invitation_id).await }).await
}

/// Makes a single-use link for a member who forgot their password; the
/// admin passes it on.
#[server(prefix = "/api", endpoint = "send_password_reset")]
pub async fn send_password_reset(user_id: UserId) -> Result<PasswordResetCreated, AppError> {
    use crate::backend::{as_staff, password_resets};
    as_staff(|ctx| async move { password_resets::create(&ctx, &user_id).await }).await
}

/// The reset whose token is in the flow's cookie.
#[server(prefix = "/api", endpoint = "password_reset_preview")]
pub async fn password_reset_preview() -> Result<PasswordResetDetails, AppError> {
    use crate::backend::flow_tokens::{self, Flow};
    use crate::backend::{as_anyone, password_resets};
    as_anyone(|backend| async move {
        let token =
            flow_tokens::current(Flow::PasswordReset).ok_or_else(password_resets::not_valid)?;
        password_resets::preview(&backend, &token).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "complete_password_reset")]
pub async fn complete_password_reset(password: SecretText) -> Result<(), AppError> {
    use crate::backend::flow_tokens::{self, Flow};
    use crate::backend::origin::RequestOrigin;
    use crate::backend::{as_anyone, password_resets};
    as_anyone(|backend| async move {
        let token =
            flow_tokens::current(Flow::PasswordReset).ok_or_else(password_resets::not_valid)?;
        password_resets::complete(
            &backend,
            &token,
            password.expose(),
            &RequestOrigin::current(),
        )
        .await?;
        leptos_axum::redirect("/login?reset=1");
        Ok(())
    })
    .await
}

/// The invitation whose token is in the flow's cookie.
#[server(prefix = "/api", endpoint = "invitation_preview")]
pub async fn invitation_preview() -> Result<InvitationDetails, AppError> {
    use crate::backend::flow_tokens::{self, Flow};
    use crate::backend::{as_anyone, invitations};
    as_anyone(|backend| async move {
        let token = flow_tokens::current(Flow::Invitation).ok_or_else(invitations::not_valid)?;
        invitations::preview(&backend, &token).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "accept_invitation")]
pub async fn accept_invitation(name: String, password: SecretText) -> Result<(), AppError> {
    use crate::backend::flow_tokens::{self, Flow};
    use crate::backend::{as_anyone, invitations};
    use domain::{DisplayName, Password};
    as_anyone(|backend| async move {
        let token = flow_tokens::current(Flow::Invitation).ok_or_else(invitations::not_valid)?;
        let name = DisplayName::parse(&name)?;
        let password = Password::parse(password.expose(), &[name.as_str()])?;
        let origin = crate::backend::origin::RequestOrigin::current();
        invitations::accept(&backend, &token, &name, &password, &origin).await?;
        leptos_axum::redirect("/login?joined=1");
        Ok(())
    })
    .await
}
