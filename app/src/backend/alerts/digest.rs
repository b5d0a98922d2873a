//! Daily digests: a channel that asks for one keeps its alerts here and
//! gets them as one message at its hour of the organisation's time zone.
//! Keeping the digest's alerts, queuing it and naming the next hour commit
//! together, so a digest is sent once even if the server dies meanwhile.

use super::delivery;
use super::routing::channels;
use crate::backend::db::Tx;
use crate::backend::{begin, db, internal, Backend};
use crate::error::AppError;
use crate::ids::{AlertChannelId, AlertDigestItemId, OrganisationId};
use crate::timestamp::Timestamp;
use domain::alert_message::{body, AlertMessage, ChannelKind};
use domain::alert_rules::{next_digest_at, time_zone, Zone};
use domain::alerts::Severity;
use serde_json::{json, Value};
use time::OffsetDateTime;

/// Alerts a digest lists by title; all of them are in its details.
const LISTED: usize = 30;

pub async fn keep(
    tx: &mut Tx,
    organisation: &OrganisationId,
    channel: &AlertChannelId,
    message: &AlertMessage,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    crate::execute_on!(&mut *tx, sqlx::query(
        "INSERT INTO alert_digest_items (id, organisation_id, channel_id, event, message, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(AlertDigestItemId::generate())
    .bind(organisation)
    .bind(channel)
    .bind(&message.event)
    .bind(body(ChannelKind::Webhook, message).to_string())
    .bind(Timestamp::of(now)))
    .map_err(db("could not keep an alert for a digest"))?;
    Ok(())
}

/// The organisation's time zone, as stored.
pub async fn zone_of(tx: &mut Tx, organisation: &OrganisationId) -> Result<Zone, AppError> {
    let (name,): (String,) = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT time_zone FROM organisations WHERE id = $1"
    )
    .bind(organisation)
    .fetch_one(c)
    .await)
    .map_err(db("could not read an organisation's time zone"))?;
    time_zone(&name).map_err(|why| internal("a stored time zone is not known", ZoneError(why)))
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ZoneError(String);

/// Names the next hour of `only` (or of every channel of the organisation,
/// after its time zone changed) from `now`. A channel that now sends at
/// once but still has alerts waiting gets them as a last digest at once.
pub async fn schedule(
    tx: &mut Tx,
    organisation: &OrganisationId,
    only: Option<&AlertChannelId>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let zone = zone_of(tx, organisation).await?;
    for channel in channels(tx, organisation).await? {
        if only.is_some_and(|only| *only != channel.id) {
            continue;
        }
        let next = match channel.rules.digest_hour {
            Some(hour) => next_digest_at(hour, &zone, now.unix_timestamp())
                .and_then(crate::backend::checks::view::at),
            None if waiting(tx, organisation, &channel.id).await? > 0 => Some(Timestamp::of(now)),
            None => None,
        };
        crate::execute_on!(&mut *tx, sqlx::query(
            "UPDATE alert_channels SET next_digest_at = $1 WHERE id = $2 AND organisation_id = $3",
        )
        .bind(next)
        .bind(&channel.id)
        .bind(organisation))
        .map_err(db("could not schedule a digest"))?;
    }
    Ok(())
}

async fn waiting(
    tx: &mut Tx,
    organisation: &OrganisationId,
    channel: &AlertChannelId,
) -> Result<i64, AppError> {
    let (count,): (i64,) = crate::on_db!(&mut *tx, |c| {
        sqlx::query_as(
        "SELECT COUNT(*) FROM alert_digest_items WHERE channel_id = $1 AND organisation_id = $2",
    )
    .bind(channel)
    .bind(organisation)
    .fetch_one(c)
    .await
    })
    .map_err(db("could not count a digest's alerts"))?;
    Ok(count)
}

fn digest(items: &[Value], at: &str, link: String) -> AlertMessage {
    let severity_of = |item: &Value| item["severity"].as_str().and_then(Severity::parse);
    let count = |severity: Severity| {
        items
            .iter()
            .filter(|item| severity_of(item) == Some(severity))
            .count()
    };
    let mut lines: Vec<String> = items
        .iter()
        .take(LISTED)
        .map(|item| format!("• {}", item["title"].as_str().unwrap_or_default()))
        .collect();
    if items.len() > LISTED {
        lines.push(format!("…and {} more.", items.len() - LISTED));
    }
    AlertMessage {
        event: "digest".to_owned(),
        severity: items.iter().filter_map(severity_of).max(),
        title: match items.len() {
            1 => "Tenantry's daily digest: 1 alert".to_owned(),
            n => format!("Tenantry's daily digest: {n} alerts"),
        },
        text: lines.join("\n"),
        facts: Severity::ALL
            .into_iter()
            .rev()
            .map(|s| (s.as_str().to_owned(), count(s).to_string()))
            .collect(),
        link: Some(link),
        at: at.to_owned(),
        details: json!({"details": {"alerts": items}}),
    }
}

