//! Alerts from what the watch sees, through the server to a receiver: a
//! change is told once with its fix and once when it ends; a channel hears
//! only what its rules choose; an acknowledged problem stays quiet; many
//! registrations failing for one cause are one alert; a digest channel gets
//! one message at its hour of the organisation's day; and another
//! organisation never hears any of it.

use crate::support::dashboard::{fleet_with, Fleet, EXTRA};
use crate::support::onboarding::in_days;
use crate::support::receiver::{receiver, Receiver};
use crate::support::{app_error, spawn_app_with, TestApp};
use app::error::AppError;
use app::model::{AddedAlertChannel, AlertChannelView};
use axum::http::StatusCode;
use domain::evaluation::Status;
use domain::webhook::{verify, WebhookSecret};
use entra_simulator::state::{NewApp, Scenario, Tenant};
use reqwest::Client;
use serde_json::Value;
use std::time::Duration;

fn settings() -> Vec<(&'static str, String)> {
    vec![
        ("TENANTRY_WEBHOOKS_TO_THIS_MACHINE", "1".to_owned()),
        ("TENANTRY_MAIL_POLL_SECONDS", "1".to_owned()),
        ("TENANTRY_ALERT_PATIENCE_MINUTES", "1".to_owned()),
    ]
}

/// The dashboard's fleet, with what its first checks showed already
/// weighed: nobody is told about the past when a channel is added.
async fn watched_fleet() -> Fleet {
    let fleet = fleet_with(&settings()).await;
    fleet.app.weigh_alerts().await;
    fleet
}

