//! The queue of alert messages and the loop that sends it: each message is
//! claimed for a lease (so a killed server's messages are sent after a
//! restart, and no message is sent by two servers at once), sent, and
//! marked delivered, due again after a backoff, or given up on with the
//! receiver's answer, with the e-mail outbox's waits
//! (`mail::outbox::after_failed_attempt`).

use super::channels::Sealed;
use super::webhook::{Message, WebhookUrl};
use crate::backend::db::Tx;
use crate::backend::mail::outbox::after_failed_attempt;
use crate::backend::{db, Backend, Staff};
use crate::error::AppError;
use crate::ids::{AlertChannelId, AlertDeliveryId, OrganisationId, RegistrationId};
use crate::model::AlertDeliveryView;
use crate::timestamp::Timestamp;
use domain::alert_message::ChannelKind;
use domain::outbox::{DeliveryFailure, MessageState};
use domain::webhook::WebhookSecret;

/// One message claimed at a time: each claim's lease starts when its send
/// does, so none runs out while it waits behind others.
const BATCH: i64 = 1;

pub async fn queue(
    tx: &mut Tx,
    organisation_id: &OrganisationId,
    channel_id: &AlertChannelId,
    event: &str,
    body: &serde_json::Value,
    now: time::OffsetDateTime,
) -> Result<AlertDeliveryId, AppError> {
    let id = AlertDeliveryId::generate();
    crate::execute_on!(&mut *tx, sqlx::query(
        "INSERT INTO alert_deliveries (id, organisation_id, channel_id, event, body, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(organisation_id)
    .bind(channel_id)
    .bind(event)
    .bind(body.to_string())
    .bind(Timestamp::of(now)))
    .map_err(db("could not queue an alert"))?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct LogRow {
    id: AlertDeliveryId,
    event: String,
    created_at: Timestamp,
    attempts: i64,
    next_attempt_at: Timestamp,
    delivered_at: Option<Timestamp>,
    failed_at: Option<Timestamp>,
    last_answer: Option<String>,
}

/// A channel's newest deliveries, newest first, as its log shows them.
pub async fn latest(
    ctx: &Staff,
    channel_id: &AlertChannelId,
    limit: i64,
) -> Result<Vec<AlertDeliveryView>, AppError> {
    let now = ctx.now();
    let rows: Vec<LogRow> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT id, event, created_at, attempts, next_attempt_at, delivered_at, failed_at, last_answer
           FROM alert_deliveries
          WHERE channel_id = $1 AND organisation_id = $2
          ORDER BY created_at DESC, id DESC
          LIMIT $3",
    )
    .bind(channel_id)
    .bind(ctx.scope.organisation_id())
    .bind(limit)
    .fetch_all(c)
    .await)
    .map_err(db("could not read an alert channel's deliveries"))?;
    Ok(rows
        .into_iter()
        .map(|row| AlertDeliveryView {
            id: row.id,
            event: row.event,
            created_at: row.created_at,
            attempts: row.attempts,
            state: MessageState::of(row.delivered_at.is_some(), row.failed_at.is_some()),
            next_attempt_at: (row.delivered_at.is_none()
                && row.failed_at.is_none()
                && row.attempts > 0
                && row.next_attempt_at.unix() > now.unix_timestamp())
            .then_some(row.next_attempt_at),
            settled_at: row.delivered_at.or(row.failed_at),
            last_answer: row.last_answer,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: AlertDeliveryId,
    organisation_id: OrganisationId,
    channel_id: AlertChannelId,
    body: String,
    attempts: i64,
}

async fn claim_due(backend: &Backend) -> Result<Vec<Claimed>, AppError> {
    let now = backend.now();
    crate::backend::leased::claim_due(
        &backend.pool,
        &crate::backend::leased::Queue {
            table: "alert_deliveries",
            returning: "id, organisation_id, channel_id, body, attempts",
            what: "alert deliveries",
        },
        now,
        backend.alerts.lease(),
        BATCH,
    )
    .await
}

/// Where a claimed message goes.
pub enum Destination {
    Web {
        url: WebhookUrl,
        secrets: Vec<WebhookSecret>,
    },
    Smtp {
        recipients: Vec<String>,
    },
    Graph {
        registration: RegistrationId,
        mailbox: String,
        recipients: Vec<String>,
    },
}

/// Where a claimed message goes, or why it cannot go anywhere.
async fn destination(
    backend: &Backend,
    message: &Claimed,
) -> Result<Result<Destination, DeliveryFailure>, AppError> {
    let Some((kind, channel)) =
        Sealed::open(backend, &message.organisation_id, &message.channel_id).await?
    else {
        return Ok(Err(DeliveryFailure::Permanent(
            "the channel was removed before this was sent".to_owned(),
        )));
    };
    match ChannelKind::parse(&kind) {
        Some(ChannelKind::Email) => {
            return Ok(Ok(Destination::Smtp {
                recipients: channel.recipients,
            }))
        }
        Some(ChannelKind::Graph) => {
            return Ok(match (channel.registration_id, channel.mailbox) {
                (Some(registration), Some(mailbox)) => Ok(Destination::Graph {
                    registration: RegistrationId::from(registration),
                    mailbox,
                    recipients: channel.recipients,
                }),
                _ => Err(DeliveryFailure::Permanent(
                    "the channel names no mailbox or registration to send with".to_owned(),
                )),
            })
        }
        _ => {}
    }
    // The server's settings may have changed since the channel was added
    // (a receiver on this machine no longer allowed).
    let url = match WebhookUrl::parse(&channel.url, backend.alerts.sender.to_this_machine()) {
        Ok(url) => url,
        Err(why) => return Ok(Err(DeliveryFailure::Permanent(why))),
    };
    let secrets: Result<Vec<WebhookSecret>, _> = channel
        .secrets
        .iter()
        .map(|secret| WebhookSecret::parse(secret))
        .collect();
    Ok(secrets
        .map(|secrets| Destination::Web { url, secrets })
        .map_err(|why| DeliveryFailure::Permanent(why.to_owned())))
}

async fn settle(
    backend: &Backend,
    message: &Claimed,
    outcome: Result<String, DeliveryFailure>,
) -> Result<(), AppError> {
    let now = backend.now();
    let (next, delivered_at, failed_at, answer) = match &outcome {
        Ok(answer) => (now, Some(Timestamp::of(now)), None, answer.clone()),
        Err(failure) => {
            backend
                .metrics
                .delivery_failed(crate::backend::metrics::Queue::Alerts);
            let (next, failed_at) = after_failed_attempt(message.attempts, failure, now);
            (next, None, failed_at, failure.detail().to_owned())
        }
    };
    crate::execute_on!(&backend.pool, sqlx::query(
        "UPDATE alert_deliveries
            SET next_attempt_at = $1, delivered_at = $2, failed_at = $3, claimed_until = NULL, last_answer = $4
          WHERE id = $5",
    )
    .bind(Timestamp::of(next))
    .bind(delivered_at)
    .bind(failed_at)
    .bind(answer)
    .bind(&message.id))
    .map_err(db("could not record an alert's delivery"))?;
    Ok(())
}

async fn deliver(backend: &Backend, message: &Claimed) -> Result<(), AppError> {
    // Never longer than the claim's lease, whatever the kind (an SMTP
    // server or Graph's retries could take longer), so no other round
    // sends it meanwhile.
    let limit = backend.alerts.send_timeout * 2;
    let outcome = match tokio::time::timeout(limit, attempt(backend, message)).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) => Err(DeliveryFailure::Transient(
            "Tenantry could not prepare this message; it is tried again".to_owned(),
        )),
        Err(_) => Err(DeliveryFailure::Transient(format!(
            "no answer within {} seconds",
            limit.as_secs()
        ))),
    };
    if let Err(failure) = &outcome {
        tracing::warn!(delivery = %message.id, attempt = message.attempts, error = failure.detail(), "an alert was not delivered");
    }
    settle(backend, message, outcome).await
}

/// One try at sending a claimed message.
async fn attempt(
    backend: &Backend,
    message: &Claimed,
) -> Result<Result<String, DeliveryFailure>, AppError> {
    Ok(match destination(backend, message).await? {
        Ok(Destination::Web { url, secrets }) => backend
            .alerts
            .sender
            .send(
                &url,
                &secrets,
                Message {
                    id: message.id.as_str(),
                    // When it is sent: receivers refuse a timestamp
                    // far from their clock, and a retry comes later.
                    timestamp: backend.now().unix_timestamp(),
                    body: message.body.as_bytes(),
                },
            )
            .await
            .map(|status| format!("HTTP {status}")),
        Ok(Destination::Smtp { recipients }) => {
            super::mail::by_smtp(backend, message.id.as_str(), &recipients, &message.body).await
        }
        Ok(Destination::Graph {
            registration,
            mailbox,
            recipients,
        }) => {
            super::mail::by_graph(
                backend,
                &message.organisation_id,
                &registration,
                &mailbox,
                &recipients,
                &message.body,
            )
            .await?
        }
        Err(failure) => Err(failure),
    })
}

/// One round: returns how many messages it claimed.
pub async fn deliver_due(backend: &Backend) -> usize {
    // A failure is logged with its cause where it became an AppError; the
    // lease lets a later round try again.
    let Ok(claimed) = claim_due(backend).await else {
        return 0;
    };
    for message in &claimed {
        let _ = deliver(backend, message).await;
    }
    claimed.len()
}

/// Runs until the process ends.
pub async fn run(backend: Backend) {
    let (wake, poll) = (backend.alerts.wake.clone(), backend.alerts.poll);
    crate::backend::mail::worker::in_rounds(&wake, poll, || deliver_due(&backend)).await
}
