//! Customer tenants of the caller's organisation: the `customer_tenants`
//! table. Writes need `Action::ManageTenants`; anything stored under a
//! tenant (registrations, onboarding links) takes an `OwnedTenant`, the
//! proof that the tenant belongs to the organisation acting on it.

use crate::backend::db::Conn;
use crate::backend::{audit, begin, db, internal, is_unique_violation, Staff};
use crate::error::AppError;
use crate::ids::{CustomerTenantId, OrganisationId};
use crate::model::{OwnershipProof, TenantDetails, TenantSummary};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::customer::{CustomerTenant, CustomerTenantForm};
use domain::search::Search;
use domain::{Action, Cloud};

/// A customer tenant looked up through the caller's scope (or reached
/// through a live onboarding link): only `owned`, `insert` and
/// `selected_in_organisation` make one, so holding it proves the ownership.
#[derive(Debug, Clone)]
pub struct OwnedTenant {
    id: CustomerTenantId,
    organisation_id: OrganisationId,
    archived: bool,
}

impl OwnedTenant {
    pub fn id(&self) -> &CustomerTenantId {
        &self.id
    }

    pub fn organisation_id(&self) -> &OrganisationId {
        &self.organisation_id
    }

    pub fn archived(&self) -> bool {
        self.archived
    }

    /// For a backend query that selected the tenant by its organisation:
    /// `onboarding::link` joins the link to its tenant within the link's
    /// organisation, and an import reads the scope's tenants.
    pub(in crate::backend) fn selected_in_organisation(
        id: CustomerTenantId,
        organisation_id: OrganisationId,
        archived: bool,
    ) -> Self {
        Self {
            id,
            organisation_id,
            archived,
        }
    }
}

/// The tenant `id` if it belongs to the caller's organisation; otherwise
/// `NotFound`, the same answer as for an id that does not exist.
pub async fn owned(ctx: &Staff, id: &CustomerTenantId) -> Result<OwnedTenant, AppError> {
    let row: Option<(Option<Timestamp>,)> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT archived_at FROM customer_tenants WHERE id = $1 AND organisation_id = $2",
    )
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not load a customer tenant"))?;
    let (archived_at,) = row.ok_or(AppError::NotFound)?;
    Ok(OwnedTenant {
        id: id.clone(),
        organisation_id: ctx.scope.organisation_id().clone(),
        archived: archived_at.is_some(),
    })
}

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: CustomerTenantId,
    display_name: String,
    entra_tenant_id: Option<String>,
    primary_domain: Option<String>,
    cloud: String,
    contact_emails: String,
    notes: String,
    created_at: Timestamp,
    updated_at: Timestamp,
    archived_at: Option<Timestamp>,
    expiry_notices: bool,
    version: i64,
}

const COLUMNS: &str = "id, display_name, entra_tenant_id, primary_domain, cloud, contact_emails, notes, created_at, updated_at, archived_at, expiry_notices, version";

impl TenantRow {
    fn summary(&self) -> Result<TenantSummary, AppError> {
        Ok(TenantSummary {
            id: self.id.clone(),
            display_name: self.display_name.clone(),
            entra_tenant_id: self.entra_tenant_id.clone(),
            primary_domain: self.primary_domain.clone(),
            cloud: self
                .cloud
                .parse::<Cloud>()
                .map_err(|e| internal("stored cloud is not known", e))?,
            archived: self.archived_at.is_some(),
        })
    }
}

pub async fn list(ctx: &Staff, include_archived: bool) -> Result<Vec<TenantSummary>, AppError> {
    let rows: Vec<TenantRow> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM customer_tenants
          WHERE organisation_id = $1 AND ($2 OR archived_at IS NULL)
          ORDER BY display_name"
    ))
    .bind(ctx.scope.organisation_id())
    .bind(include_archived)
    .fetch_all(c)
    .await)
    .map_err(db("could not list customer tenants"))?;
    rows.iter().map(TenantRow::summary).collect()
}

