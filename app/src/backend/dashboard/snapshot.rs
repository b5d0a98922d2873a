//! One organisation's registrations read as a whole at one instant, kept
//! in memory while it is still true: until the organisation's
//! `dashboard_version` moves (any change the dashboard shows, from any
//! server, bumps it), until a standing would change by time alone (a
//! registration turning stale, a credential crossing an expiry threshold),
//! and for a minute at most. When only registrations changed (checks were
//! stored, a line was acknowledged) or time alone changed what some of them
//! say, the kept reading is brought up to date by reading those again; when
//! nothing did, it is only moved to the new instant, sharing every entry.

use crate::backend::checks::view::{day_of, StandingRow, STANDING_COLUMNS, STANDING_JOINS};
use crate::backend::db::listed;
use crate::backend::db::Db;
use crate::backend::{db, internal, Backend, Staff};
use crate::error::AppError;
use crate::ids::{CustomerTenantId, OrganisationId, RegistrationId};
use crate::model::{AcknowledgementView, DashboardView, TrendDay};
use crate::timestamp::Timestamp;
use domain::dashboard::{acknowledgement_holds, problem_key, Entry, Tenant, ViewQuery, TEXT_LIMIT};
use domain::evaluation::{CredentialKind, Status};
use domain::finding::FindingCode;
use domain::watch::{refreshed_codes, standing, standing_changes_at};
use domain::Cloud;
use futures_util::TryStreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// However long nothing changes, a reading is made again after this long,
/// so relative wording ("expires in 3 days") never drifts far.
const LONGEST_KEPT_SECS: i64 = 60;
/// Views of one reading kept for repeated requests (the same bookmark
/// opened by several people, a page reloaded).
const VIEWS_KEPT: usize = 16;
/// Changes always read by themselves, however small the organisation.
const MOST_CHANGES_READ: i64 = 64;
/// A dashboard looked at within this long is kept up to date in the
/// background.
const WATCHED_FOR_SECS: i64 = 15 * 60;
/// How often the readings of watched dashboards are brought up to date.
const FRESHENED_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// What the dashboard says of a registration besides its `Entry`.
pub struct Registration {
    pub id: RegistrationId,
    pub credential: CredentialKind,
    pub last_checked_at: Option<i64>,
    pub acknowledgement: Option<AcknowledgementView>,
    /// When what the dashboard says of it would change by time alone.
    changes_at: Option<i64>,
}

pub struct TenantDetails {
    pub id: CustomerTenantId,
    pub contacts: Vec<String>,
}

/// A view is made for a query and for whether the caller may acknowledge.
pub type ViewKey = (ViewQuery, bool);

/// Where the organisation's data stood when a reading was made: any change
/// the dashboard shows moves `version`; one that adds, moves or removes a
/// registration or changes a tenant moves `layout` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    version: i64,
    layout: i64,
}

/// Where each tenant and registration of a reading is; shared by the
/// readings brought up to date from it, which have the same layout.
struct Places {
    tenants: HashMap<CustomerTenantId, usize>,
    registrations: HashMap<RegistrationId, usize>,
}

pub struct Snapshot {
    stamp: Stamp,
    /// When this reading began, in the order readings begin (see
    /// `Dashboards::begun`).
    begun: u64,
    pub at: i64,
    valid_until: i64,
    pub tenants: Arc<Vec<Tenant>>,
    pub tenant_details: Arc<Vec<TenantDetails>>,
    /// Shared with the readings moved in time from this one.
    pub entries: Arc<Vec<Entry>>,
    /// Beside `entries`, index for index; shared with the readings brought
    /// up to date from this one.
    pub registrations: Arc<Vec<Arc<Registration>>>,
    places: Arc<Places>,
    /// The last 30 days, oldest first, today last.
    pub trend: Vec<TrendDay>,
    views: Mutex<Vec<(ViewKey, Arc<KeptView>)>>,
}

