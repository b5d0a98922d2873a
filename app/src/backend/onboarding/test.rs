//! Step 6: Tenantry signs in as the customer's app and checks every
//! permission. When the test passes, the registration becomes active for the
//! MSP and the link is complete.

use super::credential::signing_credential;
use super::link::by_token;
use super::log;
use crate::backend::registrations::{insert, NewRegistration};
use crate::backend::{db, now, timestamp, Backend};
use crate::error::AppError;
use crate::model::TestResult;
use domain::evaluation::Status;
use domain::ids::{ClientId, ObjectId, TenantRef};
use domain::onboarding::Step;

pub async fn test(backend: &Backend, token: &str) -> Result<TestResult, AppError> {
    let link = by_token(backend, token).await?;
    let tenant = link.entered_tenant_id.as_deref().map(TenantRef::parse);
    let client_id = link.client_id.as_deref().map(ClientId::parse);
    let (Some(Ok(tenant)), Some(Ok(client_id))) = (tenant, client_id) else {
        return Err(AppError::Conflict("Enter the IDs in step 5 first.".into()));
    };
    let Some((credential, intake)) = signing_credential(backend, &link)? else {
        return Err(AppError::Conflict(
            "Add a certificate or a client secret in step 4 first.".into(),
        ));
    };
    // A token cached before the customer granted consent still carries the old roles.
    backend
        .entra
        .invalidate(link.cloud, &tenant, &client_id, &credential);
    let report = entra::verify(
        &backend.entra,
        &entra::VerifyRequest {
            cloud: link.cloud,
            tenant: &tenant,
            expected_tenant_id: link.expected_tenant_id.as_deref(),
            client_id: &client_id,
            credential: &credential,
            profiles: &link.profiles,
            secret_expires_at: Some(intake.expires_at().unix_timestamp()),
            now: now().unix_timestamp(),
        },
    )
    .await;
    let verdict = report.verdict;
    let passed = matches!(verdict.status, Status::Healthy | Status::Warning);
    let status_text = verdict.status.as_str();
    sqlx::query("UPDATE onboarding_links SET last_status = $1 WHERE id = $2")
        .bind(status_text)
        .bind(&link.id)
        .execute(&backend.pool)
        .await
        .map_err(db("could not record a test result"))?;
    link.finished_step(backend, Step::Test.number().into())
        .await?;
    log(backend, &link.id, &format!("tested: {status_text}")).await?;
    if passed && !link.completed {
        let object_id = link
            .object_id
            .as_deref()
            .and_then(|raw| ObjectId::parse(raw).ok());
        let registration_id = insert(
            backend,
            NewRegistration {
                organisation_id: &link.organisation_id,
                customer_tenant_id: &link.customer_tenant_id,
                profile_ids: &domain::profile::list_ids(&link.profiles),
                client_id: &client_id,
                object_id: object_id.as_ref(),
                credential: &intake,
                entered_by: &link.created_by,
            },
        )
        .await?;
        // The registration now holds its own sealed copy; the link keeps none.
        sqlx::query("UPDATE onboarding_links SET completed_at = $1, registration_id = $2, secret_sealed = NULL WHERE id = $3")
            .bind(timestamp(now()))
            .bind(&registration_id)
            .bind(&link.id)
            .execute(&backend.pool)
            .await
            .map_err(db("could not complete an onboarding link"))?;
        log(backend, &link.id, "completed").await?;
    }
    Ok(TestResult {
        status: verdict.status,
        permissions: verdict.permissions,
        extra_permissions: verdict.extra_permissions,
        findings: verdict.findings,
        completed: passed || link.completed,
    })
}
