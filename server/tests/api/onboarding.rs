//! A customer follows an onboarding link, step by step, to a verified
//! registration against the Entra simulator, with a client secret, a
//! generated certificate or an uploaded one; links are scoped, expire and
//! can be revoked.

use crate::support::certificates::{as_upload, make, pfx, pfx_costing, Recipe};
use crate::support::onboarding::{in_days, invite, Customer};
use crate::support::simulator::{
    app_against, contoso, grant, secret_summary, CLIENT, OBJECT, SECRET, TENANT,
};
use crate::support::{app_error, spawn_app_with, TestApp};
use app::model::OnboardingView;
use domain::evaluation::Status;
use reqwest::{Client, StatusCode};
use serde_json::json;
use test_certificates::{crafted_pfx, CraftedBag, CraftedSafe};

async fn simulator() -> entra_simulator::Simulator {
    contoso(&[]).await
}

/// An organisation with Contoso on file; its admin's client and the tenant.
async fn staff_with_tenant(
    app: &TestApp,
    org: &str,
    email: &str,
    tenant_id: &str,
) -> (Client, String) {
    let staff = app.admin_of(org, email).await;
    let tenant = app.add_tenant(&staff, "Contoso", tenant_id).await;
    (staff, tenant)
}

async fn view_of(response: reqwest::Response) -> OnboardingView {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_customer_follows_the_link_fixes_missing_consent_and_ends_with_an_active_registration() {
    let sim = simulator().await;
    let app = app_against(&sim).await;
    let (staff, tenant) =
        staff_with_tenant(&app, "Northwind IT", "nadia@northwind.example", TENANT).await;
    let customer = invite(&app, &staff, &tenant, "email").await;

    let view = customer.open().await;
    assert_eq!(view.tenant_name, "Contoso");
    assert_eq!(view.finished, 0);
    assert_eq!(view.requirements[0].permission, "Mail.Send");
    assert!(!view.needs_object_id);
    assert!(
        view.powershell
            .contains("b633e1c5-b582-4048-a93e-9f11b44c7e96"),
        "the catalog's Mail.Send GUID"
    );
    assert!(view
        .azure_cli
        .contains("--required-resource-accesses @tenantry-manifest.json"));
    let page = customer.page().await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Set up access for ") && page.contains("Contoso"),
        "the page is rendered for the link in the cookie: {page}"
    );

    customer.finish_entra_steps().await;
    let saved = customer.save_secret(SECRET, &in_days(120)).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved_text = saved.text().await.unwrap();
    assert!(!saved_text.contains(SECRET), "the secret is write-only");
    let saved: OnboardingView = serde_json::from_str(&saved_text).unwrap();
    let credential = saved.credential.unwrap();
    assert_eq!(credential.summary, secret_summary());
    assert!(credential.advice.is_empty(), "four months is within policy");
    let with_ids = view_of(customer.save_ids(TENANT, CLIENT, OBJECT).await).await;
    assert_eq!(with_ids.finished, 5);
    assert!(with_ids
        .consent_url
        .unwrap()
        .contains(&format!("/{TENANT}/adminconsent?client_id={CLIENT}")));

    let first = customer.test().await;
    assert_eq!(first.status, Status::Failing);
    assert_eq!(first.findings[0].code.as_str(), "consent_missing");
    assert!(!first.completed);

    grant(&sim, "Mail.Send").await;
    let second = customer.test().await;
    assert_eq!(second.status, Status::Healthy);
    assert!(second.completed);

    let registrations = app.registrations(&staff, &tenant).await;
    assert_eq!(registrations.len(), 1);
    assert_eq!(registrations[0].client_id, CLIENT);
    assert_eq!(registrations[0].credential, secret_summary());
    assert_eq!(
        app.onboarding_links(&staff, &tenant).await[0].state,
        "Completed"
    );
    let after = customer.save_secret(SECRET, &in_days(120)).await;
    assert_eq!(
        after.status(),
        StatusCode::CONFLICT,
        "a completed registration belongs to the MSP"
    );
}

