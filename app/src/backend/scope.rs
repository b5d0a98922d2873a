use crate::backend::context::session;
use crate::backend::{auth, Backend};
use crate::error::AppError;
use crate::ids::{OrganisationId, StaffSessionId, UserId};
use domain::{Action, Role};

/// Proof that the caller is a signed-in member of one organisation. Every
/// query for organisation data takes a scope (or an ownership proof made
/// with one, such as `OwnedTenant`) and filters by its organisation; the
/// only way to get one is `OrgScope::of_caller`, which checks the session
/// against its sign-in row and the members table once in every request.
#[derive(Debug, Clone)]
pub struct OrgScope {
    user_id: UserId,
    organisation_id: OrganisationId,
    role: Role,
    email: String,
    /// The sign-in this request belongs to; None at the command line.
    session_id: Option<StaffSessionId>,
}

pub const USER_ID_KEY: &str = "user_id";
pub const STAFF_SESSION_KEY: &str = "staff_session";

impl OrgScope {
    pub async fn of_caller(backend: &Backend) -> Result<Self, AppError> {
        // A page's request was checked by the guard in front of it; the
        // server functions it renders with need not check it again.
        // Read in place: the request's parts (every header) are not copied.
        let checked = leptos::prelude::with_context::<axum::http::request::Parts, _>(|parts| {
            parts.extensions.get::<auth::SignedIn>().cloned()
        })
        .flatten();
        match checked {
            Some(signed_in) => Ok(Self::signed_in(signed_in)),
            None => Self::of_session(backend, &session().await?).await,
        }
    }

    /// The same check for a plain HTTP handler that has the session itself
    /// (a file download).
    pub async fn of_session(
        backend: &Backend,
        session: &tower_sessions::Session,
    ) -> Result<Self, AppError> {
        let signed_in = auth::signed_in(backend, session)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(Self::signed_in(signed_in))
    }

    fn signed_in(signed_in: auth::SignedIn) -> Self {
        Self {
            user_id: signed_in.user_id,
            organisation_id: signed_in.member.organisation_id,
            role: signed_in.member.role,
            email: signed_in.member.email,
            session_id: Some(signed_in.session_id),
        }
    }

    /// For an operator at the server's command line, who may act for any
    /// organisation: the scope of the organisation named `name`, acting as
    /// its longest-serving admin (who is recorded as the author).
    pub async fn operator_of(backend: &Backend, name: &str) -> Result<Self, AppError> {
        let found: Option<(UserId, OrganisationId, String)> = crate::on_db!(&backend.pool, |c| sqlx::query_as(
            "SELECT u.id, u.organisation_id, u.email FROM users u JOIN organisations o ON o.id = u.organisation_id
              WHERE o.name = $1 AND u.role = 'admin' AND u.removed_at IS NULL
              ORDER BY u.created_at, u.id LIMIT 1",
        )
        .bind(name.trim())
        .fetch_optional(c)
        .await)
        .map_err(crate::backend::db("could not find an organisation"))?;
        let (user_id, organisation_id, email) = found.ok_or(AppError::NotFound)?;
        Ok(Self {
            user_id,
            organisation_id,
            role: Role::Admin,
            email,
            session_id: None,
        })
    }

    /// A request made with an organisation API token: it acts for the
    /// admin who made it, with no more than a technician's rights (a
    /// viewer's when it may only read). `label` names the token in the
    /// audit trail.
    pub(in crate::backend) fn of_api_token(
        creator: UserId,
        organisation_id: OrganisationId,
        changes_anything: bool,
        label: String,
    ) -> Self {
        Self {
            user_id: creator,
            organisation_id,
            role: if changes_anything {
                Role::Technician
            } else {
                Role::Viewer
            },
            email: label,
            session_id: None,
        }
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

    /// How the member reads in the audit trail.
    pub fn email(&self) -> &str {
        &self.email
    }

    pub fn session_id(&self) -> Option<&StaffSessionId> {
        self.session_id.as_ref()
    }
}
