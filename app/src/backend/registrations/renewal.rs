//! Renewing a registration with a certificate Tenantry generates: the key
//! never leaves the server, the public certificate is downloaded and
//! uploaded to the app in Entra, and only once Microsoft accepts it does it
//! replace the credential in use. Until then the old one keeps working.

use super::StoredCredential;
use crate::backend::checks::engine::{addressed, Addressed};
use crate::backend::checks::requests::check_now;
use crate::backend::credentials::{self, CertificateIntake, Intake};
use crate::backend::vault::SealedIn;
use crate::backend::{audit, begin, db, internal, Staff};
use crate::error::AppError;
use crate::ids::RegistrationId;
use crate::model::PendingCertificate;
use crate::timestamp::Timestamp;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::audit::AuditAction;
use domain::evaluation::Status;
use domain::finding::FindingCode;
use domain::Action;
use entra::CertificateKey;

/// The sealing context of a row's pending key: not the one its credential
/// in use is sealed with, so neither opens in the other's place.
fn pending_context(id: &RegistrationId) -> String {
    SealedIn::Registrations.context(&format!("{id}:pending"))
}

#[derive(sqlx::FromRow)]
struct Row {
    client_id: String,
    profiles: String,
    cloud: String,
    entra_tenant_id: Option<String>,
    primary_domain: Option<String>,
    archived_at: Option<Timestamp>,
    pending_key_sealed: Option<String>,
    pending_certificate_der: Option<String>,
}

async fn row(ctx: &Staff, id: &RegistrationId) -> Result<Row, AppError> {
    let row: Row = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT r.client_id, r.profiles, t.cloud, t.entra_tenant_id, t.primary_domain, r.archived_at,
                r.pending_key_sealed, r.pending_certificate_der
           FROM registrations r
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
          WHERE r.id = $1 AND r.organisation_id = $2",
    )
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not read a registration"))?
    .ok_or(AppError::NotFound)?;
    if row.archived_at.is_some() {
        return Err(AppError::Conflict(
            "This registration is archived; restore it before changing it.".into(),
        ));
    }
    Ok(row)
}

/// Generates a key and certificate and keeps them pending (replacing an
/// earlier pending one).
pub async fn generate(ctx: &Staff, id: &RegistrationId) -> Result<PendingCertificate, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let found = row(ctx, id).await?;
    let name = format!("Tenantry {}", found.client_id.get(..8).unwrap_or_default());
    let certificate = credentials::generated(&ctx.backend.heavy, name, ctx.now()).await?;
    let pending = PendingCertificate {
        thumbprint: certificate.thumbprint.clone(),
        expires_at: Timestamp::of(certificate.expires_at),
    };
    crate::execute_on!(
        ctx.pool(),
        sqlx::query(
            "UPDATE registrations
            SET pending_key_sealed = $1, pending_certificate_der = $2, pending_thumbprint = $3,
                pending_expires_at = $4
          WHERE id = $5 AND organisation_id = $6",
        )
        .bind(
            ctx.backend
                .vault
                .seal(certificate.key_pem.as_bytes(), &pending_context(id)),
        )
        .bind(STANDARD.encode(&certificate.der))
        .bind(&pending.thumbprint)
        .bind(&pending.expires_at)
        .bind(id)
        .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not keep a generated certificate"))?;
    Ok(pending)
}

/// The pending certificate's public half, as a `.cer` file.
pub async fn download(ctx: &Staff, id: &RegistrationId) -> Result<(String, Vec<u8>), AppError> {
    let found = row(ctx, id).await?;
    let der = STANDARD
        .decode(found.pending_certificate_der.ok_or(AppError::NotFound)?)
        .map_err(|error| internal("a stored certificate is not base64", error))?;
    Ok((
        format!(
            "tenantry-{}.cer",
            found.client_id.get(..8).unwrap_or_default()
        ),
        der,
    ))
}

