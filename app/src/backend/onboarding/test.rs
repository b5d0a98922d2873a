//! Step 6: Tenantry signs in as the customer's app and checks every
//! permission. When the test passes, the registration becomes active for the
//! MSP and the link is complete.

use super::credential::signing_credential;
use super::log;
use crate::backend::checks::record::{store, Observation};
use crate::backend::checks::Trigger;
use crate::backend::link_limits::Costly;
use crate::backend::origin::RequestOrigin;
use crate::backend::registrations::{insert, NewRegistration};
use crate::backend::{audit, begin, db, internal, is_unique_violation, Customer};
use crate::error::AppError;
use crate::model::TestResult;
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::evaluation::Status;
use domain::form::{Problems, SecretText};
use domain::ids::TenantRef;
use domain::onboarding::{missing_before_test, Step};
use domain::registration::parse_ids;

pub(super) fn finish_first(step: Step) -> AppError {
    AppError::Conflict(format!(
        "Finish step {}, {}, first.",
        step.number(),
        step.title().to_lowercase()
    ))
}

/// `secret` is an ownership proof's client secret, handed over for this
/// test only; other links sign in with the credential they saved.
pub async fn test(ctx: &Customer, secret: Option<&SecretText>) -> Result<TestResult, AppError> {
    let link = &ctx.link;
    ctx.backend.link_limits.admit(&link.id, Costly::Test)?;
    if link.is_ownership_proof() {
        return super::ownership::prove(ctx, secret).await;
    }
    let tenant = link.entered_tenant_id.as_deref().map(TenantRef::parse);
    let mut problems = Problems::default();
    let ids = link.client_id.as_deref().and_then(|client_id| {
        parse_ids(
            client_id,
            link.object_id.as_deref().unwrap_or_default(),
            &link.profiles,
            &mut problems,
        )
    });
    let ids = problems.finish(ids).ok();
    let credential = signing_credential(&ctx.backend, link).await?;
    let (Some(Ok(tenant)), Some(ids), Some((credential, intake))) = (tenant, ids, credential)
    else {
        let missing = missing_before_test(
            link.credential.is_some(),
            link.client_id.is_some() && link.entered_tenant_id.is_some(),
        );
        return Err(finish_first(missing.first().copied().unwrap_or(Step::Ids)));
    };
    let expected_tenant_id = tenant_on_file(ctx).await?;
    // A token cached before the customer granted consent still carries the old roles.
    ctx.backend
        .entra
        .invalidate(link.cloud, &tenant, &ids.client_id, &credential);
    let started_at = ctx.now();
    let timer = std::time::Instant::now();
    let report = entra::verify(
        &ctx.backend.entra,
        &entra::VerifyRequest {
            cloud: link.cloud,
            tenant: &tenant,
            expected_tenant_id: Some(&expected_tenant_id),
            client_id: &ids.client_id,
            credential: &credential,
            profiles: &link.profiles,
            secret_expires_at: Some(intake.expires_at().unix_timestamp()),
            now: ctx.now().unix_timestamp(),
        },
    )
    .await;
    ctx.backend.metrics.check_finished(
        Trigger::Onboarding.as_str(),
        report.verdict.status,
        timer.elapsed().as_millis() as i64,
    );
    let verdict = &report.verdict;
    let passed = matches!(verdict.status, Status::Healthy | Status::Warning);
    let status_text = verdict.status.as_str();
    let finished_at = ctx.now();
    let now = Timestamp::of(finished_at);
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(
        &mut tx,
        sqlx::query("UPDATE onboarding_links SET last_status = $1 WHERE id = $2")
            .bind(status_text)
            .bind(&link.id)
    )
    .map_err(db("could not record a test result"))?;
    link.finished_step(&mut tx, Step::Test).await?;
    log(&mut tx, &link.id, &now, &format!("tested: {status_text}")).await?;
    if passed && !link.completed && link.renews.is_some() {
        super::renewal::replace(
            ctx,
            &mut tx,
            &intake,
            &report,
            (Timestamp::of(started_at), finished_at),
            timer.elapsed().as_millis() as i64,
        )
        .await?;
    } else if passed && !link.completed {
        let registration_id = insert(
            &ctx.backend,
            &mut tx,
            &link.tenant,
            &NewRegistration {
                profiles: &link.profiles,
                ids: &ids,
                credential: &intake,
                entered_by: &link.created_by,
                consent_redirect: true,
            },
            &now,
        )
        .await?;
        // The customer's test is the registration's first check.
        store(
            &mut tx,
            None,
            &Observation {
                registration_id: &registration_id,
                organisation_id: link.tenant.organisation_id(),
                trigger: Trigger::Onboarding,
                triggered_by: None,
                report: &report,
                started_at: &Timestamp::of(started_at),
                finished_at: &now,
                duration_ms: timer.elapsed().as_millis() as i64,
                next_check_at: &ctx
                    .backend
                    .watch
                    .next_due(report.verdict.status, finished_at),
            },
        )
        .await?;
        // The registration now holds its own sealed copy; the link keeps
        // none. Both happen together or not at all.
        crate::execute_on!(&mut tx, sqlx::query("UPDATE onboarding_links SET completed_at = $1, registration_id = $2, secret_sealed = NULL WHERE id = $3 AND completed_at IS NULL")
            .bind(&now)
            .bind(&registration_id)
            .bind(&link.id))
            .map_err(db("could not complete an onboarding link"))?;
        log(&mut tx, &link.id, &now, "completed").await?;
        audit::record(
            &mut tx,
            audit::Event {
                organisation_id: link.tenant.organisation_id(),
                actor_user_id: None,
                actor: "customer (onboarding link)",
                action: AuditAction::LinkCompleted,
                target: link.id.as_str(),
                detail: &registration_id.to_string(),
                origin: &RequestOrigin::current(),
                at: finished_at,
            },
        )
        .await?;
    }
    tx.commit()
        .await
        .map_err(db("could not save a test result"))?;
    Ok(TestResult {
        status: verdict.status,
        permissions: report.verdict.permissions,
        extra_permissions: report.verdict.extra_permissions,
        findings: report.verdict.findings,
        completed: passed || link.completed,
        ownership: None,
    })
}

