use crate::error::AppError;
use crate::model::{TenantDetails, TenantList};
use domain::customer::CustomerTenantForm;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "tenants")]
pub async fn list_tenants(show_archived: bool) -> Result<TenantList, AppError> {
    use crate::backend::{self, tenants, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        Ok(TenantList {
            tenants: tenants::list(&backend.pool, &scope, show_archived).await?,
            can_manage: scope.permit(domain::Action::ManageTenants).is_ok(),
        })
    })
    .await
}

#[server(prefix = "/api", endpoint = "tenant")]
pub async fn load_tenant(id: String) -> Result<TenantDetails, AppError> {
    use crate::backend::{self, tenants, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        tenants::details(&backend.pool, &scope, &id).await
    })
    .await
}

/// Creates a tenant when `id` is empty, otherwise updates it.
#[server(prefix = "/api", endpoint = "save_tenant")]
pub async fn save_tenant(id: String, form: CustomerTenantForm) -> Result<String, AppError> {
    use crate::backend::{self, tenants, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        if id.is_empty() {
            tenants::create(&backend.pool, &scope, &form).await
        } else {
            tenants::update(&backend.pool, &scope, &id, &form)
                .await
                .map(|_| id.clone())
        }
    })
    .await
}

#[server(prefix = "/api", endpoint = "archive_tenant")]
pub async fn archive_tenant(id: String, archived: bool) -> Result<(), AppError> {
    use crate::backend::{self, tenants, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        tenants::set_archived(&backend.pool, &scope, &id, archived).await
    })
    .await
}
