//! Where one alert goes: to each of the organisation's channels whose rules
//! accept it (`domain::alert_rules`), as that channel's kind of message,
//! queued at once or kept for the channel's daily digest. Runs inside the
//! transaction that records what people were told.

use super::assessing::Weighed;
use super::delivery;
use crate::backend::db::Tx;
use crate::backend::{db, internal, Backend};
use crate::error::AppError;
use crate::ids::{AlertChannelId, OrganisationId, RegistrationId};
use crate::timestamp::Timestamp;
use domain::alert_assess::told_together;
use domain::alert_message::{body, AlertMessage, ChannelKind};
use domain::alert_rules::{ChannelRules, Subject};
use domain::alert_text::{describe, describe_many, describe_security, About, Witness};
use domain::alerts::{Cause, Event};
use domain::dashboard::headline;
use domain::evaluation::Verdict;
use domain::finding::FindingCode;
use time::OffsetDateTime;

/// How many messages a routing queued (at once or for a digest).
#[derive(Debug, Default, Clone, Copy)]
pub struct Routed {
    pub queued: usize,
}

impl std::ops::AddAssign for Routed {
    fn add_assign(&mut self, other: Self) {
        self.queued += other.queued;
    }
}

pub struct Channel {
    pub id: AlertChannelId,
    pub kind: ChannelKind,
    pub rules: ChannelRules,
}

#[derive(sqlx::FromRow)]
struct ChannelRow {
    id: AlertChannelId,
    kind: String,
    rules: String,
}

/// The organisation's channels in use, with their rules.
pub async fn channels(
    tx: &mut Tx,
    organisation: &OrganisationId,
) -> Result<Vec<Channel>, AppError> {
    let rows: Vec<ChannelRow> = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT id, kind, rules FROM alert_channels
          WHERE organisation_id = $1 AND removed_at IS NULL
          ORDER BY created_at, id",
    )
    .bind(organisation)
    .fetch_all(c)
    .await)
    .map_err(db("could not read alert channels"))?;
    rows.into_iter()
        .map(|row| {
            Ok(Channel {
                kind: ChannelKind::parse(&row.kind).ok_or_else(|| {
                    internal("a stored channel kind is not known", UnknownKind(row.kind))
                })?,
                rules: serde_json::from_str(&row.rules)
                    .map_err(|error| internal("a channel's rules could not be read", error))?,
                id: row.id,
            })
        })
        .collect()
}

#[derive(Debug, thiserror::Error)]
#[error("channel kind {0:?}")]
pub(super) struct UnknownKind(pub String);

/// Dates in alerts: the minute, in UTC, which every reader can place.
pub fn written(unix: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(at) => {
            let stamp = Timestamp::of(at);
            format!("{} {} UTC", stamp.date(), &stamp.as_str()[11..16])
        }
        Err(_) => unix.to_string(),
    }
}

#[derive(sqlx::FromRow)]
struct AboutRow {
    tenant_id: String,
    tenant: String,
    entra_tenant_id: Option<String>,
    profiles: String,
    credential_kind: String,
    verdict: Option<String>,
}

async fn about(
    tx: &mut Tx,
    organisation: &OrganisationId,
    registration: &RegistrationId,
) -> Result<About, AppError> {
    let row: AboutRow = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT t.id AS tenant_id, t.display_name AS tenant, t.entra_tenant_id, r.profiles,
                r.credential_kind, l.verdict
           FROM registrations r
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
           LEFT JOIN checks l ON l.id = r.latest_check_id
          WHERE r.id = $1 AND r.organisation_id = $2",
    )
    .bind(registration)
    .bind(organisation)
    .fetch_one(c)
    .await)
    .map_err(db("could not read what an alert is about"))?;
    let profiles = domain::profile::parse_list(&row.profiles)
        .map_err(|error| internal("a stored profile is not known", error))?;
    let verdict: Option<Verdict> = row
        .verdict
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|error| internal("a stored verdict could not be read", error))?;
    let codes: Vec<FindingCode> = verdict
        .iter()
        .flat_map(|v| v.findings.iter().map(|f| f.code))
        .collect();
    let finding = headline(&codes).and_then(|code| {
        verdict
            .as_ref()?
            .findings
            .iter()
            .find(|f| f.code == code)
            .cloned()
    });
    Ok(About {
        tenant_id: row.tenant_id,
        tenant: row.tenant,
        entra_tenant_id: row.entra_tenant_id,
        registration_id: registration.as_str().to_owned(),
        products: profiles.iter().map(|p| p.name.clone()).collect(),
        product_ids: profiles.iter().map(|p| p.id.clone()).collect(),
        credential: if row.credential_kind == "certificate" {
            "certificate"
        } else {
            "client secret"
        },
        finding_message: finding.as_ref().map(|f| f.message.clone()),
        finding_fix: finding.map(|f| f.fix),
    })
}

