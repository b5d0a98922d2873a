//! The operator's metrics, in one registry per server (never a global, so
//! servers in one test process count apart). Counters are bumped where
//! things happen; the gauges that describe the fleet (registrations by
//! status, sweep lag, queue depths) are read from the database when
//! scraped, so every server reports the same fleet.

use crate::backend::checks::view::{StandingRow, STANDING_COLUMNS, STANDING_JOINS};
use crate::backend::{db, Backend};
use crate::error::AppError;
use crate::timestamp::Timestamp;
use domain::evaluation::Status;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::Arc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabels {
    trigger: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TriggerLabels {
    trigger: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route's pattern (`/api/v1/tenants/{id}`), or `unmatched`:
    /// never the path asked for, which anyone can vary.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: &'static str,
}

/// Which queue a delivery came from.
#[derive(Debug, Clone, Copy)]
pub enum Queue {
    /// E-mail to people (recovery, resets, customer notices).
    Outbox,
    /// Alerts to channels.
    Alerts,
}

impl Queue {
    fn label(self) -> &'static str {
        match self {
            Queue::Outbox => "outbox",
            Queue::Alerts => "alerts",
        }
    }
}

pub struct Metrics {
    checks: Family<CheckLabels, Counter>,
    check_seconds: Family<TriggerLabels, Histogram>,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Family<RouteLabels, Histogram>,
    sign_in_failures: Counter,
    sign_in_lockouts: Counter,
    delivery_failures: Family<QueueLabels, Counter>,
    registrations: Family<StatusLabels, Gauge>,
    sweep_lag_seconds: Gauge,
    overdue: Gauge,
    queue_depth: Family<QueueLabels, Gauge>,
    registry: Registry,
    /// When the fleet was last read: scrapes in quick succession (several
    /// Prometheus servers) read it once.
    fleet_read_at: std::sync::Mutex<Option<std::time::Instant>>,
}

/// How long a reading of the fleet answers scrapes.
const FLEET_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(15);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn histogram_seconds() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ])
}

