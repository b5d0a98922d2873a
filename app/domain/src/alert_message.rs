//! One alert in the shape each kind of channel takes: Tenantry's own JSON
//! for a signed webhook (for ticketing tools), an Adaptive Card for a
//! Microsoft Teams Workflows webhook (the retired Office 365 connector
//! format is not used), and Block Kit for a Slack incoming webhook.

use crate::alerts::Severity;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Tenantry's JSON, signed as Standard Webhooks has it.
    Webhook,
    Teams,
    Slack,
    /// Plain-text e-mail through the server's mail server (SMTP).
    Email,
    /// Plain-text e-mail sent as one of the organisation's own mailboxes
    /// through Microsoft Graph, by a registration Tenantry watches.
    Graph,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 5] = [
        ChannelKind::Webhook,
        ChannelKind::Teams,
        ChannelKind::Slack,
        ChannelKind::Email,
        ChannelKind::Graph,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Teams => "teams",
            ChannelKind::Slack => "slack",
            ChannelKind::Email => "email",
            ChannelKind::Graph => "graph",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// The kind an admin chose in the form.
    pub fn chosen(text: &str) -> Result<Self, &'static str> {
        Self::parse(text.trim())
            .ok_or("Choose what receives the alerts: a webhook, Microsoft Teams, Slack or e-mail.")
    }

    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "Webhook (signed JSON, for ticketing tools)",
            ChannelKind::Teams => "Microsoft Teams (Workflows webhook)",
            ChannelKind::Slack => "Slack (incoming webhook)",
            ChannelKind::Email => "E-mail (through Tenantry's mail server)",
            ChannelKind::Graph => "E-mail from your mailbox (Microsoft Graph)",
        }
    }

    /// E-mail goes to addresses; every other kind to a web address.
    pub fn is_mail(self) -> bool {
        matches!(self, ChannelKind::Email | ChannelKind::Graph)
    }

    /// Teams and Slack put their own secret in the address; a webhook of
    /// Tenantry's JSON is signed with one Tenantry makes.
    pub fn signed(self) -> bool {
        self == ChannelKind::Webhook
    }
}

/// At most this many addresses receive one e-mail channel's alerts.
pub const RECIPIENTS_LIMIT: usize = 10;

/// An e-mail channel's addresses as typed: separated by commas, semicolons
/// or spaces, each a plain address, at least one and at most ten.
pub fn recipients(text: &str) -> Result<Vec<String>, String> {
    let mut addresses: Vec<String> = Vec::new();
    for typed in text
        .split([',', ';', ' ', '\n', '\t'])
        .filter(|part| !part.trim().is_empty())
    {
        let address = crate::staff::Email::parse(typed)
            .map_err(|_| format!("\"{}\" is not an e-mail address.", typed.trim()))?;
        if !addresses.contains(&address.as_str().to_owned()) {
            addresses.push(address.as_str().to_owned());
        }
    }
    match addresses.len() {
        0 => Err("Enter the addresses to send the alerts to, separated by commas.".to_owned()),
        n if n > RECIPIENTS_LIMIT => Err(format!(
            "Send to at most {RECIPIENTS_LIMIT} addresses; a distribution list can reach more."
        )),
        _ => Ok(addresses),
    }
}

/// The longest name a channel may have.
pub const NAME_LIMIT: usize = 100;

/// A channel's name as typed: trimmed, there, and not too long.
pub fn channel_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        Err("Name the channel, e.g. the ticketing system it feeds.".to_owned())
    } else if name.chars().count() > NAME_LIMIT {
        Err(format!("Keep the name to {NAME_LIMIT} characters."))
    } else {
        Ok(name.to_owned())
    }
}

/// The JSON Schema of a signed webhook's body: served at
/// `/schemas/alert-event.json` and kept true by this module's tests.
pub const EVENT_SCHEMA: &str = include_str!("../schema/alert-event.schema.json");

/// What one alert says, whatever it is sent through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertMessage {
    /// The stable code receivers key on (`registration.failing`, `test`).
    pub event: String,
    /// None for a test message.
    pub severity: Option<Severity>,
    pub title: String,
    pub text: String,
    /// Labelled details: tenant, product, finding.
    pub facts: Vec<(String, String)>,
    /// Where in Tenantry to act on it.
    pub link: Option<String>,
    /// When it was made, as UTC text.
    pub at: String,
    /// What ticketing tools read, merged into Tenantry's JSON: `tenant`,
    /// `registration`, `finding` and the event's own `details`.
    pub details: Value,
}

