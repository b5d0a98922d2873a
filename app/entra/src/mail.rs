//! Sending e-mail as a mailbox through Microsoft Graph (`sendMail`) with an
//! app-only token: the application permission Mail.Send lets an app send as
//! any mailbox of its tenant, unless an Exchange application access policy
//! limits it to some; Graph then refuses the others with 403.

use crate::client::EntraClient;
use crate::error::ClientError;
use crate::token::AccessToken;
use domain::Cloud;
use serde_json::json;

/// One plain-text message.
pub struct MailMessage<'a> {
    /// The mailbox it is sent as, e.g. `alerts@msp.example`.
    pub mailbox: &'a str,
    pub to: &'a [String],
    pub subject: &'a str,
    pub text: &'a str,
}

/// Why Graph did not take a message, beyond what `ClientError` says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Microsoft could not be asked (network, throttling, an outage): try
    /// again later.
    #[error(transparent)]
    Client(ClientError),
    /// Graph refused this message (its status, code and message): sending
    /// it again will not help until someone changes something.
    #[error("Microsoft Graph answered HTTP {status} {code}: {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
}

/// Sends `message`; Graph answers 202 when it accepted it.
pub async fn send_mail(
    client: &EntraClient,
    cloud: Cloud,
    token: &AccessToken,
    message: &MailMessage<'_>,
) -> Result<(), MailError> {
    let body = json!({
        "message": {
            "subject": message.subject,
            "body": {"contentType": "Text", "content": message.text},
            "toRecipients": message.to.iter().map(|address| json!({"emailAddress": {"address": address}})).collect::<Vec<_>>(),
        },
        "saveToSentItems": false,
    });
    let path = format!("/v1.0/users/{}/sendMail", urlencoding_path(message.mailbox));
    let (status, answer) = client
        .graph_post(cloud, token, &path, &body)
        .await
        .map_err(MailError::Client)?;
    if (200..300).contains(&status) {
        return Ok(());
    }
    let error: serde_json::Value = serde_json::from_str(&answer).unwrap_or_default();
    Err(MailError::Refused {
        status,
        code: error["error"]["code"]
            .as_str()
            .unwrap_or("unknown")
            .to_owned(),
        message: error["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect(),
    })
}

/// A mailbox address as one path segment: everything but letters, digits,
/// `@` and `-._~` is percent-encoded, so no character of an address (`/`,
/// `\`, `?`, `#`, `%`, `..`) can move the request elsewhere on Graph.
fn urlencoding_path(mailbox: &str) -> String {
    let mut encoded = String::with_capacity(mailbox.len());
    for byte in mailbox.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'@' | b'-' | b'_' | b'~' => {
                encoded.push(byte as char)
            }
            // A dot alone is safe; `..` would be a path step.
            b'.' => encoded.push('.'),
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    // `.` and `..` as a whole segment are steps, never a mailbox.
    if encoded.trim_matches('.').is_empty() {
        return encoded.replace('.', "%2E");
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::urlencoding_path;

    #[test]
    fn a_mailbox_stays_one_path_segment_whatever_it_holds() {
        assert_eq!(
            urlencoding_path("alerts@contoso.example"),
            "alerts@contoso.example"
        );
        assert_eq!(
            urlencoding_path("..\\..\\beta\\x@y.z"),
            "..%5C..%5Cbeta%5Cx@y.z"
        );
        assert_eq!(urlencoding_path("a/b?c#d%e@x.y"), "a%2Fb%3Fc%23d%25e@x.y");
        assert_eq!(urlencoding_path(".."), "%2E%2E");
    }
}
