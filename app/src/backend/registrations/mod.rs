//! App registrations of a customer tenant: the `registrations` table.
//! Client secrets and private keys are sealed with the vault before they
//! touch the database and are never read back into a view model.

use crate::backend::checks::view::{StandingRow, STANDING_COLUMNS, STANDING_JOINS};
use crate::backend::credentials::{self, Intake};
use crate::backend::db::Tx;
use crate::backend::tenants::{self, OwnedTenant};
use crate::backend::vault::SealedIn;
use crate::backend::{audit, begin, db, internal, is_unique_violation, Backend, Staff};
use crate::error::AppError;
use crate::ids::{CustomerTenantId, RegistrationId, UserId};
use crate::model::{RegistrationForm, RegistrationView};
use crate::timestamp::Timestamp;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::audit::AuditAction;
use domain::form::Problems;
use domain::profile::Profile;
use domain::registration::{parse_ids, parse_products, RegistrationIds};
use domain::Action;

pub mod edit;
pub mod listing;
pub mod renewal;

/// Records a registration made by hand. Every field is checked at once;
/// certificate files are opened off the async workers.
pub async fn add(
    ctx: &Staff,
    customer_tenant_id: &CustomerTenantId,
    form: &RegistrationForm,
) -> Result<RegistrationId, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let tenant = tenants::owned(ctx, customer_tenant_id).await?;
    let now = ctx.now();
    let mut problems = Problems::default();
    let profiles = parse_products(&form.profiles, &mut problems);
    let ids = parse_ids(
        &form.client_id,
        &form.object_id,
        profiles.as_deref().unwrap_or_default(),
        &mut problems,
    );
    let credential = credentials::intake(&ctx.backend.heavy, &form.credential_form(), now).await?;
    let credential = credential.map_err(|found| problems.extend(found)).ok();
    let (profiles, ids, credential) = problems
        .finish(
            profiles
                .zip(ids)
                .zip(credential)
                .map(|((p, i), c)| (p, i, c)),
        )
        .map_err(AppError::Invalid)?;
    let mut tx = begin(ctx.pool()).await?;
    let id = insert(
        &ctx.backend,
        &mut tx,
        &tenant,
        &NewRegistration {
            profiles: &profiles,
            ids: &ids,
            credential: &credential,
            entered_by: ctx.scope.user_id(),
            consent_redirect: false,
        },
        &Timestamp::of(now),
    )
    .await?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::RegistrationCreated,
        ids.client_id.as_str(),
        &domain::profile::list_ids(&profiles),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a registration"))?;
    Ok(id)
}

pub struct NewRegistration<'a> {
    pub profiles: &'a [Profile],
    pub ids: &'a RegistrationIds,
    pub credential: &'a Intake,
    pub entered_by: &'a UserId,
    /// The app registration has Tenantry's consent redirect URI (made
    /// through onboarding, which asks for it).
    pub consent_redirect: bool,
}

/// Stores a registration under `tenant`; its secret or private key is
/// sealed for its own row.
pub async fn insert(
    backend: &Backend,
    tx: &mut Tx,
    tenant: &OwnedTenant,
    new: &NewRegistration<'_>,
    at: &Timestamp,
) -> Result<RegistrationId, AppError> {
    let id = RegistrationId::generate();
    let stored = StoredCredential::sealed_for(backend, &id, new.credential);
    let inserted = crate::execute_on!(&mut *tx, sqlx::query(
        "INSERT INTO registrations
            (id, organisation_id, customer_tenant_id, profiles, client_id, object_id, credential_kind,
             secret_sealed, secret_hint, certificate_thumbprint, certificate_subject, certificate_der,
             credential_expires_at, entered_by, entered_at, consent_redirect)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&id)
    .bind(tenant.organisation_id())
    .bind(tenant.id())
    .bind(domain::profile::list_ids(new.profiles))
    .bind(new.ids.client_id.as_str())
    .bind(new.ids.object_id.as_ref().map(|o| o.as_str()))
    .bind(stored.kind)
    .bind(stored.sealed)
    .bind(stored.hint)
    .bind(stored.thumbprint)
    .bind(stored.subject)
    .bind(stored.der)
    .bind(stored.expires_at)
    .bind(new.entered_by)
    .bind(at)
    .bind(new.consent_redirect));
    match inserted {
        Ok(_) => Ok(id),
        Err(error) if is_unique_violation(&error) => Err(AppError::invalid(
            "client_id",
            "This tenant already has a registration with this Application (client) ID.",
        )),
        Err(error) => Err(internal("could not save a registration", error)),
    }
}

/// A credential as the `registrations` row holds it: the secret or private
/// key sealed for that row, and what may be shown.
pub(crate) struct StoredCredential {
    pub kind: &'static str,
    pub sealed: String,
    pub hint: Option<String>,
    pub thumbprint: Option<String>,
    pub subject: Option<String>,
    pub der: Option<String>,
    pub expires_at: Timestamp,
}