/// An alert as plain text for e-mail: what happened and what to do, the
/// facts, and where to act.
pub fn plain_text(message: &AlertMessage) -> String {
    let mut text = format!("{}\n\n", message.text);
    for (name, value) in &message.facts {
        text.push_str(&format!("{name}: {value}\n"));
    }
    if let Some(link) = &message.link {
        text.push_str(&format!("\nOpen in Tenantry: {link}\n"));
    }
    text.push_str(&format!(
        "\nSent by Tenantry at {}. Change which alerts reach you on Tenantry's Alerts page.\n",
        message.at
    ));
    text
}

/// The body to send to a channel of `kind`.
pub fn body(kind: ChannelKind, message: &AlertMessage) -> Value {
    match kind {
        ChannelKind::Email | ChannelKind::Graph => json!({
            "subject": message.title,
            "text": plain_text(message),
        }),
        ChannelKind::Webhook => {
            let mut body = json!({
                "type": message.event,
                "severity": message.severity,
                "title": message.title,
                "text": message.text,
                "facts": message.facts.iter().map(|(name, value)| json!({"name": name, "value": value})).collect::<Vec<_>>(),
                "link": message.link,
                "at": message.at,
                "tenant": null,
                "registration": null,
                "finding": null,
                "details": {},
            });
            if let (Some(body), Value::Object(details)) = (body.as_object_mut(), &message.details) {
                for key in ["tenant", "registration", "finding", "details"] {
                    if let Some(value) = details.get(key) {
                        body.insert(key.to_owned(), value.clone());
                    }
                }
            }
            body
        }
        ChannelKind::Teams => {
            let mut card = json!({
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    {"type": "TextBlock", "text": message.title, "weight": "Bolder", "size": "Medium", "wrap": true},
                    {"type": "TextBlock", "text": message.text, "wrap": true},
                    {"type": "FactSet", "facts": message.facts.iter().map(|(name, value)| json!({"title": name, "value": value})).collect::<Vec<_>>()},
                ],
            });
            if let Some(link) = &message.link {
                card["actions"] =
                    json!([{"type": "Action.OpenUrl", "title": "Open in Tenantry", "url": link}]);
            }
            json!({
                "type": "message",
                "attachments": [{
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": null,
                    "content": card,
                }],
            })
        }
        ChannelKind::Slack => {
            let mut blocks = vec![
                json!({"type": "header", "text": {"type": "plain_text", "text": message.title}}),
                json!({"type": "section", "text": {"type": "mrkdwn", "text": slack_escaped(&message.text)}}),
            ];
            if !message.facts.is_empty() {
                blocks.push(json!({
                    "type": "section",
                    "fields": message.facts.iter().map(|(name, value)| json!({
                        "type": "mrkdwn",
                        "text": format!("*{}*\n{}", slack_escaped(name), slack_escaped(value)),
                    })).collect::<Vec<_>>(),
                }));
            }
            if let Some(link) = &message.link {
                blocks.push(json!({
                    "type": "actions",
                    "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open in Tenantry"}, "url": link}],
                }));
            }
            json!({
                // Shown in notifications, where blocks are not.
                "text": format!("{}: {}", message.title, message.text),
                "blocks": blocks,
            })
        }
    }
}

