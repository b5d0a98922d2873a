//! Turns what the watch stored into alerts. A pass weighs every
//! registration with a check it has not weighed yet, or whose time has come
//! (`alert_states.recheck_at`), against what people were last told
//! (`domain::alert_assess`); folds mass failures; and, in one transaction,
//! stores what people will then have been told and queues each alert to the
//! channels whose rules accept it (at once, or into a digest). A killed
//! server weighs the same checks again after a restart: nothing is told
//! twice, because the telling and the queued message commit together.

use super::routing::{channels, route, Routed};
use crate::backend::checks::view::{StandingRow, STANDING_COLUMNS, STANDING_JOINS};
use crate::backend::db::listed;
use crate::backend::db::Tx;
use crate::backend::{begin, db, internal, Backend};
use crate::error::AppError;
use crate::ids::{OrganisationId, RegistrationId};
use crate::timestamp::Timestamp;
use domain::alert_assess::{assess, fold, mass_failure_holds, Acknowledged, Seen, Told};
use domain::alerts::{Cause, Event, Now, Problem};
use domain::dashboard::{acknowledgement_holds, problem_key};
use domain::finding::FindingCode;
use domain::watch::{refreshed_codes, standing, standing_changes_at};
use std::collections::BTreeMap;

/// Registrations weighed in one pass at most; the rest in the next. Small,
/// so a first weighing of a whole fleet holds little memory at once.
const PASS: i64 = 1000;

#[derive(sqlx::FromRow)]
struct Row {
    id: RegistrationId,
    organisation_id: OrganisationId,
    customer_tenant_id: String,
    profiles: String,
    latest_check_id: Option<String>,
    latest_codes: Option<String>,
    completed_extra: Option<String>,
    ack_problem: Option<String>,
    ack_until: Option<Timestamp>,
    told: Option<String>,
    expiry_step: Option<i64>,
    extras: Option<String>,
    changes: Option<String>,
    summarised: Option<bool>,
    silenced: Option<bool>,
    /// None when nothing was told yet.
    version: Option<i64>,
    #[sqlx(flatten)]
    standing: StandingRow,
}

impl Row {
    /// What was told, as stored. A value that cannot be read is logged and
    /// read as nothing told: telling again beats never telling.
    fn told(&self) -> Told {
        let problem = self.told.as_deref().and_then(|json| {
            serde_json::from_str::<Problem>(json)
                .map_err(|error| internal("a told problem could not be read", error))
                .ok()
        });
        Told {
            problem,
            expiry_step: self.expiry_step,
            extras: self
                .extras
                .as_deref()
                .map(|text| listed(text).map(str::to_owned).collect()),
            changes: listed(self.changes.as_deref().unwrap_or_default())
                .filter_map(|change| change.parse().ok())
                .collect(),
            summarised: self.summarised.unwrap_or_default(),
            silenced: self.silenced.unwrap_or_default(),
        }
    }
}

/// One registration weighed: what to store and what to tell.
pub struct Weighed {
    pub registration_id: RegistrationId,
    pub tenant_id: String,
    pub products: Vec<String>,
    seen_check_id: Option<String>,
    told: Told,
    recheck_at: Option<i64>,
    /// The stored version this was weighed over.
    version: Option<i64>,
    /// A new expiry step (30, 14 or 7 days) the customer may be told of,
    /// with when the credential expires.
    notice: Option<(i64, i64)>,
}

