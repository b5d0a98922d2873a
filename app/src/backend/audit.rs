//! The audit trail: security-relevant events, appended and never changed
//! (the schema refuses updates and deletes). Each names who acted, what,
//! on what, when and from where; an organisation reads only its own.

use crate::backend::auth::Authenticated;
use crate::backend::db::Conn;
use crate::backend::origin::RequestOrigin;
use crate::backend::{db, internal, Staff};
use crate::error::AppError;
use crate::ids::{AuditEventId, OrganisationId, UserId};
use crate::model::{AuditEntry, AuditPage};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::exchange::neutralised;
use domain::search::Search;
use domain::Action;

/// One event about to be recorded.
pub struct Event<'a> {
    pub organisation_id: &'a OrganisationId,
    /// The member who acted; None when nobody was signed in (a failed
    /// sign-in, a customer completing a link).
    pub actor_user_id: Option<&'a UserId>,
    /// How the actor reads in the trail: an e-mail address, "customer link".
    pub actor: &'a str,
    pub action: AuditAction,
    pub target: &'a str,
    pub detail: &'a str,
    pub origin: &'a RequestOrigin,
    pub at: time::OffsetDateTime,
}

pub async fn record<'e>(conn: impl Into<Conn<'_>>, event: Event<'_>) -> Result<(), AppError> {
    crate::execute_on!(
        &mut crate::backend::hold(conn).await?,
        sqlx::query(
            "INSERT INTO audit_events
            (id, organisation_id, at, actor_user_id, actor, action, target, detail, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(AuditEventId::generate())
        .bind(event.organisation_id)
        .bind(Timestamp::of(event.at))
        .bind(event.actor_user_id)
        .bind(event.actor)
        .bind(event.action.code())
        .bind(event.target)
        .bind(event.detail)
        .bind(event.origin.ip_text())
        .bind(&event.origin.user_agent)
    )
    .map_err(db("could not record an audit event"))?;
    Ok(())
}

impl<'a> Event<'a> {
    /// Something a member did to their own account (signed in, set up a
    /// second factor…), proven by their password or session.
    pub fn by_account(
        member: &'a Authenticated,
        action: AuditAction,
        detail: &'a str,
        origin: &'a RequestOrigin,
        at: time::OffsetDateTime,
    ) -> Self {
        Self {
            organisation_id: &member.organisation_id,
            actor_user_id: Some(&member.user_id),
            actor: &member.email,
            action,
            target: &member.email,
            detail,
            origin,
            at,
        }
    }

    /// An unproven attempt on an account (a wrong password or code): the
    /// account is what was aimed at, not who acted.
    pub fn against_account(
        organisation_id: &'a OrganisationId,
        email: &'a str,
        action: AuditAction,
        detail: &'a str,
        origin: &'a RequestOrigin,
        at: time::OffsetDateTime,
    ) -> Self {
        Self {
            organisation_id,
            actor_user_id: None,
            actor: "unverified (sign-in form)",
            action,
            target: email,
            detail,
            origin,
            at,
        }
    }
}

/// An event done by the signed-in member of `ctx`.
pub async fn by_member<'e>(
    conn: impl Into<Conn<'_>>,
    ctx: &Staff,
    action: AuditAction,
    target: &str,
    detail: &str,
) -> Result<(), AppError> {
    record(
        conn,
        Event {
            organisation_id: ctx.scope.organisation_id(),
            actor_user_id: Some(ctx.scope.user_id()),
            actor: ctx.scope.email(),
            action,
            target,
            detail,
            origin: &ctx.origin,
            at: ctx.now(),
        },
    )
    .await
}

/// What an admin asks of the trail; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<AuditAction>,
    /// Part of the actor's or the target's text.
    pub text: Option<String>,
    /// Events on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Events on or before this day.
    pub to: Option<String>,
}

pub const PAGE_SIZE: i64 = 100;

#[derive(sqlx::FromRow)]
struct Row {
    at: Timestamp,
    actor: String,
    action: String,
    target: String,
    detail: String,
    ip: String,
    user_agent: String,
}

impl Row {
    fn entry(self) -> AuditEntry {
        let action = AuditAction::from_code(&self.action);
        AuditEntry {
            at: self.at,
            actor: self.actor,
            action_label: action.map_or_else(|| self.action.clone(), |a| a.label().to_owned()),
            action: self.action,
            target: self.target,
            detail: self.detail,
            ip: self.ip,
            user_agent: self.user_agent,
        }
    }
}

/// Newest first. `limit` None reads everything matched (the CSV export).
async fn read(
    ctx: &Staff,
    filter: &Filter,
    limit: Option<i64>,
    offset: i64,
) -> Result<Vec<Row>, AppError> {
    ctx.scope.permit(Action::ReadAuditTrail)?;
    let search = filter.text.as_deref().and_then(Search::of);
    match &search {
        Some(search) if !search.is_exact() => {
            // The database finds a little more than matches (see
            // `domain::search`), so what matches is counted off here.
            let found = rows(ctx, filter, Some(search), None, 0).await?;
            let matched = found
                .into_iter()
                .filter(|row| search.matches([row.actor.as_str(), row.target.as_str()]));
            let offset = usize::try_from(offset).unwrap_or_default();
            let limit = limit.map_or(usize::MAX, |limit| {
                usize::try_from(limit).unwrap_or_default()
            });
            Ok(matched.skip(offset).take(limit).collect())
        }
        _ => rows(ctx, filter, search.as_ref(), limit, offset).await,
    }
}

