use crate::error::AppError;
use crate::model::SetupState;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "check_setup")]
pub async fn check_setup(token: String) -> Result<SetupState, AppError> {
    use crate::backend::{self, setup};
    backend::respond(async {
        let backend = backend::backend()?;
        setup::state(&backend, &token).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "complete_setup")]
pub async fn complete_setup(
    token: String,
    organisation: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use crate::backend::organisations::NewOrganisation;
    use crate::backend::{self, setup};
    use domain::{DisplayName, Email, OrganisationName, Password};
    backend::respond(async {
        let backend = backend::backend()?;
        let new = NewOrganisation {
            name: OrganisationName::parse(&organisation)
                .map_err(|error| AppError::invalid("organisation", error))?,
            admin_name: DisplayName::parse(&name)?,
            admin_email: Email::parse(&email)?,
            admin_password: Password::parse(&password)?,
        };
        setup::complete(&backend, &token, &new).await?;
        leptos_axum::redirect("/login?welcome=1");
        Ok(())
    })
    .await
}
