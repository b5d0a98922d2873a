use crate::error::AppError;
use crate::model::{RegistrationForm, RegistrationView};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "registrations")]
pub async fn list_registrations(tenant_id: String) -> Result<Vec<RegistrationView>, AppError> {
    use crate::backend::{self, registrations, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        registrations::list(&backend, &scope, &tenant_id).await
    })
    .await
}

/// Records a registration made by hand, with a client secret or a
/// certificate. Secrets and keys are write-only: no response carries them.
#[server(prefix = "/api", endpoint = "add_registration")]
pub async fn add_registration(
    tenant_id: String,
    form: RegistrationForm,
) -> Result<String, AppError> {
    use crate::backend::{self, registrations, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        registrations::add(&backend, &scope, &tenant_id, &form).await
    })
    .await
}