pub async fn details(ctx: &Staff, id: &CustomerTenantId) -> Result<TenantDetails, AppError> {
    let row: DetailsRow = crate::on_db!(ctx.pool(), |c| sqlx::query_as(&format!(
        "SELECT {COLUMNS}, {OWNERSHIP_COLUMNS} FROM customer_tenants WHERE id = $1 AND organisation_id = $2"
    ))
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not load a customer tenant"))?
    .ok_or(AppError::NotFound)?;
    row.details(ctx)
}

/// Which tenants a page of the JSON API lists.
#[derive(Debug, Clone, Default)]
pub struct TenantQuery {
    /// None: both archived and active tenants.
    pub archived: Option<bool>,
    /// Part of the display name or primary domain, any case.
    pub search: Option<String>,
    pub cloud: Option<Cloud>,
}

/// Up to `limit` tenants after `after` (created_at, id), oldest first:
/// a keyset page, stable while tenants are added.
pub async fn page(
    ctx: &Staff,
    query: &TenantQuery,
    after: Option<(Timestamp, CustomerTenantId)>,
    limit: i64,
) -> Result<Vec<TenantDetails>, AppError> {
    let search = query.search.as_deref().and_then(Search::of);
    let mut found = Vec::new();
    let mut after = after;
    // The database may return rows the search does not match (see
    // `domain::search`); reading on until the page is full keeps a short
    // page meaning "no more".
    loop {
        let rows = rows_after(ctx, query, search.as_ref(), after.take(), limit).await?;
        let full = rows.len() as i64 == limit;
        after = rows
            .last()
            .map(|row| (row.tenant.created_at.clone(), row.tenant.id.clone()));
        found.extend(
            rows.into_iter()
                .filter(|row| search.as_ref().is_none_or(|search| row.found_by(search))),
        );
        if !full || found.len() as i64 >= limit {
            break;
        }
    }
    found.truncate(usize::try_from(limit).unwrap_or_default());
    found.into_iter().map(|row| row.details(ctx)).collect()
}

async fn rows_after(
    ctx: &Staff,
    query: &TenantQuery,
    search: Option<&Search>,
    after: Option<(Timestamp, CustomerTenantId)>,
    limit: i64,
) -> Result<Vec<DetailsRow>, AppError> {
    let (after_at, after_id) = after.unzip();
    crate::on_db!(ctx.pool(), |c| sqlx::query_as(&format!(
        "SELECT {COLUMNS}, {OWNERSHIP_COLUMNS} FROM customer_tenants
          WHERE organisation_id = $1
            AND ($2 IS NULL OR (archived_at IS NOT NULL) = $2)
            AND ($3 IS NULL OR LOWER(display_name) LIKE $3 ESCAPE '\\'
                 OR LOWER(COALESCE(primary_domain, '')) LIKE $3 ESCAPE '\\')
            AND ($4 IS NULL OR cloud = $4)
            AND ($5 IS NULL OR created_at > $5 OR (created_at = $5 AND id > $6))
          ORDER BY created_at, id
          LIMIT $7"
    ))
    .bind(ctx.scope.organisation_id())
    .bind(query.archived)
    .bind(search.map(Search::pattern))
    .bind(query.cloud.map(|cloud| cloud.id()))
    .bind(after_at)
    .bind(after_id)
    .bind(limit)
    .fetch_all(c)
    .await)
    .map_err(db("could not list customer tenants"))
}

const OWNERSHIP_COLUMNS: &str = "ownership_verified_at, ownership_verified_by, ownership_evidence";

#[derive(sqlx::FromRow)]
struct DetailsRow {
    #[sqlx(flatten)]
    tenant: TenantRow,
    #[sqlx(flatten)]
    ownership: OwnershipRow,
}

impl DetailsRow {
    fn found_by(&self, search: &Search) -> bool {
        let tenant = &self.tenant;
        search.matches(
            [tenant.display_name.as_str()]
                .into_iter()
                .chain(tenant.primary_domain.as_deref()),
        )
    }

    fn details(self, ctx: &Staff) -> Result<TenantDetails, AppError> {
        let summary = self.tenant.summary()?;
        let row = self.tenant;
        Ok(TenantDetails {
            summary,
            ownership: self.ownership.proof(&row.contact_emails),
            form: CustomerTenantForm {
                display_name: row.display_name,
                tenant_id: row.entra_tenant_id.unwrap_or_default(),
                primary_domain: row.primary_domain.unwrap_or_default(),
                cloud: row.cloud,
                contacts: row.contact_emails.replace(',', ", "),
                notes: row.notes,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
            can_manage: ctx.scope.may(Action::ManageTenants),
            expiry_notices: row.expiry_notices,
            version: row.version,
        })
    }
}

#[derive(sqlx::FromRow)]
struct OwnershipRow {
    ownership_verified_at: Option<Timestamp>,
    ownership_verified_by: Option<String>,
    ownership_evidence: Option<String>,
}

impl OwnershipRow {
    fn proof(self, contacts: &str) -> Option<OwnershipProof> {
        match (self.ownership_verified_at, self.ownership_verified_by) {
            (Some(verified_at), Some(verified_by)) => Some(OwnershipProof {
                is_contact: contacts
                    .split(',')
                    .any(|contact| contact.trim().eq_ignore_ascii_case(&verified_by)),
                verified_at,
                verified_by,
                evidence: self.ownership_evidence.unwrap_or_default(),
            }),
            _ => None,
        }
    }
}

/// Makes the person who proved control of the tenant its first contact,
/// keeping the others.
pub async fn adopt_verified_contact(ctx: &Staff, id: &CustomerTenantId) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let tenant = owned(ctx, id).await?;
    let row: (String, Option<String>) = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT contact_emails, ownership_verified_by FROM customer_tenants
          WHERE id = $1 AND organisation_id = $2",
    )
    .bind(tenant.id())
    .bind(tenant.organisation_id())
    .fetch_one(c)
    .await)
    .map_err(db("could not read a tenant's contacts"))?;
    let (contacts, Some(verified)) = row else {
        return Err(AppError::Conflict(
            "Nobody has proved control of this tenant yet.".to_owned(),
        ));
    };
    let mut list: Vec<&str> = vec![verified.as_str()];
    list.extend(
        contacts
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case(&verified)),
    );
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE customer_tenants SET contact_emails = $1, updated_at = $2, version = version + 1
          WHERE id = $3 AND organisation_id = $4",
    )
    .bind(list.join(","))
    .bind(Timestamp::of(ctx.now()))
    .bind(tenant.id())
    .bind(tenant.organisation_id()))
    .map_err(db("could not update a tenant's contacts"))?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::TenantEdited,
        tenant.id().as_str(),
        &format!("contact {verified} added: they proved control of the tenant"),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not update a tenant's contacts"))
}