impl Snapshot {
    /// No standing in it has changed by time alone by `now`.
    fn in_time(&self, now: i64) -> bool {
        self.at <= now && now < self.valid_until
    }

    /// Past a quarter of the reading, reading it all again (row by row)
    /// holds less at once than reading that many by themselves.
    fn most_read_again(&self) -> i64 {
        (self.entries.len() as i64 / 4).max(MOST_CHANGES_READ)
    }

    pub fn position_of(&self, id: &RegistrationId) -> Option<usize> {
        self.places.registrations.get(id).copied()
    }

    /// A view made of this reading before, or makes it now.
    pub fn view(&self, key: ViewKey, make: impl FnOnce() -> DashboardView) -> Arc<KeptView> {
        // Long addresses are not kept: nobody bookmarks those, and they
        // would hold memory for nothing.
        if key
            .0
            .pairs()
            .iter()
            .any(|(_, value)| value.chars().count() > TEXT_LIMIT)
        {
            return Arc::new(KeptView::new(make()));
        }
        let kept = self.views.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, view)) = kept.iter().find(|(k, _)| *k == key) {
            return view.clone();
        }
        drop(kept);
        let view = Arc::new(KeptView::new(make()));
        let mut kept = self.views.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= VIEWS_KEPT {
            kept.remove(0);
        }
        kept.push((key, view.clone()));
        view
    }
}

/// One view of a reading, and the page's HTML for it once rendered: the
/// same view renders to the same HTML, so a page asked for again is not
/// rendered again while the reading holds.
pub struct KeptView {
    pub view: DashboardView,
    html: std::sync::OnceLock<Arc<str>>,
}

impl KeptView {
    fn new(view: DashboardView) -> Self {
        Self {
            view,
            html: std::sync::OnceLock::new(),
        }
    }

    pub fn html(&self, render: impl FnOnce(&DashboardView) -> String) -> Arc<str> {
        self.html
            .get_or_init(|| Arc::from(render(&self.view)))
            .clone()
    }
}

/// The trend's finished days and the day they were read on.
type PastDays = (String, Vec<TrendDay>);

/// The readings of every organisation this server has shown a dashboard.
#[derive(Clone, Default)]
pub struct Dashboards {
    kept: Arc<Mutex<HashMap<OrganisationId, Arc<Snapshot>>>>,
    /// The trend's finished days, with the day they were read on.
    past: Arc<Mutex<HashMap<OrganisationId, PastDays>>>,
    /// One reading per organisation is made at a time; others wait for it
    /// rather than read the same rows at once.
    reading: Arc<Mutex<HashMap<OrganisationId, Arc<tokio::sync::Mutex<()>>>>>,
    /// Counts readings as they begin, so a request that had to wait can
    /// tell whether the reading made meanwhile began after it arrived.
    begun: Arc<std::sync::atomic::AtomicU64>,
    /// When each organisation's dashboard was last looked at.
    looked_at: Arc<Mutex<HashMap<OrganisationId, i64>>>,
}

impl Dashboards {
    fn begun_since(
        &self,
        organisation: &OrganisationId,
        arrived: u64,
        now: i64,
    ) -> Option<Arc<Snapshot>> {
        self.kept_if(organisation, |snapshot| {
            snapshot.in_time(now) && snapshot.begun >= arrived
        })
    }