/// Switches to the pending certificate once Microsoft accepts it, then
/// checks the registration.
pub async fn activate(ctx: &Staff, id: &RegistrationId) -> Result<Option<Status>, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let found = row(ctx, id).await?;
    let (Some(sealed), Some(der_base64)) =
        (found.pending_key_sealed, found.pending_certificate_der)
    else {
        return Err(AppError::Conflict(
            "There is no generated certificate waiting; generate one first.".into(),
        ));
    };
    let key_pem = String::from_utf8(
        ctx.backend
            .vault
            .open(&sealed, &pending_context(id))
            .map_err(|error| internal("a pending key could not be opened", error))?,
    )
    .map_err(|error| internal("a pending key is not text", error))?;
    let der = STANDARD
        .decode(der_base64)
        .map_err(|error| internal("a stored certificate is not base64", error))?;
    let (key, intake) = ctx
        .backend
        .heavy
        .run(move || {
            let key = CertificateKey::from_pem(&der, key_pem.as_bytes())
                .map_err(|error| internal("a pending certificate could not be used", error))?;
            let intake = CertificateIntake::from_key(&key, key_pem);
            Ok::<_, AppError>((key, intake))
        })
        .await??;
    let Addressed {
        cloud,
        tenant,
        client_id,
        profiles,
    } = addressed(
        &found.cloud,
        found.entra_tenant_id.as_deref(),
        found.primary_domain.as_deref(),
        &found.client_id,
        &found.profiles,
    )?;
    let report = entra::verify(
        &ctx.backend.entra,
        &entra::VerifyRequest {
            cloud,
            tenant: &tenant,
            expected_tenant_id: found.entra_tenant_id.as_deref(),
            client_id: &client_id,
            credential: &entra::Credential::Certificate(std::sync::Arc::new(key)),
            profiles: &profiles,
            secret_expires_at: None,
            now: ctx.now().unix_timestamp(),
        },
    )
    .await;
    // Only a token issued for the new certificate proves Microsoft takes
    // it; anything less keeps the credential in use.
    if report.token.is_none() {
        let rejected = report
            .verdict
            .findings
            .iter()
            .any(|f| f.code == FindingCode::CertificateRejected);
        return Err(AppError::Conflict(if rejected {
            format!(
                "Microsoft does not accept the new certificate yet: upload {} to the app registration's Certificates & secrets, then switch again. The credential in use is unchanged.",
                intake.thumbprint
            )
        } else {
            "Microsoft could not confirm the new certificate just now; try again shortly. The credential in use is unchanged.".to_owned()
        }));
    }
    let switched_from = intake.thumbprint.clone();
    let stored = StoredCredential::sealed_for(&ctx.backend, id, &Intake::Certificate(intake));
    // A check running with the old credential loses its claim, so the one
    // below runs at once with the new.
    let mut tx = begin(ctx.pool()).await?;
    let switched = crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE registrations
            SET credential_kind = $1, secret_sealed = $2, secret_hint = NULL, certificate_thumbprint = $3,
                certificate_subject = $4, certificate_der = $5, credential_expires_at = $6,
                entered_by = $7, entered_at = $8,
                pending_key_sealed = NULL, pending_certificate_der = NULL, pending_thumbprint = NULL,
                pending_expires_at = NULL, lease_claim = NULL, lease_until = NULL
          WHERE id = $9 AND organisation_id = $10 AND pending_thumbprint = $11",
    )
    .bind(stored.kind)
    .bind(stored.sealed)
    .bind(stored.thumbprint)
    .bind(stored.subject)
    .bind(stored.der)
    .bind(stored.expires_at)
    .bind(ctx.scope.user_id())
    .bind(Timestamp::of(ctx.now()))
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .bind(&switched_from))
    .map_err(db("could not switch to the new certificate"))?;
    if switched.rows_affected() == 0 {
        return Err(AppError::Conflict(
            "Another certificate was generated meanwhile; switch to that one once it is uploaded."
                .into(),
        ));
    }
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::CredentialReplaced,
        &found.client_id,
        &format!("switched to the generated certificate {switched_from}"),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not switch to the new certificate"))?;
    match check_now(ctx, id).await {
        Ok(status) => Ok(Some(status)),
        Err(AppError::Conflict(_)) => Ok(None),
        Err(error) => Err(error),
    }
}
