use crate::error::AppError;
use crate::model::SetupState;
use domain::form::SecretText;
use leptos::prelude::*;

/// The set-up link's token is in the flow's cookie.
#[server(prefix = "/api", endpoint = "check_setup")]
pub async fn check_setup() -> Result<SetupState, AppError> {
    use crate::backend::flow_tokens::{self, Flow};
    use crate::backend::{as_anyone, setup};
    as_anyone(|backend| async move {
        let token = flow_tokens::current(Flow::Setup).unwrap_or_default();
        setup::state(&backend, &token).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "complete_setup")]
pub async fn complete_setup(
    organisation: String,
    name: String,
    email: String,
    password: SecretText,
) -> Result<(), AppError> {
    use crate::backend::flow_tokens::{self, Flow};
    use crate::backend::organisations::NewOrganisation;
    use crate::backend::{as_anyone, setup};
    use domain::{DisplayName, Email, OrganisationName, Password};
    as_anyone(|backend| async move {
        let token = flow_tokens::current(Flow::Setup).unwrap_or_default();
        let new = NewOrganisation {
            name: OrganisationName::parse(&organisation)
                .map_err(|error| AppError::invalid("organisation", error))?,
            admin_name: DisplayName::parse(&name)?,
            admin_email: Email::parse(&email)?,
            admin_password: Password::parse(password.expose(), &[&email, &name, &organisation])?,
        };
        setup::complete(&backend, &token, &new).await?;
        leptos_axum::redirect("/login?welcome=1");
        Ok(())
    })
    .await
}
