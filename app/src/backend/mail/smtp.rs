//! Delivery through an SMTP server (`lettre`, rustls). The message id is
//! the outbox row's, so a receiver that sees one message twice (a crash
//! between the server's acceptance and our record of it) can tell.

use super::outbox::Claimed;
use domain::outbox::DeliveryFailure;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// For message ids: `<outbox id>@<this>`.
    domain: String,
}

impl SmtpMailer {
    /// `url` as `TENANTRY_SMTP_URL` gives it (checked by
    /// `domain::outbox::check_smtp_url` first); `from` the sender address.
    pub fn new(url: &domain::SecretValue, from: &str) -> Result<Self, String> {
        domain::outbox::check_smtp_url(url.expose())?;
        let from: Mailbox = from
            .parse()
            .map_err(|error| format!("the sender address '{from}' is not valid: {error}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            // The URL may carry a password: say what is wrong, never echo it.
            .map_err(|error| format!("the SMTP URL cannot be used: {error}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let domain = from.email.domain().to_owned();
        Ok(Self {
            transport,
            from,
            domain,
        })
    }

    pub async fn send(&self, message: &Claimed) -> Result<(), DeliveryFailure> {
        self.send_plain(
            message.id.as_str(),
            std::slice::from_ref(&message.recipient),
            message.reply_to.as_deref(),
            &message.subject,
            &message.body,
        )
        .await
    }

    /// A plain-text message to `to`; `id` names it (`<id@sender's domain>`)
    /// so a repeat can be told apart.
    pub async fn send_plain(
        &self,
        id: &str,
        to: &[String],
        reply_to: Option<&str>,
        subject: &str,
        body: &str,
    ) -> Result<(), DeliveryFailure> {
        let mut email = Message::builder().from(self.from.clone());
        if let Some(reply_to) = reply_to {
            let address: Mailbox = reply_to.parse().map_err(|error| {
                DeliveryFailure::Permanent(format!(
                    "'{reply_to}' is not an e-mail address: {error}"
                ))
            })?;
            email = email.reply_to(address);
        }
        let mut email = email
            .subject(subject)
            .message_id(Some(format!("<{id}@{}>", self.domain)))
            .header(ContentType::TEXT_PLAIN);
        for recipient in to {
            let address: Mailbox = recipient.parse().map_err(|error| {
                DeliveryFailure::Permanent(format!(
                    "'{recipient}' is not an e-mail address: {error}"
                ))
            })?;
            email = email.to(address);
        }
        let email = email.body(body.to_owned()).map_err(|error| {
            DeliveryFailure::Permanent(format!("the message cannot be built: {error}"))
        })?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => {
                Err(DeliveryFailure::Permanent(error.to_string()))
            }
            Err(error) => Err(DeliveryFailure::Transient(error.to_string())),
        }
    }
}
