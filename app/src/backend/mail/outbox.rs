//! The outbox: messages written in the same transaction as the event that
//! causes them, then delivered by the worker. A message is claimed for a
//! short lease before it is sent, so two workers never send it at once, and
//! one whose worker died is sent again when the lease runs out.

use crate::backend::db::{Conn, Db, Tx};
use crate::backend::{db, Staff};
use crate::error::AppError;
use crate::ids::{MessageId, OrganisationId};
use crate::model::OutboxEntry;
use crate::timestamp::Timestamp;
use domain::notice::Notice;
use domain::outbox::{after_failure, DeliveryFailure, MessageState, NextStep};
use domain::Action;

pub async fn queue<'e>(
    conn: impl Into<Conn<'_>>,
    organisation_id: &OrganisationId,
    recipient: &str,
    notice: &Notice,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    queue_replying_to(conn, organisation_id, recipient, notice, None, now).await
}

/// `queue`, with the address replies go to (a customer notice's MSP).
pub async fn queue_replying_to<'e>(
    conn: impl Into<Conn<'_>>,
    organisation_id: &OrganisationId,
    recipient: &str,
    notice: &Notice,
    reply_to: Option<&str>,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    let at = Timestamp::of(now);
    crate::execute_on!(&mut crate::backend::hold(conn).await?, sqlx::query(
        "INSERT INTO outbox (id, organisation_id, recipient, subject, body, created_at, next_attempt_at, reply_to)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
    )
    .bind(MessageId::generate())
    .bind(organisation_id)
    .bind(recipient)
    .bind(&notice.subject)
    .bind(&notice.body)
    .bind(&at)
    .bind(reply_to))
    .map_err(db("could not queue a message"))?;
    Ok(())
}

/// Queues `notice` for every admin of the organisation who may still sign
/// in, except `except` (the person the notice is about); returns how many.
pub async fn queue_to_admins(
    tx: &mut Tx,
    organisation_id: &OrganisationId,
    except: Option<&str>,
    notice: &Notice,
    now: time::OffsetDateTime,
) -> Result<usize, AppError> {
    let admins: Vec<(String,)> = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT email FROM users
          WHERE organisation_id = $1 AND role = 'admin'
            AND disabled_at IS NULL AND removed_at IS NULL
          ORDER BY email",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await)
    .map_err(db("could not list the admins"))?;
    let mut queued = 0;
    for (email,) in admins {
        if except.is_some_and(|other| other.eq_ignore_ascii_case(&email)) {
            continue;
        }
        queue(&mut *tx, organisation_id, &email, notice, now).await?;
        queued += 1;
    }
    Ok(queued)
}

/// A message claimed for delivery.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: MessageId,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub reply_to: Option<String>,
    /// Including this one.
    pub attempts: i64,
}

/// Claims up to `limit` messages that are due and not held by a live lease.
pub async fn claim_due(
    pool: &Db,
    now: time::OffsetDateTime,
    lease: time::Duration,
    limit: i64,
) -> Result<Vec<Claimed>, AppError> {
    crate::backend::leased::claim_due(
        pool,
        &crate::backend::leased::Queue {
            table: "outbox",
            returning: "id, recipient, subject, body, reply_to, attempts",
            what: "outbox",
        },
        now,
        lease,
        limit,
    )
    .await
}

pub async fn delivered(
    pool: &Db,
    id: &MessageId,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    crate::execute_on!(pool, sqlx::query("UPDATE outbox SET delivered_at = $1, claimed_until = NULL, last_error = NULL WHERE id = $2")
        .bind(Timestamp::of(now))
        .bind(id))
        .map_err(db("could not mark a message delivered"))?;
    Ok(())
}

/// After failed attempt number `attempts`: when the message is due again,
/// and when it was given up on, if it was (`domain::outbox::after_failure`).
pub fn after_failed_attempt(
    attempts: i64,
    failure: &DeliveryFailure,
    now: time::OffsetDateTime,
) -> (time::OffsetDateTime, Option<Timestamp>) {
    match after_failure(attempts, failure, now.unix_timestamp()) {
        NextStep::RetryAt(at) => (
            time::OffsetDateTime::from_unix_timestamp(at).unwrap_or(now),
            None,
        ),
        NextStep::GiveUp => (now, Some(Timestamp::of(now))),
    }
}

/// Records a failed attempt: tried again later, or given up on.
pub async fn failed(
    pool: &Db,
    message: &Claimed,
    failure: &DeliveryFailure,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    let (next, failed_at) = after_failed_attempt(message.attempts, failure, now);
    crate::execute_on!(pool, sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1, failed_at = $2, claimed_until = NULL, last_error = $3
          WHERE id = $4",
    )
    .bind(Timestamp::of(next))
    .bind(failed_at)
    .bind(failure.detail())
    .bind(&message.id))
    .map_err(db("could not record a failed delivery"))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    recipient: String,
    subject: String,
    created_at: Timestamp,
    attempts: i64,
    next_attempt_at: Timestamp,
    delivered_at: Option<Timestamp>,
    failed_at: Option<Timestamp>,
    last_error: Option<String>,
}

/// The organisation's messages of the last 30 days, newest first: what
/// admins check when someone says they were not told.
pub async fn recent(ctx: &Staff) -> Result<Vec<OutboxEntry>, AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let rows: Vec<Row> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT recipient, subject, created_at, attempts, next_attempt_at, delivered_at, failed_at, last_error
           FROM outbox
          WHERE organisation_id = $1 AND created_at >= $2
          ORDER BY created_at DESC, id
          LIMIT 200",
    )
    .bind(ctx.scope.organisation_id())
    .bind(Timestamp::of(ctx.now() - time::Duration::days(30)))
    .fetch_all(c)
    .await)
    .map_err(db("could not read the outbox"))?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let state = MessageState::of(row.delivered_at.is_some(), row.failed_at.is_some());
            OutboxEntry {
                recipient: row.recipient,
                subject: row.subject,
                created_at: row.created_at,
                state,
                state_label: state.label().to_owned(),
                attempts: row.attempts,
                next_attempt_at: (state == MessageState::Queued).then_some(row.next_attempt_at),
                settled_at: row.delivered_at.or(row.failed_at),
                last_error: row.last_error.unwrap_or_default(),
            }
        })
        .collect())
}
