//! Customer notices: a tenant that asked for them has its contacts told,
//! at 30, 14 and 7 days, that the credential Tenantry holds expires, with a
//! renewal link. The link replaces only that registration's credential,
//! only with one that passes the test; staff are told when it did.

use crate::support::onboarding::{in_days, Customer};
use crate::support::receiver::receiver;
use crate::support::simulator::{contoso, CLIENT, OBJECT, SECRET, TENANT};
use crate::support::watch::admin;
use crate::support::{app_error, TestApp};
use app::error::AppError;
use app::model::RegistrationPage;
use axum::http::StatusCode;
use domain::evaluation::Status;
use entra_simulator::smtp::{self, MailServer};
use entra_simulator::Simulator;
use reqwest::Client;
use serde_json::json;
use std::time::Duration;

const NEW_SECRET: &str = "Renewed~Secret.Value_0123456789abcdef";

struct Msp {
    app: TestApp,
    staff: Client,
    sim: Simulator,
    mail: MailServer,
    tenant: String,
    registration: String,
}

/// Northwind IT watches Contoso's e-mail registration, whose secret
/// Tenantry believes expires in 20 days; Contoso's contacts are on file.
async fn msp(notices: bool) -> Msp {
    let sim = contoso(&["Mail.Send"]).await;
    let mail = smtp::spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let app = crate::support::simulator::app_with_mail(
        &sim,
        &mail,
        &[("TENANTRY_WEBHOOKS_TO_THIS_MACHINE", "1".to_owned())],
    )
    .await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let created = app
        .call(
            &staff,
            "create_tenant",
            &[
                ("form[display_name]", "Contoso"),
                ("form[tenant_id]", TENANT),
                ("form[primary_domain]", ""),
                ("form[cloud]", "global"),
                ("form[contacts]", "it@contoso.example, cio@contoso.example"),
                ("form[notes]", ""),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let tenant: String = created.json().await.unwrap();
    if notices {
        let on = app
            .call(
                &staff,
                "set_expiry_notices",
                &[("customer_tenant_id", tenant.as_str()), ("enabled", "true")],
            )
            .await;
        assert_eq!(on.status(), StatusCode::OK);
    }
    let saved = app
        .call(
            &staff,
            "save_notice_reply_to",
            &[("reply_to", "servicedesk@northwind.example")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let expires = in_days(20);
    let added = app
        .call(
            &staff,
            "add_registration",
            &[
                ("customer_tenant_id", tenant.as_str()),
                ("form[profiles]", "email"),
                ("form[client_id]", CLIENT),
                ("form[object_id]", OBJECT),
                ("form[secret]", SECRET),
                ("form[secret_expires]", expires.as_str()),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let registration: String = added.json().await.unwrap();
    Msp {
        app,
        staff,
        sim,
        mail,
        tenant,
        registration,
    }
}

impl Msp {
    async fn check(&self) -> Status {
        let response = self
            .app
            .call(
                &self.staff,
                "check_registration",
                &[("registration_id", self.registration.as_str())],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn page(&self) -> RegistrationPage {
        self.app
            .call(
                &self.staff,
                "load_registration",
                &[("registration_id", self.registration.as_str())],
            )
            .await
            .json()
            .await
            .unwrap()
    }
}

fn link_in(body: &str) -> String {
    // Quoted-printable may wrap the line: undo soft line breaks first.
    let body = body.replace("=\r\n", "").replace("=\n", "");
    let start = body.find("http://").expect("a link in the notice");
    body[start..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn a_customer_told_of_an_expiring_secret_renews_it_through_the_link_and_staff_are_told() {
    let msp = msp(true).await;
    let hook = receiver(StatusCode::OK, Duration::ZERO).await;
    let added = msp
        .app
        .call(
            &msp.staff,
            "add_alert_channel",
            &[
                ("form[kind]", "webhook"),
                ("form[name]", "PSA"),
                ("form[url]", hook.url.as_str()),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    assert_eq!(msp.check().await, Status::Warning);
    msp.app.weigh_alerts().await;

    let received = msp.mail.wait_for(2).await;
    let notices: Vec<_> = received
        .iter()
        .filter(|m| {
            m.header("Subject")
                .is_some_and(|s| s.contains("renew the client secret"))
        })
        .collect();
    assert_eq!(notices.len(), 2, "each contact: {received:?}");
    let mut to: Vec<&str> = notices.iter().map(|m| m.to[0].as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["cio@contoso.example", "it@contoso.example"]);
    let notice = notices[0];
    assert_eq!(
        notice.header("Reply-To").as_deref(),
        Some("servicedesk@northwind.example")
    );
    assert!(notice
        .header("Subject")
        .unwrap()
        .starts_with("Northwind IT: renew the client secret for E-mail through Microsoft Graph"));
    assert!(!notice.data.contains(SECRET), "no secret in a notice");
    let link = link_in(&notice.data);
    assert!(link.contains("/onboard/"), "{link}");

    // The customer's admin adds a new secret in Entra and follows the link.
    admin(
        &msp.sim,
        &format!("/_admin/apps/{CLIENT}/secrets"),
        json!({"value": NEW_SECRET, "expires_at": time::OffsetDateTime::now_utc().unix_timestamp() + 300 * 86_400}),
    )
    .await;
    let customer = Customer::holding(&msp.app.address, &link).await;
    let opened = customer.open().await;
    assert!(opened.renewal);
    assert_eq!(opened.ids.client_id, CLIENT);
    assert_eq!(opened.finished, 3, "it starts at the credential");
    let moved = customer
        .save_ids(TENANT, "99999999-9999-9999-9999-999999999999", "")
        .await;
    assert!(
        matches!(app_error(moved).await, AppError::Conflict(_)),
        "the IDs stay as they are"
    );
    let wrong = customer
        .save_secret("not~the.right-secret-value", &in_days(300))
        .await;
    assert_eq!(wrong.status(), StatusCode::OK);
    let tested = customer.test().await;
    assert!(
        !tested.completed,
        "a secret Microsoft refuses replaces nothing"
    );
    assert!(
        msp.page()
            .await
            .credential
            .ends_with(&SECRET[SECRET.len() - 4..]),
        "the old secret stays"
    );
    let saved = customer.save_secret(NEW_SECRET, &in_days(300)).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let tested = customer.test().await;
    assert!(tested.completed, "{tested:?}");

    let page = msp.page().await;
    assert_eq!(
        page.standing.status,
        Status::Healthy,
        "checked with the new secret"
    );
    assert!(page.credential.ends_with("cdef"), "{}", page.credential);
    msp.app.weigh_alerts().await;
    let mut told = Vec::new();
    for _ in 0..100 {
        told = hook
            .all()
            .iter()
            .map(|m| serde_json::from_slice::<serde_json::Value>(&m.body).unwrap())
            .filter(|b| b["type"] == "credential.renewed_by_customer")
            .collect();
        if !told.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(told.len(), 1, "staff are told");
    assert!(told[0]["title"]
        .as_str()
        .unwrap()
        .contains("Contoso renewed"));

    // The link is done: it renews nothing again.
    let again = customer.save_secret(NEW_SECRET, &in_days(300)).await;
    assert!(matches!(app_error(again).await, AppError::Conflict(_)));
}

#[tokio::test]
async fn without_the_tenants_consent_to_notices_its_contacts_are_not_written_to() {
    let msp = msp(false).await;
    assert_eq!(msp.check().await, Status::Warning);
    msp.app.weigh_alerts().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let received = msp.mail.wait_for(0).await;
    assert!(
        received
            .iter()
            .all(|m| !m.to.iter().any(|to| to.ends_with("@contoso.example"))),
        "{received:?}"
    );
    let details: app::model::TenantDetails = msp
        .app
        .call(
            &msp.staff,
            "load_tenant",
            &[("customer_tenant_id", msp.tenant.as_str())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(!details.expiry_notices);
}

#[tokio::test]
async fn a_customer_can_renew_with_a_certificate_tenantry_generates_and_it_replaces_the_secret() {
    let msp = msp(true).await;
    assert_eq!(msp.check().await, Status::Warning);
    msp.app.weigh_alerts().await;
    let received = msp.mail.wait_for(1).await;
    let link = link_in(&received[0].data);
    let customer = Customer::holding(&msp.app.address, &link).await;

    let generated = customer.generate().await;
    assert_eq!(generated.status(), StatusCode::OK);
    let der = customer.download_certificate().await.bytes().await.unwrap();
    // What the customer's admin does in Entra: upload the .cer to the app.
    let uploaded = reqwest::Client::new()
        .post(format!(
            "{}/_admin/apps/{CLIENT}/certificates",
            msp.sim.base_url()
        ))
        .json(&json!({"der_base64": crate::support::certificates::as_upload(&der)}))
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let tested = customer.test().await;
    assert!(tested.completed, "{tested:?}");

    let page = msp.page().await;
    assert!(
        page.credential.starts_with("Certificate "),
        "{}",
        page.credential
    );
    assert_eq!(page.standing.status, Status::Healthy);
}
