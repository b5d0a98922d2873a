//! Changing a registration from its page: the products it serves, its
//! credential, archiving. Each change is checked at once; bad input is
//! named on its field and changes nothing.

use crate::support::app_error;
use crate::support::onboarding::in_days;
use crate::support::simulator::{app_against, contoso, CLIENT, OBJECT, SECRET};
use crate::support::watch::{admin, watched, Watched};
use domain::evaluation::Status;
use reqwest::StatusCode;
use serde_json::json;

const RENEWED: &str = "Rn3~renewed.secret-value-after-rotation";

impl Watched {
    async fn call(&self, function: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut args = vec![("registration_id", self.registration.as_str())];
        args.extend_from_slice(form);
        self.app.call(&self.staff, function, &args).await
    }
}

#[tokio::test]
async fn adding_a_product_makes_the_required_permissions_their_union_and_checks_at_once() {
    let sim = contoso(&["Mail.Send"]).await;
    let watched = watched(app_against(&sim).await, 120).await;
    assert_eq!(watched.check_now().await, Status::Healthy);

    // Company recovery needs the Object ID, which this registration lacks.
    let refused = watched
        .call(
            "change_registration_profiles",
            &[
                ("form[profiles]", "email,recovery"),
                ("form[object_id]", ""),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = app_error(refused).await;
    assert!(error.for_field("object_id").is_some(), "{error:?}");
    assert_eq!(
        watched.page().await.profile_ids,
        vec!["email"],
        "nothing changed"
    );

    let changed = watched
        .call(
            "change_registration_profiles",
            &[
                ("form[profiles]", "email,recovery"),
                ("form[object_id]", OBJECT),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let status: Option<Status> = changed.json().await.unwrap();
    assert_eq!(
        status,
        Some(Status::Failing),
        "AuditLog.Read.All is not granted yet"
    );
    let page = watched.page().await;
    let needed: Vec<&str> = page
        .requirements
        .iter()
        .map(|r| r.permission.as_str())
        .collect();
    assert!(needed.contains(&"Mail.Send") && needed.contains(&"AuditLog.Read.All"));
    assert_eq!(page.object_id.as_deref(), Some(OBJECT));
    assert_eq!(Watched::checks(&page), 2, "the change was checked at once");
}

#[tokio::test]
async fn a_renewed_secret_replaces_the_old_one_and_is_checked_at_once() {
    let sim = contoso(&["Mail.Send"]).await;
    let watched = watched(app_against(&sim).await, 20).await;
    assert_eq!(
        watched.check_now().await,
        Status::Warning,
        "expires in 20 days"
    );
    admin(
        &sim,
        &format!("/_admin/apps/{CLIENT}/secrets"),
        json!({"value": RENEWED, "expires_at": entra_simulator::now() + 300 * 86_400}),
    )
    .await;

    let expired = watched
        .call(
            "replace_registration_credential",
            &[
                ("form[credential]", "secret"),
                ("form[secret]", RENEWED),
                ("form[secret_expires]", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(expired.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = app_error(expired).await;
    assert!(error.for_field("secret_expires").is_some(), "{error:?}");
    let unchanged = watched.page().await;
    assert!(unchanged.credential.ends_with(&SECRET[SECRET.len() - 4..]));

    let expires = in_days(300);
    let replaced = watched
        .call(
            "replace_registration_credential",
            &[
                ("form[credential]", "secret"),
                ("form[secret]", RENEWED),
                ("form[secret_expires]", expires.as_str()),
            ],
        )
        .await;
    assert_eq!(replaced.status(), StatusCode::OK);
    let body = replaced.text().await.unwrap();
    assert!(!body.contains(RENEWED), "the secret is write-only");
    let page = watched.page().await;
    assert_eq!(page.standing.status, Status::Healthy);
    assert!(page.credential.ends_with(&RENEWED[RENEWED.len() - 4..]));
    assert_eq!(page.credential_expires_at.as_ref().unwrap().date(), expires);
    assert!(!serde_json::to_string(&page).unwrap().contains(RENEWED));
}

#[tokio::test]
async fn an_archived_registration_is_kept_but_no_longer_checked_until_restored() {
    let sim = contoso(&["Mail.Send"]).await;
    let watched = watched(app_against(&sim).await, 120).await;
    let archived = watched
        .call("archive_registration", &[("archived", "true")])
        .await;
    assert_eq!(archived.status(), StatusCode::OK);
    let page = watched.page().await;
    assert!(page.archived);

    let refused = watched.call("check_registration", &[]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let all = watched
        .app
        .call(&watched.staff, "request_checks", &[])
        .await;
    let request: app::model::CheckRequest = all.json().await.unwrap();
    assert_eq!(request.total, 0, "archived registrations are left out");

    let restored = watched
        .call("archive_registration", &[("archived", "false")])
        .await;
    assert_eq!(restored.status(), StatusCode::OK);
    assert_eq!(watched.check_now().await, Status::Healthy);
}

#[tokio::test]
async fn a_generated_certificate_replaces_the_secret_only_once_microsoft_accepts_it() {
    let sim = contoso(&["Mail.Send"]).await;
    let watched = watched(app_against(&sim).await, 120).await;
    assert_eq!(watched.check_now().await, Status::Healthy);

    let generated = watched.call("generate_registration_certificate", &[]).await;
    assert_eq!(generated.status(), StatusCode::OK);
    let pending: app::model::PendingCertificate = generated.json().await.unwrap();
    let page = watched.page().await;
    assert_eq!(
        page.pending.as_ref().map(|p| &p.thumbprint),
        Some(&pending.thumbprint)
    );
    assert!(
        page.credential.starts_with("Client secret"),
        "the secret stays in use meanwhile"
    );

    let cer = watched
        .staff
        .get(watched.app.url(&format!(
            "/registrations/{}/pending.cer",
            watched.registration
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(cer.status(), StatusCode::OK);
    let der = cer.bytes().await.unwrap();
    assert!(
        !der.windows(11).any(|w| w == b"PRIVATE KEY"),
        "only the public half"
    );

    // Not yet uploaded to Entra: nothing changes.
    let early = watched.call("activate_registration_certificate", &[]).await;
    assert_eq!(early.status(), StatusCode::CONFLICT);
    assert!(watched.page().await.credential.starts_with("Client secret"));

    use base64::Engine;
    admin(
        &sim,
        &format!("/_admin/apps/{CLIENT}/certificates"),
        json!({"der_base64": base64::engine::general_purpose::STANDARD.encode(&der)}),
    )
    .await;
    // Microsoft cannot be asked: the certificate is not taken on trust.
    admin(
        &sim,
        "/_admin/faults",
        json!({"scope": {"endpoint": "token"}, "kind": "status", "code": 503, "times": 4}),
    )
    .await;
    let unconfirmed = watched.call("activate_registration_certificate", &[]).await;
    assert_eq!(unconfirmed.status(), StatusCode::CONFLICT);
    assert!(watched.page().await.credential.starts_with("Client secret"));

    let switched = watched.call("activate_registration_certificate", &[]).await;
    assert_eq!(switched.status(), StatusCode::OK);
    let status: Option<Status> = switched.json().await.unwrap();
    assert_eq!(status, Some(Status::Healthy));
    let page = watched.page().await;
    assert!(
        page.credential.contains(&pending.thumbprint),
        "{}",
        page.credential
    );
    assert!(page.pending.is_none());
}
