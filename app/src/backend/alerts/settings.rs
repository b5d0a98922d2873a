//! What each channel is told (its rules) and the organisation's time zone
//! its digests keep. Admins change them, and each change is audited; every
//! member sees them.

use super::channels::name_of;
use super::digest;
use crate::backend::{audit, begin, db, Staff};
use crate::error::AppError;
use crate::ids::AlertChannelId;
use crate::model::{AlertRulesForm, AlertSettingsView};
use domain::alert_rules::{chosen, time_zone, ChannelRules};
use domain::alerts::EVENTS;
use domain::audit::AuditAction;
use domain::form::FieldProblem;
use domain::Action;

async fn tenants(ctx: &Staff) -> Result<Vec<(String, String)>, AppError> {
    crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT id, display_name FROM customer_tenants
          WHERE organisation_id = $1 AND archived_at IS NULL
          ORDER BY display_name, id",
    )
    .bind(ctx.scope.organisation_id())
    .fetch_all(c)
    .await)
    .map_err(db("could not list tenants for alert rules"))
}

fn products() -> Vec<(String, String)> {
    domain::profile::built_in()
        .into_iter()
        .map(|profile| (profile.id, profile.name))
        .collect()
}

pub async fn load(ctx: &Staff) -> Result<AlertSettingsView, AppError> {
    ctx.scope.permit(Action::ViewOrganisation)?;
    let (time_zone, home_tenant, notice_reply_to): (String, Option<String>, Option<String>) =
        crate::on_db!(ctx.pool(), |c| sqlx::query_as(
            "SELECT time_zone, home_tenant_id, notice_reply_to FROM organisations WHERE id = $1",
        )
        .bind(ctx.scope.organisation_id())
        .fetch_one(c)
        .await)
        .map_err(db("could not read the organisation's time zone"))?;
    Ok(AlertSettingsView {
        time_zone,
        events: EVENTS
            .iter()
            .map(|(code, label)| ((*code).to_owned(), (*label).to_owned()))
            .collect(),
        tenants: tenants(ctx).await?,
        products: products(),
        senders: super::senders::eligible(&ctx.backend, ctx.scope.organisation_id()).await?,
        home_tenant_known: home_tenant.is_some(),
        notice_reply_to,
    })
}

/// Every event ticked is stored as "all", so events added to Tenantry
/// later reach the channel too; none ticked is refused rather than
/// silencing the channel unnoticed.
fn events_chosen(events: &[String]) -> Result<Vec<String>, FieldProblem> {
    if events.is_empty() {
        return Err(FieldProblem {
            field: "events".to_owned(),
            message: "Tick at least one event, or remove the channel.".to_owned(),
        });
    }
    let all = EVENTS
        .iter()
        .all(|(code, _)| events.iter().any(|chosen| chosen == code));
    Ok(if all { Vec::new() } else { events.to_vec() })
}

pub async fn save_rules(
    ctx: &Staff,
    channel: &AlertChannelId,
    form: &AlertRulesForm,
) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let (name, _) = name_of(ctx, channel).await?;
    let known_tenants: Vec<String> = tenants(ctx).await?.into_iter().map(|(id, _)| id).collect();
    let known_products: Vec<String> = products().into_iter().map(|(id, _)| id).collect();
    let events = events_chosen(&form.events);
    let rules = chosen(
        &form.events,
        &form.min_severity,
        &form.tenants,
        &form.products,
        &form.digest_hour,
        &known_tenants,
        &known_products,
    );
    let rules: ChannelRules = match (events, rules) {
        (Ok(events), Ok(rules)) => ChannelRules { events, ..rules },
        (events, rules) => {
            let mut problems: Vec<FieldProblem> = events.err().into_iter().collect();
            problems.extend(rules.err().unwrap_or_default());
            return Err(AppError::Invalid(problems));
        }
    };
    let stored = serde_json::to_string(&rules)
        .map_err(|error| crate::backend::internal("rules could not be written", error))?;
    let now = ctx.now();
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(
        &mut tx,
        sqlx::query("UPDATE alert_channels SET rules = $1 WHERE id = $2 AND organisation_id = $3")
            .bind(stored)
            .bind(channel)
            .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not save a channel's rules"))?;
    digest::schedule(&mut tx, ctx.scope.organisation_id(), Some(channel), now).await?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::AlertRulesChanged,
        &name,
        &describe(&rules),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a channel's rules"))
}

/// The rules in a few words, for the audit trail.
fn describe(rules: &ChannelRules) -> String {
    let all = |list: &[String]| match list.len() {
        0 => "all".to_owned(),
        n => n.to_string(),
    };
    format!(
        "{} events from {}, {} tenants, {} products, {}",
        all(&rules.events),
        rules.min_severity.as_str(),
        all(&rules.tenants),
        all(&rules.products),
        match rules.digest_hour {
            Some(hour) => format!("daily digest at {hour:02}:00"),
            None => "at once".to_owned(),
        }
    )
}

pub async fn save_time_zone(ctx: &Staff, text: &str) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let name = text.trim();
    time_zone(name).map_err(|message| {
        AppError::Invalid(vec![FieldProblem {
            field: "time_zone".to_owned(),
            message,
        }])
    })?;
    let now = ctx.now();
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(
        &mut tx,
        sqlx::query("UPDATE organisations SET time_zone = $1 WHERE id = $2")
            .bind(name)
            .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not save the time zone"))?;
    digest::schedule(&mut tx, ctx.scope.organisation_id(), None, now).await?;
    audit::by_member(&mut tx, ctx, AuditAction::AlertTimeZoneChanged, name, "").await?;
    tx.commit()
        .await
        .map_err(db("could not save the time zone"))
}
