//! Changing a registration from its page: the products it serves (the
//! required permissions become their union), its credential (renewal, with
//! the same policy checks as intake; the old material is overwritten), and
//! archiving (kept, no longer checked). After a change that affects the
//! verdict a check runs at once.

use super::StoredCredential;
use crate::backend::checks::requests::check_now;
use crate::backend::credentials;
use crate::backend::db::Tx;
use crate::backend::{audit, begin, db, Staff};
use crate::error::AppError;
use crate::ids::RegistrationId;
use crate::model::{CredentialForm, ProfilesForm};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::evaluation::Status;
use domain::form::Problems;
use domain::registration::{parse_ids, parse_products};
use domain::Action;

#[derive(sqlx::FromRow)]
struct Current {
    client_id: String,
    object_id: Option<String>,
    archived_at: Option<Timestamp>,
}

async fn current(ctx: &Staff, id: &RegistrationId) -> Result<Current, AppError> {
    let row: Option<Current> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT client_id, object_id, archived_at FROM registrations WHERE id = $1 AND organisation_id = $2",
    )
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not read a registration"))?;
    let row = row.ok_or(AppError::NotFound)?;
    if row.archived_at.is_some() {
        return Err(AppError::Conflict(
            "This registration is archived; restore it before changing it.".into(),
        ));
    }
    Ok(row)
}

/// Checks at once after a change. When a check is already running, the
/// registration is made due so the next one sees the change; the change
/// itself is saved either way.
async fn recheck(ctx: &Staff, id: &RegistrationId) -> Result<Option<Status>, AppError> {
    match check_now(ctx, id).await {
        Ok(status) => Ok(Some(status)),
        Err(AppError::Conflict(_)) => {
            crate::execute_on!(ctx.pool(), sqlx::query("UPDATE registrations SET next_check_at = $1 WHERE id = $2 AND organisation_id = $3")
                .bind(Timestamp::of(ctx.now()))
                .bind(id)
                .bind(ctx.scope.organisation_id()))
                .map_err(db("could not make a registration due"))?;
            ctx.backend.watch.wake.notify_one();
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

pub async fn change_profiles(
    ctx: &Staff,
    id: &RegistrationId,
    form: &ProfilesForm,
) -> Result<Option<Status>, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let current = current(ctx, id).await?;
    let mut problems = Problems::default();
    let profiles = parse_products(&form.profiles, &mut problems);
    let object_id = match form.object_id.trim() {
        "" => current.object_id.clone().unwrap_or_default(),
        entered => entered.to_owned(),
    };
    let ids = parse_ids(
        &current.client_id,
        &object_id,
        profiles.as_deref().unwrap_or_default(),
        &mut problems,
    );
    let (profiles, ids) = problems
        .finish(profiles.zip(ids))
        .map_err(AppError::Invalid)?;
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(&mut tx, sqlx::query(
        // A check running with the old products loses its claim, so the
        // one below runs at once with the new.
        "UPDATE registrations SET profiles = $1, object_id = $2, lease_claim = NULL, lease_until = NULL
          WHERE id = $3 AND organisation_id = $4",
    )
    .bind(domain::profile::list_ids(&profiles))
    .bind(ids.object_id.as_ref().map(|o| o.as_str()))
    .bind(id)
    .bind(ctx.scope.organisation_id()))
    .map_err(db("could not change a registration's products"))?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::RegistrationEdited,
        &current.client_id,
        &domain::profile::list_ids(&profiles),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a registration's products"))?;
    recheck(ctx, id).await
}

pub async fn replace_credential(
    ctx: &Staff,
    id: &RegistrationId,
    form: &CredentialForm,
) -> Result<Option<Status>, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let client_id = current(ctx, id).await?.client_id;
    let intake = credentials::intake(&ctx.backend.heavy, form, ctx.now())
        .await?
        .map_err(AppError::Invalid)?;
    let stored = StoredCredential::sealed_for(&ctx.backend, id, &intake);
    let mut tx = begin(ctx.pool()).await?;
    let replaced = store_credential(
        &mut tx,
        ctx.scope.organisation_id(),
        id,
        &stored,
        ctx.scope.user_id(),
        &Timestamp::of(ctx.now()),
    )
    .await?;
    if !replaced {
        return Err(AppError::NotFound);
    }
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::CredentialReplaced,
        &client_id,
        stored.kind,
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not replace a credential"))?;
    recheck(ctx, id).await
}

/// Puts `stored` in place of the registration's credential (a pending
/// certificate is dropped, and any claim released, so the next check uses
/// the new one); false when no such active registration exists.
pub(crate) async fn store_credential(
    tx: &mut Tx,
    organisation: &crate::ids::OrganisationId,
    id: &RegistrationId,
    stored: &StoredCredential,
    entered_by: &crate::ids::UserId,
    at: &Timestamp,
) -> Result<bool, AppError> {
    let replaced = crate::execute_on!(&mut *tx, sqlx::query(
        "UPDATE registrations
            SET credential_kind = $1, secret_sealed = $2, secret_hint = $3, certificate_thumbprint = $4,
                certificate_subject = $5, certificate_der = $6, credential_expires_at = $7,
                entered_by = $8, entered_at = $9, lease_claim = NULL, lease_until = NULL,
                pending_key_sealed = NULL, pending_certificate_der = NULL, pending_thumbprint = NULL,
                pending_expires_at = NULL
          WHERE id = $10 AND organisation_id = $11 AND archived_at IS NULL",
    )
    .bind(stored.kind)
    .bind(&stored.sealed)
    .bind(&stored.hint)
    .bind(&stored.thumbprint)
    .bind(&stored.subject)
    .bind(&stored.der)
    .bind(&stored.expires_at)
    .bind(entered_by)
    .bind(at)
    .bind(id)
    .bind(organisation))
    .map_err(db("could not replace a credential"))?;
    Ok(replaced.rows_affected() == 1)
}

/// Archives (kept, no longer checked) or restores (due at once).
pub async fn set_archived(
    ctx: &Staff,
    id: &RegistrationId,
    archived: bool,
) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let now = Timestamp::of(ctx.now());
    let mut tx = begin(ctx.pool()).await?;
    let changed: Option<(String,)> = crate::on_db!(&mut tx, |c| sqlx::query_as(
        "UPDATE registrations
            SET archived_at = CASE WHEN $1 THEN $2 ELSE NULL END,
                next_check_at = CASE WHEN $1 THEN next_check_at ELSE $2 END
          WHERE id = $3 AND organisation_id = $4
          RETURNING client_id",
    )
    .bind(archived)
    .bind(&now)
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not archive a registration"))?;
    let (client_id,) = changed.ok_or(AppError::NotFound)?;
    let detail = if archived { "archived" } else { "restored" };
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::RegistrationArchived,
        &client_id,
        detail,
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save an archived registration"))?;
    if !archived {
        ctx.backend.watch.wake.notify_one();
    }
    Ok(())
}
