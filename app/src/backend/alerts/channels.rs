//! An organisation's alert channels. An admin adds one with a name and the
//! receiver's address; Tenantry makes its signing secret and shows it once.
//! Admins remove channels and send test messages; every member sees the
//! channels (by host, never the whole address) and what was sent to them.

use super::delivery;
use super::webhook::WebhookUrl;
use crate::backend::audit;
use crate::backend::vault::SealedIn;
use crate::backend::{begin, db, internal, Backend, Staff};
use crate::error::AppError;
use crate::ids::{AlertChannelId, OrganisationId};
use crate::model::{AddedAlertChannel, AlertChannelForm, AlertChannelView, AlertRulesView};
use crate::timestamp::Timestamp;
use domain::alert_message::{self, AlertMessage, ChannelKind};
use domain::alert_rules::ChannelRules;
use domain::audit::AuditAction;
use domain::form::Problems;
use domain::webhook::{WebhookSecret, SECRET_BYTES};
use domain::Action;
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// Deliveries shown under each channel.
const DELIVERIES_SHOWN: i64 = 10;

/// What is sealed for a channel: where it goes and what signs it.
#[derive(Default, Serialize, Deserialize)]
pub struct Sealed {
    /// A web address (empty for e-mail).
    pub url: String,
    pub secrets: Vec<String>,
    /// E-mail: who receives it.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Graph: the mailbox it is sent as and the registration that sends.
    #[serde(default)]
    pub mailbox: Option<String>,
    #[serde(default)]
    pub registration_id: Option<String>,
}

impl Sealed {
    /// A channel's sealed part, opened: its kind and what it holds; None
    /// when it is not the organisation's or was removed.
    pub async fn open(
        backend: &Backend,
        organisation: &OrganisationId,
        id: &AlertChannelId,
    ) -> Result<Option<(String, Sealed)>, AppError> {
        let row: Option<(String, String)> = crate::on_db!(&backend.pool, |c| sqlx::query_as(
            "SELECT kind, secret_sealed FROM alert_channels
              WHERE id = $1 AND organisation_id = $2 AND removed_at IS NULL",
        )
        .bind(id)
        .bind(organisation)
        .fetch_optional(c)
        .await)
        .map_err(db("could not read an alert channel"))?;
        let Some((kind, sealed)) = row else {
            return Ok(None);
        };
        let opened = backend
            .vault
            .open(&sealed, &SealedIn::AlertChannels.context(id.as_str()))
            .map_err(|error| internal("an alert channel could not be opened", error))?;
        let channel: Sealed = serde_json::from_slice(&opened)
            .map_err(|error| internal("an alert channel is not readable", error))?;
        Ok(Some((kind, channel)))
    }

    fn sealed_for(&self, backend: &Backend, id: &AlertChannelId) -> Result<String, AppError> {
        let plain = serde_json::to_vec(self)
            .map_err(|error| internal("could not prepare a channel for sealing", error))?;
        Ok(backend
            .vault
            .seal(&plain, &SealedIn::AlertChannels.context(id.as_str())))
    }
}

fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    WebhookSecret::from_random(bytes).expose()
}

/// Where a new channel's messages go, as the form gave it.
enum Target {
    Web(WebhookUrl),
    Mail(Vec<String>),
}