    fn turn_for(&self, organisation: &OrganisationId) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.reading.lock().unwrap_or_else(|e| e.into_inner());
        turns.entry(organisation.clone()).or_default().clone()
    }

    fn kept(&self, organisation: &OrganisationId, stamp: Stamp, now: i64) -> Option<Arc<Snapshot>> {
        self.kept_if(organisation, |snapshot| {
            snapshot.in_time(now) && snapshot.stamp == stamp
        })
    }

    /// A kept reading that reading the changed registrations again will
    /// bring up to date, when few enough can have changed: every change
    /// moves the version, so the versions between bound how many rows
    /// would be read (those time has changed are counted when read).
    fn same_layout(
        &self,
        organisation: &OrganisationId,
        stamp: Stamp,
        now: i64,
    ) -> Option<Arc<Snapshot>> {
        self.kept_if(organisation, |snapshot| {
            let changes = stamp.version - snapshot.stamp.version;
            snapshot.at <= now
                && snapshot.stamp.layout == stamp.layout
                && (0..=snapshot.most_read_again()).contains(&changes)
        })
    }

    /// The organisation's kept reading, if `usable` says it will do.
    fn kept_if(
        &self,
        organisation: &OrganisationId,
        usable: impl Fn(&Snapshot) -> bool,
    ) -> Option<Arc<Snapshot>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(organisation)
            .filter(|snapshot| usable(snapshot))
            .cloned()
    }
}

impl Dashboards {
    fn looked_at(&self, organisation: &OrganisationId, now: i64) {
        self.looked_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(organisation.clone(), now);
    }

    /// The organisations whose dashboard someone has looked at lately;
    /// the readings of the others are let go, so memory follows the
    /// dashboards in use rather than every organisation ever shown one.
    fn watched(&self, now: i64) -> Vec<OrganisationId> {
        let watched: Vec<OrganisationId> = {
            let mut looked_at = self.looked_at.lock().unwrap_or_else(|e| e.into_inner());
            looked_at.retain(|_, at| now - *at < WATCHED_FOR_SECS);
            looked_at.keys().cloned().collect()
        };
        self.kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|organisation, _| watched.contains(organisation));
        self.past
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|organisation, _| watched.contains(organisation));
        watched
    }

    /// Holds the organisation's turn to read, as a reading under way does,
    /// until the guard is dropped; tests use it to stand for the background
    /// reading at an exact moment.
    #[doc(hidden)]
    pub async fn hold_reading_turn(
        &self,
        organisation: &OrganisationId,
    ) -> tokio::sync::OwnedMutexGuard<()> {
        self.turn_for(organisation).lock_owned().await
    }

    /// When the organisation's kept reading was made, if one is kept.
    pub fn kept_at(&self, organisation: &OrganisationId) -> Option<i64> {
        self.kept_if(organisation, |_| true)
            .map(|snapshot| snapshot.at)
    }

    pub fn past_days(&self, organisation: &OrganisationId, today: &str) -> Option<Vec<TrendDay>> {
        let past = self.past.lock().unwrap_or_else(|e| e.into_inner());
        past.get(organisation)
            .filter(|(read_on, _)| read_on == today)
            .map(|(_, days)| days.clone())
    }

    pub fn keep_past_days(
        &self,
        organisation: &OrganisationId,
        today: String,
        days: Vec<TrendDay>,
    ) {
        self.past
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(organisation.clone(), (today, days));
    }
}

/// Whose dashboard is read, and from where.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub backend: &'a Backend,
    pub organisation: &'a OrganisationId,
}

impl<'a> Source<'a> {
    pub fn of(staff: &'a Staff) -> Self {
        Self {
            backend: &staff.backend,
            organisation: staff.scope.organisation_id(),
        }
    }

    pub fn pool(&self) -> &'a Db {
        &self.backend.pool
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.backend.now()
    }
}

/// The caller's organisation read at the backend's `now`, kept or made;
/// from now on it is kept up to date in the background for a while
/// (`keep_fresh`).
pub async fn current(ctx: Source<'_>) -> Result<Arc<Snapshot>, AppError> {
    ctx.backend
        .dashboards
        .looked_at(ctx.organisation, ctx.now().unix_timestamp());
    reading(ctx).await
}

