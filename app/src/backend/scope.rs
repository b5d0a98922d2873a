use crate::backend::context::session;
use crate::backend::{auth, users, Backend};
use crate::error::AppError;
use crate::ids::{OrganisationId, UserId};
use domain::{Action, Role};

/// Proof that the caller is a signed-in member of one organisation. Every
/// query for organisation data takes a scope (or an ownership proof made
/// with one, such as `OwnedTenant`) and filters by its organisation; the
/// only way to get one is `OrgScope::of_caller`, which checks the session
/// against the members table on every request.
#[derive(Debug, Clone)]
pub struct OrgScope {
    user_id: UserId,
    organisation_id: OrganisationId,
    role: Role,
}

pub const USER_ID_KEY: &str = "user_id";

impl OrgScope {
    pub async fn of_caller(backend: &Backend) -> Result<Self, AppError> {
        Self::of_session(backend, &session().await?).await
    }

    /// The same check for a plain HTTP handler that has the session itself
    /// (a file download).
    pub async fn of_session(
        backend: &Backend,
        session: &tower_sessions::Session,
    ) -> Result<Self, AppError> {
        let user_id = auth::signed_in_user(backend, session)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let member = users::membership(&backend.pool, &user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(Self {
            user_id,
            organisation_id: member.organisation_id,
            role: member.role,
        })
    }

    /// For an operator at the server's command line, who may act for any
    /// organisation: the scope of the organisation named `name`, acting as
    /// its longest-serving admin (who is recorded as the author).
    pub async fn operator_of(backend: &Backend, name: &str) -> Result<Self, AppError> {
        let found: Option<(UserId, OrganisationId)> = sqlx::query_as(
            "SELECT u.id, u.organisation_id FROM users u JOIN organisations o ON o.id = u.organisation_id
              WHERE o.name = $1 AND u.role = 'admin'
              ORDER BY u.created_at, u.id LIMIT 1",
        )
        .bind(name.trim())
        .fetch_optional(&backend.pool)
        .await
        .map_err(crate::backend::db("could not find an organisation"))?;
        let (user_id, organisation_id) = found.ok_or(AppError::NotFound)?;
        Ok(Self {
            user_id,
            organisation_id,
            role: Role::Admin,
        })
    }

    /// Refuses, on the server, anything the caller's role does not allow.
    pub fn permit(&self, action: Action) -> Result<(), AppError> {
        if self.role.may(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn may(&self, action: Action) -> bool {
        self.role.may(action)
    }

    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    pub fn organisation_id(&self) -> &OrganisationId {
        &self.organisation_id
    }

    pub fn role(&self) -> Role {
        self.role
    }
}
