//! App registrations of a customer tenant. Client secrets and private keys
//! are sealed with the vault before they touch the database and are never
//! read back into a view model.

use crate::backend::credentials::{self, Intake};
use crate::backend::{db, internal, now, timestamp, Backend, OrgScope};
use crate::error::AppError;
use crate::model::{CertificateUpload, RegistrationForm, RegistrationView, SecretForm};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::ids::{ClientId, ObjectId};
use domain::Action;

fn sealing_context(registration_id: &str) -> String {
    format!("registrations:{registration_id}:secret")
}

pub async fn add(
    backend: &Backend,
    scope: &OrgScope,
    customer_tenant_id: &str,
    form: &RegistrationForm,
) -> Result<String, AppError> {
    scope.permit(Action::ManageTenants)?;
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(domain::customer::FieldProblem {
            field: field.into(),
            message,
        })
    };
    let profiles = domain::profile::parse_list(&form.profiles).unwrap_or_else(|error| {
        problem("profiles", error.to_string());
        vec![]
    });
    if profiles.is_empty() && form.profiles.trim().is_empty() {
        problem("profiles", "Choose at least one product.".into());
    }
    let client_id = ClientId::parse(&form.client_id)
        .map_err(|e| problem("client_id", e.to_string()))
        .ok();
    let object_id = match form.object_id.trim() {
        "" => {
            if profiles.iter().any(|p| p.needs_object_id) {
                problem(
                    "object_id",
                    "This product needs the registration's Object ID (on its Overview page)."
                        .into(),
                );
            }
            None
        }
        raw => ObjectId::parse(raw)
            .map_err(|e| problem("object_id", e.to_string()))
            .ok(),
    };
    let credential = match form.credential.as_str() {
        "certificate" => credentials::certificate(
            &CertificateUpload {
                certificate: form.certificate.clone(),
                private_key: form.private_key.clone(),
                password: form.password.clone(),
            },
            now(),
        )
        .map(Intake::Certificate),
        _ => credentials::secret(
            &SecretForm {
                secret: form.secret.clone(),
                secret_expires: form.secret_expires.clone(),
            },
            false,
            now(),
        )
        .and_then(|(secret, expires_at)| match secret {
            Some(secret) => Ok(Intake::Secret { secret, expires_at }),
            None => Err(vec![]),
        }),
    }
    .map_err(|found| problems.extend(found))
    .ok();
    let (Some(client_id), Some(credential), true) = (client_id, credential, problems.is_empty())
    else {
        return Err(AppError::Fields(problems));
    };
    let owned: Option<(String,)> =
        sqlx::query_as("SELECT id FROM customer_tenants WHERE id = $1 AND organisation_id = $2")
            .bind(customer_tenant_id)
            .bind(scope.organisation_id())
            .fetch_optional(&backend.pool)
            .await
            .map_err(db("could not load a customer tenant"))?;
    owned.ok_or(AppError::NotFound)?;
    insert(
        backend,
        NewRegistration {
            organisation_id: scope.organisation_id(),
            customer_tenant_id,
            profile_ids: &domain::profile::list_ids(&profiles),
            client_id: &client_id,
            object_id: object_id.as_ref(),
            credential: &credential,
            entered_by: scope.user_id(),
        },
    )
    .await
}

pub struct NewRegistration<'a> {
    pub organisation_id: &'a str,
    pub customer_tenant_id: &'a str,
    pub profile_ids: &'a str,
    pub client_id: &'a ClientId,
    pub object_id: Option<&'a ObjectId>,
    pub credential: &'a Intake,
    pub entered_by: &'a str,
}

