//! Company recovery over HTTP: the admins' settings, the public steps of
//! `/recover`, the limit on refusals, acceptance making an admin, and the
//! e-mail every admin gets through the outbox and a real SMTP exchange.

use crate::support::process::spawn_binary_with;
use crate::support::simulator::{self, contoso_with, grant_as, CLIENT, OBJECT, SECRET, TENANT};
use crate::support::{app_error, browser, TestApp, PASSWORD};
use app::error::AppError;
use app::model::{RecoveryResult, RecoveryStart, SettingsPage};
use entra_simulator::smtp::{self, MailServer};
use entra_simulator::state::NewApp;
use entra_simulator::Simulator;
use reqwest::{Client, StatusCode};
use std::time::Duration;

const HOUR: i64 = 3600;
const ADMIN: &str = "boss@northwind.example";
const PERSON: &str = "ada@contoso.example";
const UNKNOWN_TENANT: &str = "99999999-8888-4777-8666-555555555555";

/// Contoso's recovery app, made by Ada `hours_ago` hours ago.
fn recovery_app(hours_ago: i64) -> NewApp {
    simulator::recovery_app(hours_ago, PERSON)
}

struct World {
    app: TestApp,
    sim: Simulator,
    mail: MailServer,
    admin: Client,
}

async fn world_with(app_made: NewApp) -> World {
    let sim = contoso_with(app_made).await;
    let mail = smtp::spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let app = crate::support::simulator::app_with_mail(&sim, &mail, &[]).await;
    let admin = app.admin_of("Northwind", ADMIN).await;
    World {
        app,
        sim,
        mail,
        admin,
    }
}

/// Northwind names Contoso's tenant as its own and allows recovery.
async fn recoverable_world(app_made: NewApp) -> World {
    let world = world_with(app_made).await;
    world.allow_recovery(&world.admin).await;
    world
}

impl World {
    async fn allow_recovery(&self, admin: &Client) {
        self.app.allow_recovery(admin, TENANT).await;
    }

