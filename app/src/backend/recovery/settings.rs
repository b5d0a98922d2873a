//! The organisation's recovery settings, kept by its admins: which
//! Microsoft 365 tenant is the organisation's own (checked once against the
//! cloud's discovery document), whether company recovery is allowed, and
//! for how long after its creation a recovery app counts. Every change is
//! in the audit trail; turning recovery on or off is announced to every
//! admin.

use crate::backend::db::Tx;
use crate::backend::mail::outbox;
use crate::backend::{audit, begin, db, internal, is_unique_violation, Staff};
use crate::error::AppError;
use crate::model::{RecoverySettings, SettingsPage};
use domain::audit::AuditAction;
use domain::{Action, Cloud, TenantId};

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    home_tenant_id: Option<String>,
    home_cloud: Option<String>,
    recovery_enabled: bool,
    recovery_window_hours: i64,
}

async fn row(ctx: &Staff) -> Result<Row, AppError> {
    crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT name, home_tenant_id, home_cloud, recovery_enabled, recovery_window_hours
           FROM organisations WHERE id = $1",
    )
    .bind(ctx.scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not read the recovery settings"))?
    .ok_or(AppError::NotFound)
}

pub async fn load(ctx: &Staff) -> Result<RecoverySettings, AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let row = row(ctx).await?;
    let max = ctx.backend.recovery.max_window_hours;
    Ok(RecoverySettings {
        home_tenant_id: row.home_tenant_id,
        home_cloud: row
            .home_cloud
            .as_deref()
            .and_then(|cloud| cloud.parse::<Cloud>().ok())
            .unwrap_or(Cloud::Global),
        enabled: row.recovery_enabled,
        window_hours: row.recovery_window_hours.min(max),
        max_window_hours: max,
        mail_configured: ctx.backend.mail.mailer.is_some(),
    })
}

/// The settings page: recovery, its attempts, and the organisation's mail.
pub async fn page(ctx: &Staff) -> Result<SettingsPage, AppError> {
    Ok(SettingsPage {
        recovery: load(ctx).await?,
        attempts: super::attempts::history(ctx).await?,
        outbox: outbox::recent(ctx).await?,
    })
}

/// The tenant as the cloud's discovery document names it; refuses one the
/// cloud does not know, so recovery never waits on a typo.
async fn verified(ctx: &Staff, cloud: Cloud, tenant_id: &TenantId) -> Result<(), AppError> {
    match ctx.backend.entra.tenant_of_domain(cloud, tenant_id.as_str()).await {
        Ok(Some(found)) if found.eq_ignore_ascii_case(tenant_id.as_str()) => Ok(()),
        Ok(_) => Err(AppError::invalid(
            "home_tenant_id",
            format!(
                "Microsoft's {} cloud does not know a tenant with this ID. Copy the Tenant ID from the Overview page of Microsoft Entra ID, and check the cloud.",
                cloud.label()
            ),
        )),
        Err(error) => {
            tracing::warn!(%error, "could not look a home tenant up");
            Err(AppError::Conflict(
                "Microsoft could not be asked whether this tenant exists. Nothing was changed; try again in a moment.".to_owned(),
            ))
        }
    }
}

