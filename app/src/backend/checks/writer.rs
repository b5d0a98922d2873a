//! One task writes checks' results, many per transaction. SQLite has a
//! single writer; checks finishing together would otherwise queue on its
//! lock one commit at a time. Each result is still stored only under its
//! own claim (see `record::store`), so batching changes nothing about what
//! is stored, only how many commits it takes.

use super::claim::Claim;
use super::record::{pause_tenant, store, Observation, Stored, Trigger};
use crate::backend::db::Db;
use crate::backend::{begin, db};
use crate::error::AppError;
use crate::ids::{OrganisationId, RegistrationId, UserId};
use crate::timestamp::Timestamp;
use tokio::sync::{mpsc, oneshot};

/// Results written in one transaction at most.
const BATCH: usize = 128;

/// A finished check, owned, waiting to be written.
pub struct Finished {
    pub claim: Claim,
    pub organisation_id: OrganisationId,
    pub trigger: Trigger,
    pub triggered_by: Option<UserId>,
    pub report: entra::VerifyReport,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub duration_ms: i64,
    pub next_check_at: Timestamp,
    /// Microsoft asked to wait: the tenant is left alone until then.
    pub pause_tenant_until: Option<Timestamp>,
    /// Consent was seen (or the watch ran out): stop checking every minute.
    pub stop_watching_for_consent: bool,
}

type Reply = oneshot::Sender<Result<Stored, AppError>>;

#[derive(Clone, Debug)]
pub struct Writer {
    queue: mpsc::Sender<(Finished, Reply)>,
    /// Held while the watch writes, by this task or by a claim, so the two
    /// wait for each other here rather than in SQLite's busy handler,
    /// which sleeps.
    turn: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Writer {
    /// Starts the writing task on `pool`; it ends when every `Writer` is
    /// gone. `written` is told after each commit (alerts weigh the results).
    pub fn start(pool: Db, written: std::sync::Arc<tokio::sync::Notify>) -> Self {
        let (queue, waiting) = mpsc::channel(BATCH * 4);
        let turn = std::sync::Arc::new(tokio::sync::Mutex::new(()));
        tokio::spawn(write_all(pool, waiting, turn.clone(), written));
        Self { queue, turn }
    }

    /// Waits for the writer's turn, e.g. to claim registrations.
    pub async fn turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.turn.lock().await
    }

    pub async fn write(&self, finished: Finished) -> Result<Stored, AppError> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((finished, reply)).await.map_err(|_| {
            tracing::error!("the check writer has stopped");
            AppError::Internal
        })?;
        answer.await.map_err(|_| AppError::Internal)?
    }
}

async fn write_all(
    pool: Db,
    mut waiting: mpsc::Receiver<(Finished, Reply)>,
    turn: std::sync::Arc<tokio::sync::Mutex<()>>,
    written: std::sync::Arc<tokio::sync::Notify>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while waiting.recv_many(&mut batch, BATCH).await > 0 {
        let items: Vec<Finished> = Vec::with_capacity(batch.len());
        let (items, replies) = batch.drain(..).fold(
            (items, Vec::with_capacity(BATCH)),
            |(mut items, mut replies), (item, reply)| {
                items.push(item);
                replies.push(reply);
                (items, replies)
            },
        );
        let written_batch = {
            let _turn = turn.lock().await;
            write_batch(&pool, &items).await
        };
        match written_batch {
            Ok(results) => {
                written.notify_one();
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(Ok(result));
                }
            }
            Err(error) => {
                for reply in replies {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}

async fn write_batch(pool: &Db, items: &[Finished]) -> Result<Vec<Stored>, AppError> {
    let mut tx = begin(pool).await?;
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        let registration_id: &RegistrationId = item.claim.registration_id();
        let stored = store(
            &mut tx,
            Some(&item.claim),
            &Observation {
                registration_id,
                organisation_id: &item.organisation_id,
                trigger: item.trigger,
                triggered_by: item.triggered_by.as_ref(),
                report: &item.report,
                started_at: &item.started_at,
                finished_at: &item.finished_at,
                duration_ms: item.duration_ms,
                next_check_at: &item.next_check_at,
            },
        )
        .await?;
        // Only a result stored under its claim may back the tenant off or
        // end a consent watch.
        if matches!(stored, Stored::Recorded(_)) {
            if let Some(until) = &item.pause_tenant_until {
                pause_tenant(&mut tx, registration_id, until).await?;
            }
            if item.stop_watching_for_consent {
                crate::execute_on!(
                    &mut tx,
                    sqlx::query(
                        "UPDATE registrations SET consent_watch_until = NULL WHERE id = $1"
                    )
                    .bind(registration_id)
                )
                .map_err(db("could not stop watching for consent"))?;
            }
        }
        results.push(stored);
    }
    tx.commit().await.map_err(db("could not store checks"))?;
    Ok(results)
}
