//! The public side of company recovery (`/recover`): name the company by
//! its tenant, create the recovery app, hand over its IDs and secret, and
//! read the checklist. Until a proof is accepted nothing here says whether
//! an organisation stands behind the tenant. The secret is used for one
//! verification and kept nowhere; the page sends it again for each retry.

use super::attempts::{self, Entered};
use super::{company, instant, result, standing, waiting_message, Company, Organisation};
use crate::backend::context::session;
use crate::backend::db::Tx;
use crate::backend::mail::outbox;
use crate::backend::origin::RequestOrigin;
use crate::backend::passwords::NO_PASSWORD;
use crate::backend::{audit, begin, db, internal, mfa, password_resets, sessions, Backend};
use crate::error::AppError;
use crate::ids::UserId;
use crate::model::{RecoveryProof, RecoveryResult, RecoveryStart};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::form::FieldProblem;
use domain::profile;
use domain::recovery::checklist::{Creator, Outcome, Report, AUDIT_PERMISSION};
use domain::recovery::AttemptGate;
use domain::{ClientId, Cloud, DisplayName, Email, ObjectId, SecretValue, TenantId};
use serde::{Deserialize, Serialize};

/// The name the instructions suggest for the recovery app.
pub const APP_NAME: &str = "Tenantry Recovery";
const PROGRESS_KEY: &str = "recovery.progress";

/// What the browser's session remembers between the steps: never more than
/// the person typed in the first step.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Progress {
    tenant_id: String,
    cloud: Cloud,
}

fn session_error(error: tower_sessions::session::Error) -> AppError {
    internal("could not use the session", error)
}

/// Step one: the company, named by its Directory (tenant) ID.
pub async fn start(
    backend: &Backend,
    origin: &RequestOrigin,
    tenant_id: &str,
    cloud: &str,
) -> Result<RecoveryStart, AppError> {
    backend.recovery.admit(origin)?;
    let tenant =
        TenantId::parse(tenant_id).map_err(|error| AppError::invalid("tenant_id", error))?;
    let cloud: Cloud = cloud
        .parse()
        .map_err(|_| AppError::invalid("cloud", "Choose the Microsoft cloud the tenant is in."))?;
    session()
        .await?
        .insert(
            PROGRESS_KEY,
            Progress {
                tenant_id: tenant.as_str().to_owned(),
                cloud,
            },
        )
        .await
        .map_err(session_error)?;
    let company = company(backend, &tenant, cloud).await?;
    view(backend, &company).await
}

/// Where this browser's recovery stands, so a reload resumes it.
pub async fn resume(backend: &Backend) -> Result<Option<RecoveryStart>, AppError> {
    let Some(progress) = progress().await? else {
        return Ok(None);
    };
    let Ok(tenant) = TenantId::parse(&progress.tenant_id) else {
        return Ok(None);
    };
    let company = company(backend, &tenant, progress.cloud).await?;
    view(backend, &company).await.map(Some)
}

/// Starts over: forgets the company this browser named.
pub async fn forget() -> Result<(), AppError> {
    session()
        .await?
        .remove::<Progress>(PROGRESS_KEY)
        .await
        .map_err(session_error)?;
    Ok(())
}

async fn progress() -> Result<Option<Progress>, AppError> {
    session()
        .await?
        .get(PROGRESS_KEY)
        .await
        .map_err(session_error)
}

fn hint(tenant: &TenantId) -> String {
    let id = tenant.as_str();
    format!("…{}", &id[id.len().saturating_sub(5)..])
}

async fn view(backend: &Backend, company: &Company) -> Result<RecoveryStart, AppError> {
    let profiles = [profile::recovery()];
    let (failures_left, locked_until) = standing(attempts::standing(backend, company).await?);
    Ok(RecoveryStart {
        tenant_hint: hint(&company.tenant_id),
        cloud: company.cloud,
        app_name: APP_NAME.to_owned(),
        permission: AUDIT_PERMISSION.to_owned(),
        // The same for every tenant: an organisation's shorter window would
        // tell a stranger that it exists.
        window_hours: backend.recovery.max_window_hours,
        powershell: domain::setup_script::powershell(&profiles, APP_NAME, company.cloud, None),
        azure_cli: domain::setup_script::azure_cli(&profiles, APP_NAME, company.cloud, None),
        failures_left,
        locked_until,
    })
}