/// Queues `message` to `channel`, or keeps it for the channel's digest.
async fn send(
    tx: &mut Tx,
    organisation: &OrganisationId,
    channel: &Channel,
    message: &AlertMessage,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    if channel.rules.digest_hour.is_some() {
        super::digest::keep(tx, organisation, &channel.id, message, now).await
    } else {
        delivery::queue(
            tx,
            organisation,
            &channel.id,
            &message.event,
            &body(channel.kind, message),
            now,
        )
        .await
        .map(|_| ())
    }
}

/// One registration's alert to every one of `channels` (the organisation's,
/// read once per pass) that accepts it. An alert `part_of_many` (a mass
/// failure, or a recovery from one) goes only to channels that do not hear
/// mass failures, which are told it one by one instead.
#[allow(clippy::too_many_arguments)]
pub async fn route(
    tx: &mut Tx,
    backend: &Backend,
    organisation: &OrganisationId,
    channels: &[Channel],
    registration: &Weighed,
    event: &Event,
    part_of_many: bool,
    now: OffsetDateTime,
) -> Result<Routed, AppError> {
    let together = part_of_many.then(|| told_together(event));
    let also = |channel: &Channel| {
        together
            .as_ref()
            .is_none_or(|together| !channel.rules.wants(together))
    };
    let subject = Subject {
        tenant: &registration.tenant_id,
        products: &registration.products,
    };
    let accepting: Vec<&Channel> = channels
        .iter()
        .filter(|channel| channel.rules.accepts(event, subject) && also(channel))
        .collect();
    if accepting.is_empty() {
        return Ok(Routed::default());
    }
    let about = about(tx, organisation, &registration.registration_id).await?;
    let message = describe(
        event,
        &about,
        Timestamp::of(now).as_str(),
        Some(backend.link(&format!(
            "/registrations/{}",
            registration.registration_id.as_str()
        ))),
        &written,
    );
    for channel in accepting.iter().copied() {
        send(tx, organisation, channel, &message, now).await?;
    }
    Ok(Routed {
        queued: accepting.len(),
    })
}

/// A mass failure's alert (or its end): to each channel that wants it and
/// covers at least one of its `members`, with the count it covers. Its
/// end goes to every channel that wants it.
pub async fn route_many(
    tx: &mut Tx,
    backend: &Backend,
    organisation: &OrganisationId,
    channels: &[Channel],
    members: &[&Weighed],
    event: &Event,
    now: OffsetDateTime,
) -> Result<Routed, AppError> {
    let mut routed = Routed::default();
    for channel in channels {
        if !channel.rules.wants(event) {
            continue;
        }
        let event = match event {
            Event::ManyFailing { cause, .. } => {
                let count = members
                    .iter()
                    .filter(|member| {
                        channel.rules.covers(Subject {
                            tenant: &member.tenant_id,
                            products: &member.products,
                        })
                    })
                    .count();
                if count == 0 {
                    continue;
                }
                Event::ManyFailing {
                    cause: *cause,
                    count,
                }
            }
            other => other.clone(),
        };
        let shown = match &event {
            Event::ManyFailing {
                cause: Cause::Finding(code),
                ..
            } => format!("/?finding={}", code.as_str()),
            Event::ManyFailing {
                cause: Cause::CouldNotCheck,
                ..
            } => "/?status=could_not_check".to_owned(),
            _ => "/".to_owned(),
        };
        let message = describe_many(
            &event,
            Timestamp::of(now).as_str(),
            Some(backend.link(&shown)),
        );
        send(tx, organisation, channel, &message, now).await?;
        routed.queued += 1;
    }
    Ok(routed)
}

/// An alert about the organisation's own security (from its audit trail)
/// to every channel that wants it and does not narrow itself to some
/// customer tenants or products: these are about no registration.
pub async fn route_audited(
    tx: &mut Tx,
    backend: &Backend,
    organisation: &OrganisationId,
    event: &Event,
    witness: &Witness,
    at: &Timestamp,
    now: OffsetDateTime,
) -> Result<Routed, AppError> {
    let message = describe_security(event, witness, at.as_str(), Some(backend.link("/audit")));
    let mut routed = Routed::default();
    for channel in channels(tx, organisation).await? {
        let whole_organisation =
            channel.rules.tenants.is_empty() && channel.rules.products.is_empty();
        if channel.rules.wants(event) && whole_organisation {
            send(tx, organisation, &channel, &message, now).await?;
            routed.queued += 1;
        }
    }
    Ok(routed)
}
