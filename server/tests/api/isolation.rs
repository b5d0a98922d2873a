//! Every server function, called by someone it must not serve: a member of
//! another organisation (in each role), a viewer of the same organisation
//! for anything that changes data, a stranger without a session, a holder
//! of a dead onboarding link. The list of functions comes from the
//! registered server functions, so a new one that is not classified here
//! fails `every_server_function_is_classified`.

use crate::support::onboarding::{invite, Customer};
use crate::support::{browser, spawn_app, TestApp, PASSWORD};
use reqwest::{Client, StatusCode};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// A signed-in member; `writes` needs more than the viewer role.
    Staff { writes: bool },
    /// Anyone holding an onboarding link's token.
    Customer,
    /// Sign-in, first-run set-up and invitations: no scope to leak.
    Public,
}

const READS: Caller = Caller::Staff { writes: false };
const WRITES: Caller = Caller::Staff { writes: true };

const SERVER_FUNCTIONS: &[(&str, Caller)] = &[
    ("login", Caller::Public),
    ("logout", Caller::Public),
    ("check_setup", Caller::Public),
    ("complete_setup", Caller::Public),
    ("invitation_preview", Caller::Public),
    ("accept_invitation", Caller::Public),
    ("current_user", READS),
    ("load_staff", READS),
    ("invite_staff", WRITES),
    ("change_role", WRITES),
    ("change_member_standing", WRITES),
    ("revoke_invitation", WRITES),
    ("my_sessions", READS),
    ("sign_out_everywhere", READS),
    ("change_password", READS),
    ("audit_trail", READS),
    ("mfa_status", READS),
    ("start_mfa_enrolment", READS),
    ("confirm_mfa_enrolment", READS),
    ("reset_member_mfa", WRITES),
    ("send_password_reset", WRITES),
    ("password_reset_preview", Caller::Public),
    ("complete_password_reset", Caller::Public),
    ("require_mfa", WRITES),
    ("sign_in_code", Caller::Public),
    ("sign_in_enrolment", Caller::Public),
    ("confirm_sign_in_enrolment", Caller::Public),
    ("list_tenants", READS),
    ("load_tenant", READS),
    ("create_tenant", WRITES),
    ("update_tenant", WRITES),
    ("archive_tenant", WRITES),
    ("list_registrations", READS),
    ("add_registration", WRITES),
    ("load_registration", READS),
    ("check_registration", WRITES),
    ("request_checks", WRITES),
    ("check_progress", READS),
    ("load_dashboard", READS),
    ("acknowledge_problem", WRITES),
    ("withdraw_acknowledgement", WRITES),
    ("change_registration_profiles", WRITES),
    ("replace_registration_credential", WRITES),
    ("archive_registration", WRITES),
    ("create_consent_link", WRITES),
    ("import_registrations", WRITES),
    ("generate_registration_certificate", WRITES),
    ("activate_registration_certificate", WRITES),
    ("create_onboarding_link", WRITES),
    ("onboarding_links", READS),
    ("revoke_onboarding_link", WRITES),
    ("open_onboarding", Caller::Customer),
    ("finish_onboarding_step", Caller::Customer),
    ("save_onboarding_secret", Caller::Customer),
    ("upload_onboarding_certificate", Caller::Customer),
    ("generate_onboarding_certificate", Caller::Customer),
    ("save_onboarding_ids", Caller::Customer),
    ("test_onboarding", Caller::Customer),
    ("start_recovery", Caller::Public),
    ("resume_recovery", Caller::Public),
    ("restart_recovery", Caller::Public),
    ("verify_recovery", Caller::Public),
    ("organisation_settings", READS),
    ("save_home_tenant", WRITES),
    ("save_recovery_settings", WRITES),
    ("add_alert_channel", WRITES),
    ("list_alert_channels", READS),
    ("remove_alert_channel", WRITES),
    ("send_alert_test", WRITES),
    ("load_alert_settings", READS),
    ("save_alert_channel_rules", WRITES),
    ("save_alert_time_zone", WRITES),
    ("set_expiry_notices", WRITES),
    ("rotate_alert_secret", WRITES),
    ("finish_secret_rotation", WRITES),
    ("save_notice_reply_to", WRITES),
    ("adopt_verified_contact", WRITES),
    ("list_api_tokens", WRITES),
    ("create_api_token", WRITES),
    ("revoke_api_token", WRITES),
];

