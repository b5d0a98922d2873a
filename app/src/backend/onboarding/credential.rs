//! Step 4: the credential Tenantry will sign in with. A certificate is
//! recommended: Tenantry generates one (the private key never leaves the
//! server) or the customer uploads their own. A client secret also works.
//! Whatever is chosen replaces what was saved before.

use super::customer::fresh_view;
use super::link::{Link, LinkCredential, LinkCredentialKind};
use super::log;
use crate::backend::credentials::{self, CertificateIntake, Intake};
use crate::backend::link_limits::Costly;
use crate::backend::{begin, db, internal, Backend, Customer};
use crate::error::AppError;
use crate::model::{CertificateUpload, OnboardingView, SecretForm};
use crate::timestamp::Timestamp;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::ids::SecretValue;
use domain::onboarding::Step;
use entra::CertificateKey;

async fn store_certificate(
    ctx: &Customer,
    certificate: &CertificateIntake,
    generated: bool,
    event: &str,
) -> Result<(), AppError> {
    let link = &ctx.link;
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE onboarding_links
            SET credential_kind = 'certificate', secret_sealed = $1, secret_hint = NULL, credential_expires_at = $2,
                certificate_der = $3, certificate_thumbprint = $4, certificate_subject = $5, certificate_generated = $6
          WHERE id = $7",
    )
    .bind(ctx.backend.vault.seal(certificate.key_pem.as_bytes(), &link.sealing_context()))
    .bind(Timestamp::of(certificate.expires_at))
    .bind(STANDARD.encode(&certificate.der))
    .bind(&certificate.thumbprint)
    .bind(&certificate.subject)
    .bind(generated)
    .bind(&link.id))
    .map_err(db("could not save a certificate"))?;
    link.finished_step(&mut tx, Step::Credential).await?;
    log(&mut tx, &link.id, &Timestamp::of(ctx.now()), event).await?;
    tx.commit()
        .await
        .map_err(db("could not save a certificate"))
}

pub async fn save_secret(ctx: &Customer, form: &SecretForm) -> Result<OnboardingView, AppError> {
    let link = &ctx.link;
    link.still_open()?;
    link.keeps_credentials()?;
    let kept = match &link.credential {
        Some(LinkCredential {
            sealed,
            kind: LinkCredentialKind::Secret { hint },
            ..
        }) => Some((sealed.clone(), hint.clone())),
        _ => None,
    };
    let (secret, expires) =
        credentials::secret(form, kept.is_some(), ctx.now()).map_err(AppError::Invalid)?;
    let (sealed, hint) = match (secret, kept) {
        (Some(secret), _) => (
            ctx.backend
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
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE onboarding_links
            SET credential_kind = 'secret', secret_sealed = $1, secret_hint = $2, credential_expires_at = $3,
                certificate_der = NULL, certificate_thumbprint = NULL, certificate_subject = NULL, certificate_generated = FALSE
          WHERE id = $4",
    )
    .bind(sealed)
    .bind(hint)
    .bind(Timestamp::of(expires))
    .bind(&link.id))
    .map_err(db("could not save a client secret"))?;
    link.finished_step(&mut tx, Step::Credential).await?;
    log(
        &mut tx,
        &link.id,
        &Timestamp::of(ctx.now()),
        "saved a client secret",
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a client secret"))?;
    fresh_view(ctx).await
}

pub async fn upload_certificate(
    ctx: &Customer,
    upload: &CertificateUpload,
) -> Result<OnboardingView, AppError> {
    ctx.link.still_open()?;
    ctx.link.keeps_credentials()?;
    ctx.backend
        .link_limits
        .admit(&ctx.link.id, Costly::UploadCertificate)?;
    let upload = upload.clone();
    let now = ctx.now();
    let certificate = ctx
        .backend
        .heavy
        .run(move || credentials::certificate(&upload, now))
        .await?
        .map_err(AppError::Invalid)?;
    store_certificate(ctx, &certificate, false, "uploaded a certificate").await?;
    fresh_view(ctx).await
}

pub async fn generate_certificate(ctx: &Customer) -> Result<OnboardingView, AppError> {
    ctx.link.still_open()?;
    ctx.link.keeps_credentials()?;
    ctx.backend
        .link_limits
        .admit(&ctx.link.id, Costly::GenerateCertificate)?;
    let certificate =
        credentials::generated(&ctx.backend.heavy, ctx.link.suggested_app_name(), ctx.now())
            .await?;
    store_certificate(ctx, &certificate, true, "generated a certificate").await?;
    fresh_view(ctx).await
}

/// The public certificate saved on the link, as DER for a `.cer` download,
/// with a file name for it.
pub async fn certificate_download(
    backend: &Backend,
    token: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let link = super::link::by_token(backend, token).await?;
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
/// test passes. Reading a certificate's key runs with the heavy work.
pub(super) async fn signing_credential(
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
    let expires_at = saved.expires_at.instant();
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
            let (key, intake) = backend
                .heavy
                .run(move || {
                    let key =
                        CertificateKey::from_pem(&der, plain.as_bytes()).map_err(|error| {
                            internal("a saved certificate could not be used", error)
                        })?;
                    let intake = CertificateIntake::from_key(&key, plain);
                    Ok::<_, AppError>((key, intake))
                })
                .await??;
            (
                entra::Credential::Certificate(std::sync::Arc::new(key)),
                Intake::Certificate(intake),
            )
        }
    }))
}