/// The organisation's reading at the backend's `now`, kept or made.
async fn reading(ctx: Source<'_>) -> Result<Arc<Snapshot>, AppError> {
    let organisation = ctx.organisation;
    let dashboards = &ctx.backend.dashboards;
    // The version is read before the rows: a change made in between makes
    // the reading look older than it is, never newer.
    let stamp = stamp_of(ctx).await?;
    let now = ctx.now().unix_timestamp();
    if let Some(snapshot) = dashboards.kept(organisation, stamp, now) {
        return Ok(snapshot);
    }
    let turn = dashboards.turn_for(organisation);
    let _turn = match turn.try_lock() {
        Ok(held) => held,
        Err(_) => {
            // A reading is being made now. The one kept from before it is
            // not served: it may lack the very check this viewer just
            // stored, and a dashboard that shows a fixed registration as
            // failing (or a failed one as healthy) is worse than a short
            // wait for the reading under way, which reads only what changed.
            let arrived = dashboards.begun.load(Ordering::SeqCst);
            let held = turn.lock().await;
            // A reading that began after this request arrived has
            // everything it asked for, even if more was written since.
            if let Some(snapshot) = dashboards.begun_since(organisation, arrived, now) {
                return Ok(snapshot);
            }
            held
        }
    };
    // Counted before the version is read: a waiter that arrived before this
    // count was taken (`begun_since`) then knows the version read below
    // includes every write it saw committed.
    let begun = dashboards.begun.fetch_add(1, Ordering::SeqCst);
    let stamp = stamp_of(ctx).await?;
    if let Some(snapshot) = dashboards.kept(organisation, stamp, now) {
        return Ok(snapshot);
    }
    let updated = match dashboards.same_layout(organisation, stamp, now) {
        Some(kept) => brought_up_to_date(ctx, &kept, stamp, begun, now).await?,
        None => None,
    };
    let snapshot = Arc::new(match updated {
        Some(snapshot) => snapshot,
        None => read(ctx, stamp, begun, now).await?,
    });
    dashboards
        .kept
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(organisation.clone(), snapshot.clone());
    Ok(snapshot)
}

/// Runs until the process ends: brings the reading of every dashboard
/// looked at lately up to date as changes are stored, so the page opened
/// after a sweep finds it ready rather than reading 25,000 registrations
/// while its viewer waits. Each pass costs one query per watched
/// organisation when nothing changed, and reads only what changed when
/// something did.
pub async fn keep_fresh(backend: Backend) {
    let mut every = tokio::time::interval(FRESHENED_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let now = backend.now().unix_timestamp();
        for organisation in backend.dashboards.watched(now) {
            let source = Source {
                backend: &backend,
                organisation: &organisation,
            };
            // Logged where it failed; the next page view reads it itself.
            let _ = reading(source).await;
        }
    }
}

async fn stamp_of(ctx: Source<'_>) -> Result<Stamp, AppError> {
    let (version, layout): (i64, i64) = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT dashboard_version, dashboard_layout FROM organisations WHERE id = $1",
    )
    .bind(ctx.organisation)
    .fetch_one(c)
    .await)
    .map_err(db("could not read the dashboard's version"))?;
    Ok(Stamp { version, layout })
}

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: CustomerTenantId,
    display_name: String,
    cloud: String,
    contact_emails: String,
}

#[derive(sqlx::FromRow)]
struct RegistrationRow {
    id: RegistrationId,
    customer_tenant_id: CustomerTenantId,
    profiles: String,
    status_since: Option<Timestamp>,
    latest_codes: Option<String>,
    completed_extra: Option<String>,
    ack_problem: Option<String>,
    ack_note: Option<String>,
    ack_until: Option<Timestamp>,
    ack_by: Option<String>,
    ack_at: Option<Timestamp>,
    #[sqlx(flatten)]
    standing: StandingRow,
}

