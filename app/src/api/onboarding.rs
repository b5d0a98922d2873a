//! Onboarding links: staff create and revoke them; the customer, with only
//! the link's token, opens it, saves each step and tests.

use crate::error::AppError;
use crate::model::{
    CertificateUpload, OnboardingCreated, OnboardingIds, OnboardingLinkView, OnboardingView,
    SecretForm, TestResult,
};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "create_onboarding_link")]
pub async fn create_onboarding_link(
    tenant_id: String,
    profiles: String,
) -> Result<OnboardingCreated, AppError> {
    use crate::backend::{self, onboarding, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        onboarding::create_link(&backend, &scope, &tenant_id, &profiles).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "onboarding_links")]
pub async fn onboarding_links(tenant_id: String) -> Result<Vec<OnboardingLinkView>, AppError> {
    use crate::backend::{self, onboarding, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        onboarding::list_links(&backend, &scope, &tenant_id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "revoke_onboarding_link")]
pub async fn revoke_onboarding_link(link_id: String) -> Result<(), AppError> {
    use crate::backend::{self, onboarding, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        onboarding::revoke_link(&backend, &scope, &link_id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "onboarding")]
pub async fn open_onboarding(token: String) -> Result<OnboardingView, AppError> {
    use crate::backend::{self, onboarding};
    backend::respond(async { onboarding::open(&backend::backend()?, &token).await }).await
}

#[server(prefix = "/api", endpoint = "finish_onboarding_step")]
pub async fn finish_onboarding_step(token: String, step: u8) -> Result<OnboardingView, AppError> {
    use crate::backend::{self, onboarding};
    backend::respond(async { onboarding::finish_step(&backend::backend()?, &token, step).await })
        .await
}

#[server(prefix = "/api", endpoint = "save_onboarding_secret")]
pub async fn save_onboarding_secret(
    token: String,
    form: SecretForm,
) -> Result<OnboardingView, AppError> {
    use crate::backend::{self, onboarding};
    backend::respond(async { onboarding::save_secret(&backend::backend()?, &token, &form).await })
        .await
}

#[server(prefix = "/api", endpoint = "upload_onboarding_certificate")]
pub async fn upload_onboarding_certificate(
    token: String,
    form: CertificateUpload,
) -> Result<OnboardingView, AppError> {
    use crate::backend::{self, onboarding};
    backend::respond(async {
        onboarding::upload_certificate(&backend::backend()?, &token, &form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "generate_onboarding_certificate")]
pub async fn generate_onboarding_certificate(token: String) -> Result<OnboardingView, AppError> {
    use crate::backend::{self, onboarding};
    backend::respond(async { onboarding::generate_certificate(&backend::backend()?, &token).await })
        .await
}

#[server(prefix = "/api", endpoint = "save_onboarding_ids")]
pub async fn save_onboarding_ids(
    token: String,
    form: OnboardingIds,
) -> Result<OnboardingView, AppError> {
    use crate::backend::{self, onboarding};
    backend::respond(async { onboarding::save_ids(&backend::backend()?, &token, &form).await })
        .await
}

#[server(prefix = "/api", endpoint = "test_onboarding")]
pub async fn test_onboarding(token: String) -> Result<TestResult, AppError> {
    use crate::backend::{self, onboarding};
    backend::respond(async { onboarding::test(&backend::backend()?, &token).await }).await
}
