//! Onboarding links: a customer's admin follows the guided steps from a link,
//! without an account. A link reaches exactly one customer tenant of one
//! organisation, only until it expires or is revoked, and every use is
//! logged. What the customer saves is kept on the link (the secret sealed).

use crate::backend::registrations::{insert_with_secret, parse_date, NewSecretRegistration};
use crate::backend::{db, internal, now, parse_timestamp, timestamp, tokens, Backend, OrgScope};
use crate::error::AppError;
use crate::model::{
    OnboardingCreated, OnboardingForm, OnboardingLinkView, OnboardingView, ProfileSteps,
    RequirementView, TestResult,
};
use domain::customer::FieldProblem;
use domain::evaluation::Status;
use domain::ids::{ClientId, ObjectId, SecretValue, TenantRef};
use domain::profile::{combined_requirements, Necessity, Profile};
use domain::{Action, Cloud};

fn profiles_of(ids: &str) -> Result<Vec<Profile>, AppError> {
    domain::profile::parse_list(ids)
        .map_err(|error| internal("stored profile list is not valid", error))
}

async fn log(backend: &Backend, link_id: &str, event: &str) -> Result<(), AppError> {
    sqlx::query("INSERT INTO onboarding_events (id, link_id, at, event) VALUES ($1, $2, $3, $4)")
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(link_id)
        .bind(timestamp(now()))
        .bind(event)
        .execute(&backend.pool)
        .await
        .map_err(db("could not log an onboarding event"))?;
    Ok(())
}

pub async fn create_link(
    backend: &Backend,
    scope: &OrgScope,
    tenant_id: &str,
    profiles: &str,
) -> Result<OnboardingCreated, AppError> {
    scope.permit(Action::ManageTenants)?;
    let chosen = domain::profile::parse_list(profiles)
        .map_err(|error| AppError::invalid("profiles", error))?;
    if chosen.is_empty() {
        return Err(AppError::invalid(
            "profiles",
            "Choose at least one product to set up.",
        ));
    }
    let owned: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT archived_at FROM customer_tenants WHERE id = $1 AND organisation_id = $2",
    )
    .bind(tenant_id)
    .bind(scope.organisation_id())
    .fetch_optional(&backend.pool)
    .await
    .map_err(db("could not load a customer tenant"))?;
    if owned.ok_or(AppError::NotFound)?.0.is_some() {
        return Err(AppError::Conflict(
            "Restore the tenant before sending it an onboarding link.".into(),
        ));
    }
    let token = tokens::new_token();
    let created = now();
    let expires = created + backend.onboarding_ttl;
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO onboarding_links (id, organisation_id, customer_tenant_id, profiles, token_digest, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(scope.organisation_id())
    .bind(tenant_id)
    .bind(chosen.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(","))
    .bind(tokens::digest(&token))
    .bind(scope.user_id())
    .bind(timestamp(created))
    .bind(timestamp(expires))
    .execute(&backend.pool)
    .await
    .map_err(db("could not create an onboarding link"))?;
    log(backend, &id, "created").await?;
    Ok(OnboardingCreated {
        link: backend.link(&format!("/onboard/{token}")),
        expires_at: timestamp(expires),
    })
}

#[derive(sqlx::FromRow)]
struct LinkListRow {
    id: String,
    profiles: String,
    created_at: String,
    expires_at: String,
    revoked_at: Option<String>,
    opened_at: Option<String>,
    completed_at: Option<String>,
    step_reached: i64,
}

pub async fn list_links(
    backend: &Backend,
    scope: &OrgScope,
    tenant_id: &str,
) -> Result<Vec<OnboardingLinkView>, AppError> {
    let rows: Vec<LinkListRow> = sqlx::query_as(
        "SELECT id, profiles, created_at, expires_at, revoked_at, opened_at, completed_at, step_reached
           FROM onboarding_links WHERE customer_tenant_id = $1 AND organisation_id = $2 ORDER BY created_at DESC",
    )
    .bind(tenant_id)
    .bind(scope.organisation_id())
    .fetch_all(&backend.pool)
    .await
    .map_err(db("could not list onboarding links"))?;
    let at = now();
    rows.into_iter()
        .map(|row| {
            let expired = parse_timestamp(&row.expires_at)? <= at;
            let state = if row.revoked_at.is_some() {
                "Revoked".to_owned()
            } else if row.completed_at.is_some() {
                "Completed".to_owned()
            } else if expired {
                "Expired".to_owned()
            } else if row.step_reached >= 6 {
                "Tested, not passing yet".to_owned()
            } else if row.step_reached > 0 {
                format!("Details saved (step {})", row.step_reached)
            } else if row.opened_at.is_some() {
                "Opened".to_owned()
            } else {
                "Sent".to_owned()
            };
            Ok(OnboardingLinkView {
                active: row.revoked_at.is_none() && row.completed_at.is_none() && !expired,
                id: row.id,
                profiles: profiles_of(&row.profiles)?
                    .into_iter()
                    .map(|p| p.name)
                    .collect(),
                created_at: row.created_at,
                expires_at: row.expires_at,
                state,
            })
        })
        .collect()
}