/// The registrations' columns and joins; `read` and `brought_up_to_date`
/// add their own conditions.
fn registrations_query(condition: &str) -> String {
    format!(
        "SELECT r.id, r.customer_tenant_id, r.profiles, r.status_since,
                l.finding_codes AS latest_codes, c.extra_permissions AS completed_extra,
                a.problem AS ack_problem, a.note AS ack_note, a.until AS ack_until,
                ua.display_name AS ack_by, a.acknowledged_at AS ack_at, {STANDING_COLUMNS}
           FROM registrations r
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
           {STANDING_JOINS}
           LEFT JOIN acknowledgements a ON a.registration_id = r.id AND a.organisation_id = r.organisation_id
           LEFT JOIN users ua ON ua.id = a.acknowledged_by AND ua.organisation_id = a.organisation_id
          WHERE r.organisation_id = $1 AND r.archived_at IS NULL AND t.archived_at IS NULL {condition}"
    )
}

/// Registrations mostly share a few product lists, findings and extra
/// permissions: one copy of each per reading rather than one per row.
#[derive(Default)]
struct Shared {
    lists: HashMap<String, Arc<[String]>>,
    codes: HashMap<Vec<FindingCode>, Arc<[FindingCode]>>,
}

impl Shared {
    fn list(&mut self, text: &str) -> Arc<[String]> {
        if let Some(list) = self.lists.get(text) {
            return list.clone();
        }
        let list: Arc<[String]> = listed(text).map(str::to_owned).collect();
        self.lists.insert(text.to_owned(), list.clone());
        list
    }

    fn codes(&mut self, codes: Vec<FindingCode>) -> Arc<[FindingCode]> {
        self.codes
            .entry(codes)
            .or_insert_with_key(|codes| codes.as_slice().into())
            .clone()
    }
}

/// What the dashboard says of one registration at `now`, and the instant
/// that saying would change by time alone (if it would).
fn evaluate(
    row: RegistrationRow,
    tenant: usize,
    interval: i64,
    now: i64,
    shared: &mut Shared,
) -> (Entry, Arc<Registration>) {
    let history = row.standing.history();
    let credential = row.standing.credential();
    let shown = standing(&history, credential, interval, now);
    let mut changes_at = standing_changes_at(&history, credential, interval, now);
    let stored: Vec<FindingCode> = row
        .latest_codes
        .as_deref()
        .map(|codes| listed(codes).filter_map(FindingCode::parse).collect())
        .unwrap_or_default();
    let codes = shared.codes(refreshed_codes(&stored, credential, now));
    let expires_at = credential.map(|c| c.expires_at);
    let since = match shown.status {
        Status::CouldNotCheck | Status::Stale => shown.since,
        Status::NeverChecked => None,
        status if history.last_completed.map(|seen| seen.status) == Some(status) => {
            row.status_since.as_ref().map(Timestamp::unix)
        }
        // The expiry alone changed the status since the last check.
        Status::Failing => expires_at,
        _ => expires_at.map(|at| at - domain::credential::FIRST_WARNING_DAYS * 86_400),
    };
    let current = problem_key(shown.status, &codes);
    let ack_until = row.ack_until.as_ref().map(Timestamp::unix);
    if let Some(until) = ack_until.filter(|until| *until > now) {
        changes_at = Some(changes_at.map_or(until, |at| at.min(until)));
    }
    let acknowledgement = match (row.ack_problem, row.ack_note, row.ack_at) {
        (Some(problem), Some(note), Some(at))
            if acknowledgement_holds(&problem, ack_until, current.as_deref(), now) =>
        {
            Some(AcknowledgementView {
                note,
                until: row.ack_until,
                by: row.ack_by.unwrap_or_default(),
                at,
            })
        }
        _ => None,
    };
    let entry = Entry {
        tenant,
        profiles: shared.list(&row.profiles),
        status: shown.status,
        codes,
        extra: shared.list(row.completed_extra.as_deref().unwrap_or_default()),
        expires_at,
        since,
        acknowledged: acknowledgement.is_some(),
    };
    let registration = Arc::new(Registration {
        id: row.id,
        credential: row.standing.credential_kind(),
        last_checked_at: row.standing.last_checked_at.as_ref().map(Timestamp::unix),
        acknowledgement,
        changes_at,
    });
    (entry, registration)
}

