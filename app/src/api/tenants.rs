use crate::error::AppError;
use crate::ids::CustomerTenantId;
use crate::model::{TenantDetails, TenantList};
use domain::customer::CustomerTenantForm;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_tenants")]
pub async fn list_tenants(show_archived: bool) -> Result<TenantList, AppError> {
    use crate::backend::{as_staff, tenants};
    as_staff(|ctx| async move {
        Ok(TenantList {
            tenants: tenants::list(&ctx, show_archived).await?,
            can_manage: ctx.scope.may(domain::Action::ManageTenants),
        })
    })
    .await
}

#[server(prefix = "/api", endpoint = "load_tenant")]
pub async fn load_tenant(customer_tenant_id: CustomerTenantId) -> Result<TenantDetails, AppError> {
    use crate::backend::{as_staff, tenants};
    as_staff(|ctx| async move { tenants::details(&ctx, &customer_tenant_id).await }).await
}

/// Makes the person who proved control of the tenant its first contact.
#[server(prefix = "/api", endpoint = "adopt_verified_contact")]
pub async fn adopt_verified_contact(customer_tenant_id: CustomerTenantId) -> Result<(), AppError> {
    use crate::backend::{as_staff, tenants};
    as_staff(|ctx| async move { tenants::adopt_verified_contact(&ctx, &customer_tenant_id).await })
        .await
}

#[server(prefix = "/api", endpoint = "create_tenant")]
pub async fn create_tenant(form: CustomerTenantForm) -> Result<CustomerTenantId, AppError> {
    use crate::backend::{as_staff, tenants};
    as_staff(|ctx| async move { tenants::create(&ctx, &form).await }).await
}

#[server(prefix = "/api", endpoint = "update_tenant")]
pub async fn update_tenant(
    customer_tenant_id: CustomerTenantId,
    form: CustomerTenantForm,
) -> Result<(), AppError> {
    use crate::backend::{as_staff, tenants};
    as_staff(|ctx| async move { tenants::update(&ctx, &customer_tenant_id, &form).await }).await
}

#[server(prefix = "/api", endpoint = "archive_tenant")]
pub async fn archive_tenant(
    customer_tenant_id: CustomerTenantId,
    archived: bool,
) -> Result<(), AppError> {
    use crate::backend::{as_staff, tenants};
    as_staff(|ctx| async move { tenants::set_archived(&ctx, &customer_tenant_id, archived).await })
        .await?;
    // Archived or restored, the tenant is found from the list again.
    leptos_axum::redirect("/tenants");
    Ok(())
}