#[tokio::test]
async fn a_generated_certificate_is_downloaded_registered_in_entra_and_tests_green() {
    let sim = simulator().await;
    let app = app_against(&sim).await;
    let (staff, tenant) =
        staff_with_tenant(&app, "Northwind IT", "nadia@northwind.example", TENANT).await;
    let customer = invite(&app, &staff, &tenant, "email").await;
    assert_eq!(
        customer.download_certificate().await.status(),
        StatusCode::NOT_FOUND,
        "nothing to download before a certificate exists"
    );

    let generated = customer.generate().await;
    assert_eq!(generated.status(), StatusCode::OK);
    let text = generated.text().await.unwrap();
    assert!(
        !text.contains("PRIVATE KEY"),
        "the private key stays on the server"
    );
    let view: OnboardingView = serde_json::from_str(&text).unwrap();
    let credential = view.credential.unwrap();
    assert!(credential.certificate && credential.generated);
    assert_eq!(credential.summary, "Certificate CN=Tenantry Mail Sender");
    assert!(
        credential.advice.is_empty(),
        "a generated certificate meets the policy"
    );
    assert_eq!(view.finished, 4);

    let download = customer.download_certificate().await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/pkix-cert");
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"tenantry-"));
    let der = download.bytes().await.unwrap();
    let (facts, _) = entra::certificate::certificate_facts(&der).unwrap();
    assert_eq!(
        facts.key,
        domain::credential::KeyAlgorithm::Rsa { bits: 2048 }
    );
    let thumbprint = credential.thumbprint.unwrap();

    // What the admin does in Entra: upload the .cer to the app, grant consent.
    let registered = reqwest::Client::new()
        .post(format!(
            "{}/_admin/apps/{CLIENT}/certificates",
            sim.base_url()
        ))
        .json(&json!({"der_base64": as_upload(&der)}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    grant(&sim, "Mail.Send").await;
    view_of(customer.save_ids(TENANT, CLIENT, "").await).await;
    let result = customer.test().await;
    assert_eq!(result.status, Status::Healthy, "{:?}", result.findings);
    assert!(result.completed);

    let registrations = app.registrations(&staff, &tenant).await;
    assert_eq!(
        registrations[0].credential,
        format!("Certificate {thumbprint}")
    );
    assert!(
        !crate::support::database::everything_stored(&app.config).contains("PRIVATE KEY"),
        "private keys are sealed at rest"
    );
}

#[tokio::test]
async fn an_uploaded_certificate_is_checked_against_the_policy_with_a_message_for_each_problem() {
    let sim = simulator().await;
    let app = app_against(&sim).await;
    let (staff, tenant) =
        staff_with_tenant(&app, "Northwind IT", "nadia@northwind.example", TENANT).await;
    let customer = invite(&app, &staff, &tenant, "email").await;
    let good = make("Contoso Tenantry", Recipe::default());
    let field = |response: reqwest::Response, name: &'static str| async move {
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        app_error(response)
            .await
            .for_field(name)
            .unwrap_or_else(|| panic!("a message on {name}"))
    };

    let wrong_password = customer
        .upload("", &as_upload(&pfx(&good, "right")), "wrong")
        .await;
    assert!(field(wrong_password, "password")
        .await
        .contains("check the password"));
    let costly = customer
        .upload(
            "",
            &as_upload(&pfx_costing(&good, "right", 700_000)),
            "right",
        )
        .await;
    assert!(
        field(costly, "private_key")
            .await
            .contains("700000 key-derivation iterations"),
        "a .pfx that would cost seconds of CPU is refused before it is opened"
    );
    // Twenty keys hidden in an encrypted safe, each at the most any one
    // derivation may ask: 12,000,000 iterations, seconds of every core,
    // had the opener been reached (it was, before the whole file was
    // costed). Refused once the safe is opened, before any key is.
    let hidden = vec![
        CraftedBag::ShroudedKey {
            iterations: 600_000
        };
        20
    ];
    let hidden = crafted_pfx("right", &[CraftedSafe::encrypted(2_048, hidden)]);
    let started = std::time::Instant::now();
    let many_keys = customer.upload("", &as_upload(&hidden), "right").await;
    assert!(field(many_keys, "private_key")
        .await
        .contains("for the whole file"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "refused on its cost, not after paying it: {:?}",
        started.elapsed()
    );
    let secret = crafted_pfx("right", &[CraftedSafe::plain(vec![CraftedBag::Secret])]);
    let secret = customer.upload("", &as_upload(&secret), "right").await;
    assert!(field(secret, "private_key")
        .await
        .contains("other than a certificate and its key"));
    let other = make("Someone else", Recipe::default());
    let mismatch = customer
        .upload(
            &as_upload(good.cert_pem.as_bytes()),
            &as_upload(other.key_pem.as_bytes()),
            "",
        )
        .await;
    assert!(field(mismatch, "private_key")
        .await
        .contains("does not belong"));
    let pem_without_certificate = customer
        .upload("", &as_upload(good.key_pem.as_bytes()), "")
        .await;
    assert!(field(pem_without_certificate, "certificate")
        .await
        .contains("needs its certificate"));
    // Short keys are refused by the same rule (domain::credential tests);
    // rcgen will not sign with a 1024-bit key to make one here.
    for (recipe, message) in [
        (
            Recipe {
                server_auth_only: true,
                ..Recipe::default()
            },
            "client authentication",
        ),
        (
            Recipe {
                expired: true,
                ..Recipe::default()
            },
            "expired",
        ),
    ] {
        let bad = make("Contoso weak", recipe);
        let refused = customer
            .upload("", &as_upload(&pfx(&bad, "pw")), "pw")
            .await;
        assert!(
            field(refused, "certificate").await.contains(message),
            "{message}"
        );
    }
    assert!(
        customer.open().await.credential.is_none(),
        "nothing refused was kept"
    );

    let accepted = view_of(
        customer
            .upload(
                &as_upload(&good.cert_der),
                &as_upload(&pfx(&good, "right")),
                "right",
            )
            .await,
    )
    .await;
    let credential = accepted.credential.unwrap();
    assert_eq!(credential.summary, "Certificate CN=Contoso Tenantry");
    assert!(!credential.generated);
    let from_pem = view_of(
        customer
            .upload(
                &as_upload(good.cert_pem.as_bytes()),
                &as_upload(good.key_pem.as_bytes()),
                "",
            )
            .await,
    )
    .await;
    assert_eq!(
        from_pem.credential.unwrap().thumbprint,
        credential.thumbprint
    );
}

#[tokio::test]
async fn each_step_is_kept_and_bad_entries_are_named_without_losing_the_saved_secret() {
    let sim = simulator().await;
    let app = app_against(&sim).await;
    let (staff, tenant) =
        staff_with_tenant(&app, "Northwind IT", "nadia@northwind.example", TENANT).await;
    let customer = invite(&app, &staff, &tenant, "email").await;
    assert_eq!(app.onboarding_links(&staff, &tenant).await[0].state, "Sent");
    assert_eq!(view_of(customer.finish(2).await).await.finished, 2);
    assert_eq!(
        view_of(customer.finish(1).await).await.finished,
        2,
        "going back to an earlier step keeps the progress"
    );
    assert_eq!(
        customer.finish(5).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "steps with a form are finished by saving it"
    );
    assert_eq!(
        app.onboarding_links(&staff, &tenant).await[0].state,
        "Step 2 of 6 done: Add permissions"
    );

    let secret_id = customer
        .save_secret("44444444-4444-4444-4444-444444444444", &in_days(90))
        .await;
    assert!(app_error(secret_id)
        .await
        .for_field("secret")
        .unwrap()
        .contains("secret's ID"));
    let long = view_of(customer.save_secret(SECRET, &in_days(700)).await).await;
    assert!(
        long.credential.unwrap().advice[0].contains("six months or less"),
        "a long-lived secret is accepted with a warning"
    );
    let expired = customer.save_secret("", "2020-01-01").await;
    assert!(app_error(expired)
        .await
        .for_field("secret_expires")
        .unwrap()
        .contains("already expired"));
    let kept = view_of(customer.save_secret("", &in_days(90)).await).await;
    assert_eq!(
        kept.credential.unwrap().summary,
        secret_summary(),
        "an empty value keeps the saved secret"
    );

    let wrong_tenant = customer
        .save_ids("99999999-9999-9999-9999-999999999999", "not-a-guid", "")
        .await;
    let error = app_error(wrong_tenant).await;
    assert!(error
        .for_field("tenant_id")
        .unwrap()
        .contains("not the tenant"));
    assert!(error.for_field("client_id").is_some());
    view_of(customer.save_ids(TENANT, CLIENT, "").await).await;

    let reopened = customer.open().await;
    assert_eq!(reopened.ids.client_id, CLIENT);
    assert_eq!(reopened.finished, 5);
    assert_eq!(
        domain::onboarding::resume_at(reopened.finished),
        domain::onboarding::Step::Test
    );
    assert_eq!(
        app.onboarding_links(&staff, &tenant).await[0].state,
        "Step 5 of 6 done: Enter the IDs"
    );
}

#[tokio::test]
async fn revoked_expired_and_unknown_links_open_nothing() {
    let sim = simulator().await;
    let app = spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
    ])
    .await;
    let (staff, tenant) =
        staff_with_tenant(&app, "Northwind IT", "nadia@northwind.example", TENANT).await;
    let customer = invite(&app, &staff, &tenant, "email").await;
    let links = app.onboarding_links(&staff, &tenant).await;

    let revoked = app
        .call(
            &staff,
            "revoke_onboarding_link",
            &[("link_id", links[0].id.as_str())],
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let after = customer.call("open_onboarding", &[]).await;
    assert_eq!(after.status(), StatusCode::GONE);
    assert!(app_error(after).await.to_string().contains("withdrawn"));
    assert_eq!(
        Customer::guessing(&app.address)
            .await
            .call("open_onboarding", &[])
            .await
            .status(),
        StatusCode::GONE
    );

    let short = spawn_app_with(&[("TENANTRY_ONBOARDING_TTL_HOURS", "1".into())]).await;
    let (staff, tenant) =
        staff_with_tenant(&short, "Tailspin", "olga@tailspin.example", TENANT).await;
    let customer = invite(&short, &staff, &tenant, "email").await;
    short.clock().advance(time::Duration::minutes(59));
    let still_open = customer.call("open_onboarding", &[]).await;
    assert_eq!(
        still_open.status(),
        StatusCode::OK,
        "a minute before expiry"
    );
    short.clock().advance(time::Duration::minutes(1));
    let expired = customer.call("open_onboarding", &[]).await;
    assert_eq!(expired.status(), StatusCode::GONE);
    assert!(app_error(expired).await.to_string().contains("expired"));
}