/// The proof as typed, parsed; every problem names its field and nothing
/// typed is lost.
struct Parsed {
    person_name: DisplayName,
    tenant_id: TenantId,
    client_id: ClientId,
    object_id: ObjectId,
    secret: SecretValue,
}

fn parse(proof: &RecoveryProof) -> Result<Parsed, AppError> {
    let mut problems = Vec::new();
    let mut field = |name: &str, message: String| problems.push(FieldProblem::new(name, message));
    let person_name = DisplayName::parse(&proof.person_name)
        .map_err(|error| field("person_name", error.to_string()))
        .ok();
    let tenant_id = TenantId::parse(&proof.tenant_id)
        .map_err(|error| field("tenant_id", error.to_string()))
        .ok();
    let client_id = ClientId::parse(&proof.client_id)
        .map_err(|error| field("client_id", error.to_string()))
        .ok();
    let object_id = ObjectId::parse(&proof.object_id)
        .map_err(|error| field("object_id", error.to_string()))
        .ok();
    if let (Some(client), Some(object)) = (&client_id, &object_id) {
        if client.as_str() == object.as_str() {
            field(
                "object_id",
                "This is the Application (client) ID again; the Object ID is the other GUID on the app's Overview page.".to_owned(),
            );
        }
    }
    let secret = match SecretValue::new(proof.secret.expose()) {
        Ok(secret) if secret.looks_like_secret_id() => {
            field(
                "secret",
                "This is the secret's ID. Enter its Value, shown once when the secret was created."
                    .to_owned(),
            );
            None
        }
        Ok(secret) => Some(secret),
        Err(_) => {
            field("secret", "Enter the client secret's value.".to_owned());
            None
        }
    };
    match (person_name, tenant_id, client_id, object_id, secret) {
        (Some(person_name), Some(tenant_id), Some(client_id), Some(object_id), Some(secret))
            if problems.is_empty() =>
        {
            Ok(Parsed {
                person_name,
                tenant_id,
                client_id,
                object_id,
                secret,
            })
        }
        _ => Err(AppError::Invalid(problems)),
    }
}

/// Step four: the checklist for the proof. Retrying while the creation is
/// not visible yet (or Microsoft cannot be asked) costs no attempt.
pub async fn verify(
    backend: &Backend,
    origin: &RequestOrigin,
    proof: &RecoveryProof,
) -> Result<RecoveryResult, AppError> {
    backend.recovery.admit(origin)?;
    let progress = progress().await?.ok_or_else(|| {
        AppError::Gone("Start again by entering the company's Directory (tenant) ID.".to_owned())
    })?;
    let parsed = parse(proof)?;
    let used_already = AppError::Conflict(
        "This recovery app was already used to recover access. Create a new app registration for a new proof.".to_owned(),
    );
    let company_tenant = TenantId::parse(&progress.tenant_id).map_err(|_| {
        AppError::Gone("Start again by entering the company's Directory (tenant) ID.".to_owned())
    })?;
    let company = company(backend, &company_tenant, progress.cloud).await?;
    if attempts::already_used(backend, &company, parsed.object_id.as_str()).await? {
        return Err(used_already);
    }
    let (reservation, report) = attempts::verify(
        backend,
        &company,
        &Entered {
            person_name: parsed.person_name.as_str(),
            tenant_id: parsed.tenant_id.as_str(),
            client_id: parsed.client_id.as_str(),
            object_id: parsed.object_id.as_str(),
        },
        origin,
        &entra::RecoveryRequest {
            cloud: company.cloud,
            tenant_id: &parsed.tenant_id,
            expected_tenant_id: Some(&company.tenant_id),
            client_id: &parsed.client_id,
            object_id: &parsed.object_id,
            credential: &entra::Credential::Secret(parsed.secret.clone()),
            window_secs: company.window_hours * 3600,
            now: backend.now().unix_timestamp(),
        },
    )
    .await?;
    match report.outcome {
        Outcome::NotYetVisible | Outcome::CouldNotCheck => {
            attempts::forget(backend, &reservation.id).await?;
            Ok(result(
                &report,
                company.window_shown(&report, backend.recovery.max_window_hours),
                (reservation.failures_left, None),
                waiting_message(&report),
                None,
            ))
        }
        Outcome::Rejected => {
            refused(backend, origin, &company, &reservation.id, &parsed, &report).await
        }
        Outcome::Accepted => {
            let granted =
                accepted(backend, origin, &company, &reservation.id, &parsed, &report).await;
            if granted.is_err() {
                // Nothing was granted; the attempt must not count against
                // the company either.
                attempts::forget(backend, &reservation.id).await?;
            }
            granted
        }
    }
}

