//! Setting a problem aside: staff say what is being done (and until when);
//! the registration keeps its status in every count, and the
//! acknowledgement lapses by itself when the problem changes.

use super::snapshot;
use crate::backend::credentials::parse_date;
use crate::backend::{db, Staff};
use crate::error::AppError;
use crate::ids::RegistrationId;
use crate::model::AcknowledgementForm;
use crate::timestamp::Timestamp;
use domain::dashboard::{acknowledgement_problems, problem_key};
use domain::form::FieldProblem;
use domain::Action;

pub async fn acknowledge(
    ctx: &Staff,
    id: &RegistrationId,
    form: &AcknowledgementForm,
) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let now = ctx.now();
    let until = match form.until.trim() {
        "" => None,
        text => match parse_date(text) {
            // Until the end of the day named.
            Some(day) => Some(day + time::Duration::days(1)),
            None => {
                return Err(AppError::Invalid(vec![FieldProblem::new(
                    "until",
                    format!("'{text}' is not a date such as 2026-12-31."),
                )]))
            }
        },
    };
    let problems = acknowledgement_problems(
        &form.note,
        until.map(|u| u.unix_timestamp()),
        now.unix_timestamp(),
    );
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let snapshot = snapshot::current(snapshot::Source::of(ctx)).await?;
    let position = snapshot.position_of(id).ok_or(AppError::NotFound)?;
    let entry = &snapshot.entries[position];
    let problem = problem_key(entry.status, &entry.codes).ok_or_else(|| {
        AppError::Conflict(
            "This registration needs no attention now: there is nothing to acknowledge.".to_owned(),
        )
    })?;
    crate::execute_on!(ctx.pool(), sqlx::query(
        "INSERT INTO acknowledgements
            (registration_id, organisation_id, problem, note, until, acknowledged_by, acknowledged_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (registration_id) DO UPDATE
            SET problem = excluded.problem, note = excluded.note, until = excluded.until,
                acknowledged_by = excluded.acknowledged_by, acknowledged_at = excluded.acknowledged_at",
    )
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .bind(problem)
    .bind(form.note.trim())
    .bind(until.map(Timestamp::of))
    .bind(ctx.scope.user_id())
    .bind(Timestamp::of(now)))
    .map_err(db("could not store an acknowledgement"))?;
    Ok(())
}

/// Brings an acknowledged problem back into the attention list.
pub async fn withdraw(ctx: &Staff, id: &RegistrationId) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let removed = crate::execute_on!(
        ctx.pool(),
        sqlx::query(
            "DELETE FROM acknowledgements WHERE registration_id = $1 AND organisation_id = $2",
        )
        .bind(id)
        .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not withdraw an acknowledgement"))?;
    if removed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
