use crate::backend::{db, internal, now, timestamp, OrgScope};
use crate::error::AppError;
use crate::model::{SignedInUser, StaffMember};
use domain::{Action, DisplayName, Email, Role};
use sqlx::{Sqlite, SqliteExecutor, SqlitePool, Transaction};

pub struct Membership {
    pub organisation_id: String,
    pub role: Role,
}

pub fn parse_role(stored: &str) -> Result<Role, AppError> {
    stored
        .parse()
        .map_err(|error| internal("stored role is not a known role", error))
}

/// Unscoped on purpose: sign-in happens before anyone has a scope.
pub async fn credentials(
    pool: &SqlitePool,
    email: &Email,
) -> Result<Option<(String, String)>, AppError> {
    sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(pool)
        .await
        .map_err(db("could not look up an account"))
}

/// Used only to build a scope from a session.
pub async fn membership(pool: &SqlitePool, user_id: &str) -> Result<Option<Membership>, AppError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT organisation_id, role FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
            .map_err(db("could not load a membership"))?;
    row.map(|(organisation_id, role)| {
        Ok(Membership {
            organisation_id,
            role: parse_role(&role)?,
        })
    })
    .transpose()
}

pub async fn current(pool: &SqlitePool, scope: &OrgScope) -> Result<SignedInUser, AppError> {
    let (display_name, email, role, organisation_name): (String, String, String, String) =
        sqlx::query_as(
            "SELECT u.display_name, u.email, u.role, o.name
               FROM users u JOIN organisations o ON o.id = u.organisation_id
              WHERE u.id = $1 AND u.organisation_id = $2",
        )
        .bind(scope.user_id())
        .bind(scope.organisation_id())
        .fetch_one(pool)
        .await
        .map_err(db("could not load the signed-in user"))?;
    Ok(SignedInUser {
        display_name,
        email,
        role: parse_role(&role)?,
        organisation_name,
    })
}

pub async fn list(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<StaffMember>, AppError> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, display_name, email, role FROM users
          WHERE organisation_id = $1 ORDER BY display_name, email",
    )
    .bind(scope.organisation_id())
    .fetch_all(pool)
    .await
    .map_err(db("could not list staff"))?;
    rows.into_iter()
        .map(|(id, display_name, email, role)| {
            Ok(StaffMember {
                is_you: id == scope.user_id(),
                id,
                display_name,
                email,
                role: parse_role(&role)?,
            })
        })
        .collect()
}

pub async fn email_taken<'e>(
    executor: impl SqliteExecutor<'e>,
    email: &Email,
) -> Result<bool, AppError> {
    let found: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(executor)
        .await
        .map_err(db("could not check an e-mail address"))?;
    Ok(found.is_some())
}

pub struct NewUser<'a> {
    pub organisation_id: &'a str,
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub password_hash: &'a str,
    pub role: Role,
}

pub async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    user: NewUser<'_>,
) -> Result<String, AppError> {
    if email_taken(&mut **tx, user.email).await? {
        return Err(AppError::invalid(
            "email",
            "An account with this e-mail address already exists.",
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO users (id, organisation_id, email, display_name, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(user.organisation_id)
    .bind(user.email.as_str())
    .bind(user.display_name.as_str())
    .bind(user.password_hash)
    .bind(user.role.as_str())
    .bind(timestamp(now()))
    .execute(&mut **tx)
    .await
    .map_err(db("could not create an account"))?;
    Ok(id)
}

/// Changes a colleague's role within the caller's organisation. The last
/// admin cannot be demoted: an organisation without one could never manage
/// its staff again.
pub async fn set_role(
    pool: &SqlitePool,
    scope: &OrgScope,
    user_id: &str,
    role: Role,
) -> Result<(), AppError> {
    scope.permit(Action::ManageStaff)?;
    let mut tx = pool
        .begin()
        .await
        .map_err(db("could not start a transaction"))?;
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
