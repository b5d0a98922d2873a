//! Staff accounts: the `users` table. Sign-in and session look-ups are the
//! only unscoped reads; everything else takes the caller's `OrgScope`.

use crate::backend::{begin, db, internal, is_unique_violation, OrgScope, Staff};
use crate::error::AppError;
use crate::ids::{OrganisationId, UserId};
use crate::model::{SignedInUser, StaffMember};
use crate::timestamp::Timestamp;
use domain::{Action, DisplayName, Email, Role};
use sqlx::{Sqlite, SqlitePool, Transaction};

pub struct Membership {
    pub organisation_id: OrganisationId,
    pub role: Role,
}

pub fn parse_role(stored: &str) -> Result<Role, AppError> {
    stored
        .parse()
        .map_err(|error| internal("stored role is not a known role", error))
}

#[derive(sqlx::FromRow)]
pub struct StoredCredentials {
    pub id: UserId,
    pub password_hash: String,
}

/// Unscoped on purpose: sign-in happens before anyone has a scope.
pub async fn credentials(
    pool: &SqlitePool,
    email: &Email,
) -> Result<Option<StoredCredentials>, AppError> {
    sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(pool)
        .await
        .map_err(db("could not look up an account"))
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    organisation_id: OrganisationId,
    role: String,
}

/// Used only to build a scope from a session.
pub async fn membership(
    pool: &SqlitePool,
    user_id: &UserId,
) -> Result<Option<Membership>, AppError> {
    let row: Option<MembershipRow> =
        sqlx::query_as("SELECT organisation_id, role FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
            .map_err(db("could not load a membership"))?;
    row.map(|row| {
        Ok(Membership {
            organisation_id: row.organisation_id,
            role: parse_role(&row.role)?,
        })
    })
    .transpose()
}

#[derive(sqlx::FromRow)]
struct CurrentRow {
    display_name: String,
    email: String,
    role: String,
    organisation_name: String,
}

pub async fn current(ctx: &Staff) -> Result<SignedInUser, AppError> {
    let row: CurrentRow = sqlx::query_as(
        "SELECT u.display_name, u.email, u.role, o.name AS organisation_name
           FROM users u JOIN organisations o ON o.id = u.organisation_id
          WHERE u.id = $1 AND u.organisation_id = $2",
    )
    .bind(ctx.scope.user_id())
    .bind(ctx.scope.organisation_id())
    .fetch_one(ctx.pool())
    .await
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
}

pub async fn list(ctx: &Staff) -> Result<Vec<StaffMember>, AppError> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT id, display_name, email, role FROM users
          WHERE organisation_id = $1 ORDER BY display_name, email",
    )
    .bind(ctx.scope.organisation_id())
    .fetch_all(ctx.pool())
    .await
    .map_err(db("could not list staff"))?;
    rows.into_iter()
        .map(|row| {
            Ok(StaffMember {
                is_you: &row.id == ctx.scope.user_id(),
                id: row.id,
                display_name: row.display_name,
                email: row.email,
                role: parse_role(&row.role)?,
            })
        })
        .collect()
}

pub async fn email_taken(pool: &SqlitePool, email: &Email) -> Result<bool, AppError> {
    let found: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(pool)
        .await
        .map_err(db("could not check an e-mail address"))?;
    Ok(found.is_some())
}

pub struct NewUser<'a> {
    pub organisation_id: &'a OrganisationId,
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub password_hash: &'a str,
    pub role: Role,
}

/// Adds an account; the unique index on `email` refuses a second one.
pub async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    user: NewUser<'_>,
    at: &Timestamp,
) -> Result<UserId, AppError> {
    let id = UserId::generate();
    let inserted = sqlx::query(
        "INSERT INTO users (id, organisation_id, email, display_name, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(user.organisation_id)
    .bind(user.email.as_str())
    .bind(user.display_name.as_str())
    .bind(user.password_hash)
    .bind(user.role.as_str())
    .bind(at)
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => Ok(id),
        Err(error) if is_unique_violation(&error) => Err(AppError::invalid(
            "email",
            "An account with this e-mail address already exists.",
        )),
        Err(error) => Err(internal("could not create an account", error)),
    }
}

/// Changes a colleague's role within the caller's organisation. The last
/// admin cannot be demoted: an organisation without one could never manage
/// its staff again.
pub async fn set_role(ctx: &Staff, user_id: &UserId, role: Role) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageStaff)?;
    let scope: &OrgScope = &ctx.scope;
    let mut tx = begin(ctx.pool()).await?;
    let current: Option<(String,)> =
        sqlx::query_as("SELECT role FROM users WHERE id = $1 AND organisation_id = $2")
            .bind(user_id)
            .bind(scope.organisation_id())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("could not load a colleague"))?;
    let current = parse_role(&current.ok_or(AppError::NotFound)?.0)?;
    if current == Role::Admin && role != Role::Admin {
        let (admins,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM users WHERE organisation_id = $1 AND role = 'admin'",
        )
        .bind(scope.organisation_id())
        .fetch_one(&mut *tx)
        .await
        .map_err(db("could not count admins"))?;
        if admins <= 1 {
            return Err(AppError::Conflict(
                "This is the organisation's only admin. Make someone else an admin first."
                    .to_owned(),
            ));
        }
    }
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2 AND organisation_id = $3")
        .bind(role.as_str())
        .bind(user_id)
        .bind(scope.organisation_id())
        .execute(&mut *tx)
        .await
        .map_err(db("could not change a role"))?;
    tx.commit()
        .await
        .map_err(db("could not save a role change"))
}
