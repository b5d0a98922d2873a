//! A live onboarding link, found only by its token: the customer's whole
//! scope. Everything the wizard reads or writes goes through `Link`, and
//! every statement on `onboarding_links` lives in this module's family.

use super::profiles_of;
use crate::backend::db::Conn;
use crate::backend::tenants::OwnedTenant;
use crate::backend::vault::SealedIn;
use crate::backend::{db, internal, tokens, Backend};
use crate::error::AppError;
use crate::ids::{CustomerTenantId, LinkId, OrganisationId, RegistrationId, UserId};
use crate::timestamp::Timestamp;
use domain::onboarding::LinkRefusal;
use domain::profile::Profile;
use domain::Cloud;

pub struct Link {
    pub id: LinkId,
    pub tenant: OwnedTenant,
    pub tenant_name: String,
    pub expected_tenant_id: Option<String>,
    /// The domain on file, for a tenant recorded without its Directory ID.
    pub primary_domain: Option<String>,
    pub cloud: Cloud,
    pub profiles: Vec<Profile>,
    pub created_by: UserId,
    pub opened: bool,
    pub completed: bool,
    pub finished: i64,
    pub entered_tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub object_id: Option<String>,
    pub credential: Option<LinkCredential>,
    /// A renewal link: the registration whose credential it replaces.
    pub renews: Option<RegistrationId>,
}

/// The credential saved on a link. `sealed` is the secret's value or the
/// certificate's private key, sealed for this link.
pub struct LinkCredential {
    pub sealed: String,
    pub expires_at: Timestamp,
    pub kind: LinkCredentialKind,
}

pub enum LinkCredentialKind {
    Secret {
        hint: String,
    },
    Certificate {
        der_base64: String,
        thumbprint: String,
        subject: String,
        generated: bool,
    },
}

impl Link {
    pub fn sealing_context(&self) -> String {
        SealedIn::OnboardingLinks.context(self.id.as_str())
    }

    /// The name suggested for the app registration, and for a certificate
    /// Tenantry generates for it.
    pub fn suggested_app_name(&self) -> String {
        self.profiles
            .first()
            .map(|p| p.suggested_app_name.clone())
            .unwrap_or_else(|| "Tenantry".to_owned())
    }

    pub fn needs_object_id(&self) -> bool {
        domain::registration::needs_object_id(&self.profiles)
    }

    /// Refuses changes once the registration is complete: it belongs to the
    /// MSP from then on.
    pub fn still_open(&self) -> Result<(), AppError> {
        if self.completed {
            return Err(AppError::Conflict(
                "This registration is already complete.".into(),
            ));
        }
        Ok(())
    }

    /// Whether this link is an ownership proof (company recovery), whose
    /// secret is handed over at the test and never stored.
    pub fn is_ownership_proof(&self) -> bool {
        domain::onboarding::is_ownership_proof(&self.profiles)
    }

    /// Refuses to keep a credential on an ownership-proof link.
    pub fn keeps_credentials(&self) -> Result<(), AppError> {
        if self.is_ownership_proof() {
            return Err(AppError::Conflict(
                "Tenantry never stores the secret of a recovery app: enter it at the test, step 6."
                    .into(),
            ));
        }
        Ok(())
    }