async fn rows(
    ctx: &Staff,
    filter: &Filter,
    search: Option<&Search>,
    limit: Option<i64>,
    offset: i64,
) -> Result<Vec<Row>, AppError> {
    // Days compare as text: stored instants are fixed-width RFC 3339.
    let from = filter.from.as_deref().map(|day| format!("{day}T00:00:00Z"));
    let to = filter.to.as_deref().map(|day| format!("{day}T23:59:59Z"));
    crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT at, actor, action, target, detail, ip, user_agent FROM audit_events
          WHERE organisation_id = $1
            AND ($2 IS NULL OR action = $2)
            AND ($3 IS NULL OR LOWER(actor) LIKE $3 ESCAPE '\\' OR LOWER(target) LIKE $3 ESCAPE '\\')
            AND ($4 IS NULL OR at >= $4)
            AND ($5 IS NULL OR at <= $5)
          ORDER BY at DESC, id DESC
          LIMIT $6 OFFSET $7",
    )
    .bind(ctx.scope.organisation_id())
    .bind(filter.action.map(|action| action.code()))
    .bind(search.map(Search::pattern))
    .bind(from)
    .bind(to)
    .bind(limit.unwrap_or(i64::MAX))
    .bind(offset)
    .fetch_all(c)
    .await)
    .map_err(db("could not read the audit trail"))
}

pub async fn page(ctx: &Staff, filter: &Filter, page: i64) -> Result<AuditPage, AppError> {
    let page = page.clamp(1, i64::MAX / PAGE_SIZE);
    let mut rows = read(ctx, filter, Some(PAGE_SIZE + 1), (page - 1) * PAGE_SIZE).await?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok(AuditPage {
        entries: rows.into_iter().map(Row::entry).collect(),
        page,
        has_more,
    })
}

pub const CSV_COLUMNS: [&str; 8] = [
    "at",
    "actor",
    "action",
    "action_label",
    "target",
    "detail",
    "ip",
    "user_agent",
];

/// The whole filtered trail as CSV (the download handler records it, as it
/// does every export).
pub async fn csv(ctx: &Staff, filter: &Filter) -> Result<String, AppError> {
    let rows = read(ctx, filter, None, 0).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |error: csv::Error| internal("could not write the audit export", error);
    out.write_record(CSV_COLUMNS).map_err(fail)?;
    for entry in rows.into_iter().map(Row::entry) {
        let cells = [
            entry.at.to_string(),
            entry.actor,
            entry.action,
            entry.action_label,
            entry.target,
            entry.detail,
            entry.ip,
            entry.user_agent,
        ];
        out.write_record(cells.iter().map(|cell| neutralised(cell)))
            .map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|error| internal("could not finish the audit export", error.into_error()))?;
    String::from_utf8(bytes).map_err(|error| internal("the audit export is not text", error))
}

impl crate::model::AuditQuery {
    /// The filter this query asks for; a day that is not `YYYY-MM-DD` or
    /// an unknown action is refused by name.
    pub fn filter(&self) -> Result<Filter, AppError> {
        let day = |field: &str, text: &str| -> Result<Option<String>, AppError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(text, format)
                .map(|_| Some(text.to_owned()))
                .map_err(|_| AppError::invalid(field, "Enter a date as YYYY-MM-DD."))
        };
        let action = match self.action.trim() {
            "" => None,
            code => Some(
                AuditAction::from_code(code)
                    .ok_or_else(|| AppError::invalid("action", "Choose an event from the list."))?,
            ),
        };
        Ok(Filter {
            action,
            text: Some(self.text.clone()).filter(|text| !text.trim().is_empty()),
            from: day("from", &self.from)?,
            to: day("to", &self.to)?,
        })
    }
}

/// A master key rotation concerns every organisation's secrets: each one's
/// trail records it, as done by the operator at the command line.
pub async fn key_rotated(
    backend: &crate::backend::Backend,
    key_id: &str,
    resealed: usize,
) -> Result<(), AppError> {
    let organisations: Vec<(OrganisationId,)> = crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT id FROM organisations"
    )
    .fetch_all(c)
    .await)
    .map_err(db("could not list organisations"))?;
    let origin = RequestOrigin::command_line();
    let detail =
        format!("key {key_id} now seals; {resealed} secrets re-sealed in all organisations");
    for (organisation_id,) in &organisations {
        record(
            &backend.pool,
            Event {
                organisation_id,
                actor_user_id: None,
                actor: "operator (command line)",
                action: AuditAction::MasterKeyRotated,
                target: "master key",
                detail: &detail,
                origin: &origin,
                at: backend.now(),
            },
        )
        .await?;
    }
    Ok(())
}