/// The first instant at which time alone changes what the reading says.
fn standing_until(registrations: &[Arc<Registration>]) -> i64 {
    registrations
        .iter()
        .filter_map(|registration| registration.changes_at)
        .min()
        .unwrap_or(i64::MAX)
}

fn valid_until(standing_until: i64, now: i64) -> i64 {
    standing_until.min(now + LONGEST_KEPT_SECS)
}

/// Today's line of the trend after the days already kept.
async fn trend(ctx: Source<'_>, now: i64) -> Result<Vec<TrendDay>, AppError> {
    let mut trend = super::trend::past(ctx, now).await?;
    trend.push(super::trend::today(ctx, now).await?);
    Ok(trend)
}

async fn read(ctx: Source<'_>, stamp: Stamp, begun: u64, now: i64) -> Result<Snapshot, AppError> {
    let organisation = ctx.organisation;
    let tenant_rows: Vec<TenantRow> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT id, display_name, cloud, contact_emails FROM customer_tenants
          WHERE organisation_id = $1 AND archived_at IS NULL
          ORDER BY display_name, id",
    )
    .bind(organisation)
    .fetch_all(c)
    .await)
    .map_err(db("could not read tenants for the dashboard"))?;

    let mut position: HashMap<CustomerTenantId, usize> = HashMap::new();
    let mut tenants = Vec::with_capacity(tenant_rows.len());
    let mut tenant_details = Vec::with_capacity(tenant_rows.len());
    for row in tenant_rows {
        let cloud: Cloud = row
            .cloud
            .parse()
            .map_err(|error| internal("a stored cloud is not known", error))?;
        position.insert(row.id.clone(), tenants.len());
        tenants.push(Tenant {
            name: row.display_name,
            cloud,
        });
        tenant_details.push(TenantDetails {
            id: row.id,
            contacts: listed(&row.contact_emails).map(str::to_owned).collect(),
        });
    }

    let interval = ctx.backend.watch.interval_secs();
    let mut shared = Shared::default();
    let mut entries = Vec::new();
    let mut registrations = Vec::new();
    let query = registrations_query("");
    // Row by row: the whole result is never held at once, and the
    // connection goes back to the pool before the trend needs one.
    crate::on_db!(ctx.pool(), |c| {
        let mut rows = sqlx::query_as::<_, RegistrationRow>(&query)
            .bind(organisation)
            .fetch(c);
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(db("could not read registrations for the dashboard"))?
        {
            let Some(&tenant) = position.get(&row.customer_tenant_id) else {
                continue;
            };
            let (entry, registration) = evaluate(row, tenant, interval, now, &mut shared);
            entries.push(entry);
            registrations.push(registration);
        }
    });
    let places = Arc::new(Places {
        tenants: position,
        registrations: registrations
            .iter()
            .enumerate()
            .map(|(i, registration)| (registration.id.clone(), i))
            .collect(),
    });
    let standing_until = standing_until(&registrations);
    Ok(Snapshot {
        trend: trend(ctx, now).await?,
        stamp,
        begun,
        at: now,
        valid_until: valid_until(standing_until, now),
        tenants: Arc::new(tenants),
        tenant_details: Arc::new(tenant_details),
        entries: Arc::new(entries),
        registrations: Arc::new(registrations),
        places,
        views: Mutex::new(Vec::new()),
    })
}

/// Registrations read again by id, this many to a statement.
const READ_AGAIN_AT_ONCE: usize = 100;

