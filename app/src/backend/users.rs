//! Staff accounts: the `users` table. Sign-in and session look-ups are the
//! only unscoped reads; everything else takes the caller's `OrgScope`.

use crate::backend::db::{Db, Tx};
use crate::backend::{audit, begin, db, internal, is_unique_violation, OrgScope, Staff};
use crate::error::AppError;
use crate::ids::{OrganisationId, UserId};
use crate::model::{SignedInUser, StaffMember};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::{Action, DisplayName, Email, Role};

#[derive(Clone)]
pub struct Membership {
    pub organisation_id: OrganisationId,
    pub role: Role,
    pub email: String,
}

pub fn parse_role(stored: &str) -> Result<Role, AppError> {
    stored
        .parse()
        .map_err(|error| internal("stored role is not a known role", error))
}

#[derive(sqlx::FromRow)]
pub struct StoredCredentials {
    pub id: UserId,
    pub organisation_id: OrganisationId,
    pub email: String,
    pub password_hash: String,
    pub disabled_at: Option<Timestamp>,
}

/// A member half-way through signing in (password given, code not yet),
/// by id; removed members are not found.
pub async fn credentials_by_id(
    pool: &Db,
    user_id: &UserId,
) -> Result<Option<StoredCredentials>, AppError> {
    crate::on_db!(pool, |c| sqlx::query_as(
        "SELECT id, organisation_id, email, password_hash, disabled_at FROM users
          WHERE id = $1 AND removed_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(c)
    .await)
    .map_err(db("could not look up an account"))
}

/// Unscoped on purpose: sign-in happens before anyone has a scope. A
/// removed member has no credentials any more.
pub async fn credentials(pool: &Db, email: &Email) -> Result<Option<StoredCredentials>, AppError> {
    crate::on_db!(pool, |c| sqlx::query_as(
        "SELECT id, organisation_id, email, password_hash, disabled_at FROM users
          WHERE email = $1 AND removed_at IS NULL",
    )
    .bind(email.as_str())
    .fetch_optional(c)
    .await)
    .map_err(db("could not look up an account"))
}

#[derive(sqlx::FromRow)]
struct CurrentRow {
    display_name: String,
    email: String,
    role: String,
    organisation_name: String,
}

pub async fn current(ctx: &Staff) -> Result<SignedInUser, AppError> {
    let row: CurrentRow = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT u.display_name, u.email, u.role, o.name AS organisation_name
           FROM users u JOIN organisations o ON o.id = u.organisation_id
          WHERE u.id = $1 AND u.organisation_id = $2",
    )
    .bind(ctx.scope.user_id())
    .bind(ctx.scope.organisation_id())
    .fetch_one(c)
    .await)
    .map_err(db("could not load the signed-in user"))?;
    Ok(SignedInUser {
        display_name: row.display_name,
        email: row.email,
        role: parse_role(&row.role)?,
        organisation_name: row.organisation_name,
    })
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: UserId,
    display_name: String,
    email: String,
    role: String,
    disabled_at: Option<Timestamp>,
    mfa: bool,
}

pub async fn list(ctx: &Staff) -> Result<Vec<StaffMember>, AppError> {
    let rows: Vec<MemberRow> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT id, display_name, email, role, disabled_at, secret_sealed IS NOT NULL AS mfa FROM users
          WHERE organisation_id = $1 AND removed_at IS NULL ORDER BY display_name, email",
    )
    .bind(ctx.scope.organisation_id())
    .fetch_all(c)
    .await)
    .map_err(db("could not list staff"))?;
    rows.into_iter()
        .map(|row| {
            Ok(StaffMember {
                is_you: &row.id == ctx.scope.user_id(),
                id: row.id,
                display_name: row.display_name,
                email: row.email,
                role: parse_role(&row.role)?,
                disabled: row.disabled_at.is_some(),
                mfa: row.mfa,
            })
        })
        .collect()
}