/// The Directory ID the test's token must come from. A tenant recorded by
/// its domain alone is resolved through the cloud's OpenID discovery and
/// the ID pinned on the record, so a customer cannot activate a
/// registration in a tenant of their own choosing by typing its ID.
pub(super) async fn tenant_on_file(ctx: &Customer) -> Result<String, AppError> {
    let link = &ctx.link;
    if let Some(id) = &link.expected_tenant_id {
        return Ok(id.clone());
    }
    let domain = link.primary_domain.as_deref().ok_or_else(|| {
        internal(
            "a tenant has neither a Directory ID nor a domain",
            IdMissing,
        )
    })?;
    let found = ctx
        .backend
        .entra
        .tenant_of_domain(link.cloud, domain)
        .await
        .map_err(|error| {
            tracing::warn!(%error, domain, "could not resolve a domain to its tenant");
            AppError::Conflict(format!(
                "Microsoft could not be asked which tenant owns {domain} just now. Please run the test again in a minute."
            ))
        })?;
    let id = found.ok_or_else(|| {
        AppError::Conflict(format!(
            "No Microsoft 365 tenant in this cloud has the domain {domain}, which your IT provider has on file. Ask them to correct it, then test again."
        ))
    })?;
    let pinned = crate::execute_on!(
        ctx.pool(),
        sqlx::query(
            "UPDATE customer_tenants SET entra_tenant_id = $1, version = version + 1
          WHERE id = $2 AND organisation_id = $3 AND entra_tenant_id IS NULL",
        )
        .bind(&id)
        .bind(link.tenant.id())
        .bind(link.tenant.organisation_id())
    );
    match pinned {
        Ok(_) => Ok(id),
        Err(error) if is_unique_violation(&error) => Err(AppError::Conflict(format!(
            "{domain} belongs to a directory your IT provider already has on file as another customer. Ask them to check before testing again."
        ))),
        Err(error) => Err(internal("could not record a tenant's Directory ID", error)),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the customer tenant row has no Directory ID and no domain")]
struct IdMissing;