#[derive(sqlx::FromRow)]
struct Due {
    id: AlertChannelId,
    organisation_id: OrganisationId,
    kind: String,
    rules: String,
    next_digest_at: Timestamp,
}

/// Sends every digest whose hour has come; returns how many it queued.
pub async fn send_due(backend: &Backend) -> Result<usize, AppError> {
    let now = backend.now();
    let due: Vec<Due> = crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT id, organisation_id, kind, rules, next_digest_at FROM alert_channels
          WHERE removed_at IS NULL AND next_digest_at IS NOT NULL AND next_digest_at <= $1",
    )
    .bind(Timestamp::of(now))
    .fetch_all(c)
    .await)
    .map_err(db("could not find digests due"))?;
    let mut queued = 0;
    for channel in due {
        // One channel's trouble (logged where it became an AppError) does
        // not hold back the others' digests.
        if let Ok(true) = send_one(backend, &channel, now).await {
            queued += 1;
        }
    }
    if queued > 0 {
        backend.alerts.wake.notify_one();
    }
    Ok(queued)
}

/// Sends one channel's digest if it is still due; whether one was queued.
async fn send_one(backend: &Backend, channel: &Due, now: OffsetDateTime) -> Result<bool, AppError> {
    let mut sent = false;
    let mut tx = begin(&backend.pool).await?;
    let rules: domain::alert_rules::ChannelRules = serde_json::from_str(&channel.rules)
        .map_err(|error| internal("a channel's rules could not be read", error))?;
    let zone = zone_of(&mut tx, &channel.organisation_id).await?;
    let next = rules
        .digest_hour
        .and_then(|hour| next_digest_at(hour, &zone, now.unix_timestamp()))
        .and_then(crate::backend::checks::view::at);
    // Moving the hour on first claims this digest: a server that read
    // the same hour meanwhile finds it moved and sends nothing.
    let claimed = crate::execute_on!(
        &mut tx,
        sqlx::query(
            "UPDATE alert_channels SET next_digest_at = $1
          WHERE id = $2 AND organisation_id = $3 AND next_digest_at = $4",
        )
        .bind(next)
        .bind(&channel.id)
        .bind(&channel.organisation_id)
        .bind(&channel.next_digest_at)
    )
    .map_err(db("could not claim a digest"))?;
    if claimed.rows_affected() == 0 {
        return Ok(false);
    }
    let kept: Vec<(AlertDigestItemId, String)> = crate::on_db!(&mut tx, |c| sqlx::query_as(
        "SELECT id, message FROM alert_digest_items
          WHERE channel_id = $1 AND organisation_id = $2
          ORDER BY created_at, id",
    )
    .bind(&channel.id)
    .bind(&channel.organisation_id)
    .fetch_all(c)
    .await)
    .map_err(db("could not read a digest's alerts"))?;
    let items: Vec<Value> = kept
        .iter()
        .filter_map(|(_, text)| serde_json::from_str(text).ok())
        .collect();
    let kind = ChannelKind::parse(&channel.kind);
    // A day without alerts sends nothing.
    if let (Some(kind), false) = (kind, items.is_empty()) {
        let message = digest(&items, Timestamp::of(now).as_str(), backend.link("/alerts"));
        delivery::queue(
            &mut tx,
            &channel.organisation_id,
            &channel.id,
            "digest",
            &body(kind, &message),
            now,
        )
        .await?;
        sent = true;
    }
    // Only what this digest lists: an alert kept meanwhile waits for
    // the next one.
    for (id, _) in &kept {
        crate::execute_on!(
            &mut tx,
            sqlx::query("DELETE FROM alert_digest_items WHERE id = $1").bind(id)
        )
        .map_err(db("could not clear a digest"))?;
    }
    tx.commit().await.map_err(db("could not send a digest"))?;
    Ok(sent)
}