fn weigh(row: &Row, backend: &Backend, at: i64) -> (Weighed, Vec<Event>) {
    let interval = backend.watch.interval_secs();
    let history = row.standing.history();
    let credential = row.standing.credential();
    let shown = standing(&history, credential, interval, at);
    let stored: Vec<FindingCode> = listed(row.latest_codes.as_deref().unwrap_or_default())
        .filter_map(FindingCode::parse)
        .collect();
    let codes = refreshed_codes(&stored, credential, at);
    let problem = problem_key(shown.status, &codes);
    let acknowledged = row.ack_problem.as_deref().and_then(|acknowledged| {
        let until = row.ack_until.as_ref().map(Timestamp::unix);
        acknowledgement_holds(acknowledged, until, problem.as_deref(), at).then(|| Acknowledged {
            until,
            // The key is `<status>:<headline finding>`, or the status alone.
            headline: acknowledged
                .split_once(':')
                .and_then(|(_, code)| FindingCode::parse(code)),
        })
    });
    let extras: Option<Vec<String>> = row
        .completed_extra
        .as_deref()
        .map(|text| listed(text).map(str::to_owned).collect());
    let assessed = assess(
        &row.told(),
        &Seen {
            now: Now {
                status: shown.status,
                codes: &codes,
                since: shown.since,
            },
            expires_at: credential.map(|c| c.expires_at),
            extras: extras.as_deref(),
            acknowledged,
            standing_changes_at: standing_changes_at(&history, credential, interval, at),
        },
        backend.alerts.patience.whole_seconds(),
        at,
    );
    let notice = match (assessed.told.expiry_step, credential) {
        (Some(days), Some(credential))
            if days > 0 && assessed.told.expiry_step != row.expiry_step =>
        {
            Some((days, credential.expires_at))
        }
        _ => None,
    };
    (
        Weighed {
            registration_id: row.id.clone(),
            tenant_id: row.customer_tenant_id.clone(),
            products: listed(&row.profiles).map(str::to_owned).collect(),
            seen_check_id: row.latest_check_id.clone(),
            told: assessed.told,
            recheck_at: assessed.recheck_at,
            version: row.version,
            notice,
        },
        assessed.events,
    )
}

/// Weighs what is due and queues what it finds; returns how many
/// registrations it weighed.
pub async fn assess_due(backend: &Backend) -> Result<usize, AppError> {
    let _one_at_a_time = backend.alerts.weighing.lock().await;
    let now = backend.now();
    // What is due is found on the narrow join first: joined to their
    // checks before the filter, every registration's two checks were read
    // on each pass (a quarter of a second at 25,000 on PostgreSQL).
    let query = format!(
        "WITH due AS (
             SELECT r.id FROM registrations r
               JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
               LEFT JOIN alert_states s ON s.registration_id = r.id AND s.organisation_id = r.organisation_id
              WHERE r.archived_at IS NULL AND t.archived_at IS NULL
                AND (s.registration_id IS NULL
                     OR s.seen_check_id IS DISTINCT FROM r.latest_check_id
                     OR s.recheck_at <= $1)
              ORDER BY r.organisation_id
              LIMIT $2)
         SELECT r.id, r.organisation_id, r.customer_tenant_id, r.profiles, r.latest_check_id,
                l.finding_codes AS latest_codes, c.extra_permissions AS completed_extra,
                a.problem AS ack_problem, a.until AS ack_until,
                s.told, s.expiry_step, s.extras, s.changes, s.summarised, s.silenced, s.version,
                {STANDING_COLUMNS}
           FROM due
           JOIN registrations r ON r.id = due.id
           {STANDING_JOINS}
           LEFT JOIN acknowledgements a ON a.registration_id = r.id AND a.organisation_id = r.organisation_id
           LEFT JOIN alert_states s ON s.registration_id = r.id AND s.organisation_id = r.organisation_id
          ORDER BY r.organisation_id"
    );
    let rows: Vec<Row> = crate::on_db!(&backend.pool, |c| sqlx::query_as(&query)
        .bind(Timestamp::of(now))
        .bind(PASS)
        .fetch_all(c)
        .await)
    .map_err(db("could not read registrations to weigh for alerts"))?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut by_organisation: BTreeMap<OrganisationId, Vec<&Row>> = BTreeMap::new();
    for row in &rows {
        by_organisation
            .entry(row.organisation_id.clone())
            .or_default()
            .push(row);
    }
    let mut queued = false;
    let mut weighed = 0;
    for (organisation, rows) in by_organisation {
        // One organisation's trouble (logged where it became an AppError)
        // does not hold back the others'.
        if let Ok(routed) = weigh_organisation(backend, &organisation, &rows, now).await {
            queued |= routed.queued > 0;
            weighed += rows.len();
        }
    }
    if queued {
        backend.alerts.wake.notify_one();
    }
    Ok(weighed)
}