/// Sets (or clears, with an empty ID) the organisation's own tenant.
/// Changing or clearing it turns recovery off and every admin is told, so
/// recovery cannot be quietly pointed at a tenant someone else controls.
pub async fn save_home_tenant(
    ctx: &Staff,
    tenant_id: &str,
    cloud: &str,
) -> Result<RecoverySettings, AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let cloud: Cloud = cloud.parse().map_err(|_| {
        AppError::invalid("home_cloud", "Choose the Microsoft cloud the tenant is in.")
    })?;
    let tenant = match tenant_id.trim() {
        "" => None,
        raw => {
            Some(TenantId::parse(raw).map_err(|error| AppError::invalid("home_tenant_id", error))?)
        }
    };
    if let Some(tenant) = &tenant {
        verified(ctx, cloud, tenant).await?;
    }
    let before = row(ctx).await?;
    // Another tenant (or another cloud) is another proof: recovery stays on
    // only for the tenant it was turned on for.
    let changed = before.home_tenant_id.as_deref() != tenant.as_ref().map(TenantId::as_str)
        || before.home_cloud.as_deref() != Some(cloud.id());
    let mut tx = begin(ctx.pool()).await?;
    let updated = crate::execute_on!(
        &mut tx,
        sqlx::query(
            "UPDATE organisations
            SET home_tenant_id = $1, home_cloud = $2,
                recovery_enabled = CASE WHEN $3 THEN FALSE ELSE recovery_enabled END
          WHERE id = $4",
        )
        .bind(tenant.as_ref().map(TenantId::as_str))
        .bind(cloud.id())
        .bind(changed)
        .bind(ctx.scope.organisation_id())
    );
    match updated {
        Ok(_) => {}
        Err(error) if is_unique_violation(&error) => return Err(AppError::invalid(
            "home_tenant_id",
            "Another organisation on this Tenantry server already names this tenant as its own.",
        )),
        Err(error) => return Err(internal("could not save the home tenant", error)),
    }
    let detail = match &tenant {
        Some(tenant) => format!("{} ({})", tenant.as_str(), cloud.label()),
        None => "none".to_owned(),
    };
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::HomeTenantChanged,
        "organisation",
        &detail,
    )
    .await?;
    if changed && before.recovery_enabled {
        switched(&mut tx, ctx, &before.name, false).await?;
    }
    tx.commit()
        .await
        .map_err(db("could not save the home tenant"))?;
    ctx.backend.mail.queued();
    load(ctx).await
}

pub async fn save_recovery(
    ctx: &Staff,
    enabled: bool,
    window_hours: i64,
) -> Result<RecoverySettings, AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let max = ctx.backend.recovery.max_window_hours;
    if !(1..=max).contains(&window_hours) {
        return Err(AppError::invalid(
            "window_hours",
            format!("The window is between 1 and {max} hours: a shorter one is stricter."),
        ));
    }
    let before = row(ctx).await?;
    if enabled && before.home_tenant_id.is_none() {
        return Err(AppError::invalid(
            "enabled",
            "Name the organisation's Microsoft 365 tenant first: recovery proves control of it.",
        ));
    }
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE organisations SET recovery_enabled = $1, recovery_window_hours = $2 WHERE id = $3",
    )
    .bind(enabled)
    .bind(window_hours)
    .bind(ctx.scope.organisation_id()))
    .map_err(db("could not save the recovery settings"))?;
    if enabled != before.recovery_enabled {
        switched(&mut tx, ctx, &before.name, enabled).await?;
    }
    if window_hours != before.recovery_window_hours {
        let detail = format!("{} → {window_hours} hours", before.recovery_window_hours);
        audit::by_member(
            &mut tx,
            ctx,
            AuditAction::RecoveryWindowChanged,
            "organisation",
            &detail,
        )
        .await?;
    }
    tx.commit()
        .await
        .map_err(db("could not save the recovery settings"))?;
    ctx.backend.mail.queued();
    load(ctx).await
}

/// Audits recovery being turned on or off and tells every admin.
async fn switched(
    tx: &mut Tx,
    ctx: &Staff,
    organisation: &str,
    enabled: bool,
) -> Result<(), AppError> {
    let action = if enabled {
        AuditAction::RecoveryTurnedOn
    } else {
        AuditAction::RecoveryTurnedOff
    };
    audit::by_member(&mut *tx, ctx, action, "organisation", "").await?;
    let notice = domain::notice::recovery_switched(
        organisation,
        enabled,
        ctx.scope.email(),
        &crate::timestamp::Timestamp::of(ctx.now()).to_string(),
    );
    outbox::queue_to_admins(tx, ctx.scope.organisation_id(), None, &notice, ctx.now()).await?;
    Ok(())
}