fn registered() -> BTreeSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| {
            path.strip_prefix("/api/")
                .unwrap_or_else(|| panic!("{path} is served under /api/"))
                .to_owned()
        })
        .collect()
}

fn of_kind(wanted: fn(Caller) -> bool) -> Vec<&'static str> {
    SERVER_FUNCTIONS
        .iter()
        .filter(|(_, caller)| wanted(*caller))
        .map(|(name, _)| *name)
        .collect()
}

#[test]
fn every_server_function_is_classified() {
    let classified: BTreeSet<String> = SERVER_FUNCTIONS
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(
        registered(),
        classified,
        "each server function needs a row in SERVER_FUNCTIONS saying who may call it"
    );
}

/// The organisation whose data nobody else may reach, and what would show
/// that it leaked.
struct Victim {
    admin: Client,
    viewer: Client,
    tenant: String,
    registration: String,
    member: String,
    link: String,
    /// An invitation still open, for a colleague not yet joined.
    invitation: String,
    /// An alert channel nothing was sent to yet.
    channel: String,
    /// An API token of the victim's organisation, active.
    api_token: String,
    markers: Vec<&'static str>,
}

const VICTIM_TENANT_GUID: &str = "abcdef01-2345-4678-9abc-def012345678";
const VICTIM_CLIENT: &str = "bbbbbbbb-2222-4333-8444-555555555555";

