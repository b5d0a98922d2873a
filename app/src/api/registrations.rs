use crate::error::AppError;
use crate::ids::{CustomerTenantId, RegistrationId};
use crate::model::{RegistrationForm, RegistrationView};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_registrations")]
pub async fn list_registrations(
    customer_tenant_id: CustomerTenantId,
) -> Result<Vec<RegistrationView>, AppError> {
    use crate::backend::{as_staff, registrations};
    as_staff(|ctx| async move { registrations::list(&ctx, &customer_tenant_id).await }).await
}

/// Records a registration made by hand, with a client secret or a
/// certificate. Secrets and keys are write-only: no response carries them.
#[server(prefix = "/api", endpoint = "add_registration")]
pub async fn add_registration(
    customer_tenant_id: CustomerTenantId,
    form: RegistrationForm,
) -> Result<RegistrationId, AppError> {
    use crate::backend::{as_staff, registrations};
    as_staff(|ctx| async move { registrations::add(&ctx, &customer_tenant_id, &form).await }).await
}
