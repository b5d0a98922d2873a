//! The customer's wizard steps that need no credential: opening the link,
//! marking the Entra-side steps done, and entering the IDs.

use super::link::{by_token, Link, LinkCredentialKind};
use super::log;
use crate::backend::credentials::{
    certificate_advice, describe_certificate, describe_secret, secret_advice,
};
use crate::backend::{db, now, parse_timestamp, timestamp, Backend};
use crate::error::AppError;
use crate::model::{OnboardingIds, OnboardingView, ProfileSteps, RequirementView, SavedCredential};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::customer::FieldProblem;
use domain::ids::{ClientId, ObjectId, TenantRef};
use domain::onboarding::Step;
use domain::profile::{combined_requirements, Necessity};

fn saved_credential(link: &Link) -> Option<SavedCredential> {
    let credential = link.credential.as_ref()?;
    let at = now();
    Some(match &credential.kind {
        LinkCredentialKind::Secret { hint } => {
            let advice = parse_timestamp(&credential.expires_at)
                .map(|expires| secret_advice(expires, at))
                .unwrap_or_default();
            describe_secret(hint, &credential.expires_at, advice)
        }
        LinkCredentialKind::Certificate {
            der_base64,
            thumbprint,
            subject,
            generated,
        } => {
            let advice = STANDARD
                .decode(der_base64)
                .map(|der| certificate_advice(&der, at))
                .unwrap_or_default();
            describe_certificate(
                subject,
                thumbprint,
                &credential.expires_at,
                *generated,
                advice,
            )
        }
    })
}

pub(super) fn view_of(link: &Link) -> OnboardingView {
    let app_name = link.suggested_app_name();
    let consent_tenant = link
        .expected_tenant_id
        .clone()
        .or_else(|| link.entered_tenant_id.clone());
    OnboardingView {
        tenant_name: link.tenant_name.clone(),
        cloud_label: link.cloud.label().to_owned(),
        portal_host: link.cloud.portal_host().to_owned(),
        suggested_app_name: app_name.clone(),
        profiles: link
            .profiles
            .iter()
            .map(|p| ProfileSteps {
                name: p.name.clone(),
                summary: p.summary.clone(),
                cautions: p.cautions.clone(),
            })
            .collect(),
        requirements: combined_requirements(&link.profiles)
            .iter()
            .map(|r| RequirementView {
                permission: r.permission.clone(),
                kind: r.kind.label().to_owned(),
                optional: r.necessity == Necessity::Optional,
                reason: r.reason.clone(),
            })
            .collect(),
        needs_object_id: link.needs_object_id(),
        consent_url: match (consent_tenant, &link.client_id) {
            (Some(tenant), Some(client_id)) => {
                Some(link.cloud.admin_consent_url(&tenant, client_id))
            }
            _ => None,
        },
        ids: OnboardingIds {
            tenant_id: link.entered_tenant_id.clone().unwrap_or_default(),
            client_id: link.client_id.clone().unwrap_or_default(),
            object_id: link.object_id.clone().unwrap_or_default(),
        },
        credential: saved_credential(link),
        finished: link.finished,
        completed: link.completed,
        powershell: domain::setup_script::powershell(&link.profiles, &app_name, link.cloud),
        azure_cli: domain::setup_script::azure_cli(&link.profiles, &app_name, link.cloud),
    }
}

/// The view after a change, read back from the database.
pub(super) async fn fresh_view(backend: &Backend, token: &str) -> Result<OnboardingView, AppError> {
    Ok(view_of(&by_token(backend, token).await?))
}

pub async fn open(backend: &Backend, token: &str) -> Result<OnboardingView, AppError> {
    let link = by_token(backend, token).await?;
    if !link.opened {
        sqlx::query(
            "UPDATE onboarding_links SET opened_at = $1 WHERE id = $2 AND opened_at IS NULL",
        )
        .bind(timestamp(now()))
        .bind(&link.id)
        .execute(&backend.pool)
        .await
        .map_err(db("could not mark a link opened"))?;
    }
    log(backend, &link.id, "opened").await?;
    Ok(view_of(&link))
}

/// The customer says they did one of the steps done in Entra (1 to 3).
pub async fn finish_step(
    backend: &Backend,
    token: &str,
    step: u8,
) -> Result<OnboardingView, AppError> {
    let link = by_token(backend, token).await?;
    link.still_open()?;
    let step = match step {
        1..=3 => Step::clamped(step.into()),
        _ => {
            return Err(AppError::invalid(
                "step",
                "Only the steps done in Entra can be marked done; the others are saved with their forms.",
            ))
        }
    };
    link.finished_step(backend, step.number().into()).await?;
    log(
        backend,
        &link.id,
        &format!("finished step {}", step.number()),
    )
    .await?;
    fresh_view(backend, token).await
}

/// Saves the IDs from the Overview page, every field checked at once.
pub async fn save_ids(
    backend: &Backend,
    token: &str,
    form: &OnboardingIds,
) -> Result<OnboardingView, AppError> {
    let link = by_token(backend, token).await?;
    link.still_open()?;
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(FieldProblem {
            field: field.into(),
            message,
        })
    };
    let tenant = match TenantRef::parse(&form.tenant_id) {
        Ok(TenantRef::Id(id)) => match &link.expected_tenant_id {
            Some(expected) if expected != &id => {
                problem("tenant_id", format!("This is not the tenant your IT provider has on file for {}. Check that you are signed in to the right tenant.", link.tenant_name));
                None
            }
            _ => Some(id),
        },
        _ => {
            problem("tenant_id", "Enter the Directory (tenant) ID from the app's Overview page, such as 01234567-89ab-cdef-0123-456789abcdef.".into());
            None
        }
    };
    let client_id = ClientId::parse(&form.client_id)
        .map_err(|e| problem("client_id", e.to_string()))
        .ok();
    let object_id = match form.object_id.trim() {
        "" if link.needs_object_id() => {
            problem(
                "object_id",
                "Enter the Object ID from the app's Overview page.".into(),
            );
            None
        }
        "" => None,
        raw => ObjectId::parse(raw)
            .map_err(|e| problem("object_id", e.to_string()))
            .ok(),
    };
    if !problems.is_empty() {
        return Err(AppError::Fields(problems));
    }
    sqlx::query(
        "UPDATE onboarding_links SET entered_tenant_id = $1, client_id = $2, object_id = $3 WHERE id = $4",
    )
    .bind(tenant)
    .bind(client_id.as_ref().map(ClientId::as_str))
    .bind(object_id.as_ref().map(ObjectId::as_str))
    .bind(&link.id)
    .execute(&backend.pool)
    .await
    .map_err(db("could not save onboarding IDs"))?;
    link.finished_step(backend, Step::Ids.number().into())
        .await?;
    log(backend, &link.id, "saved the IDs").await?;
    fresh_view(backend, token).await
}