/// Slack reads `&`, `<` and `>` as markup; a tenant named `<!channel>`
/// must not ping everyone.
fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> AlertMessage {
        AlertMessage {
            event: "registration.failing".to_owned(),
            title: "Contoso: Mail sender is failing".to_owned(),
            text: "Admin consent is missing for Mail.Send.".to_owned(),
            facts: vec![("Tenant".to_owned(), "<!channel> & Co".to_owned())],
            link: Some("https://tenantry.example/registrations/r1".to_owned()),
            at: "2026-11-24T09:00:00Z".to_owned(),
            severity: Some(Severity::Critical),
            details: json!({"finding": {"code": "consent_missing"}, "secret": "never merged"}),
        }
    }

    #[test]
    fn a_webhook_gets_tenantrys_json_with_the_stable_event_code() {
        let body = body(ChannelKind::Webhook, &message());
        assert_eq!(body["type"], "registration.failing");
        assert_eq!(body["facts"][0]["name"], "Tenant");
        assert_eq!(body["link"], "https://tenantry.example/registrations/r1");
    }

    #[test]
    fn a_webhook_body_has_exactly_the_documented_fields_and_only_the_known_details() {
        let schema: Value = serde_json::from_str(EVENT_SCHEMA).unwrap();
        let documented: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|key| key.as_str().unwrap())
            .collect();
        let body = body(ChannelKind::Webhook, &message());
        let mut sent: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        sent.sort_unstable();
        let mut expected = documented.clone();
        expected.sort_unstable();
        assert_eq!(sent, expected);
        assert!(required.iter().all(|key| sent.contains(key)));
        assert_eq!(body["finding"]["code"], "consent_missing");
        assert_eq!(body["severity"], "critical");
        assert!(!body.to_string().contains("never merged"));
        let events = schema["properties"]["type"]["enum"].as_array().unwrap();
        for (code, _) in crate::alerts::EVENTS {
            assert!(events.iter().any(|e| e == code), "{code} is documented");
        }
    }

    #[test]
    fn teams_gets_an_adaptive_card_in_a_message_not_a_connector_card() {
        let body = body(ChannelKind::Teams, &message());
        assert_eq!(body["type"], "message");
        let attachment = &body["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(attachment["content"]["type"], "AdaptiveCard");
        assert_eq!(
            attachment["content"]["body"][0]["text"],
            "Contoso: Mail sender is failing"
        );
        assert_eq!(
            attachment["content"]["actions"][0]["url"],
            "https://tenantry.example/registrations/r1"
        );
        assert!(
            body.get("@type").is_none(),
            "no MessageCard of the retired connectors"
        );
    }

    #[test]
    fn slack_gets_blocks_with_a_fallback_and_no_markup_from_names() {
        let body = body(ChannelKind::Slack, &message());
        assert_eq!(
            body["text"],
            "Contoso: Mail sender is failing: Admin consent is missing for Mail.Send."
        );
        assert_eq!(body["blocks"][0]["type"], "header");
        assert_eq!(
            body["blocks"][2]["fields"][0]["text"],
            "*Tenant*\n&lt;!channel&gt; &amp; Co"
        );
        assert_eq!(
            body["blocks"][3]["elements"][0]["url"],
            "https://tenantry.example/registrations/r1"
        );
    }

    #[test]
    fn a_channel_is_named_in_at_most_a_hundred_characters_and_its_kind_chosen() {
        assert_eq!(channel_name("  PSA tickets "), Ok("PSA tickets".to_owned()));
        assert!(channel_name("   ").is_err());
        assert!(channel_name(&"x".repeat(NAME_LIMIT)).is_ok());
        assert_eq!(
            channel_name(&"x".repeat(NAME_LIMIT + 1)),
            Err("Keep the name to 100 characters.".to_owned())
        );
        assert_eq!(ChannelKind::chosen(" slack "), Ok(ChannelKind::Slack));
        assert!(ChannelKind::chosen("office365_connector").is_err());
    }

    #[test]
    fn an_email_has_the_title_as_subject_and_the_fix_facts_and_link_as_text() {
        let body = body(ChannelKind::Email, &message());
        assert_eq!(body["subject"], "Contoso: Mail sender is failing");
        let text = body["text"].as_str().unwrap();
        assert!(text.starts_with("Admin consent is missing for Mail.Send."));
        assert!(text.contains("Tenant: <!channel> & Co\n"));
        assert!(text.contains("Open in Tenantry: https://tenantry.example/registrations/r1"));
        assert!(!text.contains("never merged"));
    }

    #[test]
    fn recipients_are_plain_addresses_one_to_ten_without_repeats() {
        assert_eq!(
            recipients("noc@msp.example; Oncall@MSP.example, noc@msp.example").unwrap(),
            ["noc@msp.example", "oncall@msp.example"]
        );
        assert!(recipients(" , ").is_err());
        assert!(recipients("noc@msp.example, not an address")
            .unwrap_err()
            .contains("\"not\""));
        let eleven: Vec<String> = (0..11).map(|n| format!("a{n}@msp.example")).collect();
        assert!(recipients(&eleven.join(",")).is_err());
    }

    #[test]
    fn only_tenantrys_own_json_is_signed_and_kinds_read_back() {
        assert!(ChannelKind::Webhook.signed());
        assert!(!ChannelKind::Teams.signed() && !ChannelKind::Slack.signed());
        assert!(!ChannelKind::Email.signed() && !ChannelKind::Graph.signed());
        for kind in ChannelKind::ALL {
            assert_eq!(ChannelKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ChannelKind::parse("office365_connector"), None);
    }
}
