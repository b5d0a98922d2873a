use crate::error::AppError;
use crate::model::SetupState;
use domain::form::SecretText;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "check_setup")]
pub async fn check_setup(token: String) -> Result<SetupState, AppError> {
    use crate::backend::{as_anyone, setup};
    as_anyone(|backend| async move { setup::state(&backend, &token).await }).await
}

#[server(prefix = "/api", endpoint = "complete_setup")]
pub async fn complete_setup(
    token: String,
    organisation: String,
    name: String,
    email: String,
    password: SecretText,
) -> Result<(), AppError> {
    use crate::backend::organisations::NewOrganisation;
    use crate::backend::{as_anyone, setup};
    use domain::{DisplayName, Email, OrganisationName, Password};
    as_anyone(|backend| async move {
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
