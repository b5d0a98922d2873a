//! One check of one claimed registration: open its sealed credential, ask
//! Microsoft through the Entra client, and store what the domain judged.
//! The same engine serves the scheduler, "Check now", the consent callback
//! and the CLI.

use super::claim::Claim;
use super::record::{Stored, Trigger};
use super::writer::Finished;
use crate::backend::vault::SealedIn;
use crate::backend::{db, internal, Backend};
use crate::error::AppError;
use crate::ids::{OrganisationId, RegistrationId, UserId};
use crate::timestamp::Timestamp;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::evaluation::Status;
use domain::ids::{ClientId, SecretValue, TenantRef};
use domain::Cloud;
use entra::{CertificateKey, Credential, EntraClient};

/// A claimed registration as stored, before its credential is opened.
#[derive(sqlx::FromRow)]
pub struct TargetRow {
    id: RegistrationId,
    organisation_id: OrganisationId,
    profiles: String,
    client_id: String,
    credential_kind: String,
    secret_sealed: Option<String>,
    certificate_der: Option<String>,
    credential_expires_at: Option<Timestamp>,
    cloud: String,
    entra_tenant_id: Option<String>,
    primary_domain: Option<String>,
    consent_watch_until: Option<Timestamp>,
}

/// What a check needs, read and opened.
struct Target {
    organisation_id: OrganisationId,
    cloud: Cloud,
    tenant: TenantRef,
    expected_tenant_id: Option<String>,
    client_id: ClientId,
    profiles: Vec<domain::profile::Profile>,
    credential: Credential,
    secret_expires_at: Option<i64>,
    consent_watch_until: Option<i64>,
}

const TARGET_COLUMNS: &str = "r.id, r.organisation_id, r.profiles, r.client_id, r.credential_kind,
    r.secret_sealed, r.certificate_der, r.credential_expires_at, t.cloud, t.entra_tenant_id,
    t.primary_domain, r.consent_watch_until
      FROM registrations r
      JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id";

/// Every registration claimed together under `claim`'s token, in one read.
pub async fn claimed_with(backend: &Backend, claim: &Claim) -> Result<Vec<TargetRow>, AppError> {
    crate::on_db!(&backend.pool, |c| sqlx::query_as(&format!(
        "SELECT {TARGET_COLUMNS} WHERE r.lease_claim = $1"
    ))
    .bind(&claim.token)
    .fetch_all(c)
    .await)
    .map_err(db("could not read claimed registrations"))
}

impl TargetRow {
    pub fn registration_id(&self) -> &RegistrationId {
        &self.id
    }
}

