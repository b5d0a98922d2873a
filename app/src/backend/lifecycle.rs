//! An admin disables, enables or removes a colleague. Disabling or removing
//! ends the colleague's sessions in the same transaction (the next request
//! from any of their browsers is signed out) and the invitations they sent
//! stop working, since an invitation is only as good as its sender. A
//! removed member's row stays, for what it created and the audit trail.

use crate::backend::users::{colleague, keep_an_active_admin};
use crate::backend::{audit, begin, db, sessions, Staff};
use crate::error::AppError;
use crate::ids::UserId;
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Disable,
    Enable,
    Remove,
}

impl Standing {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text {
            "disable" => Ok(Standing::Disable),
            "enable" => Ok(Standing::Enable),
            "remove" => Ok(Standing::Remove),
            _ => Err(AppError::invalid(
                "change",
                "Choose to disable, enable or remove the member.",
            )),
        }
    }
}

pub async fn change(ctx: &Staff, user_id: &UserId, standing: Standing) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageStaff)?;
    if user_id == ctx.scope.user_id() && standing != Standing::Enable {
        return Err(AppError::Conflict(
            "You cannot disable or remove your own account; ask another admin.".to_owned(),
        ));
    }
    let now = ctx.now();
    let mut tx = begin(ctx.pool()).await?;
    let member = colleague(&mut tx, &ctx.scope, user_id).await?;
    if standing != Standing::Enable {
        keep_an_active_admin(&mut tx, &ctx.scope, &member).await?;
    }
    let (statement, action) = match standing {
        Standing::Disable => (
            "UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2 AND organisation_id = $3",
            AuditAction::MemberDisabled,
        ),
        Standing::Enable => (
            "UPDATE users SET disabled_at = NULL WHERE id = $2 AND organisation_id = $3 AND $1 IS NOT NULL",
            AuditAction::MemberEnabled,
        ),
        // The address is set free (the row keeps it, marked), so the
        // person can be invited again later as a new member.
        Standing::Remove => (
            "UPDATE users SET removed_at = $1, email = email || ' (removed ' || $1 || ')'
              WHERE id = $2 AND organisation_id = $3",
            AuditAction::MemberRemoved,
        ),
    };
    crate::execute_on!(
        &mut tx,
        sqlx::query(statement)
            .bind(Timestamp::of(now))
            .bind(user_id)
            .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not change a member's standing"))?;
    let mut detail = String::new();
    if standing != Standing::Enable {
        let ended =
            sessions::end_all_of(&mut tx, ctx.scope.organisation_id(), user_id, None, now).await?;
        let revoked = crate::backend::api_tokens::revoke_all_of(
            &mut tx,
            ctx.scope.organisation_id(),
            user_id,
            ctx.scope.user_id(),
            now,
        )
        .await?;
        detail = format!("{ended} sessions ended, {revoked} API tokens revoked");
    }
    audit::by_member(&mut tx, ctx, action, &member.email, &detail).await?;
    tx.commit()
        .await
        .map_err(db("could not save a member's standing"))
}
