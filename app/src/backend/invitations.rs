use crate::backend::origin::RequestOrigin;
use crate::backend::users::{self, NewUser};
use crate::backend::{audit, begin, db, tokens, Backend, Staff};
use crate::error::AppError;
use crate::ids::{InvitationId, OrganisationId};
use crate::model::{InvitationCreated, InvitationDetails, PendingInvitation};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::{Action, DisplayName, Email, Password, Role};

/// An admin invites a colleague by e-mail address with a role; the result is a
/// single-use link the admin passes on. Inviting the same address again
/// replaces the earlier link.
pub async fn create(ctx: &Staff, email: &Email, role: Role) -> Result<InvitationCreated, AppError> {
    let (backend, scope) = (&ctx.backend, &ctx.scope);
    scope.permit(Action::ManageStaff)?;
    if users::email_taken(&backend.pool, email).await? {
        return Err(AppError::invalid(
            "email",
            "Someone with this e-mail address already has an account.",
        ));
    }
    let token = tokens::new_token();
    let created_at = backend.now();
    let expires_at = Timestamp::of(created_at + backend.invitation_ttl);
    let created_at = Timestamp::of(created_at);
    let mut tx = begin(&backend.pool).await?;
    crate::execute_on!(
        &mut tx,
        sqlx::query(
            "DELETE FROM staff_invitations
          WHERE organisation_id = $1 AND email = $2 AND accepted_at IS NULL",
        )
        .bind(scope.organisation_id())
        .bind(email.as_str())
    )
    .map_err(db("could not replace an earlier invitation"))?;
    crate::execute_on!(
        &mut tx,
        sqlx::query(
            "INSERT INTO staff_invitations
            (id, organisation_id, email, role, token_digest, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(InvitationId::generate())
        .bind(scope.organisation_id())
        .bind(email.as_str())
        .bind(role.as_str())
        .bind(tokens::digest(&token))
        .bind(scope.user_id())
        .bind(&created_at)
        .bind(&expires_at)
    )
    .map_err(db("could not store an invitation"))?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::MemberInvited,
        email.as_str(),
        &format!("as {}", role.label()),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save an invitation"))?;
    Ok(InvitationCreated {
        email: email.to_string(),
        link: backend.link(&format!("/invite/{token}")),
        expires_at,
    })
}

pub async fn pending(ctx: &Staff) -> Result<Vec<PendingInvitation>, AppError> {
    let rows: Vec<(InvitationId, String, String, Timestamp)> =
        crate::on_db!(ctx.pool(), |c| sqlx::query_as(
            "SELECT i.id, i.email, i.role, i.expires_at FROM staff_invitations i
           JOIN users sender ON sender.id = i.invited_by
          WHERE i.organisation_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
            AND i.expires_at > $2 AND sender.disabled_at IS NULL AND sender.removed_at IS NULL
          ORDER BY i.email",
        )
        .bind(ctx.scope.organisation_id())
        .bind(Timestamp::of(ctx.now()))
        .fetch_all(c)
        .await)
        .map_err(db("could not list invitations"))?;
    rows.into_iter()
        .map(|(id, email, role, expires_at)| {
            Ok(PendingInvitation {
                id,
                email,
                role: users::parse_role(&role)?,
                expires_at,
            })
        })
        .collect()
}

/// An admin withdraws an invitation that has not been used yet.
pub async fn revoke(ctx: &Staff, id: &InvitationId) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageStaff)?;
    let mut tx = begin(ctx.pool()).await?;
    let email: Option<(String,)> = crate::on_db!(&mut tx, |c| sqlx::query_as(
        "UPDATE staff_invitations SET revoked_at = $1
          WHERE id = $2 AND organisation_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL
          RETURNING email",
    )
    .bind(Timestamp::of(ctx.now()))
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not withdraw an invitation"))?;
    let (email,) = email.ok_or(AppError::NotFound)?;
    audit::by_member(&mut tx, ctx, AuditAction::InvitationRevoked, &email, "").await?;
    tx.commit()
        .await
        .map_err(db("could not save a withdrawn invitation"))
}

pub fn not_valid() -> AppError {
    AppError::Gone(
        "This invitation link is not valid. Ask your administrator for a new one.".to_owned(),
    )
}

struct OpenInvitation {
    id: InvitationId,
    organisation_id: OrganisationId,
    organisation_name: String,
    email: Email,
    role: Role,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: InvitationId,
    organisation_id: OrganisationId,
    organisation_name: String,
    email: String,
    role: String,
    expires_at: Timestamp,
    accepted_at: Option<Timestamp>,
    revoked_at: Option<Timestamp>,
    /// Whether the admin who sent it may still sign in.
    sender_active: bool,
}

async fn open_invitation(backend: &Backend, token: &str) -> Result<OpenInvitation, AppError> {
    let row: Option<InvitationRow> = crate::on_db!(&backend.pool, |c| {
        sqlx::query_as(
        "SELECT i.id, i.organisation_id, o.name AS organisation_name, i.email, i.role, i.expires_at,
                i.accepted_at, i.revoked_at,
                (sender.disabled_at IS NULL AND sender.removed_at IS NULL) AS sender_active
           FROM staff_invitations i
           JOIN organisations o ON o.id = i.organisation_id
           JOIN users sender ON sender.id = i.invited_by
          WHERE i.token_digest = $1",
    )
    .bind(tokens::digest(token))
    .fetch_optional(c)
    .await
    })
    .map_err(db("could not look up an invitation"))?;

    let row = row.ok_or_else(not_valid)?;
    if row.accepted_at.is_some() {
        return Err(AppError::Gone(
            "This invitation has already been used. Sign in instead.".to_owned(),
        ));
    }
    if row.revoked_at.is_some() || !row.sender_active {
        return Err(AppError::Gone(
            "This invitation has been withdrawn. Ask your administrator for a new one.".to_owned(),
        ));
    }
    if row.expires_at.instant() <= backend.now() {
        return Err(AppError::Gone(
            "This invitation has expired. Ask your administrator for a new one.".to_owned(),
        ));
    }
    Ok(OpenInvitation {
        email: Email::parse(&row.email).map_err(|_| not_valid())?,
        role: users::parse_role(&row.role)?,
        id: row.id,
        organisation_id: row.organisation_id,
        organisation_name: row.organisation_name,
    })
}

pub async fn preview(backend: &Backend, token: &str) -> Result<InvitationDetails, AppError> {
    let invitation = open_invitation(backend, token).await?;
    Ok(InvitationDetails {
        organisation_name: invitation.organisation_name,
        email: invitation.email.to_string(),
        role: invitation.role,
    })
}

pub async fn accept(
    backend: &Backend,
    token: &str,
    display_name: &DisplayName,
    password: &Password,
    origin: &RequestOrigin,
) -> Result<(), AppError> {
    backend.sign_in.admit_client(origin)?;
    let invitation = open_invitation(backend, token).await?;
    let password_hash = backend.passwords.hash(password).await?;
    let now = Timestamp::of(backend.now());
    let mut tx = begin(&backend.pool).await?;
    let claimed =
        crate::execute_on!(&mut tx, sqlx::query(
        "UPDATE staff_invitations SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL",
    )
    .bind(&now)
    .bind(&invitation.id))
        .map_err(db("could not claim an invitation"))?;
    if claimed.rows_affected() != 1 {
        return Err(AppError::Gone(
            "This invitation has already been used. Sign in instead.".to_owned(),
        ));
    }
    let user_id = users::insert(
        &mut tx,
        NewUser {
            organisation_id: &invitation.organisation_id,
            email: &invitation.email,
            display_name,
            password_hash: &password_hash,
            role: invitation.role,
        },
        &now,
    )
    .await?;
    audit::record(
        &mut tx,
        audit::Event {
            organisation_id: &invitation.organisation_id,
            actor_user_id: Some(&user_id),
            actor: invitation.email.as_str(),
            action: AuditAction::MemberJoined,
            target: invitation.email.as_str(),
            detail: &format!("as {}", invitation.role.label()),
            origin,
            at: backend.now(),
        },
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save the new account"))
}
