//! Step 6 of an ownership-proof link (the company recovery product): the
//! customer's recovery app is checked with the recovery checklist. When it
//! is accepted, the customer tenant is marked as verified with the evidence,
//! its Directory ID is pinned from the token, the link is complete (its
//! secret erased) and the MSP's admins are told. No registration is made:
//! a recovery app is meant to be deleted once it has served.

use super::log;
use super::test::{finish_first, tenant_on_file};
use crate::backend::mail::outbox;
use crate::backend::origin::RequestOrigin;
use crate::backend::recovery::attempts::{self, Entered};
use crate::backend::recovery::{result, standing, waiting_message, Company, Organisation};
use crate::backend::{audit, begin, db, Customer};
use crate::error::AppError;
use crate::model::{RecoveryResult, TestResult};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::evaluation::Status;
use domain::form::SecretText;
use domain::onboarding::Step;
use domain::recovery::checklist::{Outcome, Report};
use domain::recovery::AttemptGate;
use domain::{ClientId, ObjectId, SecretValue, TenantId};

/// What the wizard has gathered for the proof, parsed.
pub struct Gathered {
    pub tenant_id: TenantId,
    pub client_id: ClientId,
    pub object_id: ObjectId,
    pub credential: entra::Credential,
}

/// The IDs saved at step 5 and the secret typed at the test; each problem
/// names its field, and a missing step says which.
fn gather(
    link: &crate::backend::onboarding::Link,
    secret: Option<&SecretText>,
) -> Result<Gathered, AppError> {
    let (Some(tenant), Some(client), Some(object)) = (
        link.entered_tenant_id.as_deref(),
        link.client_id.as_deref(),
        link.object_id.as_deref(),
    ) else {
        return Err(finish_first(Step::Ids));
    };
    let ids = (
        TenantId::parse(tenant),
        ClientId::parse(client),
        ObjectId::parse(object),
    );
    let (Ok(tenant_id), Ok(client_id), Ok(object_id)) = ids else {
        return Err(finish_first(Step::Ids));
    };
    let secret =
        match secret.map(|typed| SecretValue::new(typed.expose())) {
            Some(Ok(secret)) if secret.looks_like_secret_id() => return Err(AppError::invalid(
                "secret",
                "This is the secret's ID. Enter its Value, shown once when the secret was created.",
            )),
            Some(Ok(secret)) => secret,
            _ => {
                return Err(AppError::invalid(
                    "secret",
                    "Enter the value of the recovery app's client secret.",
                ))
            }
        };
    Ok(Gathered {
        tenant_id,
        client_id,
        object_id,
        credential: entra::Credential::Secret(secret),
    })
}

pub async fn prove(ctx: &Customer, secret: Option<&SecretText>) -> Result<TestResult, AppError> {
    let link = &ctx.link;
    let gathered = gather(link, secret)?;
    let gathered = &gathered;
    let expected_tenant_id = tenant_on_file(ctx).await?;
    let expected = TenantId::parse(&expected_tenant_id)
        .map_err(|error| crate::backend::internal("a tenant on file is not a GUID", error))?;
    let organisation_name: (String,) = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT name FROM organisations WHERE id = $1"
    )
    .bind(link.tenant.organisation_id())
    .fetch_one(c)
    .await)
    .map_err(db("could not read the organisation's name"))?;
    let company = Company {
        tenant_id: expected,
        cloud: link.cloud,
        window_hours: ctx.backend.recovery.max_window_hours,
        organisation: Some(Organisation {
            id: link.tenant.organisation_id().clone(),
            name: organisation_name.0,
        }),
        customer_tenant: Some(link.tenant.id().clone()),
    };
    if attempts::already_used(&ctx.backend, &company, gathered.object_id.as_str()).await? {
        return Err(AppError::Conflict(
            "This recovery app was already used for a proof. Create a new app registration for a new one.".to_owned(),
        ));
    }
    let origin = RequestOrigin::current();
    let (reservation, report) = attempts::verify(
        &ctx.backend,
        &company,
        &Entered {
            person_name: "customer (onboarding link)",
            tenant_id: gathered.tenant_id.as_str(),
            client_id: gathered.client_id.as_str(),
            object_id: gathered.object_id.as_str(),
        },
        &origin,
        &entra::RecoveryRequest {
            cloud: company.cloud,
            tenant_id: &gathered.tenant_id,
            expected_tenant_id: Some(&company.tenant_id),
            client_id: &gathered.client_id,
            object_id: &gathered.object_id,
            credential: &gathered.credential,
            window_secs: company.window_hours * 3600,
            now: ctx.now().unix_timestamp(),
        },
    )
    .await?;
    let shown = match report.outcome {
        Outcome::NotYetVisible | Outcome::CouldNotCheck => {
            attempts::forget(&ctx.backend, &reservation.id).await?;
            result(
                &report,
                company.window_hours,
                (reservation.failures_left, None),
                waiting_message(&report),
                None,
            )
        }
        Outcome::Rejected | Outcome::Accepted => {
            settle(ctx, &company, &reservation.id, gathered, &report, &origin).await?
        }
    };
    let accepted = report.outcome == Outcome::Accepted;
    Ok(TestResult {
        status: match report.outcome {
            Outcome::Accepted => Status::Healthy,
            Outcome::Rejected => Status::Failing,
            Outcome::NotYetVisible | Outcome::CouldNotCheck => Status::CouldNotCheck,
        },
        permissions: Vec::new(),
        extra_permissions: Vec::new(),
        findings: report.findings.clone(),
        completed: accepted || link.completed,
        ownership: Some(shown),
    })
}