async fn victim(app: &TestApp) -> Victim {
    app.create_organisation("Northwind Victim IT", "nadia@victim.example")
        .await;
    let admin = app.signed_in("nadia@victim.example", PASSWORD).await;
    let viewer = app
        .add_member(&admin, "vera@victim.example", "viewer")
        .await;
    let member = app
        .member(&admin, "vera@victim.example")
        .await
        .id
        .to_string();
    let tenant = app
        .add_tenant(&admin, "Contoso Victim", VICTIM_TENANT_GUID)
        .await;
    let recorded = app
        .call(
            &admin,
            "add_registration",
            &[
                ("customer_tenant_id", tenant.as_str()),
                ("form[profiles]", "email"),
                ("form[client_id]", VICTIM_CLIENT),
                ("form[secret]", "victim~secret.VALUE-not-an-id"),
                ("form[secret_expires]", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::OK);
    invite(app, &admin, &tenant, "email").await;
    let links = app.onboarding_links(&admin, &tenant).await;
    let registration = app.registrations(&admin, &tenant).await[0].id.to_string();
    let invited = app
        .call(
            &admin,
            "invite_staff",
            &[("email", "olga@victim.example"), ("role", "admin")],
        )
        .await;
    assert_eq!(invited.status(), StatusCode::OK);
    let invitation = app.staff(&admin).await.invitations[0].id.to_string();
    let added = app
        .call(
            &admin,
            "add_alert_channel",
            &[
                ("form[kind]", "webhook"),
                ("form[name]", "Victim ticketing"),
                ("form[url]", "https://hooks.victim.example/tenantry"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let channel = added
        .json::<app::model::AddedAlertChannel>()
        .await
        .unwrap()
        .id
        .to_string();
    let made = app
        .call(
            &admin,
            "create_api_token",
            &[("form[name]", "Victim PSA"), ("form[scopes][]", "read")],
        )
        .await;
    assert_eq!(made.status(), StatusCode::OK);
    let token: String = made.json().await.unwrap();
    let api_token = token.split('_').nth(1).unwrap().to_owned();
    Victim {
        invitation,
        channel,
        api_token,
        registration,
        admin,
        viewer,
        tenant,
        member,
        link: links[0].id.to_string(),
        markers: vec![
            "Northwind Victim",
            "victim.example",
            "Contoso Victim",
            "Victim PSA",
            VICTIM_TENANT_GUID,
            VICTIM_CLIENT,
        ],
    }
}

/// Every argument any staff function takes, naming the victim's rows; a
/// function reads the ones it declares and ignores the rest.
fn arguments(victim: &Victim) -> Vec<(&'static str, String)> {
    vec![
        ("customer_tenant_id", victim.tenant.clone()),
        ("link_id", victim.link.clone()),
        ("registration_id", victim.registration.clone()),
        ("request", "00000000-0000-4000-8000-000000000000".into()),
        ("user_id", victim.member.clone()),
        ("role", "admin".into()),
        ("change", "remove".into()),
        ("invitation_id", victim.invitation.clone()),
        ("everywhere", "false".into()),
        ("current_password", "not the password".into()),
        ("new_password", "an intruder's new password".into()),
        ("page", "1".into()),
        ("code", "123456".into()),
        ("required", "true".into()),
        ("query[text]", "victim".into()),
        ("email", "newcomer@elsewhere.example".into()),
        ("show_archived", "true".into()),
        ("archived", "true".into()),
        ("profiles", "email".into()),
        ("form[display_name]", "Renamed by an intruder".into()),
        (
            "form[tenant_id]",
            "99999999-9999-4999-8999-999999999999".into(),
        ),
        ("form[cloud]", "global".into()),
        ("form[profiles]", "email,device-inventory".into()),
        (
            "form[client_id]",
            "cccccccc-3333-4444-8555-666666666666".into(),
        ),
        ("form[secret]", "intruder~secret.VALUE-abc".into()),
        ("form[secret_expires]", "2099-01-01".into()),
        (
            "form[object_id]",
            "dddddddd-4444-4555-8666-777777777777".into(),
        ),
        ("form[note]", "Set aside by an intruder".into()),
        ("form[until]", "".into()),
        ("query[q]", "Contoso".into()),
        // Clearing its own tenant needs no answer from Microsoft.
        ("home_tenant_id", "".into()),
        ("home_cloud", "global".into()),
        ("enabled", "false".into()),
        ("window_hours", "72".into()),
        ("channel_id", victim.channel.clone()),
        ("token_id", victim.api_token.clone()),
        ("form[kind]", "slack".into()),
        ("form[name]", "Intruder's channel".into()),
        ("form[url]", "https://hooks.intruder.example/x".into()),
        ("form[events][]", "registration.stale".into()),
        ("form[min_severity]", "critical".into()),
        ("form[digest_hour]", "3".into()),
        ("time_zone", "Pacific/Chatham".into()),
        ("reply_to", "intruder@elsewhere.example".into()),
    ]
}

async fn call(
    app: &TestApp,
    client: &Client,
    function: &str,
    args: &[(&str, String)],
) -> (StatusCode, String) {
    let form: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app.call(client, function, &form).await;
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

/// What staff of the victim's organisation see is as it was set up.
async fn assert_victim_untouched(app: &TestApp, victim: &Victim) {
    let (status, tokens) = call(app, &victim.admin, "list_api_tokens", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        tokens.contains("Victim PSA") && tokens.contains("\"active\":true"),
        "the victim's API token still works: {tokens}"
    );
    let (status, tenant) = call(
        app,
        &victim.admin,
        "load_tenant",
        &[("customer_tenant_id", victim.tenant.clone())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(tenant.contains("Contoso Victim") && tenant.contains(VICTIM_TENANT_GUID));
    assert!(
        !tenant.contains("\"archived\":true"),
        "still active: {tenant}"
    );
    assert!(
        tenant.contains("\"expiry_notices\":false"),
        "its contacts are not written to: {tenant}"
    );
    let registrations = app.registrations(&victim.admin, &victim.tenant).await;
    assert_eq!(registrations.len(), 1);
    assert!(!registrations[0].archived, "still watched");
    assert_eq!(
        registrations[0].profiles,
        vec!["E-mail through Microsoft Graph".to_owned()]
    );
    assert_eq!(registrations[0].credential, "Client secret …n-id");
    assert_eq!(
        registrations[0].standing.status,
        domain::evaluation::Status::NeverChecked
    );
    let links = app.onboarding_links(&victim.admin, &victim.tenant).await;
    assert_eq!(links.len(), 1);
    assert!(links[0].active, "the link was not revoked");
    let staff = app.staff(&victim.admin).await;
    let vera = staff
        .members
        .iter()
        .find(|m| m.email == "vera@victim.example")
        .unwrap();
    assert_eq!(vera.role, domain::Role::Viewer);
    assert!(!vera.disabled, "still able to sign in");
    assert_eq!(staff.invitations.len(), 1, "the invitation is still open");
    let (status, _) = call(app, &victim.viewer, "current_user", &[]).await;
    assert_eq!(status, StatusCode::OK, "the viewer is still signed in");
    let (status, channels) = call(app, &victim.admin, "list_alert_channels", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let channels: Vec<app::model::AlertChannelView> = serde_json::from_str(&channels).unwrap();
    assert_eq!(channels.len(), 1, "the alert channel is still there");
    assert!(channels[0].deliveries.is_empty(), "nobody sent it a test");
    assert_eq!(
        channels[0].rules.min_severity, "info",
        "its rules are as set"
    );
    assert_eq!(channels[0].rules.digest_hour, None);
    assert_eq!(
        channels[0].signing_secrets, 1,
        "its signing secret is as made"
    );
    let (status, settings) = call(app, &victim.admin, "load_alert_settings", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let settings: app::model::AlertSettingsView = serde_json::from_str(&settings).unwrap();
    assert_eq!(settings.time_zone, "UTC", "its time zone is its own");
}

#[tokio::test]
async fn no_staff_function_serves_another_organisations_data_to_any_role() {
    let app = spawn_app().await;
    let victim = victim(&app).await;
    app.create_organisation("Fabrikam Intruders", "ian@intruder.example")
        .await;
    let intruder_admin = app.signed_in("ian@intruder.example", PASSWORD).await;
    let intruder_technician = app
        .add_member(&intruder_admin, "tess@intruder.example", "technician")
        .await;
    let intruder_viewer = app
        .add_member(&intruder_admin, "vic@intruder.example", "viewer")
        .await;
    let args = arguments(&victim);

    for function in of_kind(|c| matches!(c, Caller::Staff { .. })) {
        for (role, intruder) in [
            ("admin", &intruder_admin),
            ("technician", &intruder_technician),
            ("viewer", &intruder_viewer),
        ] {
            let (status, body) = call(&app, intruder, function, &args).await;
            assert!(
                // 422: the intruder's own second tenant with the same ID.
                matches!(
                    status,
                    StatusCode::OK
                        | StatusCode::FORBIDDEN
                        | StatusCode::NOT_FOUND
                        | StatusCode::UNPROCESSABLE_ENTITY
                ),
                "{function} as another organisation's {role} answered {status}: {body}"
            );
            for marker in &victim.markers {
                assert!(
                    !body.contains(marker),
                    "{function} as another organisation's {role} revealed {marker}: {body}"
                );
            }
        }
        let (status, _) = call(&app, &browser(), function, &args).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{function} without a session"
        );
    }
    assert_victim_untouched(&app, &victim).await;
}

#[tokio::test]
async fn a_viewer_changes_nothing_through_any_staff_function() {
    let app = spawn_app().await;
    let victim = victim(&app).await;
    let args = arguments(&victim);

    for function in of_kind(|c| c == WRITES) {
        let (status, body) = call(&app, &victim.viewer, function, &args).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{function} as a viewer: {body}"
        );
    }
    assert_victim_untouched(&app, &victim).await;
}

#[tokio::test]
async fn customer_functions_need_a_live_link() {
    let app = spawn_app().await;
    let victim = victim(&app).await;
    app.clock().advance(time::Duration::minutes(1));
    let revoked = invite(&app, &victim.admin, &victim.tenant, "email").await;
    let links = app.onboarding_links(&victim.admin, &victim.tenant).await;
    let newest = links[0].id.to_string();
    let withdrawn = app
        .call(
            &victim.admin,
            "revoke_onboarding_link",
            &[("link_id", newest.as_str())],
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::OK);

    let guessing = Customer::guessing(&app.address).await;
    let without_cookie = Customer::without_a_link(&app.address);
    for function in of_kind(|c| c == Caller::Customer) {
        for holder in [&guessing, &revoked, &without_cookie] {
            let mut args = arguments(&victim);
            args.push(("step", "1".into()));
            let form: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = holder.call(function, &form).await;
            let (status, body) = (response.status(), response.text().await.unwrap_or_default());
            assert_eq!(
                status,
                StatusCode::GONE,
                "{function} with a dead link: {body}"
            );
            for marker in &victim.markers {
                assert!(!body.contains(marker), "{function} revealed {marker}");
            }
        }
    }
}

#[tokio::test]
async fn a_live_link_of_one_organisation_reaches_nothing_of_another() {
    let app = spawn_app().await;
    let victim = victim(&app).await;
    let intruder = app.admin_of("Tailspin MSP", "olga@tailspin.example").await;
    let own_tenant = app
        .add_tenant(
            &intruder,
            "Tailspin Customer",
            "99999999-1111-4222-8333-444444444444",
        )
        .await;
    let customer = invite(&app, &intruder, &own_tenant, "email").await;

    for function in of_kind(|c| c == Caller::Customer) {
        let mut args = arguments(&victim);
        args.extend([
            ("step", "1".into()),
            ("form[tenant_id]", VICTIM_TENANT_GUID.into()),
            ("form[client_id]", VICTIM_CLIENT.into()),
        ]);
        let form: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = customer.call(function, &form).await;
        let (status, body) = (response.status(), response.text().await.unwrap_or_default());
        assert_ne!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{function}: {body}"
        );
        for marker in &victim.markers {
            assert!(
                !body.contains(marker),
                "{function} revealed {marker}: {body}"
            );
        }
    }
    assert_victim_untouched(&app, &victim).await;
}

#[tokio::test]
async fn server_functions_answer_post_only() {
    let app = spawn_app().await;
    for (function, _) in SERVER_FUNCTIONS {
        let response = browser()
            .get(app.url(&format!("/api/{function}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "GET /api/{function}"
        );
    }
}

/// Grepping a test's URL must find the function: each server function is
/// served at its own name.
#[test]
fn every_endpoint_is_named_after_its_function() {
    let api = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src/api");
    let mut seen = 0;
    for file in std::fs::read_dir(&api).unwrap() {
        let source = std::fs::read_to_string(file.unwrap().path()).unwrap();
        for declaration in source.split("#[server(").skip(1) {
            let endpoint = declaration
                .split("endpoint = \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("every server function names its endpoint");
            let function = declaration
                .split("pub async fn ")
                .nth(1)
                .and_then(|rest| rest.split('(').next())
                .expect("a server function follows its attribute");
            assert_eq!(
                endpoint, function,
                "/api/{endpoint} is served by {function}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, SERVER_FUNCTIONS.len());
}

#[tokio::test]
async fn a_call_missing_its_arguments_is_refused_as_bad_input_not_a_server_error() {
    let app = spawn_app().await;
    app.create_organisation("Northwind IT", "nadia@northwind.example")
        .await;
    let admin = app.signed_in("nadia@northwind.example", PASSWORD).await;
    let response = app.call(&admin, "create_tenant", &[]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = crate::support::app_error(response).await;
    assert!(error.to_string().contains("incomplete"), "{error}");
}
