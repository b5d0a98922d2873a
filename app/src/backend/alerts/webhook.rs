//! Sends one webhook message: signed as Standard Webhooks has it
//! (`domain::webhook`), only to a public address, never following a
//! redirect, within a time limit. The name is resolved here and every
//! address it gives is judged; the connection is then made to those
//! addresses only, so a name that answers differently a moment later
//! (DNS rebinding) cannot send the message inside the network.

use domain::outbox::DeliveryFailure;
use domain::webhook::{refused, signature_header, WebhookSecret};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Of a receiver's refusal, this much is kept for the delivery log.
const ANSWER_KEPT_CHARS: usize = 300;
/// Bytes read of a refusal to find those characters.
const ANSWER_KEPT_BYTES: usize = 4 * ANSWER_KEPT_CHARS;

/// A receiver's address as an admin gave it: https, a host, no user name
/// or password in it (those would be shown wherever the URL is). Plain
/// http only where loopback is allowed, and then only to this machine.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(reqwest::Url);

/// The URL often carries the receiver's own secret (Teams and Slack put
/// it in the path), so it is never printed whole.
impl std::fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookUrl({})", self.host())
    }
}

impl WebhookUrl {
    pub fn parse(text: &str, loopback_allowed: bool) -> Result<Self, String> {
        let url = reqwest::Url::parse(text.trim())
            .map_err(|_| "Enter the receiver's full address, starting with https://.".to_owned())?;
        // Plain http never leaves this machine: only a loopback address
        // (or localhost), and only where receivers here are allowed.
        let host = url
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let this_machine = host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        match url.scheme() {
            "https" => {}
            "http" if loopback_allowed && this_machine => {}
            _ => return Err("The address must start with https://.".to_owned()),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("The address has no host name.".to_owned());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "Leave the user name and password out of the address; the message is signed instead."
                    .to_owned(),
            );
        }
        Ok(Self(url))
    }

    /// The host alone, which is safe to show and log.
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// One message: its id (the same on every retry, so a receiver can
/// ignore a repeat), when it was made, and its JSON body.
pub struct Message<'a> {
    pub id: &'a str,
    pub timestamp: i64,
    pub body: &'a [u8],
}

#[derive(Debug, Clone)]
pub struct WebhookSender {
    timeout: Duration,
    loopback_allowed: bool,
}

impl WebhookSender {
    pub fn new(timeout: Duration, loopback_allowed: bool) -> Self {
        Self {
            timeout,
            loopback_allowed,
        }
    }

    /// Whether a receiver on this machine may be sent to.
    pub fn to_this_machine(&self) -> bool {
        self.loopback_allowed
    }

    /// Sends `message` to `url`, signed with each of `secrets`. Ok is the
    /// receiver's 2xx status; a failure says whether trying again can help.
    pub async fn send(
        &self,
        url: &WebhookUrl,
        secrets: &[WebhookSecret],
        message: Message<'_>,
    ) -> Result<u16, DeliveryFailure> {
        let addresses = self.public_addresses(url).await?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would make the connection
            // itself, to addresses nobody checked.
            .no_proxy()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .resolve_to_addrs(url.host(), &addresses)
            .user_agent(concat!("Tenantry/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| {
                DeliveryFailure::Transient(format!("could not prepare the request: {error}"))
            })?;
        let mut request = client
            .post(url.0.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        // Teams and Slack addresses carry their own secret; nothing signs.
        if !secrets.is_empty() {
            request = request
                .header("webhook-id", message.id)
                .header("webhook-timestamp", message.timestamp.to_string())
                .header(
                    "webhook-signature",
                    signature_header(secrets, message.id, message.timestamp, message.body),
                );
        }
        let answer = request
            .body(message.body.to_vec())
            .send()
            .await
            .map_err(|error| DeliveryFailure::Transient(unreachable(&error, self.timeout)))?;
        let status = answer.status();
        if status.is_success() {
            return Ok(status.as_u16());
        }
        let said = beginning_of(answer).await;
        let detail = format!("HTTP {}: {}", status.as_u16(), said.trim())
            .trim_end_matches([':', ' '])
            .to_owned();
        Err(if status.is_redirection() {
            DeliveryFailure::Permanent(format!(
                "{detail} (the receiver redirects; webhooks are not sent on to another address)"
            ))
        } else if status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
        {
            DeliveryFailure::Transient(detail)
        } else {
            DeliveryFailure::Permanent(detail)
        })
    }

    /// Every address the host stands for, if all of them may be reached.
    async fn public_addresses(&self, url: &WebhookUrl) -> Result<Vec<SocketAddr>, DeliveryFailure> {
        let port = url.0.port_or_known_default().unwrap_or(443);
        let host = url.host();
        let literal = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>();
        let addresses: Vec<SocketAddr> = match literal {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::time::timeout(self.timeout, tokio::net::lookup_host((host, port)))
                .await
                .map_err(|_| {
                    DeliveryFailure::Transient(format!(
                        "could not look up {host} within {} seconds",
                        self.timeout.as_secs()
                    ))
                })?
                .map_err(|error| {
                    DeliveryFailure::Transient(format!("could not look up {host}: {error}"))
                })?
                .collect(),
        };
        if addresses.is_empty() {
            return Err(DeliveryFailure::Transient(format!("{host} has no address")));
        }
        // Unsigned transport only to this machine, where nobody listens in.
        if url.0.scheme() == "http" && !addresses.iter().all(|a| a.ip().is_loopback()) {
            return Err(DeliveryFailure::Permanent(format!(
                "{host} is not this machine; webhooks to other machines go over https"
            )));
        }
        for address in &addresses {
            if let Some(reason) = refused(address.ip(), self.loopback_allowed) {
                return Err(DeliveryFailure::Permanent(format!(
                    "{host} is {reason} ({}); webhooks go only to public addresses",
                    address.ip()
                )));
            }
        }
        Ok(addresses)
    }
}

/// The start of a receiver's refusal, read no further than that: a
/// receiver could answer with gigabytes.
async fn beginning_of(mut answer: reqwest::Response) -> String {
    let mut kept = Vec::new();
    while kept.len() < ANSWER_KEPT_BYTES {
        match answer.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            _ => break,
        }
    }
    String::from_utf8_lossy(&kept)
        .chars()
        .take(ANSWER_KEPT_CHARS)
        .collect()
}

fn unreachable(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        format!("no answer within {} seconds", timeout.as_secs())
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        // Without its URL: a Teams or Slack address carries their secret.
        let text = error.to_string();
        match error.url() {
            Some(url) => text.replace(url.as_str(), "the receiver"),
            None => text,
        }
    }
}