/// Weighs one organisation's rows, folds its mass failures and stores and
/// routes the result in one transaction.
async fn weigh_organisation(
    backend: &Backend,
    organisation: &OrganisationId,
    rows: &[&Row],
    now: time::OffsetDateTime,
) -> Result<Routed, AppError> {
    let at = now.unix_timestamp();
    let organisation = organisation.clone();
    let mut weighed = Vec::with_capacity(rows.len());
    let mut events = Vec::new();
    for row in rows.iter().copied() {
        let (one, told) = weigh(row, backend, at);
        events.extend(told.into_iter().map(|event| (weighed.len(), event)));
        weighed.push(one);
    }
    let _turn = backend.watch.writer.turn().await;
    let mut tx = begin(&backend.pool).await?;
    let mut won = Vec::with_capacity(weighed.len());
    for one in &weighed {
        won.push(store(&mut tx, &organisation, one).await?);
    }
    // Another server stored its weighing of the same check first and
    // told what there was to tell.
    events.retain(|(index, _)| won[*index]);
    let mut noticed = false;
    for (one, won) in weighed.iter().zip(&won) {
        if let (Some((days, expires_at)), true) = (one.notice, *won) {
            noticed |= super::notices::send(
                &mut tx,
                backend,
                &organisation,
                &one.registration_id,
                days,
                expires_at,
                now,
            )
            .await?;
        }
    }
    let open = open_mass_failures(&mut tx, &organisation).await?;
    // Only events start a mass failure; a pass without any (most of a
    // sweep) does not count the registrations.
    let active = if events.is_empty() {
        0
    } else {
        active_registrations(&mut tx, &organisation).await?
    };
    let folded = fold(events, &open, active);
    // Read once for the whole pass: every alert of it goes to these.
    let channels = channels(&mut tx, &organisation).await?;
    let mut routed = Routed::default();
    let single = folded
        .single
        .into_iter()
        .map(|(index, event)| (index, event, false));
    let part_of_many = folded
        .folded
        .into_iter()
        .map(|(index, event)| (index, event, true));
    for (index, event, part_of_many) in single.chain(part_of_many) {
        let registration = &weighed[index];
        routed += route(
            &mut tx,
            backend,
            &organisation,
            &channels,
            registration,
            &event,
            part_of_many,
            now,
        )
        .await?;
    }
    for (cause, members) in folded.started {
        crate::execute_on!(&mut tx, sqlx::query(
            "INSERT INTO alert_mass_failures (organisation_id, cause, since) VALUES ($1, $2, $3)",
        )
        .bind(&organisation)
        .bind(cause_key(cause))
        .bind(Timestamp::of(now)))
        .map_err(db("could not record a mass failure"))?;
        let members: Vec<&Weighed> = members.iter().map(|index| &weighed[*index]).collect();
        routed += super::routing::route_many(
            &mut tx,
            backend,
            &organisation,
            &channels,
            &members,
            &Event::ManyFailing {
                cause,
                count: members.len(),
            },
            now,
        )
        .await?;
    }
    for cause in open {
        if mass_failure_holds(still_told(&mut tx, &organisation, cause).await?) {
            continue;
        }
        crate::execute_on!(
            &mut tx,
            sqlx::query(
                "DELETE FROM alert_mass_failures WHERE organisation_id = $1 AND cause = $2"
            )
            .bind(&organisation)
            .bind(cause_key(cause))
        )
        .map_err(db("could not end a mass failure"))?;
        routed += super::routing::route_many(
            &mut tx,
            backend,
            &organisation,
            &channels,
            &[],
            &Event::ManyRecovered { cause },
            now,
        )
        .await?;
    }
    tx.commit()
        .await
        .map_err(db("could not store what alerts told"))?;
    if noticed {
        backend.mail.queued();
    }
    Ok(routed)
}

