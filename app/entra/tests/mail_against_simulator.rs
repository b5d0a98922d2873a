//! Sending as a mailbox through Graph, over HTTP against the simulator: an
//! app with Mail.Send sends; without it, to a mailbox outside its tenant, or
//! outside an application access policy, Graph refuses and says why.

mod support;

use domain::ids::{ClientId, TenantRef};
use domain::Cloud;
use entra::mail::{send_mail, MailError, MailMessage};
use serde_json::json;
use support::*;

async fn sent(sim: &entra_simulator::Simulator) -> Vec<serde_json::Value> {
    let answer: serde_json::Value = reqwest::get(format!("{}/_admin/mail", sim.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["messages"].as_array().unwrap().clone()
}

async fn send_as(sim: &entra_simulator::Simulator, mailbox: &str) -> Result<(), MailError> {
    let client = client_for(sim);
    let token = client
        .token(
            Cloud::Global,
            &TenantRef::parse(TENANT).unwrap(),
            &ClientId::parse(CLIENT).unwrap(),
            &secret(SECRET),
        )
        .await
        .unwrap();
    let to = ["noc@msp.example".to_owned()];
    send_mail(
        &client,
        Cloud::Global,
        &token,
        &MailMessage {
            mailbox,
            to: &to,
            subject: "Contoso: E-mail through Microsoft Graph is failing",
            text: "Admin consent is missing.",
        },
    )
    .await
}

#[tokio::test]
async fn an_app_with_mail_send_sends_as_a_mailbox_of_its_tenant() {
    let sim = simulator(vec![app(&["Mail.Send"])]).await;
    send_as(&sim, "alerts@contoso.example").await.unwrap();
    let messages = sent(&sim).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["mailbox"], "alerts@contoso.example");
    assert_eq!(messages[0]["to"][0], "noc@msp.example");
    assert_eq!(messages[0]["content_type"], "Text");
    assert_eq!(messages[0]["body"], "Admin consent is missing.");
}

#[tokio::test]
async fn graph_refuses_without_mail_send_outside_the_tenant_and_outside_the_access_policy() {
    let sim = simulator(vec![app(&["User.Read.All"])]).await;
    let refused = send_as(&sim, "alerts@contoso.example").await.unwrap_err();
    assert!(
        matches!(&refused, MailError::Refused { status: 403, code, .. } if code == "ErrorAccessDenied"),
        "{refused:?}"
    );

    admin(
        &sim,
        &format!("/_admin/apps/{CLIENT}/roles"),
        json!({"grant": ["Mail.Send"]}),
    )
    .await;
    let elsewhere = send_as(&sim, "alerts@fabrikam.example").await.unwrap_err();
    assert!(
        matches!(&elsewhere, MailError::Refused { status: 404, code, .. } if code == "ErrorInvalidUser"),
        "{elsewhere:?}"
    );

    let policy = reqwest::Client::new()
        .patch(format!("{}/_admin/apps/{CLIENT}", sim.base_url()))
        .json(&json!({"mailboxes": ["alerts@contoso.example"]}))
        .send()
        .await
        .unwrap();
    assert!(policy.status().is_success());
    let outside = send_as(&sim, "ceo@contoso.example").await.unwrap_err();
    assert!(
        matches!(&outside, MailError::Refused { status: 403, message, .. } if message.contains("AccessPolicy")),
        "{outside:?}"
    );
    send_as(&sim, "alerts@contoso.example").await.unwrap();
    assert_eq!(sent(&sim).await.len(), 1, "only the allowed mailbox sent");
}