pub async fn add(ctx: &Staff, form: &AlertChannelForm) -> Result<AddedAlertChannel, AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let mut problems = Problems::default();
    let kind = problems.check("kind", ChannelKind::chosen(&form.kind));
    let name = problems.check("name", alert_message::channel_name(&form.name));
    let target = match kind {
        Some(kind) if kind.is_mail() => problems
            .check("url", alert_message::recipients(&form.url))
            .map(Target::Mail),
        // A kind not chosen yet still has its address checked, so every
        // problem shows at once.
        _ => problems
            .check(
                "url",
                WebhookUrl::parse(&form.url, ctx.backend.alerts.sender.to_this_machine()),
            )
            .map(Target::Web),
    };
    let (mailbox, registration) = if kind == Some(ChannelKind::Graph) {
        let mailbox = problems.check(
            "mailbox",
            domain::staff::Email::parse(&form.mailbox)
                .map(|mailbox| mailbox.as_str().to_owned())
                .map_err(|_| {
                    "Enter the mailbox the alerts are sent as, e.g. alerts@your-company.example."
                }),
        );
        let registration = problems.check(
            "registration_id",
            super::senders::may_send_with(
                &ctx.backend,
                ctx.scope.organisation_id(),
                &form.registration_id,
            )
            .await?
            .map(|()| form.registration_id.trim().to_owned()),
        );
        (mailbox, registration)
    } else {
        (None, None)
    };
    let (kind, name, target) = problems
        .finish(
            kind.zip(name)
                .zip(target)
                .map(|((kind, name), target)| (kind, name, target)),
        )
        .map_err(AppError::Invalid)?;
    let name = name.as_str();

    let secret = kind.signed().then(new_secret);
    let id = AlertChannelId::generate();
    let (sealed, shown) = match target {
        Target::Web(url) => (
            Sealed {
                url: url.as_str().to_owned(),
                secrets: secret.iter().cloned().collect(),
                ..Sealed::default()
            },
            url.host().to_owned(),
        ),
        Target::Mail(recipients) => {
            let shown = match &mailbox {
                Some(mailbox) => format!("{} from {mailbox}", recipients.join(", ")),
                None => recipients.join(", "),
            };
            (
                Sealed {
                    recipients,
                    mailbox,
                    registration_id: registration,
                    ..Sealed::default()
                },
                shown,
            )
        }
    };
    let sealed = sealed.sealed_for(&ctx.backend, &id)?;
    let now = ctx.now();
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(&mut tx, sqlx::query(
        "INSERT INTO alert_channels (id, organisation_id, kind, name, host, secret_sealed, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(ctx.scope.organisation_id())
    .bind(kind.as_str())
    .bind(name)
    .bind(&shown)
    .bind(&sealed)
    .bind(ctx.scope.user_id())
    .bind(Timestamp::of(now)))
    .map_err(db("could not add an alert channel"))?;
    audit::by_member(
        &mut tx,
        ctx,
        AuditAction::AlertChannelAdded,
        name,
        &format!("{} to {shown}", kind.as_str()),
    )
    .await?;
    tx.commit()
        .await
        .map_err(db("could not save an alert channel"))?;
    Ok(AddedAlertChannel { id, secret })
}

#[derive(sqlx::FromRow)]
struct ChannelRow {
    id: AlertChannelId,
    kind: String,
    name: String,
    host: String,
    created_at: Timestamp,
    rules: String,
    next_digest_at: Option<Timestamp>,
    waiting_for_digest: i64,
}

pub async fn list(ctx: &Staff) -> Result<Vec<AlertChannelView>, AppError> {
    ctx.scope.permit(Action::ViewOrganisation)?;
    let rows: Vec<ChannelRow> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT c.id, c.kind, c.name, c.host, c.created_at, c.rules, c.next_digest_at,
                (SELECT COUNT(*) FROM alert_digest_items i
                  WHERE i.channel_id = c.id AND i.organisation_id = c.organisation_id) AS waiting_for_digest
           FROM alert_channels c
          WHERE c.organisation_id = $1 AND c.removed_at IS NULL
          ORDER BY c.created_at, c.id",
    )
    .bind(ctx.scope.organisation_id())
    .fetch_all(c)
    .await)
    .map_err(db("could not list alert channels"))?;
    let mut channels = Vec::with_capacity(rows.len());
    for row in rows {
        let rules: ChannelRules = serde_json::from_str(&row.rules)
            .map_err(|error| internal("a channel's rules could not be read", error))?;
        channels.push(AlertChannelView {
            rules: AlertRulesView {
                events: rules.events,
                min_severity: rules.min_severity.as_str().to_owned(),
                tenants: rules.tenants,
                products: rules.products,
                digest_hour: rules.digest_hour,
            },
            next_digest_at: row.next_digest_at,
            waiting_for_digest: row.waiting_for_digest,
            signing_secrets: Sealed::open(&ctx.backend, ctx.scope.organisation_id(), &row.id)
                .await?
                .map_or(0, |(_, sealed)| sealed.secrets.len()),
            deliveries: delivery::latest(ctx, &row.id, DELIVERIES_SHOWN).await?,
            id: row.id,
            kind: ChannelKind::parse(&row.kind)
                .map_or("Unknown", ChannelKind::label)
                .to_owned(),
            name: row.name,
            host: row.host,
            created_at: row.created_at,
        });
    }
    Ok(channels)
}

/// The channel's name and kind, if it is the caller's organisation's and
/// in use.
pub async fn name_of(ctx: &Staff, id: &AlertChannelId) -> Result<(String, ChannelKind), AppError> {
    let found: Option<(String, String)> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT name, kind FROM alert_channels
          WHERE id = $1 AND organisation_id = $2 AND removed_at IS NULL",
    )
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not find an alert channel"))?;
    let (name, kind) = found.ok_or(AppError::NotFound)?;
    let kind = ChannelKind::parse(&kind)
        .ok_or_else(|| internal("a stored channel kind is not known", UnknownKind(kind)))?;
    Ok((name, kind))
}