async fn add_channel(app: &TestApp, admin: &Client, name: &str, url: &str) -> AddedAlertChannel {
    let added = app
        .call(
            admin,
            "add_alert_channel",
            &[
                ("form[kind]", "webhook"),
                ("form[name]", name),
                ("form[url]", url),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    added.json().await.unwrap()
}

async fn save_rules(
    app: &TestApp,
    admin: &Client,
    channel: &AddedAlertChannel,
    rules: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![("channel_id", channel.id.as_str())];
    form.extend_from_slice(rules);
    app.call(admin, "save_alert_channel_rules", &form).await
}

async fn channels(app: &TestApp, client: &Client) -> Vec<AlertChannelView> {
    let listed = app.call(client, "list_alert_channels", &[]).await;
    assert_eq!(listed.status(), StatusCode::OK);
    listed.json().await.unwrap()
}

fn bodies(receiver: &Receiver) -> Vec<Value> {
    receiver
        .all()
        .iter()
        .map(|got| serde_json::from_slice(&got.body).unwrap())
        .collect()
}

/// Waits (in real time) until the receiver has `count` messages, then a
/// little longer, so a duplicate would have arrived too.
async fn arrived(receiver: &Receiver, count: usize) -> Vec<Value> {
    for _ in 0..100 {
        if receiver.all().len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    bodies(receiver)
}

fn types(bodies: &[Value]) -> Vec<&str> {
    bodies.iter().map(|b| b["type"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_registration_that_stops_working_is_told_once_with_its_fix_and_once_when_it_works_again()
{
    let fleet = watched_fleet().await;
    let hook = receiver(StatusCode::OK, Duration::ZERO).await;
    let channel = add_channel(&fleet.app, &fleet.staff, "PSA", &hook.url).await;
    let secret = WebhookSecret::parse(channel.secret.as_deref().unwrap()).unwrap();

    // Adatum's admin takes back the consent.
    fleet.revoke("adatum", &["Mail.Send"]).await;
    assert_eq!(fleet.check(&fleet.id("adatum")).await, Status::Failing);
    fleet.app.weigh_alerts().await;
    let got = arrived(&hook, 1).await;
    assert_eq!(types(&got), ["registration.consent_removed"]);
    let alert = &got[0];
    assert_eq!(alert["severity"], "critical");
    assert_eq!(alert["tenant"]["name"], "Adatum");
    assert_eq!(alert["registration"]["id"], fleet.id("adatum"));
    assert_eq!(alert["registration"]["products"][0], "email");
    assert_eq!(alert["finding"]["code"], "consent_missing");
    assert!(
        alert["text"].as_str().unwrap().contains("To fix it:"),
        "{alert}"
    );
    assert!(alert["link"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/registrations/{}", fleet.id("adatum"))));
    let sent = &hook.all()[0];
    assert!(verify(
        &secret,
        &sent.signature,
        &sent.id,
        sent.timestamp,
        &sent.body,
        time::OffsetDateTime::now_utc().unix_timestamp()
    ));

    // Checked again, still the same: nothing new to tell.
    fleet.check(&fleet.id("adatum")).await;
    fleet.app.weigh_alerts().await;
    assert_eq!(arrived(&hook, 2).await.len(), 1, "told once, not per check");

    fleet.grant("adatum", &["Mail.Send"]).await;
    assert_eq!(fleet.check(&fleet.id("adatum")).await, Status::Healthy);
    fleet.app.weigh_alerts().await;
    let got = arrived(&hook, 2).await;
    assert_eq!(
        types(&got),
        ["registration.consent_removed", "registration.resolved"]
    );
    assert_eq!(got[1]["severity"], "info");
    assert_eq!(got[1]["details"]["was"]["finding"], "consent_missing");
}

#[tokio::test]
async fn a_channel_hears_only_its_events_severities_and_tenants_and_another_organisation_nothing() {
    let fleet = watched_fleet().await;
    let everything = receiver(StatusCode::OK, Duration::ZERO).await;
    let adatum_critical = receiver(StatusCode::OK, Duration::ZERO).await;
    let elsewhere = receiver(StatusCode::OK, Duration::ZERO).await;
    add_channel(&fleet.app, &fleet.staff, "Everything", &everything.url).await;
    let narrow = add_channel(&fleet.app, &fleet.staff, "Adatum", &adatum_critical.url).await;
    let adatum = fleet.tenants["Adatum"].clone();
    let saved = save_rules(
        &fleet.app,
        &fleet.staff,
        &narrow,
        &[
            ("form[events][]", "registration.consent_removed"),
            ("form[events][]", "permission.extra_granted"),
            ("form[min_severity]", "critical"),
            ("form[tenants][]", adatum.as_str()),
            ("form[digest_hour]", ""),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let listed = channels(&fleet.app, &fleet.staff).await;
    let shown = listed.iter().find(|c| c.name == "Adatum").unwrap();
    assert_eq!(shown.rules.tenants, [adatum]);
    assert_eq!(shown.rules.min_severity, "critical");
    assert_eq!(
        shown.rules.events,
        ["registration.consent_removed", "permission.extra_granted"]
    );

    let other = fleet
        .app
        .admin_of("Tailwind MSP", "tom@tailwind.example")
        .await;
    add_channel(&fleet.app, &other, "Theirs", &elsewhere.url).await;

    // A warning elsewhere: Litware's app gets one more permission.
    fleet
        .grant("litware", &["Mail.Send", EXTRA, "User.Read.All"])
        .await;
    fleet.check(&fleet.id("litware")).await;
    // Critical at Adatum.
    fleet.revoke("adatum", &["Mail.Send"]).await;
    fleet.check(&fleet.id("adatum")).await;
    fleet.app.weigh_alerts().await;

    let all = arrived(&everything, 2).await;
    let mut heard = types(&all);
    heard.sort_unstable();
    assert_eq!(
        heard,
        ["permission.extra_granted", "registration.consent_removed"]
    );
    let extra = all
        .iter()
        .find(|b| b["type"] == "permission.extra_granted")
        .unwrap();
    assert_eq!(extra["details"]["permissions"][0], "User.Read.All");
    assert_eq!(
        types(&arrived(&adatum_critical, 1).await),
        ["registration.consent_removed"]
    );
    assert!(
        elsewhere.all().is_empty(),
        "another organisation hears nothing"
    );

    // Nor may it change this organisation's channel.
    let refused = save_rules(
        &fleet.app,
        &other,
        &narrow,
        &[
            ("form[events][]", "registration.failing"),
            ("form[min_severity]", "info"),
        ],
    )
    .await;
    assert_eq!(app_error(refused).await, AppError::NotFound);
}

#[tokio::test]
async fn rules_that_cannot_be_kept_are_refused_on_their_fields_and_only_admins_change_them() {
    let fleet = watched_fleet().await;
    let hook = receiver(StatusCode::OK, Duration::ZERO).await;
    let channel = add_channel(&fleet.app, &fleet.staff, "PSA", &hook.url).await;
    let other = fleet
        .app
        .admin_of("Tailwind MSP", "tom@tailwind.example")
        .await;
    let theirs = fleet
        .app
        .add_tenant(
            &other,
            "Their customer",
            "99999999-0000-0000-0000-000000000001",
        )
        .await;

    let refused = save_rules(
        &fleet.app,
        &fleet.staff,
        &channel,
        &[
            ("form[min_severity]", "loud"),
            ("form[tenants][]", theirs.as_str()),
            ("form[digest_hour]", "25"),
        ],
    )
    .await;
    let AppError::Invalid(problems) = app_error(refused).await else {
        panic!("refused as invalid")
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["events", "min_severity", "tenants", "digest_hour"]);
    assert_eq!(
        channels(&fleet.app, &fleet.staff).await[0]
            .rules
            .min_severity,
        "info",
        "nothing was saved"
    );

    let zone = fleet
        .app
        .call(
            &fleet.staff,
            "save_alert_time_zone",
            &[("time_zone", "Mars/Olympus_Mons")],
        )
        .await;
    assert!(app_error(zone).await.for_field("time_zone").is_some());

    let technician = fleet
        .app
        .add_member(&fleet.staff, "tess@northwind.example", "technician")
        .await;
    let forbidden = save_rules(
        &fleet.app,
        &technician,
        &channel,
        &[
            ("form[events][]", "registration.failing"),
            ("form[min_severity]", "info"),
        ],
    )
    .await;
    assert_eq!(app_error(forbidden).await, AppError::Forbidden);
    let forbidden = fleet
        .app
        .call(&technician, "save_alert_time_zone", &[("time_zone", "UTC")])
        .await;
    assert_eq!(app_error(forbidden).await, AppError::Forbidden);
}

#[tokio::test]
async fn an_acknowledged_problem_is_not_repeated_while_the_acknowledgement_holds() {
    // Checked once a month here, so nothing turns stale meanwhile.
    let mut settings = settings();
    settings.push(("TENANTRY_CHECK_INTERVAL_HOURS", "720".to_owned()));
    let fleet = fleet_with(&settings).await;
    fleet.app.weigh_alerts().await;
    let hook = receiver(StatusCode::OK, Duration::ZERO).await;
    let channel = add_channel(&fleet.app, &fleet.staff, "Litware's", &hook.url).await;
    let litware = fleet.tenants["Litware"].clone();
    let saved = save_rules(
        &fleet.app,
        &fleet.staff,
        &channel,
        &[
            ("form[events][]", "credential.expiring"),
            ("form[events][]", "credential.expired"),
            ("form[min_severity]", "info"),
            ("form[tenants][]", litware.as_str()),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    // Litware's secret expires in 10 days; the 14-day step was weighed
    // with the fleet. Staff acknowledge it until day 5.
    let until = in_days(5);
    let acknowledged = fleet
        .app
        .call(
            &fleet.staff,
            "acknowledge_problem",
            &[
                ("registration_id", fleet.id("litware").as_str()),
                ("form[note]", "New secret on Thursday"),
                ("form[until]", until.as_str()),
            ],
        )
        .await;
    assert_eq!(acknowledged.status(), StatusCode::OK);

    // Three days on, the 7-day step is reached: quiet.
    fleet.app.clock().advance(time::Duration::days(3));
    fleet.app.weigh_alerts().await;
    assert!(arrived(&hook, 1).await.is_empty(), "{:?}", bodies(&hook));

    // Ten days on, the secret has expired: another problem, told.
    fleet.app.clock().advance(time::Duration::days(7));
    fleet.app.weigh_alerts().await;
    let got = arrived(&hook, 1).await;
    assert_eq!(types(&got), ["credential.expired"]);
    assert_eq!(got[0]["tenant"]["name"], "Litware");
}

/// Twelve customers' e-mail registrations, each in its own tenant, checked
/// once and healthy.
async fn twelve_customers() -> Fleet {
    let count = 12;
    let ids: Vec<(String, String)> = (1..=count)
        .map(|n| {
            (
                format!("a0000000-0000-0000-0000-{n:012}"),
                format!("b0000000-0000-0000-0000-{n:012}"),
            )
        })
        .collect();
    let sim = entra_simulator::spawn(
        "127.0.0.1:0".parse().unwrap(),
        Scenario::of(
            ids.iter()
                .enumerate()
                .map(|(n, (tenant, _))| {
                    Tenant::global(
                        tenant,
                        &format!("customer{n}.example"),
                        &format!("Customer {n}"),
                    )
                })
                .collect(),
            ids.iter()
                .map(|(tenant, client)| {
                    NewApp::with_secret(tenant, client, SECRET, 365, &["Mail.Send"])
                })
                .collect(),
        ),
    )
    .await
    .expect("simulator starts");
    let mut settings = settings();
    settings.push(("TENANTRY_IDENTITY_URL", sim.base_url()));
    settings.push(("TENANTRY_GRAPH_URL", sim.base_url()));
    let app = spawn_app_with(&settings).await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let mut fleet = Fleet::with_microsoft(app, staff, sim);
    for (n, (tenant_id, client_id)) in ids.iter().enumerate() {
        let tenant = fleet
            .add_tenant(&format!("Customer {n}"), tenant_id, "global")
            .await;
        let registration = fleet
            .add_registration(&tenant, client_id, SECRET, 365)
            .await;
        assert_eq!(fleet.check(&registration).await, Status::Healthy);
        fleet.registrations.insert(leak(n), registration);
    }
    fleet.app.weigh_alerts().await;
    fleet
}

const SECRET: &str = "Twelve~Secret.Value_0123456789abcdef";

fn leak(n: usize) -> &'static str {
    Box::leak(format!("customer-{n}").into_boxed_str())
}

async fn check_all(fleet: &Fleet) {
    let ids: Vec<String> = fleet.registrations.values().cloned().collect();
    for id in ids {
        fleet.check(&id).await;
    }
}

#[tokio::test]
async fn many_registrations_failing_for_one_cause_are_one_alert_and_their_recovery_another() {
    let fleet = twelve_customers().await;
    let hook = receiver(StatusCode::OK, Duration::ZERO).await;
    add_channel(&fleet.app, &fleet.staff, "PSA", &hook.url).await;
    // A channel that never hears of mass failures is told one by one.
    let one_by_one = receiver(StatusCode::OK, Duration::ZERO).await;
    let each = add_channel(&fleet.app, &fleet.staff, "Each", &one_by_one.url).await;
    let saved = save_rules(
        &fleet.app,
        &fleet.staff,
        &each,
        &[
            ("form[events][]", "registration.could_not_check"),
            ("form[events][]", "registration.resolved"),
            ("form[min_severity]", "info"),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);

    crate::support::watch::admin(
        fleet.sim(),
        "/_admin/faults",
        serde_json::json!({"scope": {"endpoint": "token"}, "kind": "status", "code": 503}),
    )
    .await;
    check_all(&fleet).await;
    fleet.app.weigh_alerts().await;
    assert!(
        arrived(&hook, 1).await.is_empty(),
        "Microsoft briefly unavailable is not news"
    );

    // Past the patience (a minute here), all twelve at once.
    fleet.app.clock().advance(time::Duration::seconds(61));
    fleet.app.weigh_alerts().await;
    let got = arrived(&hook, 1).await;
    assert_eq!(types(&got), ["registrations.mass_failure"], "{got:?}");
    assert_eq!(got[0]["details"]["count"], 12);
    assert_eq!(got[0]["details"]["cause"]["cause"], "could_not_check");

    let cleared = reqwest::Client::new()
        .delete(format!("{}/_admin/faults", fleet.sim().base_url()))
        .send()
        .await
        .unwrap();
    assert!(cleared.status().is_success());
    check_all(&fleet).await;
    fleet.app.weigh_alerts().await;
    let got = arrived(&hook, 2).await;
    assert_eq!(
        types(&got),
        [
            "registrations.mass_failure",
            "registrations.mass_failure_over"
        ],
        "twelve recoveries are one message"
    );
    let each = arrived(&one_by_one, 24).await;
    let could_not = each
        .iter()
        .filter(|b| b["type"] == "registration.could_not_check")
        .count();
    let resolved = each
        .iter()
        .filter(|b| b["type"] == "registration.resolved")
        .count();
    assert_eq!((could_not, resolved), (12, 12));
}

#[tokio::test]
async fn a_digest_channel_gets_one_message_at_its_hour_of_the_organisations_day() {
    let fleet = watched_fleet().await;
    let hook = receiver(StatusCode::OK, Duration::ZERO).await;
    let channel = add_channel(&fleet.app, &fleet.staff, "Morning digest", &hook.url).await;
    let zone = fleet
        .app
        .call(
            &fleet.staff,
            "save_alert_time_zone",
            &[("time_zone", "Asia/Kolkata")],
        )
        .await;
    assert_eq!(zone.status(), StatusCode::OK);
    let saved = save_rules(
        &fleet.app,
        &fleet.staff,
        &channel,
        &[
            ("form[events][]", "registration.consent_removed"),
            ("form[events][]", "registration.resolved"),
            ("form[min_severity]", "info"),
            ("form[digest_hour]", "8"),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let listed = channels(&fleet.app, &fleet.staff).await;
    let due = listed[0].next_digest_at.clone().expect("a digest is due");
    // 08:00 in India (UTC+5:30, no summer time) is 02:30 UTC.
    assert!(due.as_str().ends_with("T02:30:00Z"), "{due}");

    fleet.revoke("adatum", &["Mail.Send"]).await;
    fleet.check(&fleet.id("adatum")).await;
    fleet.app.weigh_alerts().await;
    assert!(arrived(&hook, 1).await.is_empty(), "kept for the digest");
    assert_eq!(
        channels(&fleet.app, &fleet.staff).await[0].waiting_for_digest,
        1
    );

    // The server sends digests on every poll; the test asks too, so it
    // need not wait for one.
    let now = fleet.app.clock().now();
    let wait = due.instant() - now;
    fleet.app.clock().advance(wait - time::Duration::seconds(1));
    fleet.app.send_digests().await;
    assert!(arrived(&hook, 1).await.is_empty(), "not before its hour");
    fleet.app.clock().advance(time::Duration::seconds(1));
    fleet.app.send_digests().await;
    let got = arrived(&hook, 1).await;
    assert_eq!(types(&got), ["digest"]);
    assert_eq!(
        got[0]["details"]["alerts"][0]["type"],
        "registration.consent_removed"
    );
    assert_eq!(got[0]["details"]["alerts"][0]["tenant"]["name"], "Adatum");
    assert!(got[0]["title"].as_str().unwrap().contains("1 alert"));
    fleet.app.send_digests().await;
    assert_eq!(arrived(&hook, 2).await.len(), 1, "sent once");
}

#[tokio::test]
async fn a_locked_sign_in_is_told_to_channels_of_the_whole_organisation_and_nowhere_else() {
    let app = spawn_app_with(&settings()).await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let whole = receiver(StatusCode::OK, Duration::ZERO).await;
    let one_customer = receiver(StatusCode::OK, Duration::ZERO).await;
    let elsewhere = receiver(StatusCode::OK, Duration::ZERO).await;
    add_channel(&app, &admin, "Security", &whole.url).await;
    let narrow = add_channel(&app, &admin, "Contoso only", &one_customer.url).await;
    let contoso = app
        .add_tenant(&admin, "Contoso", "11111111-1111-1111-1111-111111111111")
        .await;
    let saved = save_rules(
        &app,
        &admin,
        &narrow,
        &[
            ("form[events][]", "account.sign_in_locked"),
            ("form[min_severity]", "info"),
            ("form[tenants][]", contoso.as_str()),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let other = app.admin_of("Tailwind MSP", "tom@tailwind.example").await;
    add_channel(&app, &other, "Theirs", &elsewhere.url).await;

    let stranger = crate::support::browser();
    for _ in 0..5 {
        let refused = app
            .call(
                &stranger,
                "login",
                &[
                    ("email", "nadia@northwind.example"),
                    ("password", "a wrong guess"),
                ],
            )
            .await;
        assert_ne!(refused.status(), StatusCode::OK);
    }
    let got = arrived(&whole, 1).await;
    assert_eq!(types(&got), ["account.sign_in_locked"]);
    assert_eq!(got[0]["severity"], "warning");
    assert_eq!(got[0]["details"]["account"], "nadia@northwind.example");
    assert_eq!(got[0]["details"]["ip"], "127.0.0.1");
    assert!(got[0]["link"].as_str().unwrap().ends_with("/audit"));
    assert!(one_customer.all().is_empty(), "a channel for one customer");
    assert!(elsewhere.all().is_empty(), "another organisation");
}

#[tokio::test]
async fn a_digest_channel_switched_to_at_once_sends_what_was_waiting_straight_away() {
    let fleet = watched_fleet().await;
    let hook = receiver(StatusCode::OK, Duration::ZERO).await;
    let channel = add_channel(&fleet.app, &fleet.staff, "Digest", &hook.url).await;
    let rules = |hour: &'static str| {
        vec![
            ("form[events][]", "registration.consent_removed"),
            ("form[events][]", "registration.resolved"),
            ("form[min_severity]", "info"),
            ("form[digest_hour]", hour),
        ]
    };
    let saved = save_rules(&fleet.app, &fleet.staff, &channel, &rules("8")).await;
    assert_eq!(saved.status(), StatusCode::OK);
    fleet.revoke("adatum", &["Mail.Send"]).await;
    fleet.check(&fleet.id("adatum")).await;
    fleet.app.weigh_alerts().await;
    assert_eq!(
        channels(&fleet.app, &fleet.staff).await[0].waiting_for_digest,
        1
    );

    let saved = save_rules(&fleet.app, &fleet.staff, &channel, &rules("")).await;
    assert_eq!(saved.status(), StatusCode::OK);
    fleet.app.send_digests().await;
    let got = arrived(&hook, 1).await;
    assert_eq!(types(&got), ["digest"], "what waited is not stranded");
    assert_eq!(
        channels(&fleet.app, &fleet.staff).await[0].waiting_for_digest,
        0
    );

    fleet.grant("adatum", &["Mail.Send"]).await;
    fleet.check(&fleet.id("adatum")).await;
    fleet.app.weigh_alerts().await;
    assert_eq!(
        types(&arrived(&hook, 2).await),
        ["digest", "registration.resolved"]
    );
}

#[tokio::test]
async fn a_registration_that_keeps_changing_is_told_three_times_then_summarised_then_quiet() {
    let fleet = watched_fleet().await;
    let hook = receiver(StatusCode::OK, Duration::ZERO).await;
    add_channel(&fleet.app, &fleet.staff, "PSA", &hook.url).await;
    for round in 0..5 {
        if round % 2 == 0 {
            fleet.revoke("adatum", &["Mail.Send"]).await;
        } else {
            fleet.grant("adatum", &["Mail.Send"]).await;
        }
        fleet.check(&fleet.id("adatum")).await;
        fleet.app.weigh_alerts().await;
        fleet.app.clock().advance(time::Duration::minutes(10));
    }
    // Only Adatum's: Northwind Traders' could-not-check outlasts its
    // patience meanwhile, which is told too.
    let got: Vec<Value> = arrived(&hook, 5)
        .await
        .into_iter()
        .filter(|b| b["tenant"]["name"] == "Adatum")
        .collect();
    assert_eq!(
        types(&got),
        [
            "registration.consent_removed",
            "registration.resolved",
            "registration.consent_removed",
            "registration.flapping"
        ],
        "the fifth change is not sent"
    );
    assert_eq!(got[3]["details"]["changes"], 4);
}