impl Metrics {
    /// Every metric, with Microsoft's calls counted by `entra`.
    pub fn new(entra: &entra::EntraClient) -> Arc<Self> {
        let mut registry = Registry::default();
        let checks = Family::<CheckLabels, Counter>::default();
        let check_seconds = Family::<TriggerLabels, Histogram>::new_with_constructor(
            histogram_seconds as fn() -> _,
        );
        let requests = Family::<RequestLabels, Counter>::default();
        let request_seconds =
            Family::<RouteLabels, Histogram>::new_with_constructor(histogram_seconds as fn() -> _);
        let sign_in_failures = Counter::default();
        let sign_in_lockouts = Counter::default();
        let delivery_failures = Family::<QueueLabels, Counter>::default();
        let registrations = Family::<StatusLabels, Gauge>::default();
        let sweep_lag_seconds = Gauge::default();
        let overdue = Gauge::default();
        let queue_depth = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "tenantry_checks",
            "Checks finished, by what started them and the status they found",
            checks.clone(),
        );
        registry.register(
            "tenantry_check_duration_seconds",
            "How long a check took, by what started it",
            check_seconds.clone(),
        );
        registry.register(
            "tenantry_http_requests",
            "HTTP requests answered, by method, route pattern and status",
            requests.clone(),
        );
        registry.register(
            "tenantry_http_request_duration_seconds",
            "How long answering an HTTP request took, by method and route pattern",
            request_seconds.clone(),
        );
        registry.register(
            "tenantry_sign_in_failures",
            "Staff sign-ins refused (wrong password or code, disabled account)",
            sign_in_failures.clone(),
        );
        registry.register(
            "tenantry_sign_in_lockouts",
            "Sign-ins paused after repeated failures",
            sign_in_lockouts.clone(),
        );
        registry.register(
            "tenantry_delivery_failures",
            "Attempts to deliver e-mail or alerts that failed, by queue",
            delivery_failures.clone(),
        );
        registry.register(
            "tenantry_registrations",
            "Registrations watched (not archived), by the status shown now",
            registrations.clone(),
        );
        registry.register(
            "tenantry_sweep_lag_seconds",
            "Age of the oldest overdue check (0 when none is overdue)",
            sweep_lag_seconds.clone(),
        );
        registry.register(
            "tenantry_checks_overdue",
            "Registrations whose next check is due and not yet made",
            overdue.clone(),
        );
        registry.register(
            "tenantry_queue_depth",
            "Messages waiting to be delivered, by queue",
            queue_depth.clone(),
        );
        entra.calls().register(&mut registry);
        Arc::new(Self {
            checks,
            check_seconds,
            requests,
            request_seconds,
            sign_in_failures,
            sign_in_lockouts,
            delivery_failures,
            registrations,
            sweep_lag_seconds,
            overdue,
            queue_depth,
            registry,
            fleet_read_at: std::sync::Mutex::new(None),
        })
    }

    pub fn check_finished(&self, trigger: &'static str, status: Status, duration_ms: i64) {
        self.checks
            .get_or_create(&CheckLabels {
                trigger,
                status: status.as_str(),
            })
            .inc();
        self.check_seconds
            .get_or_create(&TriggerLabels { trigger })
            .observe(duration_ms.max(0) as f64 / 1000.0);
    }

    pub fn request_answered(&self, labels: RequestLabels, seconds: f64) {
        self.request_seconds
            .get_or_create(&RouteLabels {
                method: labels.method.clone(),
                route: labels.route.clone(),
            })
            .observe(seconds);
        self.requests.get_or_create(&labels).inc();
    }

    pub fn sign_in_failed(&self, locked: bool) {
        self.sign_in_failures.inc();
        if locked {
            self.sign_in_lockouts.inc();
        }
    }

    pub fn delivery_failed(&self, queue: Queue) {
        self.delivery_failures
            .get_or_create(&QueueLabels {
                queue: queue.label(),
            })
            .inc();
    }

    /// The text Prometheus scrapes, with the fleet read at this instant.
    pub async fn render(&self, backend: &Backend) -> Result<String, AppError> {
        let fresh = self
            .fleet_read_at
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some_and(|at| at.elapsed() < FLEET_FRESH_FOR);
        if !fresh {
            self.read_fleet(backend).await?;
            *self
                .fleet_read_at
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(std::time::Instant::now());
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .map_err(|error| crate::backend::internal("could not write the metrics", error))?;
        Ok(text)
    }

    async fn read_fleet(&self, backend: &Backend) -> Result<(), AppError> {
        let now = backend.now();
        let rows: Vec<StandingRow> = crate::on_db!(&backend.pool, |c| sqlx::query_as(&format!(
            "SELECT {STANDING_COLUMNS} FROM registrations r {STANDING_JOINS}
              WHERE r.archived_at IS NULL"
        ))
        .fetch_all(c)
        .await)
        .map_err(db("could not count registrations for the metrics"))?;
        let mut by_status = [0i64; Status::ALL.len()];
        for row in &rows {
            let status = row.view(backend).status;
            if let Some(slot) = Status::ALL.iter().position(|s| *s == status) {
                by_status[slot] += 1;
            }
        }
        for (status, count) in Status::ALL.iter().zip(by_status) {
            self.registrations
                .get_or_create(&StatusLabels {
                    status: status.as_str(),
                })
                .set(count);
        }
        let (overdue, oldest): (i64, Option<Timestamp>) =
            crate::on_db!(&backend.pool, |c| sqlx::query_as(
                "SELECT COUNT(*), MIN(next_check_at) FROM registrations
              WHERE archived_at IS NULL AND next_check_at <= $1",
            )
            .bind(Timestamp::of(now))
            .fetch_one(c)
            .await)
            .map_err(db("could not read the sweep's lag"))?;
        self.overdue.set(overdue);
        self.sweep_lag_seconds.set(
            oldest
                .map(|at| (now.unix_timestamp() - at.unix()).max(0))
                .unwrap_or(0),
        );
        let (outbox, alerts): (i64, i64) = crate::on_db!(&backend.pool, |c| sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL),
                    (SELECT COUNT(*) FROM alert_deliveries WHERE delivered_at IS NULL AND failed_at IS NULL)",
        )
        .fetch_one(c)
        .await)
        .map_err(db("could not read the delivery queues"))?;
        for (queue, depth) in [(Queue::Outbox, outbox), (Queue::Alerts, alerts)] {
            self.queue_depth
                .get_or_create(&QueueLabels {
                    queue: queue.label(),
                })
                .set(depth);
        }
        Ok(())
    }
}
