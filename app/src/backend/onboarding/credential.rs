//! Step 4: the credential Tenantry will sign in with. A certificate is
//! recommended: Tenantry generates one (the private key never leaves the
//! server) or the customer uploads their own. A client secret also works.
//! Whatever is chosen replaces what was saved before.

use super::customer::fresh_view;
use super::link::{by_token, Link, LinkCredential, LinkCredentialKind};
use super::log;
use crate::backend::credentials::{self, CertificateIntake, Intake};
use crate::backend::{db, internal, now, parse_timestamp, timestamp, Backend};
use crate::error::AppError;
use crate::model::{CertificateUpload, OnboardingView, SecretForm};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::ids::SecretValue;
use domain::onboarding::Step;
use entra::CertificateKey;

async fn store_certificate(
    backend: &Backend,
    link: &Link,
    certificate: &CertificateIntake,
    generated: bool,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE onboarding_links
            SET credential_kind = 'certificate', secret_sealed = $1, secret_hint = NULL, credential_expires_at = $2,
                certificate_der = $3, certificate_thumbprint = $4, certificate_subject = $5, certificate_generated = $6
          WHERE id = $7",
    )
    .bind(backend.vault.seal(certificate.key_pem.as_bytes(), &link.sealing_context()))
    .bind(timestamp(certificate.expires_at))
    .bind(STANDARD.encode(&certificate.der))
    .bind(&certificate.thumbprint)
    .bind(&certificate.subject)
    .bind(generated)
    .bind(&link.id)
    .execute(&backend.pool)
    .await
    .map_err(db("could not save a certificate"))?;
    link.finished_step(backend, Step::Credential.number().into())
        .await
}

pub async fn save_secret(
    backend: &Backend,
    token: &str,
    form: &SecretForm,
) -> Result<OnboardingView, AppError> {
    let link = by_token(backend, token).await?;
    link.still_open()?;
    let kept = match &link.credential {
        Some(LinkCredential {
            sealed,
            kind: LinkCredentialKind::Secret { hint },
            ..
        }) => Some((sealed.clone(), hint.clone())),
        _ => None,
    };
    let (secret, expires) =
        credentials::secret(form, kept.is_some(), now()).map_err(AppError::Fields)?;
    let (sealed, hint) = match (secret, kept) {
        (Some(secret), _) => (
            backend
                .vault
                .seal(secret.expose().as_bytes(), &link.sealing_context()),
            secret.hint(),
        ),
        (None, Some(kept)) => kept,
        (None, None) => {
            return Err(AppError::invalid(
                "secret",
                "Enter the client secret's Value.",
            ))
        }
    };
    sqlx::query(
        "UPDATE onboarding_links
            SET credential_kind = 'secret', secret_sealed = $1, secret_hint = $2, credential_expires_at = $3,
                certificate_der = NULL, certificate_thumbprint = NULL, certificate_subject = NULL, certificate_generated = FALSE
          WHERE id = $4",
    )
    .bind(sealed)
    .bind(hint)
    .bind(timestamp(expires))
    .bind(&link.id)
    .execute(&backend.pool)
    .await
    .map_err(db("could not save a client secret"))?;
    link.finished_step(backend, Step::Credential.number().into())
        .await?;
    log(backend, &link.id, "saved a client secret").await?;
    fresh_view(backend, token).await
}

pub async fn upload_certificate(
    backend: &Backend,
    token: &str,
    upload: &CertificateUpload,
) -> Result<OnboardingView, AppError> {
    let link = by_token(backend, token).await?;
    link.still_open()?;
    let certificate = credentials::certificate(upload, now()).map_err(AppError::Fields)?;
    store_certificate(backend, &link, &certificate, false).await?;
    log(backend, &link.id, "uploaded a certificate").await?;
    fresh_view(backend, token).await
}

pub async fn generate_certificate(
    backend: &Backend,
    token: &str,
) -> Result<OnboardingView, AppError> {
    let link = by_token(backend, token).await?;
    link.still_open()?;
    let name = link.suggested_app_name();
    let issued = now();
    // RSA key generation takes a noticeable moment: keep it off the async threads.
    let generated =
        tokio::task::spawn_blocking(move || entra::certificate::generate(&name, issued))
            .await
            .map_err(|error| internal("certificate generation stopped", error))?
            .map_err(|error| internal("could not generate a certificate", error))?;
    let key = CertificateKey::from_pem(&generated.der, generated.key_pem.as_bytes())
        .map_err(|error| internal("a generated certificate could not be read", error))?;
    let certificate = CertificateIntake::from_key(&key, generated.key_pem);
    store_certificate(backend, &link, &certificate, true).await?;
    log(backend, &link.id, "generated a certificate").await?;
    fresh_view(backend, token).await
}

/// The public certificate saved on the link, as DER for a `.cer` download,
/// with a file name for it.
pub async fn certificate_download(
    backend: &Backend,
    token: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let link = by_token(backend, token).await?;
    let Some(LinkCredentialKind::Certificate {
        der_base64,
        thumbprint,
        ..
    }) = link.credential.as_ref().map(|c| &c.kind)
    else {
        return Err(AppError::NotFound);
    };
    let der = STANDARD
        .decode(der_base64)
        .map_err(|error| internal("a stored certificate is not base64", error))?;
    let short: String = thumbprint.chars().take(8).collect();
    Ok((format!("tenantry-{}.cer", short.to_lowercase()), der))
}

/// Opens the saved credential to sign in with, and what to store once the
/// test passes.
pub(super) fn signing_credential(
    backend: &Backend,
    link: &Link,
) -> Result<Option<(entra::Credential, Intake)>, AppError> {
    let Some(saved) = &link.credential else {
        return Ok(None);
    };
    let plain = backend
        .vault
        .open(&saved.sealed, &link.sealing_context())
        .map_err(|error| internal("a saved onboarding credential could not be opened", error))?;
    let plain = String::from_utf8(plain)
        .map_err(|error| internal("a saved onboarding credential is not text", error))?;
    let expires_at = parse_timestamp(&saved.expires_at)?;
    Ok(Some(match &saved.kind {
        LinkCredentialKind::Secret { .. } => {
            let secret = SecretValue::new(&plain)
                .map_err(|error| internal("a saved secret is empty", error))?;
            (
                entra::Credential::Secret(secret.clone()),
                Intake::Secret { secret, expires_at },
            )
        }
        LinkCredentialKind::Certificate { der_base64, .. } => {
            let der = STANDARD
                .decode(der_base64)
                .map_err(|error| internal("a stored certificate is not base64", error))?;
            let key = CertificateKey::from_pem(&der, plain.as_bytes())
                .map_err(|error| internal("a saved certificate could not be used", error))?;
            let intake = CertificateIntake::from_key(&key, plain);
            (
                entra::Credential::Certificate(std::sync::Arc::new(key)),
                Intake::Certificate(intake),
            )
        }
    }))
}