pub async fn email_taken(pool: &Db, email: &Email) -> Result<bool, AppError> {
    crate::on_db!(pool, |c| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)"
    )
    .bind(email.as_str())
    .fetch_one(c)
    .await)
    .map_err(db("could not check an e-mail address"))
}

pub struct NewUser<'a> {
    pub organisation_id: &'a OrganisationId,
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub password_hash: &'a str,
    pub role: Role,
}

/// Adds an account; the unique index on `email` refuses a second one.
pub async fn insert(tx: &mut Tx, user: NewUser<'_>, at: &Timestamp) -> Result<UserId, AppError> {
    let id = UserId::generate();
    let inserted = crate::execute_on!(&mut *tx, sqlx::query(
        "INSERT INTO users (id, organisation_id, email, display_name, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(user.organisation_id)
    .bind(user.email.as_str())
    .bind(user.display_name.as_str())
    .bind(user.password_hash)
    .bind(user.role.as_str())
    .bind(at));
    match inserted {
        Ok(_) => Ok(id),
        Err(error) if is_unique_violation(&error) => Err(AppError::invalid(
            "email",
            "An account with this e-mail address already exists.",
        )),
        Err(error) => Err(internal("could not create an account", error)),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ColleagueRow {
    pub email: String,
    pub role: String,
    pub disabled_at: Option<Timestamp>,
}

/// A member of the caller's organisation (not removed), read inside `tx`.
pub(crate) async fn colleague(
    tx: &mut Tx,
    scope: &OrgScope,
    user_id: &UserId,
) -> Result<ColleagueRow, AppError> {
    crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT email, role, disabled_at FROM users
          WHERE id = $1 AND organisation_id = $2 AND removed_at IS NULL",
    )
    .bind(user_id)
    .bind(scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not load a colleague"))?
    .ok_or(AppError::NotFound)
}

/// Refuses a change that would leave the organisation without an active
/// admin: nobody could manage its staff again.
pub(crate) async fn keep_an_active_admin(
    tx: &mut Tx,
    scope: &OrgScope,
    colleague: &ColleagueRow,
) -> Result<(), AppError> {
    if parse_role(&colleague.role)? != Role::Admin || colleague.disabled_at.is_some() {
        return Ok(());
    }
    let (admins,): (i64,) = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM users
          WHERE organisation_id = $1 AND role = 'admin'
            AND disabled_at IS NULL AND removed_at IS NULL",
    )
    .bind(scope.organisation_id())
    .fetch_one(c)
    .await)
    .map_err(db("could not count admins"))?;
    if admins <= 1 {
        return Err(AppError::Conflict(
            "This is the organisation's only active admin. Make someone else an admin first."
                .to_owned(),
        ));
    }
    Ok(())
}

/// Changes a colleague's role within the caller's organisation.
pub async fn set_role(ctx: &Staff, user_id: &UserId, role: Role) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageStaff)?;
    let scope: &OrgScope = &ctx.scope;
    let mut tx = begin(ctx.pool()).await?;
    let colleague = colleague(&mut tx, scope, user_id).await?;
    let before = parse_role(&colleague.role)?;
    if before == role {
        return Ok(());
    }
    if role != Role::Admin {
        keep_an_active_admin(&mut tx, scope, &colleague).await?;
    }
    crate::execute_on!(
        &mut tx,
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2 AND organisation_id = $3")
            .bind(role.as_str())
            .bind(user_id)
            .bind(scope.organisation_id())
    )
    .map_err(db("could not change a role"))?;
    let mut detail = format!("{} → {}", before.label(), role.label());
    if before == Role::Admin {
        let revoked = crate::backend::api_tokens::revoke_all_of(
            &mut tx,
            scope.organisation_id(),
            user_id,
            scope.user_id(),
            ctx.now(),
        )
        .await?;
        detail.push_str(&format!("; {revoked} API tokens revoked"));
    }
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::RoleChanged,
        &colleague.email,
        &detail,
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save a role change"))
}