fn evidence(parsed: &Parsed, report: &Report) -> String {
    super::evidence(
        &parsed.tenant_id,
        &parsed.client_id,
        &parsed.object_id,
        report,
    )
}

async fn refused(
    backend: &Backend,
    origin: &RequestOrigin,
    company: &Company,
    id: &crate::ids::RecoveryAttemptId,
    parsed: &Parsed,
    report: &Report,
) -> Result<RecoveryResult, AppError> {
    let now = backend.now();
    let mut tx = begin(&backend.pool).await?;
    let gate = attempts::settle(&mut tx, company, id, report, now).await?;
    if let Some(organisation) = &company.organisation {
        let detail = super::refusal(&evidence(parsed, report), report);
        audit::record(
            &mut tx,
            public_event(
                organisation,
                parsed,
                AuditAction::RecoveryRefused,
                &detail,
                origin,
                now,
            ),
        )
        .await?;
        if let AttemptGate::LockedUntil { until } = gate {
            let until = instant(until).map(|at| at.to_string()).unwrap_or_default();
            audit::record(
                &mut tx,
                public_event(
                    organisation,
                    parsed,
                    AuditAction::RecoveryLocked,
                    &until,
                    origin,
                    now,
                ),
            )
            .await?;
            let notice = domain::notice::recovery_locked(
                &organisation.name,
                domain::recovery::Limiter::default().max_failures,
                &until,
            );
            outbox::queue_to_admins(&mut tx, &organisation.id, None, &notice, now).await?;
        }
    }
    tx.commit()
        .await
        .map_err(db("could not record a refused recovery"))?;
    backend.mail.queued();
    let standing = standing(gate);
    let message = super::refusal_message(report, || {
        match &standing {
        (_, Some(until)) => format!("Recovery is refused and now locked until {until}. Fix what the checklist says before then."),
        (0, None) => "Recovery is refused.".to_owned(),
        (left, None) => format!("Recovery is refused. Fix what the checklist says and try again: {left} more refused attempts lock recovery for 12 hours."),
    }
    });
    Ok(result(
        report,
        company.window_shown(report, backend.recovery.max_window_hours),
        standing,
        message,
        None,
    ))
}

fn public_event<'a>(
    organisation: &'a Organisation,
    parsed: &'a Parsed,
    action: AuditAction,
    detail: &'a str,
    origin: &'a RequestOrigin,
    at: time::OffsetDateTime,
) -> audit::Event<'a> {
    audit::Event {
        organisation_id: &organisation.id,
        actor_user_id: None,
        actor: parsed.person_name.as_str(),
        action,
        target: "company recovery",
        detail,
        origin,
        at,
    }
}

