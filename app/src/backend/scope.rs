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
        let session = session().await?;
        let user_id = auth::signed_in_user(backend, &session)
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