/// Names the tenant a unique index refused this one for. The index is the
/// source of truth; this only words the refusal.
async fn duplicate(
    ctx: &Staff,
    tenant: &CustomerTenant,
    except: Option<&CustomerTenantId>,
) -> Result<AppError, AppError> {
    let clash: Option<(String, Option<String>)> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT display_name, entra_tenant_id FROM customer_tenants
          WHERE organisation_id = $1 AND id <> $2
            AND (entra_tenant_id = $3 OR primary_domain = $4)",
    )
    .bind(ctx.scope.organisation_id())
    .bind(except.map_or("", CustomerTenantId::as_str))
    .bind(&tenant.tenant_id)
    .bind(&tenant.primary_domain)
    .fetch_optional(c)
    .await)
    .map_err(db("could not name a duplicate tenant"))?;
    let (name, entra_id) = clash.unwrap_or_default();
    let field = if entra_id.is_some() && entra_id == tenant.tenant_id {
        "tenant_id"
    } else {
        "primary_domain"
    };
    Ok(AppError::invalid(
        field,
        format!("This tenant is already recorded as '{name}'."),
    ))
}

fn contacts(tenant: &CustomerTenant) -> String {
    tenant
        .contacts
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn create(ctx: &Staff, form: &CustomerTenantForm) -> Result<CustomerTenantId, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let tenant = form.parse().map_err(AppError::Invalid)?;
    let at = Timestamp::of(ctx.now());
    let mut tx = crate::backend::begin(ctx.pool()).await?;
    let owned = match insert(&mut tx, &ctx.scope, &tenant, &at).await {
        Ok(owned) => owned,
        Err(error) if is_unique_violation(&error) => {
            return Err(duplicate(ctx, &tenant, None).await?)
        }
        Err(error) => return Err(internal("could not save a customer tenant", error)),
    };
    let detail = tenant
        .tenant_id
        .clone()
        .or(tenant.primary_domain.clone())
        .unwrap_or_default();
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::TenantCreated,
        &tenant.display_name,
        &detail,
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a customer tenant"))?;
    Ok(owned.id)
}