pub async fn revoke_link(
    backend: &Backend,
    scope: &OrgScope,
    link_id: &str,
) -> Result<(), AppError> {
    scope.permit(Action::ManageTenants)?;
    let revoked = sqlx::query(
        "UPDATE onboarding_links SET revoked_at = $1 WHERE id = $2 AND organisation_id = $3 AND revoked_at IS NULL",
    )
    .bind(timestamp(now()))
    .bind(link_id)
    .bind(scope.organisation_id())
    .execute(&backend.pool)
    .await
    .map_err(db("could not revoke an onboarding link"))?;
    if revoked.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    log(backend, link_id, "revoked").await
}

/// A live link, found only by its token: the customer's whole scope.
struct Link {
    id: String,
    organisation_id: String,
    customer_tenant_id: String,
    tenant_name: String,
    expected_tenant_id: Option<String>,
    cloud: Cloud,
    profiles: Vec<Profile>,
    created_by: String,
    opened: bool,
    completed: bool,
    saved: OnboardingForm,
    secret_sealed: Option<String>,
    secret_hint: Option<String>,
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
    entered_tenant_id: Option<String>,
    client_id: Option<String>,
    object_id: Option<String>,
    secret_sealed: Option<String>,
    secret_hint: Option<String>,
    secret_expires_at: Option<String>,
}

async fn by_token(backend: &Backend, token: &str) -> Result<Link, AppError> {
    let row: Option<LinkRow> = sqlx::query_as(
        "SELECT l.id, l.organisation_id, l.customer_tenant_id, t.display_name, t.entra_tenant_id, t.cloud,
                l.profiles, l.created_by, l.expires_at, l.revoked_at, l.opened_at, l.completed_at,
                l.entered_tenant_id, l.client_id, l.object_id, l.secret_sealed, l.secret_hint, l.secret_expires_at
           FROM onboarding_links l JOIN customer_tenants t ON t.id = l.customer_tenant_id AND t.organisation_id = l.organisation_id
          WHERE l.token_digest = $1",
    )
    .bind(tokens::digest(token))
    .fetch_optional(&backend.pool)
    .await
    .map_err(db("could not look up an onboarding link"))?;
    let gone = |why: &str| AppError::Gone(format!("{why} Ask your IT provider for a new link."));
    let row = row.ok_or_else(|| gone("This onboarding link is not valid."))?;
    if row.revoked_at.is_some() {
        return Err(gone("This onboarding link was withdrawn."));
    }
    if parse_timestamp(&row.expires_at)? <= now() {
        return Err(gone("This onboarding link has expired."));
    }
    Ok(Link {
        cloud: row
            .cloud
            .parse()
            .map_err(|e| internal("stored cloud is not known", e))?,
        profiles: profiles_of(&row.profiles)?,
        opened: row.opened_at.is_some(),
        completed: row.completed_at.is_some(),
        saved: OnboardingForm {
            tenant_id: row.entered_tenant_id.unwrap_or_default(),
            client_id: row.client_id.unwrap_or_default(),
            object_id: row.object_id.unwrap_or_default(),
            secret: String::new(),
            secret_expires: row
                .secret_expires_at
                .map(|at| at.chars().take(10).collect())
                .unwrap_or_default(),
        },
        id: row.id,
        organisation_id: row.organisation_id,
        customer_tenant_id: row.customer_tenant_id,
        tenant_name: row.display_name,
        expected_tenant_id: row.entra_tenant_id,
        created_by: row.created_by,
        secret_sealed: row.secret_sealed,
        secret_hint: row.secret_hint,
    })
}

