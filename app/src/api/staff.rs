use crate::error::AppError;
use crate::model::{InvitationCreated, InvitationDetails, StaffOverview};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "staff")]
pub async fn load_staff() -> Result<StaffOverview, AppError> {
    use crate::backend::{self, invitations, users, OrgScope};
    use domain::Action;
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        let can_manage = scope.permit(Action::ManageStaff).is_ok();
        let invitations = if can_manage {
            invitations::pending(&backend, &scope).await?
        } else {
            Vec::new()
        };
        Ok(StaffOverview {
            organisation_name: users::current(&backend.pool, &scope)
                .await?
                .organisation_name,
            members: users::list(&backend.pool, &scope).await?,
            invitations,
            can_manage,
        })
    })
    .await
}

#[server(prefix = "/api", endpoint = "invite_staff")]
pub async fn invite_staff(email: String, role: String) -> Result<InvitationCreated, AppError> {
    use crate::backend::{self, invitations, OrgScope};
    use domain::{Email, Role};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        let email = Email::parse(&email)?;
        let role: Role = role
            .parse()
            .map_err(|error| AppError::invalid("role", error))?;
        invitations::create(&backend, &scope, &email, role).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "change_role")]
pub async fn change_role(user_id: String, role: String) -> Result<(), AppError> {
    use crate::backend::{self, users, OrgScope};
    use domain::Role;
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        let role: Role = role
            .parse()
            .map_err(|error| AppError::invalid("role", error))?;
        users::set_role(&backend.pool, &scope, &user_id, role).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "invitation")]
pub async fn invitation_preview(token: String) -> Result<InvitationDetails, AppError> {
    use crate::backend::{self, invitations};
    backend::respond(async {
        let backend = backend::backend()?;
        invitations::preview(&backend, &token).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    name: String,
    password: String,
) -> Result<(), AppError> {
    use crate::backend::{self, invitations};
    use domain::{DisplayName, Password};
    backend::respond(async {
        let backend = backend::backend()?;
        let name = DisplayName::parse(&name)?;
        let password = Password::parse(&password)?;
        invitations::accept(&backend, &token, &name, &password).await?;
        leptos_axum::redirect("/login?joined=1");
        Ok(())
    })
    .await
}
