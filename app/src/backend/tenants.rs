//! Customer tenants of the caller's organisation. Every query filters by the
//! scope's organisation; writes need `Action::ManageTenants`.

use crate::backend::{db, internal, now, timestamp, OrgScope};
use crate::error::AppError;
use crate::model::{TenantDetails, TenantSummary};
use domain::customer::{CustomerTenant, CustomerTenantForm};
use domain::{Action, Cloud};
use sqlx::SqlitePool;

type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

const COLUMNS: &str = "id, display_name, entra_tenant_id, primary_domain, cloud, contact_emails, notes, created_at, updated_at, archived_at";

fn summary(row: &Row) -> Result<TenantSummary, AppError> {
    Ok(TenantSummary {
        id: row.0.clone(),
        display_name: row.1.clone(),
        tenant_id: row.2.clone(),
        primary_domain: row.3.clone(),
        cloud: row
            .4
            .parse::<Cloud>()
            .map_err(|e| internal("stored cloud is not known", e))?,
        archived: row.9.is_some(),
    })
}

pub async fn list(
    pool: &SqlitePool,
    scope: &OrgScope,
    include_archived: bool,
) -> Result<Vec<TenantSummary>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM customer_tenants
          WHERE organisation_id = $1 AND ($2 OR archived_at IS NULL)
          ORDER BY display_name"
    ))
    .bind(scope.organisation_id())
    .bind(include_archived)
    .fetch_all(pool)
    .await
    .map_err(db("could not list customer tenants"))?;
    rows.iter().map(summary).collect()
}

pub async fn details(
    pool: &SqlitePool,
    scope: &OrgScope,
    id: &str,
) -> Result<TenantDetails, AppError> {
    let row: Row = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM customer_tenants WHERE id = $1 AND organisation_id = $2"
    ))
    .bind(id)
    .bind(scope.organisation_id())
    .fetch_optional(pool)
    .await
    .map_err(db("could not load a customer tenant"))?
    .ok_or(AppError::NotFound)?;
    let summary = summary(&row)?;
    Ok(TenantDetails {
        form: CustomerTenantForm {
            display_name: row.1.clone(),
            tenant_id: row.2.clone().unwrap_or_default(),
            primary_domain: row.3.clone().unwrap_or_default(),
            cloud: row.4.clone(),
            contacts: row.5.replace(',', ", "),
            notes: row.6.clone(),
        },
        summary,
        created_at: row.7,
        updated_at: row.8,
        can_manage: scope.permit(Action::ManageTenants).is_ok(),
    })
}

/// Refuses a second record of the same Entra tenant or domain in one organisation.
async fn ensure_unique(
    pool: &SqlitePool,
    scope: &OrgScope,
    tenant: &CustomerTenant,
    except: Option<&str>,
) -> Result<(), AppError> {
    let clash: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT display_name, entra_tenant_id FROM customer_tenants
          WHERE organisation_id = $1 AND id <> $2
            AND (entra_tenant_id = $3 OR primary_domain = $4)",
    )
    .bind(scope.organisation_id())
    .bind(except.unwrap_or(""))
    .bind(&tenant.tenant_id)
    .bind(&tenant.primary_domain)
    .fetch_optional(pool)
    .await
    .map_err(db("could not check for duplicate tenants"))?;
    match clash {
        None => Ok(()),
        Some((name, entra_id)) => {
            let field = if entra_id.is_some() && entra_id == tenant.tenant_id {
                "tenant_id"
            } else {
                "primary_domain"
            };
            Err(AppError::invalid(
                field,
                format!("This tenant is already recorded as '{name}'."),
            ))
        }
    }
}

fn contacts(tenant: &CustomerTenant) -> String {
    tenant
        .contacts
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn create(
    pool: &SqlitePool,
    scope: &OrgScope,
    form: &CustomerTenantForm,
) -> Result<String, AppError> {
    scope.permit(Action::ManageTenants)?;
    let tenant = form.parse().map_err(AppError::Fields)?;
    ensure_unique(pool, scope, &tenant, None).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let at = timestamp(now());
    sqlx::query(
        "INSERT INTO customer_tenants
            (id, organisation_id, display_name, entra_tenant_id, primary_domain, cloud, contact_emails, notes, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(scope.organisation_id())
    .bind(&tenant.display_name)
    .bind(&tenant.tenant_id)
    .bind(&tenant.primary_domain)
    .bind(tenant.cloud.id())
    .bind(contacts(&tenant))
    .bind(&tenant.notes)
    .bind(scope.user_id())
    .bind(&at)
    .execute(pool)
    .await
    .map_err(db("could not save a customer tenant"))?;
    Ok(id)
}

pub async fn update(
    pool: &SqlitePool,
    scope: &OrgScope,
    id: &str,
    form: &CustomerTenantForm,
) -> Result<(), AppError> {
    scope.permit(Action::ManageTenants)?;
    let tenant = form.parse().map_err(AppError::Fields)?;
    ensure_unique(pool, scope, &tenant, Some(id)).await?;
    let updated = sqlx::query(
        "UPDATE customer_tenants
            SET display_name = $1, entra_tenant_id = $2, primary_domain = $3, cloud = $4, contact_emails = $5, notes = $6, updated_at = $7
          WHERE id = $8 AND organisation_id = $9",
    )
    .bind(&tenant.display_name)
    .bind(&tenant.tenant_id)
    .bind(&tenant.primary_domain)
    .bind(tenant.cloud.id())
    .bind(contacts(&tenant))
    .bind(&tenant.notes)
    .bind(timestamp(now()))
    .bind(id)
    .bind(scope.organisation_id())
    .execute(pool)
    .await
    .map_err(db("could not update a customer tenant"))?;
    if updated.rows_affected() == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Archives (or with `archived = false` restores) a tenant; nothing is deleted.
pub async fn set_archived(
    pool: &SqlitePool,
    scope: &OrgScope,
    id: &str,
    archived: bool,
) -> Result<(), AppError> {
    scope.permit(Action::ManageTenants)?;
    let at = archived.then(|| timestamp(now()));
    let updated = sqlx::query("UPDATE customer_tenants SET archived_at = $1, updated_at = $2 WHERE id = $3 AND organisation_id = $4")
        .bind(at)
        .bind(timestamp(now()))
        .bind(id)
        .bind(scope.organisation_id())
        .execute(pool)
        .await
        .map_err(db("could not archive a customer tenant"))?;
    if updated.rows_affected() == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
