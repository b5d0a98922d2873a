use crate::error::AppError;
use crate::model::{RegistrationView, SecretRegistrationForm};
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

/// Records a registration whose credential is a client secret. The secret is
/// write-only: no response ever carries it back.
#[server(prefix = "/api", endpoint = "add_registration")]
pub async fn add_registration(
    tenant_id: String,
    form: SecretRegistrationForm,
) -> Result<String, AppError> {
    use crate::backend::{self, registrations, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        registrations::add_with_secret(&backend, &scope, &tenant_id, &form).await
    })
    .await
}