async fn accepted(
    backend: &Backend,
    origin: &RequestOrigin,
    company: &Company,
    id: &crate::ids::RecoveryAttemptId,
    parsed: &Parsed,
    report: &Report,
) -> Result<RecoveryResult, AppError> {
    let now = backend.now();
    let mut tx = begin(&backend.pool).await?;
    let gate = attempts::settle(&mut tx, company, id, report, now).await?;
    let (Some(organisation), Some(creator)) = (&company.organisation, &report.initiated_by) else {
        tx.commit()
            .await
            .map_err(db("could not record a recovery"))?;
        forget().await?;
        return Ok(result(
            report,
            company.window_hours,
            standing(gate),
            "You proved control of this tenant, but no organisation on this Tenantry server can be recovered with it. Ask whoever runs Tenantry for you; you can delete the recovery app now.".to_owned(),
            None,
        ));
    };
    let user_id = become_admin(&mut tx, organisation, creator, &parsed.person_name, now).await?;
    let (token, _) =
        password_resets::issue(&mut tx, &user_id, &organisation.id, &user_id, now).await?;
    let upn = creator.user_principal_name.to_lowercase();
    let detail = evidence(parsed, report);
    audit::record(
        &mut tx,
        audit::Event {
            organisation_id: &organisation.id,
            actor_user_id: Some(&user_id),
            actor: &upn,
            action: AuditAction::RecoveryAccepted,
            target: &upn,
            detail: &detail,
            origin,
            at: now,
        },
    )
    .await?;
    let at = Timestamp::of(now).to_string();
    let notice = domain::notice::recovered(&domain::notice::Recovered {
        organisation: &organisation.name,
        user_principal_name: &upn,
        person_name: parsed.person_name.as_str(),
        at: &at,
        from_ip: &origin.ip_text(),
        tenant_id: parsed.tenant_id.as_str(),
        client_id: parsed.client_id.as_str(),
        portal_url: &backend.public_url,
    });
    outbox::queue_to_admins(&mut tx, &organisation.id, Some(&upn), &notice, now).await?;
    tx.commit()
        .await
        .map_err(db("could not record a recovery"))?;
    backend.mail.queued();
    forget().await?;
    Ok(result(
        report,
        company.window_hours,
        standing(gate),
        format!(
            "Access to {} is recovered: {upn} is an administrator. Choose a password with the link below (it works once, for 24 hours), then delete the recovery app registration in Microsoft Entra: it is no longer needed, and its secret should not linger.",
            organisation.name
        ),
        Some(backend.link(&format!("/reset/{token}"))),
    ))
}

/// Makes the person an admin under the name the audit log gives: a member
/// with that address is restored and promoted (their sessions and second
/// factor are reset: they lost them), anyone else becomes a new admin
/// without a password until they choose one. Other members are kept.
async fn become_admin(
    tx: &mut Tx,
    organisation: &Organisation,
    creator: &Creator,
    person_name: &DisplayName,
    now: time::OffsetDateTime,
) -> Result<UserId, AppError> {
    let email = Email::parse(&creator.user_principal_name).map_err(|_| {
        AppError::Conflict(format!(
            "The proof is accepted, but the account that created the app, {}, cannot be used to sign in here. Create the recovery app while signed in with an account that has an e-mail address as its user name.",
            creator.user_principal_name
        ))
    })?;
    let existing: Option<(UserId, crate::ids::OrganisationId)> =
        crate::on_db!(&mut *tx, |c| sqlx::query_as(
            "SELECT id, organisation_id FROM users WHERE email = $1"
        )
        .bind(email.as_str())
        .fetch_optional(c)
        .await)
        .map_err(db("could not look a member up"))?;
    match existing {
        Some((user_id, organisation_id)) if organisation_id == organisation.id => {
            crate::execute_on!(&mut *tx, sqlx::query(
                "UPDATE users SET role = 'admin', disabled_at = NULL, removed_at = NULL
                  WHERE id = $1 AND organisation_id = $2",
            )
            .bind(&user_id)
            .bind(&organisation.id))
            .map_err(db("could not restore a member"))?;
            mfa::forget_second_factor(tx, &user_id, &organisation.id).await?;
            sessions::end_all_of(&mut *tx, &organisation.id, &user_id, None, now).await?;
            Ok(user_id)
        }
        Some(_) => Err(AppError::Conflict(format!(
            "The proof is accepted, but {} already signs in to another organisation on this Tenantry server, so it cannot become an administrator here.",
            email.as_str()
        ))),
        None => {
            crate::backend::users::insert(
                tx,
                crate::backend::users::NewUser {
                    organisation_id: &organisation.id,
                    email: &email,
                    display_name: person_name,
                    password_hash: NO_PASSWORD,
                    role: domain::Role::Admin,
                },
                &Timestamp::of(now),
            )
            .await
        }
    }
}
