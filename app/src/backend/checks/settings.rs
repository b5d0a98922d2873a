//! How the watch runs, from configuration; shared by the scheduler, the
//! staff pages and the CLI.

use crate::timestamp::Timestamp;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::Notify;

#[derive(Clone, Debug)]
pub struct WatchSettings {
    /// Every active registration is due this often (spread by jitter).
    pub interval: Duration,
    /// Checks running at once in this process.
    pub concurrency: usize,
    /// How long a claim holds a registration; a process that dies holding
    /// one loses it when the lease runs out.
    pub lease: Duration,
    /// How often the scheduler looks for due registrations when nothing
    /// wakes it.
    pub poll: Duration,
    /// Detailed checks are kept this long; daily summaries longer.
    pub retention_days: i64,
    /// False for processes that only read (the CLI's status) and servers
    /// told not to check.
    pub scheduler: bool,
    /// Wakes the scheduler: checks were requested, or a slot came free.
    pub wake: Arc<Notify>,
    /// Writes checks' results, many per transaction.
    pub writer: super::writer::Writer,
}

impl WatchSettings {
    pub fn interval_secs(&self) -> i64 {
        self.interval.as_secs() as i64
    }

    /// When a registration whose check ended at `checked_at` with `status`
    /// is next due, with jitter.
    pub fn next_due(
        &self,
        status: domain::evaluation::Status,
        checked_at: OffsetDateTime,
    ) -> Timestamp {
        let due = domain::watch::next_due_after(
            status,
            checked_at.unix_timestamp(),
            self.interval_secs(),
            rand::random(),
        );
        Timestamp::of(OffsetDateTime::from_unix_timestamp(due).unwrap_or(checked_at))
    }
}
