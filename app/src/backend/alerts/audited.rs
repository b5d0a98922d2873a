//! Alerts about the organisation's own security, from its audit trail: the
//! database queues the entries worth telling (`alert_audit_queue`, filled
//! by a trigger with the entry itself), and each round here takes them one
//! by one, routes them and clears them in one transaction.

use super::routing::route_audited;
use crate::backend::{begin, db, Backend};
use crate::error::AppError;
use crate::ids::OrganisationId;
use crate::timestamp::Timestamp;
use domain::alert_text::Witness;
use domain::alerts::Event;
use domain::audit::AuditAction;

/// Entries taken in one round at most.
const ROUND: i64 = 100;

#[derive(sqlx::FromRow)]
struct Queued {
    audit_event_id: String,
    organisation_id: OrganisationId,
    action: String,
    target: String,
    detail: String,
    actor: String,
    ip: String,
    at: Timestamp,
}

/// Routes what the audit trail queued; returns how many entries it took.
pub async fn send_pending(backend: &Backend) -> Result<usize, AppError> {
    let queued: Vec<Queued> = crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT q.audit_event_id, q.organisation_id, e.action, e.target, e.detail, e.actor, e.ip, e.at
           FROM alert_audit_queue q
           JOIN audit_events e ON e.id = q.audit_event_id AND e.organisation_id = q.organisation_id
          ORDER BY q.at, q.audit_event_id
          LIMIT $1",
    )
    .bind(ROUND)
    .fetch_all(c)
    .await)
    .map_err(db("could not read the audit entries to alert on"))?;
    let mut routed = 0;
    for entry in &queued {
        match send_one(backend, entry).await {
            Ok(queued) => routed += queued,
            Err(_) => {
                // Logged where it became an AppError. An entry that cannot
                // be sent is taken off the queue, so it never holds back
                // the ones after it.
                let _ = crate::execute_on!(
                    &backend.pool,
                    sqlx::query("DELETE FROM alert_audit_queue WHERE audit_event_id = $1")
                        .bind(&entry.audit_event_id)
                );
                tracing::error!(audit_event = %entry.audit_event_id, "an audit entry was not alerted on");
            }
        }
    }
    if routed > 0 {
        backend.alerts.wake.notify_one();
    }
    Ok(queued.len())
}

/// Takes one entry off the queue and routes it, together; how many
/// messages it queued.
async fn send_one(backend: &Backend, entry: &Queued) -> Result<usize, AppError> {
    let mut tx = begin(&backend.pool).await?;
    // Taking it off the queue first claims it: a server that read the same
    // entry meanwhile finds nothing to take.
    let taken = crate::execute_on!(
        &mut tx,
        sqlx::query("DELETE FROM alert_audit_queue WHERE audit_event_id = $1")
            .bind(&entry.audit_event_id)
    )
    .map_err(db("could not take an audit entry off the alert queue"))?;
    if taken.rows_affected() == 0 {
        return Ok(0);
    }
    let event = AuditAction::from_code(&entry.action)
        .and_then(|action| Event::of_audit(action, &entry.target, &entry.detail));
    let mut routed = 0;
    if let Some(event) = event {
        let witness = Witness {
            actor: entry.actor.clone(),
            ip: entry.ip.clone(),
        };
        routed = route_audited(
            &mut tx,
            backend,
            &entry.organisation_id,
            &event,
            &witness,
            &entry.at,
            backend.now(),
        )
        .await?
        .queued;
    }
    tx.commit()
        .await
        .map_err(db("could not alert on an audit entry"))?;
    Ok(routed)
}
