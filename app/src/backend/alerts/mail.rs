//! Alerts by e-mail: through the server's mail server (SMTP), or as one of
//! the organisation's own mailboxes through Microsoft Graph with a
//! registration Tenantry watches. Both send the plain text
//! `domain::alert_message::body` made for e-mail; each answer is classed as
//! worth trying again or not, with words an admin can act on.

use crate::backend::checks::engine::signing_in;
use crate::backend::Backend;
use crate::error::AppError;
use crate::ids::{OrganisationId, RegistrationId};
use domain::outbox::DeliveryFailure;
use entra::mail::{send_mail, MailError, MailMessage};
use entra::ClientError;

/// An e-mail alert as queued: `{"subject", "text"}`.
#[derive(serde::Deserialize)]
struct Mail {
    subject: String,
    text: String,
}

fn read(body: &str) -> Result<Mail, DeliveryFailure> {
    serde_json::from_str(body)
        .map_err(|_| DeliveryFailure::Permanent("the message is not an e-mail alert".to_owned()))
}

pub async fn by_smtp(
    backend: &Backend,
    id: &str,
    recipients: &[String],
    body: &str,
) -> Result<String, DeliveryFailure> {
    let mail = read(body)?;
    let Some(mailer) = &backend.mail.mailer else {
        return Err(DeliveryFailure::Transient(
            "no mail server is set up on this Tenantry server (TENANTRY_SMTP_URL)".to_owned(),
        ));
    };
    mailer
        .send_plain(id, recipients, None, &mail.subject, &mail.text)
        .await
        .map(|()| "Accepted by the mail server".to_owned())
}

/// Microsoft unreachable, throttling or down is worth another try; a
/// refused sign-in or permission is not, until someone changes it.
fn classed(error: ClientError, mailbox: &str) -> DeliveryFailure {
    match error {
        ClientError::Unreachable(_)
        | ClientError::Throttled { .. }
        | ClientError::Unavailable { .. } => DeliveryFailure::Transient(error.to_string()),
        ClientError::Forbidden => DeliveryFailure::Permanent(refused_hint(mailbox)),
        ClientError::Refused { .. } | ClientError::Unexpected(_) => DeliveryFailure::Permanent(
            format!("the sending registration could not sign in: {error}"),
        ),
    }
}

fn refused_hint(mailbox: &str) -> String {
    format!(
        "Microsoft refused to send as {mailbox}: the registration needs Mail.Send with admin consent, \
         and an application access policy that limits it must include this mailbox"
    )
}

pub async fn by_graph(
    backend: &Backend,
    organisation: &OrganisationId,
    registration: &RegistrationId,
    mailbox: &str,
    recipients: &[String],
    body: &str,
) -> Result<Result<String, DeliveryFailure>, AppError> {
    let mail = match read(body) {
        Ok(mail) => mail,
        Err(failure) => return Ok(Err(failure)),
    };
    // The tenant may have been archived, or the home tenant changed, since
    // the channel was added.
    if let Err(why) =
        super::senders::may_send_with(backend, organisation, registration.as_str()).await?
    {
        return Ok(Err(DeliveryFailure::Permanent(why)));
    }
    let Some(sender) = signing_in(backend, organisation, registration).await? else {
        return Ok(Err(DeliveryFailure::Permanent(
            "the registration that sends was archived; choose another by adding the channel again"
                .to_owned(),
        )));
    };
    let token = match backend
        .entra
        .token(
            sender.cloud,
            &sender.tenant,
            &sender.client_id,
            &sender.credential,
        )
        .await
    {
        Ok(token) => token,
        Err(error) => return Ok(Err(classed(error, mailbox))),
    };
    let sent = send_mail(
        &backend.entra,
        sender.cloud,
        &token,
        &MailMessage {
            mailbox,
            to: recipients,
            subject: &mail.subject,
            text: &mail.text,
        },
    )
    .await;
    Ok(match sent {
        Ok(()) => Ok("Accepted by Microsoft Graph".to_owned()),
        Err(MailError::Client(error)) => Err(classed(error, mailbox)),
        Err(MailError::Refused {
            status: 403,
            code,
            message,
        }) => Err(DeliveryFailure::Permanent(format!(
            "{} ({code}: {message})",
            refused_hint(mailbox)
        ))),
        Err(MailError::Refused {
            status,
            code,
            message,
        }) if status >= 500 => Err(DeliveryFailure::Transient(format!(
            "HTTP {status} {code}: {message}"
        ))),
        Err(refused) => Err(DeliveryFailure::Permanent(refused.to_string())),
    })
}