fn cause_key(cause: Cause) -> String {
    serde_json::to_string(&cause).unwrap_or_default()
}

fn problem_of(cause: Cause) -> Problem {
    match cause {
        Cause::Finding(finding) => Problem::Failing(Some(finding)),
        Cause::CouldNotCheck => Problem::CouldNotCheck,
    }
}

async fn open_mass_failures(
    tx: &mut Tx,
    organisation: &OrganisationId,
) -> Result<Vec<Cause>, AppError> {
    let keys: Vec<(String,)> = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT cause FROM alert_mass_failures WHERE organisation_id = $1"
    )
    .bind(organisation)
    .fetch_all(c)
    .await)
    .map_err(db("could not read mass failures"))?;
    keys.into_iter()
        .map(|(key,)| {
            serde_json::from_str(&key)
                .map_err(|error| internal("a mass failure's cause could not be read", error))
        })
        .collect()
}

async fn active_registrations(
    tx: &mut Tx,
    organisation: &OrganisationId,
) -> Result<usize, AppError> {
    let (count,): (i64,) = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM registrations WHERE organisation_id = $1 AND archived_at IS NULL",
    )
    .bind(organisation)
    .fetch_one(c)
    .await)
    .map_err(db("could not count registrations"))?;
    Ok(usize::try_from(count).unwrap_or_default())
}

async fn still_told(
    tx: &mut Tx,
    organisation: &OrganisationId,
    cause: Cause,
) -> Result<usize, AppError> {
    let told = serde_json::to_string(&problem_of(cause))
        .map_err(|error| internal("a problem could not be written", error))?;
    let (count,): (i64,) = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM alert_states s
           JOIN registrations r ON r.id = s.registration_id AND r.organisation_id = s.organisation_id
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
          WHERE s.organisation_id = $1 AND s.told = $2
            AND r.archived_at IS NULL AND t.archived_at IS NULL",
    )
    .bind(organisation)
    .bind(told)
    .fetch_one(c)
    .await)
    .map_err(db("could not count a mass failure's registrations"))?;
    Ok(usize::try_from(count).unwrap_or_default())
}

/// Stores a weighing over the version it read; false when another one
/// was stored first.
async fn store(
    tx: &mut Tx,
    organisation: &OrganisationId,
    one: &Weighed,
) -> Result<bool, AppError> {
    let told = one
        .told
        .problem
        .map(|problem| serde_json::to_string(&problem))
        .transpose()
        .map_err(|error| internal("a problem could not be written", error))?;
    let changes: Vec<String> = one.told.changes.iter().map(i64::to_string).collect();
    let recheck_at = one.recheck_at.and_then(crate::backend::checks::view::at);
    let query = match one.version {
        None => {
            "INSERT INTO alert_states
                (registration_id, organisation_id, seen_check_id, told, expiry_step, extras, changes,
                 summarised, silenced, recheck_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE($11, 0))
             ON CONFLICT (registration_id) DO NOTHING"
        }
        Some(_) => {
            "UPDATE alert_states
                SET seen_check_id = $3, told = $4, expiry_step = $5, extras = $6, changes = $7,
                    summarised = $8, silenced = $9, recheck_at = $10, version = version + 1
              WHERE registration_id = $1 AND organisation_id = $2 AND version = $11"
        }
    };
    let stored = crate::execute_on!(
        &mut *tx,
        sqlx::query(query)
            .bind(&one.registration_id)
            .bind(organisation)
            .bind(&one.seen_check_id)
            .bind(told)
            .bind(one.told.expiry_step)
            .bind(one.told.extras.as_ref().map(|extras| extras.join(",")))
            .bind(changes.join(","))
            .bind(one.told.summarised)
            .bind(one.told.silenced)
            .bind(recheck_at)
            .bind(one.version)
    )
    .map_err(db("could not store what alerts told"))?;
    Ok(stored.rows_affected() == 1)
}
