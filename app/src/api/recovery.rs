//! Company recovery: the public steps of `/recover`, and the admins'
//! settings that allow it.

use crate::error::AppError;
use crate::model::{RecoveryProof, RecoveryResult, RecoverySettings, RecoveryStart, SettingsPage};
use leptos::prelude::*;

/// Names the company by its tenant; the answer reads the same whether an
/// organisation here can be recovered with it or not.
#[server(prefix = "/api", endpoint = "start_recovery")]
pub async fn start_recovery(tenant_id: String, cloud: String) -> Result<RecoveryStart, AppError> {
    use crate::backend::{as_anyone, origin::RequestOrigin, recovery::company};
    as_anyone(|backend| async move {
        company::start(&backend, &RequestOrigin::current(), &tenant_id, &cloud).await
    })
    .await
}

/// Where this browser's recovery stands, after a reload.
#[server(prefix = "/api", endpoint = "resume_recovery")]
pub async fn resume_recovery() -> Result<Option<RecoveryStart>, AppError> {
    use crate::backend::{as_anyone, recovery::company};
    as_anyone(|backend| async move { company::resume(&backend).await }).await
}

#[server(prefix = "/api", endpoint = "restart_recovery")]
pub async fn restart_recovery() -> Result<(), AppError> {
    use crate::backend::{as_anyone, recovery::company};
    as_anyone(|_| async move { company::forget().await }).await
}

#[server(prefix = "/api", endpoint = "verify_recovery")]
pub async fn verify_recovery(proof: RecoveryProof) -> Result<RecoveryResult, AppError> {
    use crate::backend::{as_anyone, origin::RequestOrigin, recovery::company};
    as_anyone(|backend| async move {
        company::verify(&backend, &RequestOrigin::current(), &proof).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "organisation_settings")]
pub async fn organisation_settings() -> Result<SettingsPage, AppError> {
    use crate::backend::{as_staff, recovery::settings};
    as_staff(|ctx| async move { settings::page(&ctx).await }).await
}

#[server(prefix = "/api", endpoint = "save_home_tenant")]
pub async fn save_home_tenant(
    home_tenant_id: String,
    home_cloud: String,
) -> Result<RecoverySettings, AppError> {
    use crate::backend::{as_staff, recovery::settings};
    as_staff(
        |ctx| async move { settings::save_home_tenant(&ctx, &home_tenant_id, &home_cloud).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "save_recovery_settings")]
pub async fn save_recovery_settings(
    enabled: bool,
    window_hours: i64,
) -> Result<RecoverySettings, AppError> {
    use crate::backend::{as_staff, recovery::settings};
    as_staff(|ctx| async move { settings::save_recovery(&ctx, enabled, window_hours).await }).await
}
