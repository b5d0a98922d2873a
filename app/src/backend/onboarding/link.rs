//! A live onboarding link, found only by its token: the customer's whole
//! scope. Everything the wizard reads or writes goes through `Link`.

use super::profiles_of;
use crate::backend::{db, internal, now, parse_timestamp, tokens, Backend};
use crate::error::AppError;
use domain::profile::Profile;
use domain::Cloud;

pub struct Link {
    pub id: String,
    pub organisation_id: String,
    pub customer_tenant_id: String,
    pub tenant_name: String,
    pub expected_tenant_id: Option<String>,
    pub cloud: Cloud,
    pub profiles: Vec<Profile>,
    pub created_by: String,
    pub opened: bool,
    pub completed: bool,
    pub finished: i64,
    pub entered_tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub object_id: Option<String>,
    pub credential: Option<LinkCredential>,
}

/// The credential saved on a link. `sealed` is the secret's value or the
/// certificate's private key, sealed for this link.
pub struct LinkCredential {
    pub sealed: String,
    pub expires_at: String,
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
        format!("onboarding_links:{}:secret", self.id)
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
        self.profiles.iter().any(|p| p.needs_object_id)
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

    /// Records that a step is done; progress never goes backwards.
    pub async fn finished_step(&self, backend: &Backend, step: i64) -> Result<(), AppError> {
        // CASE rather than MAX(a, b): the two-argument form is SQLite only.
        sqlx::query(
            "UPDATE onboarding_links SET step_reached = CASE WHEN step_reached < $1 THEN $1 ELSE step_reached END WHERE id = $2",
        )
        .bind(step)
        .bind(&self.id)
        .execute(&backend.pool)
        .await
        .map_err(db("could not record onboarding progress"))?;
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: String,
    organisation_id: String,
    customer_tenant_id: String,
    display_name: String,
    entra_tenant_id: Option<String>,
    cloud: String,
    profiles: String,
    created_by: String,
    expires_at: String,
    revoked_at: Option<String>,
    opened_at: Option<String>,
    completed_at: Option<String>,
    step_reached: i64,
    entered_tenant_id: Option<String>,
    client_id: Option<String>,
    object_id: Option<String>,
    credential_kind: Option<String>,
    secret_sealed: Option<String>,
    secret_hint: Option<String>,
    credential_expires_at: Option<String>,
    certificate_der: Option<String>,
    certificate_thumbprint: Option<String>,
    certificate_subject: Option<String>,
    certificate_generated: bool,
}

fn credential_of(row: &mut LinkRow) -> Option<LinkCredential> {
    let sealed = row.secret_sealed.take()?;
    let expires_at = row.credential_expires_at.take().unwrap_or_default();
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

pub async fn by_token(backend: &Backend, token: &str) -> Result<Link, AppError> {
    let row: Option<LinkRow> = sqlx::query_as(
        "SELECT l.id, l.organisation_id, l.customer_tenant_id, t.display_name, t.entra_tenant_id, t.cloud,
                l.profiles, l.created_by, l.expires_at, l.revoked_at, l.opened_at, l.completed_at, l.step_reached,
                l.entered_tenant_id, l.client_id, l.object_id, l.credential_kind, l.secret_sealed, l.secret_hint,
                l.credential_expires_at, l.certificate_der, l.certificate_thumbprint, l.certificate_subject,
                l.certificate_generated
           FROM onboarding_links l JOIN customer_tenants t ON t.id = l.customer_tenant_id AND t.organisation_id = l.organisation_id
          WHERE l.token_digest = $1",
    )
    .bind(tokens::digest(token))
    .fetch_optional(&backend.pool)
    .await
    .map_err(db("could not look up an onboarding link"))?;
    let gone = |why: &str| AppError::Gone(format!("{why} Ask your IT provider for a new link."));
    let mut row = row.ok_or_else(|| gone("This onboarding link is not valid."))?;
    if row.revoked_at.is_some() {
        return Err(gone("This onboarding link was withdrawn."));
    }
    if parse_timestamp(&row.expires_at)? <= now() {
        return Err(gone("This onboarding link has expired."));
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
        organisation_id: row.organisation_id,
        customer_tenant_id: row.customer_tenant_id,
        tenant_name: row.display_name,
        expected_tenant_id: row.entra_tenant_id,
        created_by: row.created_by,
        entered_tenant_id: row.entered_tenant_id,
        client_id: row.client_id,
        object_id: row.object_id,
        credential,
    })
}
