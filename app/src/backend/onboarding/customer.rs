//! The customer's wizard steps that need no credential: opening the link,
//! marking the Entra-side steps done, and entering the IDs.

use super::link::{Link, LinkCredentialKind};
use super::log;
use crate::backend::checks::consent::callback_url;
use crate::backend::credentials::{
    certificate_advice, describe_certificate, describe_secret, secret_advice,
};
use crate::backend::{begin, db, Customer};
use crate::error::AppError;
use crate::model::{OnboardingIds, OnboardingView, ProfileSteps, RequirementView, SavedCredential};
use crate::timestamp::Timestamp;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::form::Problems;
use domain::onboarding::{parse_directory_id, Step};
use domain::registration::parse_ids;

fn saved_credential(link: &Link, now: time::OffsetDateTime) -> Option<SavedCredential> {
    let credential = link.credential.as_ref()?;
    Some(match &credential.kind {
        LinkCredentialKind::Secret { hint } => {
            let advice = secret_advice(credential.expires_at.instant(), now);
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
                .map(|der| certificate_advice(&der, now))
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

/// `redirect_uri`: where Microsoft sends the customer's admin back after
/// consent; step 1 and the scripts add it to the app registration.
pub(super) fn view_of(
    link: &Link,
    now: time::OffsetDateTime,
    redirect_uri: String,
) -> OnboardingView {
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
        requirements: RequirementView::all_for(&link.profiles),
        needs_object_id: link.needs_object_id(),
        ownership_proof: link.is_ownership_proof(),
        renewal: link.renews.is_some(),
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
        credential: saved_credential(link, now),
        finished: link.finished,
        completed: link.completed,
        powershell: domain::setup_script::powershell(
            &link.profiles,
            &app_name,
            link.cloud,
            Some(&redirect_uri),
        ),
        azure_cli: domain::setup_script::azure_cli(
            &link.profiles,
            &app_name,
            link.cloud,
            Some(&redirect_uri),
        ),
        redirect_uri,
    }
}

/// The view after a change, read back from the database.
pub(super) async fn fresh_view(ctx: &Customer) -> Result<OnboardingView, AppError> {
    Ok(view_of(
        &ctx.reloaded().await?,
        ctx.now(),
        callback_url(&ctx.backend),
    ))
}

pub async fn open(ctx: &Customer) -> Result<OnboardingView, AppError> {
    let link = &ctx.link;
    let now = Timestamp::of(ctx.now());
    if !link.opened {
        crate::execute_on!(
            ctx.pool(),
            sqlx::query(
                "UPDATE onboarding_links SET opened_at = $1 WHERE id = $2 AND opened_at IS NULL",
            )
            .bind(&now)
            .bind(&link.id)
        )
        .map_err(db("could not mark a link opened"))?;
    }
    log(ctx.pool(), &link.id, &now, "opened").await?;
    Ok(view_of(link, ctx.now(), callback_url(&ctx.backend)))
}

/// The customer says they did one of the steps done in Entra (1 to 3).
pub async fn finish_step(ctx: &Customer, step: u8) -> Result<OnboardingView, AppError> {
    let link = &ctx.link;
    link.still_open()?;
    let step = match Step::ALL.get(usize::from(step).wrapping_sub(1)) {
        Some(step)
            if domain::onboarding::marked_done_by_customer(
                *step,
                link.is_ownership_proof(),
            ) =>
        {
            *step
        }
        _ => {
            return Err(AppError::invalid(
                "step",
                "Only the steps done in Entra can be marked done; the others are saved with their forms.",
            ))
        }
    };
    link.finished_step(ctx.pool(), step).await?;
    log(
        ctx.pool(),
        &link.id,
        &Timestamp::of(ctx.now()),
        &format!("finished step {}", step.number()),
    )
    .await?;
    fresh_view(ctx).await
}

/// Saves the IDs from the Overview page, every field checked at once.
pub async fn save_ids(ctx: &Customer, form: &OnboardingIds) -> Result<OnboardingView, AppError> {
    let link = &ctx.link;
    link.still_open()?;
    if link.renews.is_some() {
        return Err(AppError::Conflict(
            "This link renews the credential of an existing app registration: its IDs stay as they are. Go on to the test."
                .into(),
        ));
    }
    let mut problems = Problems::default();
    let tenant = parse_directory_id(
        &form.tenant_id,
        link.expected_tenant_id.as_deref(),
        &link.tenant_name,
        &mut problems,
    );
    let ids = parse_ids(
        &form.client_id,
        &form.object_id,
        &link.profiles,
        &mut problems,
    );
    let (tenant, ids) = problems
        .finish(tenant.zip(ids))
        .map_err(AppError::Invalid)?;
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE onboarding_links SET entered_tenant_id = $1, client_id = $2, object_id = $3 WHERE id = $4",
    )
    .bind(tenant)
    .bind(ids.client_id.as_str())
    .bind(ids.object_id.as_ref().map(|o| o.as_str()))
    .bind(&link.id))
    .map_err(db("could not save onboarding IDs"))?;
    link.finished_step(&mut tx, Step::Ids).await?;
    log(
        &mut tx,
        &link.id,
        &Timestamp::of(ctx.now()),
        "saved the IDs",
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save onboarding IDs"))?;
    fresh_view(ctx).await
}