async fn load(backend: &Backend, id: &RegistrationId) -> Result<Target, AppError> {
    let row: TargetRow = crate::on_db!(&backend.pool, |c| sqlx::query_as(&format!(
        "SELECT {TARGET_COLUMNS} WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_one(c)
    .await)
    .map_err(db("could not read a registration to check"))?;
    open(backend, row).await
}

/// How one of the organisation's active registrations signs in, opened:
/// for sending as it (alerts through Graph) rather than checking it.
pub struct SigningIn {
    pub cloud: Cloud,
    pub tenant: TenantRef,
    pub client_id: ClientId,
    pub credential: Credential,
}

/// The registration's sign-in, if it is `organisation`'s and not archived.
pub async fn signing_in(
    backend: &Backend,
    organisation: &OrganisationId,
    id: &RegistrationId,
) -> Result<Option<SigningIn>, AppError> {
    let row: Option<TargetRow> = crate::on_db!(&backend.pool, |c| sqlx::query_as(&format!(
        "SELECT {TARGET_COLUMNS} WHERE r.id = $1 AND r.organisation_id = $2 AND r.archived_at IS NULL"
    ))
    .bind(id)
    .bind(organisation)
    .fetch_optional(c)
    .await)
    .map_err(db("could not read a registration to send with"))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let target = open(backend, row).await?;
    Ok(Some(SigningIn {
        cloud: target.cloud,
        tenant: target.tenant,
        client_id: target.client_id,
        credential: target.credential,
    }))
}

/// Where and as what a stored registration signs in, read back from its
/// row: the same parsing for a check and for a renewal's trial.
pub struct Addressed {
    pub cloud: Cloud,
    pub tenant: TenantRef,
    pub client_id: ClientId,
    pub profiles: Vec<domain::profile::Profile>,
}

pub fn addressed(
    cloud: &str,
    entra_tenant_id: Option<&str>,
    primary_domain: Option<&str>,
    client_id: &str,
    profiles: &str,
) -> Result<Addressed, AppError> {
    Ok(Addressed {
        cloud: cloud
            .parse()
            .map_err(|error| internal("a stored cloud is not known", error))?,
        tenant: TenantRef::parse(entra_tenant_id.or(primary_domain).unwrap_or_default())
            .map_err(|error| internal("a stored tenant cannot be addressed", error))?,
        client_id: ClientId::parse(client_id)
            .map_err(|error| internal("a stored client id is not valid", error))?,
        profiles: domain::profile::parse_list(profiles)
            .map_err(|error| internal("a stored profile is not known", error))?,
    })
}

/// Opens the stored credential (a certificate's key off the async workers).
async fn open(backend: &Backend, row: TargetRow) -> Result<Target, AppError> {
    let id = &row.id;
    let Addressed {
        cloud,
        tenant,
        client_id,
        profiles,
    } = addressed(
        &row.cloud,
        row.entra_tenant_id.as_deref(),
        row.primary_domain.as_deref(),
        &row.client_id,
        &row.profiles,
    )?;
    let sealed = row
        .secret_sealed
        .ok_or_else(|| AppError::Conflict("This registration holds no credential.".into()))?;
    let plain = backend
        .vault
        .open(&sealed, &SealedIn::Registrations.context(id.as_str()))
        .map_err(|error| internal("a registration's credential could not be opened", error))?;
    let plain = String::from_utf8(plain)
        .map_err(|error| internal("a registration's credential is not text", error))?;
    let (credential, secret_expires_at) = if row.credential_kind == "certificate" {
        let der = STANDARD
            .decode(row.certificate_der.unwrap_or_default())
            .map_err(|error| internal("a stored certificate is not base64", error))?;
        let key = backend
            .heavy
            .run(move || CertificateKey::from_pem(&der, plain.as_bytes()))
            .await?
            .map_err(|error| internal("a stored certificate could not be used", error))?;
        (Credential::Certificate(std::sync::Arc::new(key)), None)
    } else {
        let secret = SecretValue::new(&plain)
            .map_err(|error| internal("a stored secret is empty", error))?;
        (
            Credential::Secret(secret),
            row.credential_expires_at.map(|at| at.unix()),
        )
    };
    Ok(Target {
        organisation_id: row.organisation_id,
        cloud,
        tenant,
        expected_tenant_id: row.entra_tenant_id,
        client_id,
        profiles,
        credential,
        secret_expires_at,
        consent_watch_until: row.consent_watch_until.map(|at| at.unix()),
    })
}

/// Checks the claimed registration and stores the result under the claim.
/// Returns the status found, or `None` when the claim had been lost and the
/// result was not stored.
pub async fn run(
    backend: &Backend,
    client: &EntraClient,
    claim: &Claim,
    trigger: Trigger,
    triggered_by: Option<&UserId>,
) -> Result<Option<Status>, AppError> {
    run_read(backend, client, claim, None, None, trigger, triggered_by).await
}

/// `run` for a registration already read with the others of its claim.
/// `slot` (the scheduler's concurrency permit) is given back as soon as
/// Microsoft has answered: writing the result does not hold it.
pub async fn run_read(
    backend: &Backend,
    client: &EntraClient,
    claim: &Claim,
    read: Option<TargetRow>,
    slot: Option<tokio::sync::OwnedSemaphorePermit>,
    trigger: Trigger,
    triggered_by: Option<&UserId>,
) -> Result<Option<Status>, AppError> {
    let outcome = attempt(backend, client, claim, read, slot, trigger, triggered_by).await;
    // A slot may have come free.
    backend.watch.wake.notify_one();
    if outcome.is_err() {
        // The lease must not keep the registration from the next sweep.
        release(backend, claim).await?;
    }
    outcome
}

async fn attempt(
    backend: &Backend,
    client: &EntraClient,
    claim: &Claim,
    read: Option<TargetRow>,
    slot: Option<tokio::sync::OwnedSemaphorePermit>,
    trigger: Trigger,
    triggered_by: Option<&UserId>,
) -> Result<Option<Status>, AppError> {
    let started_at = backend.now();
    let timer = std::time::Instant::now();
    let target = match read {
        Some(row) => open(backend, row).await?,
        None => load(backend, claim.registration_id()).await?,
    };
    let watching_for_consent = target
        .consent_watch_until
        .is_some_and(|until| until > started_at.unix_timestamp());
    if watching_for_consent || matches!(trigger, Trigger::Manual | Trigger::Consent) {
        // Someone may just have granted consent; a cached token still
        // carries the roles it was issued with.
        client.invalidate(
            target.cloud,
            &target.tenant,
            &target.client_id,
            &target.credential,
        );
    }
    let report = entra::verify(
        client,
        &entra::VerifyRequest {
            cloud: target.cloud,
            tenant: &target.tenant,
            expected_tenant_id: target.expected_tenant_id.as_deref(),
            client_id: &target.client_id,
            credential: &target.credential,
            profiles: &target.profiles,
            secret_expires_at: target.secret_expires_at,
            now: backend.now().unix_timestamp(),
        },
    )
    .await;
    drop(slot);
    backend.watch.wake.notify_one();
    let finished_at = backend.now();
    let awaiting_consent = domain::watch::awaiting_consent(
        &report.verdict,
        target.consent_watch_until,
        finished_at.unix_timestamp(),
    );
    let next_check_at = match report.retry_after {
        Some(wait) => Timestamp::of(finished_at + wait),
        None if awaiting_consent => Timestamp::of(
            finished_at + time::Duration::seconds(domain::watch::CONSENT_RECHECK_SECS),
        ),
        None => backend.watch.next_due(report.verdict.status, finished_at),
    };
    let status = report.verdict.status;
    let duration_ms = timer.elapsed().as_millis() as i64;
    backend
        .metrics
        .check_finished(trigger.as_str(), status, duration_ms);
    let stored = backend
        .watch
        .writer
        .write(Finished {
            claim: claim.clone(),
            organisation_id: target.organisation_id,
            trigger,
            triggered_by: triggered_by.cloned(),
            pause_tenant_until: report.retry_after.map(|_| next_check_at.clone()),
            stop_watching_for_consent: !awaiting_consent && target.consent_watch_until.is_some(),
            report,
            started_at: Timestamp::of(started_at),
            finished_at: Timestamp::of(finished_at),
            duration_ms,
            next_check_at,
        })
        .await?;
    Ok(match stored {
        Stored::Recorded(_) => Some(status),
        Stored::ClaimLost => {
            tracing::warn!(
                registration = %claim.registration_id(),
                "a check finished after its lease was taken over; its result was not stored"
            );
            None
        }
    })
}

/// A check that failed inside Tenantry (not at Microsoft) is tried again
/// after this long rather than at every poll.
const RETRY_FAILED_CHECK_AFTER: time::Duration = time::Duration::minutes(5);

async fn release(backend: &Backend, claim: &Claim) -> Result<(), AppError> {
    crate::execute_on!(
        &backend.pool,
        sqlx::query(
            "UPDATE registrations SET lease_claim = NULL, lease_until = NULL, next_check_at = $1
          WHERE id = $2 AND lease_claim = $3",
        )
        .bind(Timestamp::of(backend.now() + RETRY_FAILED_CHECK_AFTER))
        .bind(claim.registration_id())
        .bind(&claim.token)
    )
    .map_err(db("could not release a claim"))?;
    Ok(())
}