fn evidence(gathered: &Gathered, report: &Report) -> String {
    crate::backend::recovery::evidence(
        &gathered.tenant_id,
        &gathered.client_id,
        &gathered.object_id,
        report,
    )
}

/// An event the customer caused through the link.
fn by_customer<'a>(
    link: &'a crate::backend::onboarding::Link,
    action: AuditAction,
    detail: &'a str,
    origin: &'a RequestOrigin,
    at: time::OffsetDateTime,
) -> audit::Event<'a> {
    audit::Event {
        organisation_id: link.tenant.organisation_id(),
        actor_user_id: None,
        actor: "customer (onboarding link)",
        action,
        target: &link.tenant_name,
        detail,
        origin,
        at,
    }
}

async fn settle(
    ctx: &Customer,
    company: &Company,
    id: &crate::ids::RecoveryAttemptId,
    gathered: &Gathered,
    report: &Report,
    origin: &RequestOrigin,
) -> Result<RecoveryResult, AppError> {
    let link = &ctx.link;
    let now = ctx.now();
    let at = Timestamp::of(now);
    let detail = evidence(gathered, report);
    let mut tx = begin(ctx.pool()).await?;
    let gate = attempts::settle(&mut tx, company, id, report, now).await?;
    link.finished_step(&mut tx, Step::Test).await?;
    log(
        &mut tx,
        &link.id,
        &at,
        &format!("ownership proof: {}", report.outcome.as_str()),
    )
    .await?;
    let message = match (report.outcome, &report.initiated_by) {
        (Outcome::Accepted, Some(creator)) => {
            let upn = creator.user_principal_name.to_lowercase();
            crate::execute_on!(&mut tx, sqlx::query(
                "UPDATE customer_tenants
                    SET ownership_verified_at = $1, ownership_verified_by = $2, ownership_evidence = $3,
                        entra_tenant_id = COALESCE(entra_tenant_id, $4), updated_at = $1,
                        version = version + 1
                  WHERE id = $5 AND organisation_id = $6",
            )
            .bind(&at)
            .bind(&upn)
            .bind(&detail)
            .bind(gathered.tenant_id.as_str())
            .bind(link.tenant.id())
            .bind(link.tenant.organisation_id()))
            .map_err(db("could not mark a tenant as verified"))?;
            crate::execute_on!(
                &mut tx,
                sqlx::query(
                    "UPDATE onboarding_links SET completed_at = $1, secret_sealed = NULL
                  WHERE id = $2 AND completed_at IS NULL",
                )
                .bind(&at)
                .bind(&link.id)
            )
            .map_err(db("could not complete an onboarding link"))?;
            log(&mut tx, &link.id, &at, "completed").await?;
            audit::record(
                &mut tx,
                by_customer(
                    link,
                    AuditAction::TenantOwnershipVerified,
                    &detail,
                    origin,
                    now,
                ),
            )
            .await?;
            let notice = domain::notice::ownership_verified(
                &link.tenant_name,
                &upn,
                gathered.client_id.as_str(),
                &at.to_string(),
            );
            outbox::queue_to_admins(&mut tx, link.tenant.organisation_id(), None, &notice, now)
                .await?;
            format!("Thank you: you proved that you administer this tenant ({upn}). Your IT provider has been told. You can delete the recovery app registration now.")
        }
        _ => {
            let audited = crate::backend::recovery::refusal(&detail, report);
            audit::record(
                &mut tx,
                by_customer(link, AuditAction::RecoveryRefused, &audited, origin, now),
            )
            .await?;
            crate::backend::recovery::refusal_message(report, || {
                match gate {
                AttemptGate::LockedUntil { .. } => "The proof is refused, and checking is paused after repeated refusals. Fix what the checklist says before trying again.".to_owned(),
                AttemptGate::Open { failures_left } => format!("The proof is refused. Fix what the checklist says and test again ({failures_left} more refusals pause checking for 12 hours)."),
            }
            })
        }
    };
    tx.commit()
        .await
        .map_err(db("could not record an ownership proof"))?;
    ctx.backend.mail.queued();
    Ok(result(
        report,
        company.window_hours,
        standing(gate),
        message,
        None,
    ))
}
