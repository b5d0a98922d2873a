//! The watch, for staff: a registration's page, "Check now", and checks of
//! a whole tenant or organisation with their progress.

use crate::error::AppError;
use crate::ids::{CustomerTenantId, RegistrationId};
use crate::model::{
    CheckRequest, ConsentLink, CredentialForm, PendingCertificate, ProfilesForm, ProgressOfChecks,
    RegistrationPage,
};
use domain::evaluation::Status;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "load_registration")]
pub async fn load_registration(
    registration_id: RegistrationId,
) -> Result<RegistrationPage, AppError> {
    use crate::backend::{as_staff, checks};
    as_staff(|ctx| async move { checks::view::page(&ctx, &registration_id).await }).await
}

/// Checks one registration now; the answer is the status found.
#[server(prefix = "/api", endpoint = "check_registration")]
pub async fn check_registration(registration_id: RegistrationId) -> Result<Status, AppError> {
    use crate::backend::{as_staff, checks};
    as_staff(|ctx| async move { checks::requests::check_now(&ctx, &registration_id).await }).await
}

/// Asks for a check of every registration of one tenant, or of all
/// tenants when none is named; the scheduler runs them.
#[server(prefix = "/api", endpoint = "request_checks")]
pub async fn request_checks(
    customer_tenant_id: Option<CustomerTenantId>,
) -> Result<CheckRequest, AppError> {
    use crate::backend::{as_staff, checks};
    as_staff(
        |ctx| async move { checks::requests::request(&ctx, customer_tenant_id.as_ref()).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "check_progress")]
pub async fn check_progress(request: String) -> Result<ProgressOfChecks, AppError> {
    use crate::backend::{as_staff, checks};
    as_staff(|ctx| async move { checks::requests::progress(&ctx, &request).await }).await
}

/// Changes the products a registration serves and checks it at once.
#[server(prefix = "/api", endpoint = "change_registration_profiles")]
pub async fn change_registration_profiles(
    registration_id: RegistrationId,
    form: ProfilesForm,
) -> Result<Option<Status>, AppError> {
    use crate::backend::{as_staff, registrations};
    as_staff(|ctx| async move {
        registrations::edit::change_profiles(&ctx, &registration_id, &form).await
    })
    .await
}

/// Replaces the credential (a renewed secret or certificate) and checks at
/// once. Write-only: nothing of the credential comes back.
#[server(prefix = "/api", endpoint = "replace_registration_credential")]
pub async fn replace_registration_credential(
    registration_id: RegistrationId,
    form: CredentialForm,
) -> Result<Option<Status>, AppError> {
    use crate::backend::{as_staff, registrations};
    as_staff(|ctx| async move {
        registrations::edit::replace_credential(&ctx, &registration_id, &form).await
    })
    .await
}

/// Archives a registration (kept, no longer checked) or restores it.
#[server(prefix = "/api", endpoint = "archive_registration")]
pub async fn archive_registration(
    registration_id: RegistrationId,
    archived: bool,
) -> Result<(), AppError> {
    use crate::backend::{as_staff, registrations};
    as_staff(|ctx| async move {
        registrations::edit::set_archived(&ctx, &registration_id, archived).await
    })
    .await
}

/// A link to hand a customer's admin for granting consent; opening it goes
/// on to Microsoft, and the registration is checked again afterwards.
#[server(prefix = "/api", endpoint = "create_consent_link")]
pub async fn create_consent_link(
    registration_id: RegistrationId,
    redirect_registered: Option<bool>,
) -> Result<ConsentLink, AppError> {
    use crate::backend::{as_staff, checks};
    as_staff(|ctx| async move {
        let redirect_registered = redirect_registered.unwrap_or(false);
        checks::consent::link(&ctx, &registration_id, redirect_registered).await
    })
    .await
}

/// Generates a certificate to renew the credential; it waits until its
/// public half (`/registrations/<id>/pending.cer`) is uploaded to Entra.
#[server(prefix = "/api", endpoint = "generate_registration_certificate")]
pub async fn generate_registration_certificate(
    registration_id: RegistrationId,
) -> Result<PendingCertificate, AppError> {
    use crate::backend::{as_staff, registrations};
    as_staff(|ctx| async move { registrations::renewal::generate(&ctx, &registration_id).await })
        .await
}

/// Switches to the generated certificate once Microsoft accepts it.
#[server(prefix = "/api", endpoint = "activate_registration_certificate")]
pub async fn activate_registration_certificate(
    registration_id: RegistrationId,
) -> Result<Option<Status>, AppError> {
    use crate::backend::{as_staff, registrations};
    as_staff(|ctx| async move { registrations::renewal::activate(&ctx, &registration_id).await })
        .await
}