impl StoredCredential {
    pub fn sealed_for(backend: &Backend, id: &RegistrationId, intake: &Intake) -> Self {
        let context = SealedIn::Registrations.context(id.as_str());
        let expires_at = Timestamp::of(intake.expires_at());
        match intake {
            Intake::Secret { secret, .. } => StoredCredential {
                kind: "secret",
                sealed: backend.vault.seal(secret.expose().as_bytes(), &context),
                hint: Some(secret.hint()),
                thumbprint: None,
                subject: None,
                der: None,
                expires_at,
            },
            Intake::Certificate(cert) => StoredCredential {
                kind: "certificate",
                sealed: backend.vault.seal(cert.key_pem.as_bytes(), &context),
                hint: None,
                thumbprint: Some(cert.thumbprint.clone()),
                subject: Some(cert.subject.clone()),
                der: Some(STANDARD.encode(&cert.der)),
                expires_at,
            },
        }
    }
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: RegistrationId,
    profiles: String,
    client_id: String,
    object_id: Option<String>,
    shown: Option<String>,
    entered_by: String,
    entered_at: Timestamp,
    archived_at: Option<Timestamp>,
    #[sqlx(flatten)]
    standing: StandingRow,
}

pub async fn list(
    ctx: &Staff,
    customer_tenant_id: &CustomerTenantId,
) -> Result<Vec<RegistrationView>, AppError> {
    let tenant = tenants::owned(ctx, customer_tenant_id).await?;
    let query = format!(
        "SELECT r.id, r.profiles, r.client_id, r.object_id,
                COALESCE(r.secret_hint, r.certificate_thumbprint) AS shown,
                u.display_name AS entered_by, r.entered_at, r.archived_at, {STANDING_COLUMNS}
           FROM registrations r JOIN users u ON u.id = r.entered_by
           {STANDING_JOINS}
          WHERE r.customer_tenant_id = $1 AND r.organisation_id = $2
          ORDER BY r.archived_at IS NOT NULL, r.entered_at"
    );
    let rows: Vec<ListRow> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(&query)
        .bind(tenant.id())
        .bind(tenant.organisation_id())
        .fetch_all(c)
        .await)
    .map_err(db("could not list registrations"))?;
    Ok(rows
        .into_iter()
        .map(|row| RegistrationView {
            id: row.id,
            profiles: row
                .profiles
                .split(',')
                .filter_map(|p| domain::profile::find(p).ok().map(|p| p.name))
                .collect(),
            client_id: row.client_id,
            object_id: row.object_id,
            standing: row.standing.view(&ctx.backend),
            archived: row.archived_at.is_some(),
            credential: match row.standing.credential_kind.as_str() {
                "secret" => format!("Client secret {}", row.shown.unwrap_or_default()),
                _ => format!("Certificate {}", row.shown.unwrap_or_default()),
            },
            credential_expires_at: row.standing.credential_expires_at.clone(),
            entered_by: row.entered_by,
            entered_at: row.entered_at,
        })
        .collect())
}

/// Re-seals every secret sealed with an older key, in registrations and in
/// unfinished onboarding. Returns how many changed.
pub async fn reseal_stale(backend: &Backend) -> Result<usize, AppError> {
    let mut changed = 0;
    for place in SealedIn::ALL {
        changed += reseal_table(backend, place).await?;
    }
    Ok(changed)
}

/// Reads and rewrites in one transaction, and replaces a value only if it
/// is still the one read, so a secret saved meanwhile is never overwritten
/// with an older one.
async fn reseal_table(backend: &Backend, place: SealedIn) -> Result<usize, AppError> {
    let table = place.table();
    let mut tx = begin(&backend.pool).await?;
    let rows: Vec<(String, String)> = crate::on_db!(&mut tx, |c| sqlx::query_as(&format!(
        "SELECT id, secret_sealed FROM {table} WHERE secret_sealed IS NOT NULL"
    ))
    .fetch_all(c)
    .await)
    .map_err(db("could not read sealed secrets"))?;
    let mut changed = 0;
    for (id, sealed) in rows
        .iter()
        .filter(|(_, sealed)| backend.vault.is_stale(sealed))
    {
        let context = place.context(id);
        let plain = backend.vault.open(sealed, &context).map_err(|error| {
            internal(
                "a stored secret could not be opened with any known key",
                error,
            )
        })?;
        let replaced = crate::execute_on!(
            &mut tx,
            sqlx::query(&format!(
                "UPDATE {table} SET secret_sealed = $1 WHERE id = $2 AND secret_sealed = $3"
            ))
            .bind(backend.vault.seal(&plain, &context))
            .bind(id)
            .bind(sealed)
        )
        .map_err(db("could not re-seal a secret"))?;
        changed += replaced.rows_affected() as usize;
    }
    tx.commit()
        .await
        .map_err(db("could not save re-sealed secrets"))?;
    Ok(changed)
}