fn view_of(link: &Link) -> OnboardingView {
    let app_name = link
        .profiles
        .first()
        .map(|p| p.suggested_app_name.clone())
        .unwrap_or_default();
    let requirements = combined_requirements(&link.profiles);
    let consent_tenant = link
        .expected_tenant_id
        .clone()
        .or_else(|| (!link.saved.tenant_id.is_empty()).then(|| link.saved.tenant_id.clone()));
    OnboardingView {
        tenant_name: link.tenant_name.clone(),
        cloud_label: link.cloud.label().to_owned(),
        portal_host: link.cloud.portal_host().to_owned(),
        suggested_app_name: link
            .profiles
            .first()
            .map(|p| p.suggested_app_name.clone())
            .unwrap_or_default(),
        profiles: link
            .profiles
            .iter()
            .map(|p| ProfileSteps {
                name: p.name.clone(),
                summary: p.summary.clone(),
                cautions: p.cautions.clone(),
            })
            .collect(),
        requirements: requirements
            .iter()
            .map(|r| RequirementView {
                permission: r.permission.clone(),
                kind: r.kind.label().to_owned(),
                optional: r.necessity == Necessity::Optional,
                reason: r.reason.clone(),
            })
            .collect(),
        needs_object_id: link.profiles.iter().any(|p| p.needs_object_id),
        consent_url: match (consent_tenant, link.saved.client_id.is_empty()) {
            (Some(tenant), false) => {
                Some(link.cloud.admin_consent_url(&tenant, &link.saved.client_id))
            }
            _ => None,
        },
        saved: link.saved.clone(),
        secret_hint: link.secret_hint.clone(),
        completed: link.completed,
        powershell: domain::setup_script::powershell(&link.profiles, &app_name, link.cloud),
        azure_cli: domain::setup_script::azure_cli(&link.profiles, &app_name, link.cloud),
    }
}

pub async fn open(backend: &Backend, token: &str) -> Result<OnboardingView, AppError> {
    let link = by_token(backend, token).await?;
    if !link.opened {
        sqlx::query(
            "UPDATE onboarding_links SET opened_at = $1 WHERE id = $2 AND opened_at IS NULL",
        )
        .bind(timestamp(now()))
        .bind(&link.id)
        .execute(&backend.pool)
        .await
        .map_err(db("could not mark a link opened"))?;
    }
    log(backend, &link.id, "opened").await?;
    Ok(view_of(&link))
}

/// Saves what the customer entered, all fields checked at once. An empty
/// secret keeps the one saved before.
pub async fn save(
    backend: &Backend,
    token: &str,
    form: &OnboardingForm,
) -> Result<OnboardingView, AppError> {
    let link = by_token(backend, token).await?;
    if link.completed {
        return Err(AppError::Conflict(
            "This registration is already complete.".into(),
        ));
    }
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(FieldProblem {
            field: field.into(),
            message,
        })
    };
    let tenant = match TenantRef::parse(&form.tenant_id) {
        Ok(TenantRef::Id(id)) => match &link.expected_tenant_id {
            Some(expected) if expected != &id => {
                problem("tenant_id", format!("This is not the tenant your IT provider has on file for {}. Check that you are signed in to the right tenant.", link.tenant_name));
                None
            }
            _ => Some(id),
        },
        _ => {
            problem("tenant_id", "Enter the Directory (tenant) ID from the app's Overview page, such as 01234567-89ab-cdef-0123-456789abcdef.".into());
            None
        }
    };
    let client_id = ClientId::parse(&form.client_id)
        .map_err(|e| problem("client_id", e.to_string()))
        .ok();
    let needs_object_id = link.profiles.iter().any(|p| p.needs_object_id);
    let object_id = match form.object_id.trim() {
        "" if needs_object_id => {
            problem(
                "object_id",
                "Enter the Object ID from the app's Overview page.".into(),
            );
            None
        }
        "" => None,
        raw => ObjectId::parse(raw)
            .map_err(|e| problem("object_id", e.to_string()))
            .ok(),
    };
    let secret = match form.secret.trim() {
        "" if link.secret_sealed.is_some() => None,
        "" => {
            problem("secret", "Enter the client secret's Value.".into());
            None
        }
        raw => match SecretValue::new(raw) {
            Ok(secret) if secret.looks_like_secret_id() => {
                problem("secret", "This looks like the secret's ID. Enter its Value, which Entra shows only once, right after you create the secret.".into());
                None
            }
            Ok(secret) => Some(secret),
            Err(_) => None,
        },
    };
    let expires = parse_date(&form.secret_expires);
    match expires {
        None => problem(
            "secret_expires",
            "Enter the expiry date shown next to the secret, as YYYY-MM-DD.".into(),
        ),
        Some(at) if at <= now() => problem(
            "secret_expires",
            "This secret has already expired. Create a new one.".into(),
        ),
        Some(_) => {}
    }
    if !problems.is_empty() {
        return Err(AppError::Fields(problems));
    }
    let sealed = secret
        .as_ref()
        .map(|secret| {
            backend.vault.seal(
                secret.expose().as_bytes(),
                &format!("onboarding_links:{}:secret", link.id),
            )
        })
        .or(link.secret_sealed.clone());
    let hint = secret
        .as_ref()
        .map(SecretValue::hint)
        .or(link.secret_hint.clone());
    sqlx::query(
        "UPDATE onboarding_links
            SET entered_tenant_id = $1, client_id = $2, object_id = $3, secret_sealed = $4, secret_hint = $5,
                secret_expires_at = $6, step_reached = 5
          WHERE id = $7",
    )
    .bind(tenant)
    .bind(client_id.as_ref().map(ClientId::as_str))
    .bind(object_id.as_ref().map(ObjectId::as_str))
    .bind(sealed)
    .bind(hint)
    .bind(expires.map(timestamp))
    .bind(&link.id)
    .execute(&backend.pool)
    .await
    .map_err(db("could not save onboarding progress"))?;
    log(backend, &link.id, "saved").await?;
    Ok(view_of(&by_token(backend, token).await?))
}