    async fn settings(&self, admin: &Client) -> SettingsPage {
        let response = self.app.call(admin, "organisation_settings", &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn start(&self, person: &Client, tenant: &str) -> reqwest::Response {
        self.app
            .call(
                person,
                "start_recovery",
                &[("tenant_id", tenant), ("cloud", "global")],
            )
            .await
    }

    async fn verify(&self, person: &Client, secret: &str) -> reqwest::Response {
        self.app
            .call(
                person,
                "verify_recovery",
                &[
                    ("proof[person_name]", "Ada Lovelace"),
                    ("proof[tenant_id]", TENANT),
                    ("proof[client_id]", CLIENT),
                    ("proof[object_id]", OBJECT),
                    ("proof[secret]", secret),
                ],
            )
            .await
    }

    /// A stranger's browser that named Contoso on `/recover`.
    async fn person(&self) -> Client {
        let person = browser();
        assert_eq!(self.start(&person, TENANT).await.status(), StatusCode::OK);
        person
    }

    /// Waits until the mail server holds `count` messages.
    async fn mail_arrives(&self, count: usize) -> Vec<smtp::Received> {
        let received = self.mail.wait_for(count).await;
        assert!(
            received.len() >= count,
            "{count} messages expected, got {received:?}"
        );
        received
    }
}

async fn result(response: reqwest::Response) -> RecoveryResult {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_home_tenant_is_saved_only_when_microsoft_knows_it_and_recovery_needs_one() {
    let world = world_with(recovery_app(2)).await;

    let unknown = world
        .app
        .call(
            &world.admin,
            "save_home_tenant",
            &[("home_tenant_id", UNKNOWN_TENANT), ("home_cloud", "global")],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app_error(unknown)
        .await
        .to_string()
        .contains("does not know a tenant"));

    let too_early = world
        .app
        .call(
            &world.admin,
            "save_recovery_settings",
            &[("enabled", "true"), ("window_hours", "72")],
        )
        .await;
    assert_eq!(too_early.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let too_long = world
        .app
        .call(
            &world.admin,
            "save_recovery_settings",
            &[("enabled", "false"), ("window_hours", "100")],
        )
        .await;
    assert!(app_error(too_long)
        .await
        .to_string()
        .contains("between 1 and 72 hours"));

    world.allow_recovery(&world.admin).await;
    let settings = world.settings(&world.admin).await;
    assert_eq!(settings.recovery.home_tenant_id.as_deref(), Some(TENANT));
    assert!(settings.recovery.enabled);
    assert!(settings.recovery.mail_configured);
}

#[tokio::test]
async fn turning_recovery_on_is_audited_and_every_admin_is_told_by_email() {
    let world = recoverable_world(recovery_app(2)).await;

    let received = world.mail_arrives(1).await;
    assert_eq!(received[0].to, [ADMIN]);
    assert_eq!(
        received[0].header("Subject").as_deref(),
        Some("Company recovery was turned on for Northwind")
    );
    let trail = world
        .app
        .call(
            &world.admin,
            "audit_trail",
            &[("page", "1"), ("query[action]", "recovery.turned_on")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(trail.contains("recovery.turned_on"), "{trail}");
    let settings = world.settings(&world.admin).await;
    assert_eq!(settings.outbox.len(), 1);
    assert_eq!(settings.outbox[0].state_label, "Delivered");
}

#[tokio::test]
async fn naming_a_tenant_reads_the_same_whether_it_can_be_recovered_here_or_not() {
    let world = recoverable_world(recovery_app(2)).await;
    // A window of its own would give the organisation away.
    let shorter = world
        .app
        .call(
            &world.admin,
            "save_recovery_settings",
            &[("enabled", "true"), ("window_hours", "24")],
        )
        .await;
    assert_eq!(shorter.status(), StatusCode::OK);
    let answer = |response: reqwest::Response| async move {
        assert_eq!(response.status(), StatusCode::OK);
        let mut start: RecoveryStart = response.json().await.unwrap();
        start.tenant_hint.clear();
        start
    };

    let known = answer(world.start(&browser(), TENANT).await).await;
    let unknown = answer(world.start(&browser(), UNKNOWN_TENANT).await).await;

    assert_eq!(known, unknown);
    assert_eq!(known.window_hours, 72);
    assert_eq!(known.failures_left, 3);
    assert_eq!(known.permission, "AuditLog.Read.All");
    assert!(known.powershell.contains("Tenantry Recovery"));

    let hint: RecoveryStart = world.start(&browser(), TENANT).await.json().await.unwrap();
    assert_eq!(hint.tenant_hint, format!("…{}", &TENANT[31..]));
    let not_a_guid = world.start(&browser(), "contoso").await;
    assert_eq!(not_a_guid.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_accepted_proof_makes_the_person_an_admin_who_chooses_a_password_and_signs_in() {
    let world = world_with(recovery_app(2)).await;
    world
        .app
        .add_member(&world.admin, "deputy@northwind.example", "admin")
        .await;
    world
        .app
        .add_member(&world.admin, "tech@northwind.example", "technician")
        .await;
    world.allow_recovery(&world.admin).await;
    let announced = world.mail_arrives(2).await;
    let person = world.person().await;

    let accepted = result(world.verify(&person, SECRET).await).await;

    assert_eq!(accepted.outcome.as_str(), "accepted", "{accepted:#?}");
    assert_eq!(accepted.initiated_by.as_deref(), Some(PERSON));
    assert!(accepted.message.contains("delete the recovery app"));
    let link = accepted.set_password_link.expect("a set-password link");
    let chooser = world.app.holding(&link).await;
    let chosen = world
        .app
        .call(
            &chooser,
            "complete_password_reset",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        chosen.status(),
        StatusCode::OK,
        "{}",
        chosen.text().await.unwrap()
    );
    let recovered = world.app.signed_in(PERSON, PASSWORD).await;
    let me = world.app.me(&recovered).await;
    assert_eq!(me.role, domain::Role::Admin);
    assert_eq!(me.organisation_name, "Northwind");
    assert_eq!(
        world.app.staff(&world.admin).await.members.len(),
        4,
        "every member is kept"
    );

    let received = world.mail_arrives(announced.len() + 2).await;
    let notices: Vec<_> = received[announced.len()..].to_vec();
    let mut told: Vec<&str> = notices.iter().map(|n| n.to[0].as_str()).collect();
    told.sort();
    assert_eq!(
        told,
        [ADMIN, "deputy@northwind.example"],
        "one message per admin who was there, none to technicians"
    );
    for notice in &notices {
        assert_eq!(
            notice.header("Subject").as_deref(),
            Some("Access to Northwind was recovered by ada@contoso.example")
        );
        assert!(notice.body().contains("127.0.0.1"), "{}", notice.body());
        assert!(!notice.data.contains(SECRET), "no secret in a message");
    }

    let settings = world.settings(&world.admin).await;
    assert_eq!(settings.attempts[0].outcome, "accepted");
    assert_eq!(settings.attempts[0].initiator_upn, PERSON);
    let trail = world
        .app
        .call(
            &world.admin,
            "audit_trail",
            &[("page", "1"), ("query[action]", "recovery.accepted")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        trail.contains(OBJECT),
        "the evidence is in the trail: {trail}"
    );
}

#[tokio::test]
async fn three_refusals_lock_recovery_for_every_browser_until_a_stated_time() {
    // Four days old: Microsoft signs it in and it reads the audit log, so
    // its refusals count.
    let world = recoverable_world(recovery_app(96)).await;
    let person = world.person().await;

    let first = result(world.verify(&person, SECRET).await).await;
    assert_eq!(first.outcome.as_str(), "rejected");
    assert_eq!(first.failures_left, 2);
    assert!(first.message.contains("2 more refused attempts"));
    result(world.verify(&person, SECRET).await).await;
    let third = result(world.verify(&person, SECRET).await).await;
    assert!(third.locked_until.is_some(), "{third:#?}");

    let elsewhere = world.person().await;
    let locked = world.verify(&elsewhere, SECRET).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((11 * HOUR..=12 * HOUR).contains(&wait), "{wait}");
    assert!(matches!(
        app_error(locked).await,
        AppError::TooManyAttempts { .. }
    ));

    let locked_notice = world.mail_arrives(2).await;
    assert!(locked_notice[1]
        .header("Subject")
        .unwrap()
        .starts_with("Company recovery for Northwind is locked until"));
    let settings = world.settings(&world.admin).await;
    assert_eq!(settings.attempts.len(), 3);
    assert!(settings.attempts.iter().all(|a| a.outcome == "rejected"));
    assert!(settings.attempts[0].reasons.contains("too old"));

    world.app.clock().advance(time::Duration::hours(12));
    let reopened: RecoveryStart = world.start(&browser(), TENANT).await.json().await.unwrap();
    assert_eq!(reopened.failures_left, 3);
    assert!(reopened.locked_until.is_none());
}

#[tokio::test]
async fn an_app_whose_consent_someone_else_granted_never_proves_and_never_counts() {
    let world = recoverable_world(NewApp {
        consented_by: Some("it-admin@contoso.example".into()),
        ..recovery_app(2)
    })
    .await;
    let person = world.person().await;

    let waiting = result(world.verify(&person, SECRET).await).await;

    assert_eq!(waiting.outcome.as_str(), "not_yet_visible", "{waiting:#?}");
    let initiator = waiting
        .checks
        .iter()
        .find(|c| c.code.as_str() == "initiator")
        .unwrap();
    assert!(initiator.fix.contains("grant its admin consent yourself"));
    assert_eq!(waiting.failures_left, 3);
    grant_as(&world.sim, "AuditLog.Read.All", PERSON).await;
    let accepted = result(world.verify(&person, SECRET).await).await;
    assert_eq!(accepted.outcome.as_str(), "accepted", "{accepted:#?}");
}

#[tokio::test]
async fn made_up_details_are_refused_and_recorded_but_never_lock_the_real_admins_out() {
    let world = recoverable_world(recovery_app(2)).await;
    let stranger = world.person().await;

    for attempt in 1..=4 {
        let refused = result(world.verify(&stranger, &format!("made-up-{attempt}")).await).await;
        assert_eq!(refused.outcome.as_str(), "rejected");
        assert_eq!(refused.failures_left, 3, "attempt {attempt}");
        assert!(refused.locked_until.is_none());
        assert!(
            refused.message.contains("does not count"),
            "{}",
            refused.message
        );
    }

    let settings = world.settings(&world.admin).await;
    assert_eq!(settings.attempts.len(), 4);
    assert!(settings.attempts.iter().all(|a| a.outcome == "unproven"));
    assert!(settings.attempts[0]
        .outcome_label
        .contains("does not count"));
    let admin_person = world.person().await;
    let accepted = result(world.verify(&admin_person, SECRET).await).await;
    assert_eq!(accepted.outcome.as_str(), "accepted", "{accepted:#?}");
}

#[tokio::test]
async fn an_attempt_whose_request_was_dropped_stops_counting_after_fifteen_minutes() {
    let world = recoverable_world(recovery_app(2)).await;
    // Three reservations left by requests that ended before their
    // judgement: they count while a verification could still be running.
    let pool = app::backend::db::open(&world.app.config.database_url, Default::default())
        .await
        .unwrap();
    let reserved_at = world.app.clock().now() - time::Duration::minutes(14);
    for n in 0..3 {
        app::execute_on!(
            &pool,
            sqlx::query(
                "INSERT INTO recovery_attempts
                (id, company_tenant_id, at, outcome, person_name, tenant_id, client_id, object_id)
             VALUES ($1, $2, $3, 'checking', 'Dropped', $2, $4, $5)",
            )
            .bind(format!("dropped-{n}"))
            .bind(TENANT)
            .bind(
                reserved_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap(),
            )
            .bind(CLIENT)
            .bind(OBJECT)
        )
        .unwrap();
    }
    let person = world.person().await;
    assert_eq!(
        world.verify(&person, SECRET).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "reservations count while they may still be judged"
    );

    world.app.clock().advance(time::Duration::minutes(2));
    let accepted = result(world.verify(&person, SECRET).await).await;

    assert_eq!(accepted.outcome.as_str(), "accepted", "{accepted:#?}");
    let (left,): (i64,) = app::on_db!(&pool, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM recovery_attempts WHERE outcome = 'checking'"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(left, 0, "abandoned reservations are cleared");
}

#[tokio::test]
async fn waiting_for_the_audit_log_costs_no_attempt() {
    let world = recoverable_world(NewApp {
        creation_visible_after_secs: Some(3600),
        ..recovery_app(0)
    })
    .await;
    let person = world.person().await;

    for _ in 0..2 {
        let waiting = result(world.verify(&person, SECRET).await).await;
        assert_eq!(waiting.outcome.as_str(), "not_yet_visible");
        assert_eq!(waiting.failures_left, 3);
    }
    reqwest::Client::new()
        .post(format!("{}/_admin/audit/reveal", world.sim.base_url()))
        .send()
        .await
        .unwrap();
    let accepted = result(world.verify(&person, SECRET).await).await;

    assert_eq!(accepted.outcome.as_str(), "accepted");
    assert_eq!(world.settings(&world.admin).await.attempts.len(), 1);
}

#[tokio::test]
async fn a_tenant_nobody_here_can_recover_is_told_so_only_after_the_proof() {
    // Recovery stays off: Northwind never names the tenant.
    let world = world_with(recovery_app(2)).await;
    let person = world.person().await;

    let accepted = result(world.verify(&person, SECRET).await).await;

    assert_eq!(accepted.outcome.as_str(), "accepted");
    assert!(accepted
        .message
        .contains("no organisation on this Tenantry server"));
    assert!(accepted.set_password_link.is_none());
    assert_eq!(world.app.staff(&world.admin).await.members.len(), 1);
}

#[tokio::test]
async fn recovering_one_organisation_leaves_another_untouched() {
    let world = recoverable_world(recovery_app(2)).await;
    let other = world
        .app
        .admin_of("Fabrikam", "owner@fabrikam.example")
        .await;
    let person = world.person().await;

    result(world.verify(&person, SECRET).await).await;

    let theirs = world.settings(&other).await;
    assert!(theirs.attempts.is_empty());
    assert!(theirs.outbox.is_empty());
    assert_eq!(world.app.staff(&other).await.members.len(), 1);
}

#[tokio::test]
async fn a_message_the_mail_server_refuses_for_now_is_sent_again_later() {
    let world = world_with(recovery_app(2)).await;
    world.mail.refuse_next("451 4.3.0 try again later");
    world.allow_recovery(&world.admin).await;

    let mut refused = None;
    for _ in 0..50 {
        let outbox = world.settings(&world.admin).await.outbox;
        if !outbox[0].last_error.is_empty() {
            refused = Some(outbox[0].clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let refused = refused.expect("the first attempt was refused");
    assert_eq!(refused.state_label, "Not delivered yet");
    assert_eq!(refused.attempts, 1);
    assert!(refused.last_error.contains("451"), "{refused:?}");
    assert!(world.mail.received().is_empty());

    world.app.clock().advance(time::Duration::seconds(61));
    world.mail_arrives(1).await;
    let outbox = world.settings(&world.admin).await.outbox;
    assert_eq!(outbox[0].state_label, "Delivered");
    assert_eq!(outbox[0].attempts, 2);
}

#[tokio::test]
async fn a_message_the_mail_server_refuses_for_good_is_shown_as_failed_with_its_answer() {
    let world = world_with(recovery_app(2)).await;
    world.mail.refuse_next("550 5.1.1 no such mailbox");
    world.allow_recovery(&world.admin).await;

    for _ in 0..50 {
        let outbox = world.settings(&world.admin).await.outbox;
        if outbox[0].state_label == "Failed" {
            assert!(outbox[0].last_error.contains("no such mailbox"));
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the message was never given up on");
}

#[tokio::test]
async fn a_killed_server_delivers_what_it_had_queued_after_a_restart_and_only_once() {
    let sim = contoso_with(recovery_app(2)).await;
    let mail = smtp::spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    // No SMTP at first: the notice waits in the outbox.
    let (app, mut binary) = spawn_binary_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_MAIL_POLL_SECONDS", "1".to_owned()),
    ])
    .await;
    let admin = app.admin_of("Northwind", ADMIN).await;
    let world = World {
        app,
        sim,
        mail,
        admin,
    };
    world.allow_recovery(&world.admin).await;
    let queued = world.settings(&world.admin).await;
    assert_eq!(queued.outbox[0].state_label, "Not delivered yet");
    assert!(!queued.recovery.mail_configured);

    binary.set("TENANTRY_SMTP_URL", &world.mail.url());
    binary.set("TENANTRY_MAIL_FROM", "tenantry@msp.example");
    binary.crash_and_restart().await;

    world.mail_arrives(1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(world.mail.received().len(), 1, "delivered once");
    let admin = world.app.signed_in(ADMIN, PASSWORD).await;
    assert_eq!(
        world.settings(&admin).await.outbox[0].state_label,
        "Delivered"
    );
}

#[tokio::test]
async fn a_recovery_app_proves_once_so_removing_the_person_it_made_admin_sticks() {
    let world = recoverable_world(recovery_app(2)).await;
    let person = world.person().await;
    result(world.verify(&person, SECRET).await).await;

    let again = world.person().await;
    let reused = world.verify(&again, SECRET).await;

    assert_eq!(reused.status(), StatusCode::CONFLICT);
    assert!(app_error(reused).await.to_string().contains("already used"));
}

#[tokio::test]
async fn moving_recovery_to_another_tenant_or_cloud_turns_it_off_and_tells_the_admins() {
    let world = recoverable_world(recovery_app(2)).await;
    world.mail_arrives(1).await;

    let moved = world
        .app
        .call(
            &world.admin,
            "save_home_tenant",
            &[("home_tenant_id", TENANT), ("home_cloud", "gcc")],
        )
        .await;

    assert_eq!(moved.status(), StatusCode::OK);
    assert!(!world.settings(&world.admin).await.recovery.enabled);
    let received = world.mail_arrives(2).await;
    assert_eq!(
        received[1].header("Subject").as_deref(),
        Some("Company recovery was turned off for Northwind")
    );
}

#[tokio::test]
async fn a_lockout_of_company_recovery_reaches_the_organisations_alert_channels() {
    let world = recoverable_world(recovery_app(96)).await;
    let added = world
        .app
        .call(
            &world.admin,
            "add_alert_channel",
            &[
                ("form[kind]", "email"),
                ("form[name]", "Security desk"),
                ("form[url]", "security@northwind.example"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let channel: app::model::AddedAlertChannel = added.json().await.unwrap();
    let critical_only = world
        .app
        .call(
            &world.admin,
            "save_alert_channel_rules",
            &[
                ("channel_id", channel.id.as_str()),
                ("form[events][]", "recovery.refused"),
                ("form[events][]", "recovery.locked"),
                ("form[events][]", "recovery.accepted"),
                ("form[min_severity]", "critical"),
            ],
        )
        .await;
    assert_eq!(critical_only.status(), StatusCode::OK);

    let person = world.person().await;
    for _ in 0..3 {
        result(world.verify(&person, SECRET).await).await;
    }
    let alert = {
        let mut found = None;
        for _ in 0..100 {
            let received = world.mail.wait_for(1).await;
            found = received
                .into_iter()
                .find(|m| m.to == ["security@northwind.example"]);
            if found.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        found.expect("the lockout's alert arrives")
    };
    assert_eq!(
        alert.header("Subject").as_deref(),
        Some("Company recovery is locked after refused attempts")
    );
    assert!(
        alert
            .data
            .contains("Several recovery attempts from 127.0.0.1"),
        "{}",
        alert.data
    );
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let to_security = world
        .mail
        .wait_for(1)
        .await
        .into_iter()
        .filter(|m| m.to == ["security@northwind.example"])
        .count();
    assert_eq!(
        to_security, 1,
        "the refusals are warnings, below this channel's rules"
    );
}