/// The registrations of `due` not among those `already` read, read again.
async fn read_again(
    ctx: Source<'_>,
    due: &[&RegistrationId],
    already: &[RegistrationRow],
) -> Result<Vec<RegistrationRow>, AppError> {
    let already: HashSet<&RegistrationId> = already.iter().map(|row| &row.id).collect();
    let due: Vec<&RegistrationId> = due
        .iter()
        .copied()
        .filter(|id| !already.contains(id))
        .collect();
    let mut rows = Vec::with_capacity(due.len());
    for ids in due.chunks(READ_AGAIN_AT_ONCE) {
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let query = registrations_query(&format!("AND r.id IN ({})", placeholders.join(", ")));
        // Not kept among the prepared statements: its text changes with
        // the number of ids.
        let read = crate::on_db!(ctx.pool(), |c| {
            let mut statement = sqlx::query_as::<_, RegistrationRow>(&query)
                .persistent(false)
                .bind(ctx.organisation);
            for id in ids {
                statement = statement.bind(*id);
            }
            statement.fetch_all(c).await
        });
        rows.extend(read.map_err(db("could not read registrations changed by time"))?);
    }
    Ok(rows)
}

/// `kept` at `now`, with the registrations changed since it was made, or
/// whose standing time alone has changed, read again; the rest say at
/// `now` what they said then. Only for a reading of the same layout (no
/// registration or tenant added, moved or removed since). `None` when a
/// changed row is not where the layout says, or when so many are to be
/// read again that reading everything holds less, so a full reading is
/// made.
async fn brought_up_to_date(
    ctx: Source<'_>,
    kept: &Snapshot,
    stamp: Stamp,
    begun: u64,
    now: i64,
) -> Result<Option<Snapshot>, AppError> {
    // Those whose standing time alone has changed by `now`.
    let due: Vec<&RegistrationId> = kept
        .registrations
        .iter()
        .filter(|registration| registration.changes_at.is_some_and(|at| at <= now))
        .map(|registration| &registration.id)
        .collect();
    if due.len() as i64 + (stamp.version - kept.stamp.version) > kept.most_read_again() {
        return Ok(None);
    }
    let mut changed: Vec<RegistrationRow> = if stamp.version == kept.stamp.version {
        Vec::new()
    } else {
        let query = registrations_query("AND r.dashboard_version > $2");
        crate::on_db!(ctx.pool(), |c| sqlx::query_as(&query)
            .bind(ctx.organisation)
            .bind(kept.stamp.version)
            .fetch_all(c)
            .await)
        .map_err(db("could not read changed registrations for the dashboard"))?
    };
    let by_time = read_again(ctx, &due, &changed).await?;
    changed.extend(by_time);

    let (entries, registrations) = if changed.is_empty() {
        (kept.entries.clone(), kept.registrations.clone())
    } else {
        let interval = ctx.backend.watch.interval_secs();
        let mut shared = Shared::default();
        let mut entries = Vec::clone(&kept.entries);
        let mut registrations = Vec::clone(&kept.registrations);
        for row in changed {
            let (Some(&tenant), Some(&at)) = (
                kept.places.tenants.get(&row.customer_tenant_id),
                kept.places.registrations.get(&row.id),
            ) else {
                return Ok(None);
            };
            let (entry, registration) = evaluate(row, tenant, interval, now, &mut shared);
            entries[at] = entry;
            registrations[at] = registration;
        }
        (Arc::new(entries), Arc::new(registrations))
    };
    // Today's line of the trend moves only with stored checks, which move
    // the version.
    let trend = if stamp == kept.stamp && day_of(kept.at) == day_of(now) {
        kept.trend.clone()
    } else {
        trend(ctx, now).await?
    };
    let standing_until = standing_until(&registrations);
    Ok(Some(Snapshot {
        trend,
        stamp,
        begun,
        at: now,
        valid_until: valid_until(standing_until, now),
        tenants: kept.tenants.clone(),
        tenant_details: kept.tenant_details.clone(),
        entries,
        registrations,
        places: kept.places.clone(),
        views: Mutex::new(Vec::new()),
    }))
}