    /// Records that a step is done; progress never goes backwards.
    pub async fn finished_step(
        &self,
        conn: impl Into<Conn<'_>>,
        step: domain::onboarding::Step,
    ) -> Result<(), AppError> {
        // CASE rather than MAX(a, b): the two-argument form is SQLite only.
        crate::execute_on!(&mut crate::backend::hold(conn).await?, sqlx::query(
            "UPDATE onboarding_links SET step_reached = CASE WHEN step_reached < $1 THEN $1 ELSE step_reached END WHERE id = $2",
        )
        .bind(i64::from(step.number()))
        .bind(&self.id))
        .map_err(db("could not record onboarding progress"))?;
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: LinkId,
    organisation_id: OrganisationId,
    customer_tenant_id: CustomerTenantId,
    display_name: String,
    primary_domain: Option<String>,
    entra_tenant_id: Option<String>,
    cloud: String,
    tenant_archived_at: Option<Timestamp>,
    profiles: String,
    created_by: UserId,
    expires_at: Timestamp,
    revoked_at: Option<Timestamp>,
    opened_at: Option<Timestamp>,
    completed_at: Option<Timestamp>,
    step_reached: i64,
    entered_tenant_id: Option<String>,
    client_id: Option<String>,
    object_id: Option<String>,
    credential_kind: Option<String>,
    secret_sealed: Option<String>,
    secret_hint: Option<String>,
    credential_expires_at: Option<Timestamp>,
    certificate_der: Option<String>,
    certificate_thumbprint: Option<String>,
    certificate_subject: Option<String>,
    certificate_generated: bool,
    renews_registration_id: Option<RegistrationId>,
}

fn credential_of(row: &mut LinkRow) -> Option<LinkCredential> {
    let sealed = row.secret_sealed.take()?;
    let expires_at = row.credential_expires_at.take()?;
    let kind = match row.credential_kind.as_deref() {
        Some("certificate") => LinkCredentialKind::Certificate {
            der_base64: row.certificate_der.take().unwrap_or_default(),
            thumbprint: row.certificate_thumbprint.take().unwrap_or_default(),
            subject: row.certificate_subject.take().unwrap_or_default(),
            generated: row.certificate_generated,
        },
        _ => LinkCredentialKind::Secret {
            hint: row.secret_hint.take().unwrap_or_default(),
        },
    };
    Some(LinkCredential {
        sealed,
        expires_at,
        kind,
    })
}

/// A link that can no longer be used keeps no secret or private key: the
/// sealed material of revoked and expired, unfinished links is erased.
/// Runs when such a link is opened and daily from the scheduler.
pub async fn erase_dead_material(backend: &Backend) -> Result<u64, AppError> {
    let erased = crate::execute_on!(
        &backend.pool,
        sqlx::query(
            "UPDATE onboarding_links SET secret_sealed = NULL
          WHERE secret_sealed IS NOT NULL AND (revoked_at IS NOT NULL OR expires_at <= $1)",
        )
        .bind(Timestamp::of(backend.now()))
    )
    .map_err(db("could not erase dead links' secrets"))?;
    Ok(erased.rows_affected())
}

async fn erase_material_of(backend: &Backend, id: &LinkId) -> Result<(), AppError> {
    crate::execute_on!(
        &backend.pool,
        sqlx::query("UPDATE onboarding_links SET secret_sealed = NULL WHERE id = $1").bind(id)
    )
    .map_err(db("could not erase a dead link's secret"))?;
    Ok(())
}

pub async fn by_token(backend: &Backend, token: &str) -> Result<Link, AppError> {
    let row: Option<LinkRow> = crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT l.id, l.organisation_id, l.customer_tenant_id, t.display_name, t.entra_tenant_id, t.primary_domain, t.cloud,
                t.archived_at AS tenant_archived_at,
                l.profiles, l.created_by, l.expires_at, l.revoked_at, l.opened_at, l.completed_at, l.step_reached,
                l.entered_tenant_id, l.client_id, l.object_id, l.credential_kind, l.secret_sealed, l.secret_hint,
                l.credential_expires_at, l.certificate_der, l.certificate_thumbprint, l.certificate_subject,
                l.certificate_generated, l.renews_registration_id
           FROM onboarding_links l JOIN customer_tenants t ON t.id = l.customer_tenant_id AND t.organisation_id = l.organisation_id
          WHERE l.token_digest = $1",
    )
    .bind(tokens::digest(token))
    .fetch_optional(c)
    .await)
    .map_err(db("could not look up an onboarding link"))?;
    let mut row = row.ok_or_else(|| {
        AppError::Gone(
            "This onboarding link is not valid. Ask your IT provider for a new link.".into(),
        )
    })?;
    let refused = LinkRefusal::check(
        row.revoked_at.is_some(),
        row.expires_at.unix(),
        backend.now().unix_timestamp(),
    );
    if let Err(refusal) = refused {
        if row.secret_sealed.is_some() {
            erase_material_of(backend, &row.id).await?;
        }
        return Err(AppError::Gone(refusal.message().into()));
    }
    let credential = credential_of(&mut row);
    Ok(Link {
        cloud: row
            .cloud
            .parse()
            .map_err(|e| internal("stored cloud is not known", e))?,
        profiles: profiles_of(&row.profiles)?,
        opened: row.opened_at.is_some(),
        completed: row.completed_at.is_some(),
        finished: row.step_reached,
        id: row.id,
        tenant: OwnedTenant::selected_in_organisation(
            row.customer_tenant_id,
            row.organisation_id,
            row.tenant_archived_at.is_some(),
        ),
        tenant_name: row.display_name,
        expected_tenant_id: row.entra_tenant_id,
        primary_domain: row.primary_domain,
        created_by: row.created_by,
        entered_tenant_id: row.entered_tenant_id,
        client_id: row.client_id,
        object_id: row.object_id,
        renews: row.renews_registration_id,
        credential,
    })
}