/// Stores a registration; its secret or private key is sealed for its own row.
pub async fn insert(backend: &Backend, new: NewRegistration<'_>) -> Result<String, AppError> {
    let id = uuid::Uuid::new_v4().to_string();
    let (kind, material, hint, thumbprint, subject, der) = match new.credential {
        Intake::Secret { secret, .. } => (
            "secret",
            secret.expose(),
            Some(secret.hint()),
            None,
            None,
            None,
        ),
        Intake::Certificate(cert) => (
            "certificate",
            cert.key_pem.as_str(),
            None,
            Some(cert.thumbprint.as_str()),
            Some(cert.subject.as_str()),
            Some(STANDARD.encode(&cert.der)),
        ),
    };
    let sealed = backend
        .vault
        .seal(material.as_bytes(), &sealing_context(&id));
    let inserted = sqlx::query(
        "INSERT INTO registrations
            (id, organisation_id, customer_tenant_id, profiles, client_id, object_id, credential_kind,
             secret_sealed, secret_hint, certificate_thumbprint, certificate_subject, certificate_der,
             credential_expires_at, entered_by, entered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&id)
    .bind(new.organisation_id)
    .bind(new.customer_tenant_id)
    .bind(new.profile_ids)
    .bind(new.client_id.as_str())
    .bind(new.object_id.map(ObjectId::as_str))
    .bind(kind)
    .bind(sealed)
    .bind(hint)
    .bind(thumbprint)
    .bind(subject)
    .bind(der)
    .bind(timestamp(new.credential.expires_at()))
    .bind(new.entered_by)
    .bind(timestamp(now()))
    .execute(&backend.pool)
    .await;
    match inserted {
        Ok(_) => Ok(id),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Err(AppError::invalid(
            "client_id",
            "This tenant already has a registration with this Application (client) ID.",
        )),
        Err(error) => Err(internal("could not save a registration", error)),
    }
}

pub async fn list(
    backend: &Backend,
    scope: &OrgScope,
    customer_tenant_id: &str,
) -> Result<Vec<RegistrationView>, AppError> {
    let rows: Vec<(
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        String,
        String,
    )> = sqlx::query_as(
        "SELECT r.id, r.profiles, r.client_id, r.object_id, r.credential_kind,
                COALESCE(r.secret_hint, r.certificate_thumbprint), r.credential_expires_at,
                u.display_name, r.entered_at
           FROM registrations r JOIN users u ON u.id = r.entered_by
          WHERE r.customer_tenant_id = $1 AND r.organisation_id = $2
          ORDER BY r.entered_at",
    )
    .bind(customer_tenant_id)
    .bind(scope.organisation_id())
    .fetch_all(&backend.pool)
    .await
    .map_err(db("could not list registrations"))?;
    Ok(rows
        .into_iter()
        .map(
            |(id, profiles, client_id, object_id, kind, hint, expires, entered_by, entered_at)| {
                RegistrationView {
                    id,
                    profiles: profiles
                        .split(',')
                        .filter_map(|p| domain::profile::find(p).ok().map(|p| p.name))
                        .collect(),
                    client_id,
                    object_id,
                    credential: match kind.as_str() {
                        "secret" => format!("Client secret {}", hint.unwrap_or_default()),
                        _ => format!("Certificate {}", hint.unwrap_or_default()),
                    },
                    credential_expires_at: expires,
                    entered_by,
                    entered_at,
                }
            },
        )
        .collect())
}

/// Re-seals every secret sealed with an older key, in registrations and in
/// unfinished onboarding. Returns how many changed.
pub async fn reseal_stale(backend: &Backend) -> Result<usize, AppError> {
    let mut changed = 0;
    for table in ["registrations", "onboarding_links"] {
        changed += reseal_table(backend, table).await?;
    }
    Ok(changed)
}

async fn reseal_table(backend: &Backend, table: &'static str) -> Result<usize, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT id, secret_sealed FROM {table} WHERE secret_sealed IS NOT NULL"
    ))
    .fetch_all(&backend.pool)
    .await
    .map_err(db("could not read sealed secrets"))?;
    let mut tx = backend
        .pool
        .begin()
        .await
        .map_err(db("could not start a transaction"))?;
    let mut changed = 0;
    for (id, sealed) in rows
        .iter()
        .filter(|(_, sealed)| backend.vault.is_stale(sealed))
    {
        let context = format!("{table}:{id}:secret");
        let plain = backend.vault.open(sealed, &context).map_err(|error| {
            internal(
                "a stored secret could not be opened with any known key",
                error,
            )
        })?;
        sqlx::query(&format!(
            "UPDATE {table} SET secret_sealed = $1 WHERE id = $2"
        ))
        .bind(backend.vault.seal(&plain, &context))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db("could not re-seal a secret"))?;
        changed += 1;
    }
    tx.commit()
        .await
        .map_err(db("could not save re-sealed secrets"))?;
    Ok(changed)
}