/// Tests the saved registration against Microsoft. When it passes, the
/// registration becomes active for the MSP and the link is complete.
pub async fn test(backend: &Backend, token: &str) -> Result<TestResult, AppError> {
    let link = by_token(backend, token).await?;
    let (Ok(client_id), Ok(tenant), Some(sealed)) = (
        ClientId::parse(&link.saved.client_id),
        TenantRef::parse(&link.saved.tenant_id),
        link.secret_sealed.as_ref(),
    ) else {
        return Err(AppError::Conflict(
            "Save the IDs and the client secret first.".into(),
        ));
    };
    let plain = backend
        .vault
        .open(sealed, &format!("onboarding_links:{}:secret", link.id))
        .map_err(|error| internal("a saved onboarding secret could not be opened", error))?;
    let secret = SecretValue::new(&String::from_utf8_lossy(&plain))
        .map_err(|error| internal("a saved secret is empty", error))?;
    let credential = entra::Credential::Secret(secret.clone());
    // A token cached before the customer granted consent still carries the old roles.
    backend
        .entra
        .invalidate(link.cloud, &tenant, &client_id, &credential);
    let expires = parse_date(&link.saved.secret_expires);
    let report = entra::verify(
        &backend.entra,
        &entra::VerifyRequest {
            cloud: link.cloud,
            tenant: &tenant,
            expected_tenant_id: link.expected_tenant_id.as_deref(),
            client_id: &client_id,
            credential: &credential,
            profiles: &link.profiles,
            secret_expires_at: expires.map(|at| at.unix_timestamp()),
            now: now().unix_timestamp(),
        },
    )
    .await;
    let verdict = report.verdict;
    let passed = matches!(verdict.status, Status::Healthy | Status::Warning);
    let status_text = verdict.status.as_str();
    sqlx::query("UPDATE onboarding_links SET last_status = $1, step_reached = 6 WHERE id = $2")
        .bind(status_text)
        .bind(&link.id)
        .execute(&backend.pool)
        .await
        .map_err(db("could not record a test result"))?;
    log(backend, &link.id, &format!("tested: {status_text}")).await?;
    if passed && !link.completed {
        let object_id = (!link.saved.object_id.is_empty())
            .then(|| ObjectId::parse(&link.saved.object_id))
            .transpose()
            .ok()
            .flatten();
        let registration_id = insert_with_secret(
            backend,
            NewSecretRegistration {
                organisation_id: &link.organisation_id,
                customer_tenant_id: &link.customer_tenant_id,
                profile_ids: &link
                    .profiles
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                client_id: &client_id,
                object_id: object_id.as_ref(),
                secret: &secret,
                expires_at: expires.unwrap_or_else(now),
                entered_by: &link.created_by,
            },
        )
        .await?;
        sqlx::query("UPDATE onboarding_links SET completed_at = $1, registration_id = $2, secret_sealed = NULL WHERE id = $3")
            .bind(timestamp(now()))
            .bind(&registration_id)
            .bind(&link.id)
            .execute(&backend.pool)
            .await
            .map_err(db("could not complete an onboarding link"))?;
        log(backend, &link.id, "completed").await?;
    }
    Ok(TestResult {
        status: verdict.status,
        permissions: verdict.permissions,
        extra_permissions: verdict.extra_permissions,
        findings: verdict.findings,
        completed: passed || link.completed,
    })
}