/// Stores a new tenant of the scope's organisation; the unique indexes
/// refuse one already recorded.
pub(in crate::backend) async fn insert<'e>(
    conn: impl Into<Conn<'_>>,
    scope: &crate::backend::OrgScope,
    tenant: &CustomerTenant,
    at: &Timestamp,
) -> Result<OwnedTenant, sqlx::Error> {
    let id = CustomerTenantId::generate();
    crate::execute_on!(&mut conn.into().hold().await?, sqlx::query(
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
    .bind(contacts(tenant))
    .bind(&tenant.notes)
    .bind(scope.user_id())
    .bind(at))?;
    Ok(OwnedTenant {
        id,
        organisation_id: scope.organisation_id().clone(),
        archived: false,
    })
}

pub async fn update(
    ctx: &Staff,
    id: &CustomerTenantId,
    form: &CustomerTenantForm,
) -> Result<(), AppError> {
    update_if(ctx, id, form, None).await
}

/// Saves `form` only if the tenant is still at `version` (when given):
/// otherwise `Conflict`, and nothing changes. A change built from what was
/// read cannot undo one made since.
pub async fn update_if(
    ctx: &Staff,
    id: &CustomerTenantId,
    form: &CustomerTenantForm,
    version: Option<i64>,
) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let tenant = form.parse().map_err(AppError::Invalid)?;
    let owned = owned(ctx, id).await?;
    let mut tx = crate::backend::begin(ctx.pool()).await?;
    let updated = crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE customer_tenants
            SET display_name = $1, entra_tenant_id = $2, primary_domain = $3, cloud = $4, contact_emails = $5, notes = $6, updated_at = $7,
                version = version + 1
          WHERE id = $8 AND organisation_id = $9 AND ($10 IS NULL OR version = $10)",
    )
    .bind(&tenant.display_name)
    .bind(&tenant.tenant_id)
    .bind(&tenant.primary_domain)
    .bind(tenant.cloud.id())
    .bind(contacts(&tenant))
    .bind(&tenant.notes)
    .bind(Timestamp::of(ctx.now()))
    .bind(owned.id())
    .bind(owned.organisation_id())
    .bind(version));
    match updated {
        Ok(done) if done.rows_affected() == 1 => {
            audit::by_member(
                &mut tx,
                ctx,
                AuditAction::TenantEdited,
                &tenant.display_name,
                "",
            )
            .await?;
            tx.commit()
                .await
                .map_err(db("could not save a customer tenant"))
        }
        // `owned` found it: it changed since `version` was read.
        Ok(_) => Err(AppError::Conflict(
            "The tenant was changed since it was read; read it again and repeat the change."
                .to_owned(),
        )),
        Err(error) if is_unique_violation(&error) => Err(duplicate(ctx, &tenant, Some(id)).await?),
        Err(error) => Err(internal("could not update a customer tenant", error)),
    }
}

/// Archives (or with `archived = false` restores) a tenant; nothing is deleted.
pub async fn set_archived(
    ctx: &Staff,
    id: &CustomerTenantId,
    archived: bool,
) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let owned = owned(ctx, id).await?;
    let now = Timestamp::of(ctx.now());
    let mut tx = crate::backend::begin(ctx.pool()).await?;
    let (name,): (String,) = crate::on_db!(&mut tx, |c| sqlx::query_as(
        "UPDATE customer_tenants SET archived_at = $1, updated_at = $2 WHERE id = $3 AND organisation_id = $4
         RETURNING display_name",
    )
    .bind(archived.then_some(&now))
    .bind(&now)
    .bind(owned.id())
    .bind(owned.organisation_id())
    .fetch_one(c)
    .await)
    .map_err(db("could not archive a customer tenant"))?;
    let detail = if archived {
        let revoked = crate::backend::onboarding::revoke_all_of(&mut tx, &owned, &now).await?;
        format!("archived; {revoked} onboarding links revoked")
    } else {
        "restored".to_owned()
    };
    audit::by_member(&mut tx, ctx, AuditAction::TenantArchived, &name, &detail).await?;
    tx.commit()
        .await
        .map_err(db("could not save an archived tenant"))
}