use super::routing::UnknownKind;

pub async fn remove(ctx: &Staff, id: &AlertChannelId) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let (name, _) = name_of(ctx, id).await?;
    let now = ctx.now();
    let mut tx = begin(ctx.pool()).await?;
    let removed = crate::execute_on!(
        &mut tx,
        sqlx::query(
            "UPDATE alert_channels SET removed_at = $1
          WHERE id = $2 AND organisation_id = $3 AND removed_at IS NULL",
        )
        .bind(Timestamp::of(now))
        .bind(id)
        .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not remove an alert channel"))?;
    if removed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::by_member(&mut tx, ctx, AuditAction::AlertChannelRemoved, &name, "").await?;
    tx.commit()
        .await
        .map_err(db("could not remove an alert channel"))
}

/// Queues a message that says only that it is a test, so a receiver can
/// be set up and its signature check tried before anything goes wrong.
pub async fn send_test(ctx: &Staff, id: &AlertChannelId) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let (name, kind) = name_of(ctx, id).await?;
    let now = ctx.now();
    let body = alert_message::body(
        kind,
        &AlertMessage {
            event: "test".to_owned(),
            severity: None,
            title: "A test from Tenantry".to_owned(),
            text: "This channel receives Tenantry's alerts.".to_owned(),
            facts: vec![("Channel".to_owned(), name.clone())],
            link: Some(format!(
                "{}/alerts",
                ctx.backend.public_url.trim_end_matches('/')
            )),
            at: Timestamp::of(now).to_string(),
            details: serde_json::json!({}),
        },
    );
    let mut tx = begin(ctx.pool()).await?;
    delivery::queue(&mut tx, ctx.scope.organisation_id(), id, "test", &body, now).await?;
    audit::by_member(&mut tx, ctx, AuditAction::AlertTestSent, &name, "").await?;
    tx.commit()
        .await
        .map_err(db("could not queue a test alert"))?;
    ctx.backend.alerts.wake.notify_one();
    Ok(())
}

/// Starts a rotation of a webhook's signing secret: a new secret, shown
/// once, signs every message beside the one before, so the receiver can
/// switch without missing any; `finish_rotation` then drops the old one.
pub async fn rotate_secret(
    ctx: &Staff,
    id: &AlertChannelId,
) -> Result<AddedAlertChannel, AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let (name, kind) = name_of(ctx, id).await?;
    if !kind.signed() {
        return Err(AppError::Conflict(
            "Only a webhook of Tenantry's JSON is signed; a Teams or Slack address carries its own secret.".into(),
        ));
    }
    let (_, mut sealed) = Sealed::open(&ctx.backend, ctx.scope.organisation_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let secret = new_secret();
    // The newest first; at most the one before beside it.
    sealed.secrets.insert(0, secret.clone());
    sealed.secrets.truncate(2);
    reseal(ctx, id, &sealed, AuditAction::AlertSecretRotated, &name).await?;
    Ok(AddedAlertChannel {
        id: id.clone(),
        secret: Some(secret),
    })
}

/// Ends a rotation: only the newest secret signs from now on.
pub async fn finish_rotation(ctx: &Staff, id: &AlertChannelId) -> Result<(), AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let (name, _) = name_of(ctx, id).await?;
    let (_, mut sealed) = Sealed::open(&ctx.backend, ctx.scope.organisation_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if sealed.secrets.len() < 2 {
        return Err(AppError::Conflict("No rotation is under way.".into()));
    }
    sealed.secrets.truncate(1);
    reseal(
        ctx,
        id,
        &sealed,
        AuditAction::AlertSecretRotationFinished,
        &name,
    )
    .await
}

async fn reseal(
    ctx: &Staff,
    id: &AlertChannelId,
    sealed: &Sealed,
    action: AuditAction,
    name: &str,
) -> Result<(), AppError> {
    let mut tx = begin(ctx.pool()).await?;
    crate::execute_on!(
        &mut tx,
        sqlx::query(
            "UPDATE alert_channels SET secret_sealed = $1
          WHERE id = $2 AND organisation_id = $3 AND removed_at IS NULL",
        )
        .bind(sealed.sealed_for(&ctx.backend, id)?)
        .bind(id)
        .bind(ctx.scope.organisation_id())
    )
    .map_err(db("could not change a channel's signing secrets"))?;
    audit::by_member(&mut tx, ctx, action, name, "").await?;
    tx.commit()
        .await
        .map_err(db("could not change a channel's signing secrets"))
}