#[tokio::test]
async fn links_belong_to_one_organisation_and_viewers_cannot_create_them() {
    let sim = simulator().await;
    let app = spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
    ])
    .await;
    let (staff, tenant) =
        staff_with_tenant(&app, "Northwind IT", "nadia@northwind.example", TENANT).await;
    let viewer = app
        .add_member(&staff, "val@northwind.example", "viewer")
        .await;
    let (stranger, _) = staff_with_tenant(&app, "Fabrikam", "grace@fabrikam.example", TENANT).await;

    let by_viewer = app
        .call(
            &viewer,
            "create_onboarding_link",
            &[
                ("customer_tenant_id", tenant.as_str()),
                ("profiles", "email"),
            ],
        )
        .await;
    assert_eq!(by_viewer.status(), StatusCode::FORBIDDEN);
    let by_stranger = app
        .call(
            &stranger,
            "create_onboarding_link",
            &[
                ("customer_tenant_id", tenant.as_str()),
                ("profiles", "email"),
            ],
        )
        .await;
    assert_eq!(by_stranger.status(), StatusCode::NOT_FOUND);

    invite(&app, &staff, &tenant, "email").await;
    let seen = app
        .call(
            &stranger,
            "onboarding_links",
            &[("customer_tenant_id", tenant.as_str())],
        )
        .await;
    assert_eq!(seen.status(), StatusCode::NOT_FOUND);
    let links = app.onboarding_links(&staff, &tenant).await;
    let revoke = app
        .call(
            &stranger,
            "revoke_onboarding_link",
            &[("link_id", links[0].id.as_str())],
        )
        .await;
    assert_eq!(revoke.status(), StatusCode::NOT_FOUND);
}
