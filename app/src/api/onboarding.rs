//! Onboarding links: staff create and revoke them; the customer, with only
//! the link's token (in the flow's cookie), opens it, saves each step and
//! tests.

use crate::error::AppError;
use crate::ids::{CustomerTenantId, LinkId};
use crate::model::{
    CertificateUpload, OnboardingCreated, OnboardingIds, OnboardingLinkView, OnboardingView,
    SecretForm, TestResult,
};
use domain::form::SecretText;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "create_onboarding_link")]
pub async fn create_onboarding_link(
    customer_tenant_id: CustomerTenantId,
    profiles: String,
) -> Result<OnboardingCreated, AppError> {
    use crate::backend::{as_staff, onboarding};
    as_staff(
        |ctx| async move { onboarding::create_link(&ctx, &customer_tenant_id, &profiles).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "onboarding_links")]
pub async fn onboarding_links(
    customer_tenant_id: CustomerTenantId,
) -> Result<Vec<OnboardingLinkView>, AppError> {
    use crate::backend::{as_staff, onboarding};
    as_staff(|ctx| async move { onboarding::list_links(&ctx, &customer_tenant_id).await }).await
}

#[server(prefix = "/api", endpoint = "revoke_onboarding_link")]
pub async fn revoke_onboarding_link(link_id: LinkId) -> Result<(), AppError> {
    use crate::backend::{as_staff, onboarding};
    as_staff(|ctx| async move { onboarding::revoke_link(&ctx, &link_id).await }).await
}

#[server(prefix = "/api", endpoint = "open_onboarding")]
pub async fn open_onboarding() -> Result<OnboardingView, AppError> {
    use crate::backend::{as_customer, onboarding};
    as_customer(|ctx| async move { onboarding::open(&ctx).await }).await
}

#[server(prefix = "/api", endpoint = "finish_onboarding_step")]
pub async fn finish_onboarding_step(step: u8) -> Result<OnboardingView, AppError> {
    use crate::backend::{as_customer, onboarding};
    as_customer(|ctx| async move { onboarding::finish_step(&ctx, step).await }).await
}

#[server(prefix = "/api", endpoint = "save_onboarding_secret")]
pub async fn save_onboarding_secret(form: SecretForm) -> Result<OnboardingView, AppError> {
    use crate::backend::{as_customer, onboarding};
    as_customer(|ctx| async move { onboarding::save_secret(&ctx, &form).await }).await
}

#[server(prefix = "/api", endpoint = "upload_onboarding_certificate")]
pub async fn upload_onboarding_certificate(
    form: CertificateUpload,
) -> Result<OnboardingView, AppError> {
    use crate::backend::{as_customer, onboarding};
    as_customer(|ctx| async move { onboarding::upload_certificate(&ctx, &form).await }).await
}

#[server(prefix = "/api", endpoint = "generate_onboarding_certificate")]
pub async fn generate_onboarding_certificate() -> Result<OnboardingView, AppError> {
    use crate::backend::{as_customer, onboarding};
    as_customer(|ctx| async move { onboarding::generate_certificate(&ctx).await }).await
}

#[server(prefix = "/api", endpoint = "save_onboarding_ids")]
pub async fn save_onboarding_ids(form: OnboardingIds) -> Result<OnboardingView, AppError> {
    use crate::backend::{as_customer, onboarding};
    as_customer(|ctx| async move { onboarding::save_ids(&ctx, &form).await }).await
}

/// `secret`: an ownership proof's client secret, for this test only.
#[server(prefix = "/api", endpoint = "test_onboarding")]
pub async fn test_onboarding(secret: Option<SecretText>) -> Result<TestResult, AppError> {
    use crate::backend::{as_customer, onboarding};
    as_customer(|ctx| async move { onboarding::test(&ctx, secret.as_ref()).await }).await
}
