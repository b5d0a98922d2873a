//! The watch: every check is stored and shown; the scheduler checks what is
//! due and nothing else; Microsoft's answers that say nothing about the
//! registration never show it healthy; Microsoft's request to wait backs
//! the whole tenant off.

use crate::support::onboarding::in_days;
use crate::support::simulator::{app_against, contoso, CLIENT, SECRET, TENANT};
use crate::support::watch::{admin, codes, watched, Watched};
use crate::support::{spawn_app_with, TestApp, PASSWORD};
use app::model::RegistrationPage;
use domain::evaluation::Status;
use domain::finding::FindingCode;
use entra_simulator::Simulator;
use reqwest::{Client, StatusCode};
use serde_json::json;
use std::time::Duration;

const HOUR: time::Duration = time::Duration::hours(1);

#[tokio::test]
async fn check_now_stores_each_check_and_the_page_shows_the_verdict_and_the_timeline() {
    let sim = contoso(&["Mail.Send"]).await;
    let watched = watched(app_against(&sim).await, 120).await;

    let before = watched.page().await;
    assert_eq!(before.standing.status, Status::NeverChecked);
    assert!(before.timeline.is_empty());
    assert_eq!(before.requirements[0].permission, "Mail.Send");

    assert_eq!(watched.check_now().await, Status::Healthy);
    let healthy = watched.page().await;
    assert_eq!(healthy.standing.status, Status::Healthy);
    assert!(healthy.standing.last_success_at.is_some());
    assert_eq!(healthy.timeline.len(), 1);
    let first = &healthy.timeline[0].checks[0];
    assert_eq!(first.trigger, "manual");
    assert_eq!(first.triggered_by.as_deref(), Some("Admin of Northwind IT"));
    assert!(!healthy.needs_consent);

    // A Contoso admin removes consent; the next check sees it at once.
    admin(
        &sim,
        &format!("/_admin/apps/{CLIENT}/roles"),
        json!({"revoke": ["Mail.Send"]}),
    )
    .await;
    assert_eq!(watched.check_now().await, Status::Failing);
    let failing = watched.page().await;
    assert_eq!(failing.standing.status, Status::Failing);
    assert!(codes(&failing).contains(&FindingCode::ConsentMissing));
    assert!(failing.needs_consent, "the page offers a consent link");
    assert_eq!(failing.timeline.len(), 2, "a change starts a new entry");
    assert!(failing.timeline[0].changed);

    // The same result again folds into the newest entry.
    assert_eq!(watched.check_now().await, Status::Failing);
    let folded = watched.page().await;
    assert_eq!(folded.timeline.len(), 2);
    assert_eq!(folded.timeline[0].checks.len(), 2);
    let text = serde_json::to_string(&folded).unwrap();
    assert!(!text.contains(SECRET), "no check exposes the secret");
}

#[tokio::test]
async fn could_not_check_keeps_the_last_known_status_and_turns_stale_after_twice_the_interval() {
    let sim = contoso(&["Mail.Send"]).await;
    let mut watched = watched(app_against(&sim).await, 120).await;
    assert_eq!(watched.check_now().await, Status::Healthy);

    admin(
        &sim,
        "/_admin/faults",
        json!({"scope": {"endpoint": "token"}, "kind": "status", "code": 503}),
    )
    .await;
    watched.app.clock().advance(HOUR);
    assert_eq!(watched.check_now().await, Status::CouldNotCheck);
    let unsure = watched.page().await;
    assert_eq!(unsure.standing.status, Status::CouldNotCheck);
    assert_eq!(unsure.standing.last_known, Some(Status::Healthy));
    assert!(unsure.standing.since.is_some());
    assert!(codes(&unsure).contains(&FindingCode::ServiceUnavailable));

    // Six-hour interval: twelve hours after the last completed check it is
    // stale, never still healthy.
    watched.app.clock().advance(11 * HOUR);
    watched.sign_in_again().await;
    assert_eq!(
        watched.page().await.standing.status,
        Status::CouldNotCheck,
        "exactly twice the interval is not yet stale"
    );
    watched.app.clock().advance(time::Duration::seconds(1));
    let stale = watched.page().await;
    assert_eq!(stale.standing.status, Status::Stale);
    assert_eq!(stale.standing.last_known, Some(Status::Healthy));
}

#[tokio::test]
async fn a_secret_that_expires_after_its_last_check_is_failing_without_asking_microsoft() {
    let sim = contoso(&["Mail.Send"]).await;
    let mut watched = watched(app_against(&sim).await, 10).await;
    assert_eq!(watched.check_now().await, Status::Warning);
    let expiring = watched.page().await;
    assert_eq!(codes(&expiring), vec![FindingCode::SecretExpiring]);

    watched.app.clock().advance(time::Duration::days(11));
    watched.sign_in_again().await;
    let expired = watched.page().await;
    assert_eq!(expired.standing.status, Status::Failing);
    assert_eq!(codes(&expired), vec![FindingCode::SecretExpired]);
    assert_eq!(Watched::checks(&expired), 1, "no check was made");
}

async fn app_with_scheduler(sim: &Simulator) -> TestApp {
    spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_SCHEDULER", "on".into()),
        ("TENANTRY_CHECK_POLL_SECONDS", "1".into()),
    ])
    .await
}

#[tokio::test]
async fn the_scheduler_checks_registrations_when_due_and_not_before() {
    let sim = contoso(&["Mail.Send"]).await;
    let watched = watched(app_with_scheduler(&sim).await, 120).await;

    let first = watched.until_checked(1).await;
    assert_eq!(first.standing.status, Status::Healthy);
    assert_eq!(first.timeline[0].checks[0].trigger, "scheduled");

    // Due again after six hours, give or take a tenth: not after one.
    watched.app.clock().advance(HOUR);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(Watched::checks(&watched.page().await), 1);

    watched.app.clock().advance(6 * HOUR);
    let second = watched.until_checked(2).await;
    assert_eq!(Watched::checks(&second), 2);
    assert_eq!(second.timeline[0].checks[0].trigger, "scheduled");
}

#[tokio::test]
async fn microsoft_asking_to_wait_backs_the_tenant_off_for_that_long() {
    let sim = contoso(&["Mail.Send"]).await;
    admin(
        &sim,
        "/_admin/faults",
        json!({"scope": {"endpoint": "token"}, "kind": "status", "code": 429,
               "retry_after_secs": 3600, "times": 1}),
    )
    .await;
    let watched = watched(app_with_scheduler(&sim).await, 120).await;

    let throttled = watched.until_checked(1).await;
    assert_eq!(throttled.standing.status, Status::CouldNotCheck);
    assert!(codes(&throttled).contains(&FindingCode::Throttled));

    watched
        .app
        .clock()
        .advance(HOUR - time::Duration::minutes(1));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        Watched::checks(&watched.page().await),
        1,
        "nothing is asked of the tenant before Microsoft's hour is up"
    );

    watched.app.clock().advance(time::Duration::minutes(2));
    let after = watched.until_checked(2).await;
    assert_eq!(after.standing.status, Status::Healthy);
}

fn imported_client(n: usize) -> String {
    format!("aaaaaaaa-0000-4000-8000-00000000000{n}")
}

/// Under a backlog the sweep must not starve anyone: what was never
/// checked goes first, then whatever has waited longest.
#[tokio::test]
async fn the_sweep_takes_the_never_checked_first_then_the_longest_due_and_leaves_what_is_not_due() {
    let app = spawn_app_with(&[]).await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let expires = in_days(200);
    let rows: String = (1..=4)
        .map(|n| {
            format!(
                "Contoso,{TENANT},contoso.example,global,{},,email,{SECRET},{expires}\n",
                imported_client(n)
            )
        })
        .collect();
    let file = format!(
        "tenant,tenant_id,domain,cloud,client_id,object_id,profiles,secret,secret_expires\n{rows}"
    );
    let report = crate::exchange::import(&app, &staff, &file, false).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    // The first stays never checked; the others were due two hours ago,
    // one hour ago, and in an hour.
    let now = app.clock().now();
    let pool = crate::support::database::open(&app.config.database_url).await;
    for (n, due) in [(2, now - 2 * HOUR), (3, now - HOUR), (4, now + HOUR)] {
        app::execute_on!(
            &pool,
            sqlx::query("UPDATE registrations SET next_check_at = $1 WHERE client_id = $2")
                .bind(app::timestamp::Timestamp::of(due))
                .bind(imported_client(n))
        )
        .expect("a due time set");
    }

    assert_eq!(app.claim_due(1).await, vec![imported_client(1)]);
    assert_eq!(app.claim_due(1).await, vec![imported_client(2)]);
    assert_eq!(
        app.claim_due(10).await,
        vec![imported_client(3)],
        "one due in an hour waits, and none is claimed twice"
    );
}

#[tokio::test]
async fn staff_can_ask_for_every_registration_to_be_checked_and_follow_the_progress() {
    let sim = contoso(&["Mail.Send"]).await;
    let watched = watched(app_with_scheduler(&sim).await, 120).await;
    watched.until_checked(1).await;

    let response = watched
        .app
        .call(&watched.staff, "request_checks", &[])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let request: app::model::CheckRequest = response.json().await.unwrap();
    assert_eq!(request.total, 1);
    let mut done = 0;
    for _ in 0..100 {
        let progress: app::model::ProgressOfChecks = watched
            .app
            .call(
                &watched.staff,
                "check_progress",
                &[("request", request.request.as_str())],
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(progress.total, 1);
        done = progress.done;
        if done == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(done, 1, "the requested check finished");
    assert_eq!(Watched::checks(&watched.page().await), 2);
}

#[tokio::test]
async fn a_viewer_reads_the_page_but_cannot_start_a_check() {
    let sim = contoso(&["Mail.Send"]).await;
    let watched = watched(app_against(&sim).await, 120).await;
    let viewer = watched
        .app
        .add_member(&watched.staff, "vera@northwind.example", "viewer")
        .await;
    let page = watched
        .app
        .call(
            &viewer,
            "load_registration",
            &[("registration_id", watched.registration.as_str())],
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let page: RegistrationPage = page.json().await.unwrap();
    assert!(!page.can_manage);
    let refused = watched
        .app
        .call(
            &viewer,
            "check_registration",
            &[("registration_id", watched.registration.as_str())],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

/// `tenantry checks …` against the test server's data directory.
async fn tenantry_checks(watched: &Watched, sim: &Simulator, args: &[&str]) -> (String, i32) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .env("TENANTRY_DATA_DIR", &watched.app.config.data_dir)
        .env("TENANTRY_DATABASE_URL", &watched.app.config.database_url)
        .env("TENANTRY_IDENTITY_URL", sim.base_url())
        .env("TENANTRY_GRAPH_URL", sim.base_url())
        .env("TENANTRY_LOG", "warn")
        .arg("checks")
        .args(args)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(!stdout.contains(SECRET));
    (stdout, output.status.code().unwrap_or(-1))
}

#[tokio::test]
async fn the_checks_cli_runs_the_same_engine_and_exits_like_verify() {
    let sim = contoso(&["Mail.Send"]).await;
    let watched = watched(app_against(&sim).await, 120).await;

    let (out, code) = tenantry_checks(&watched, &sim, &["run", "--all"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Checked 1 registration(s)") && out.contains("healthy: 1"),
        "{out}"
    );
    let page = watched.page().await;
    assert_eq!(page.timeline[0].checks[0].trigger, "cli");

    let (out, code) = tenantry_checks(&watched, &sim, &["status"]).await;
    assert_eq!(code, 0);
    assert!(
        out.contains("healthy: 1") && out.contains("failing: 0"),
        "{out}"
    );

    admin(
        &sim,
        &format!("/_admin/apps/{CLIENT}/roles"),
        json!({"revoke": ["Mail.Send"]}),
    )
    .await;
    let (out, code) = tenantry_checks(&watched, &sim, &["run"]).await;
    assert_eq!(
        (out.trim(), code),
        ("Checked 0 registration(s).", 0),
        "nothing is due yet"
    );
    let (out, code) = tenantry_checks(&watched, &sim, &["run", "--tenant", TENANT]).await;
    assert_eq!(code, 1, "a failing registration exits 1: {out}");
    assert!(out.contains("failing: 1"), "{out}");

    let (out, code) = tenantry_checks(&watched, &sim, &["run", "--tenant", "no-such-tenant"]).await;
    assert_eq!(code, 64, "{out}");
}

#[tokio::test]
async fn a_server_killed_mid_sweep_loses_no_check_and_records_none_twice() {
    const APPS: usize = 8;
    let sim = contoso(&["Mail.Send"]).await;
    for n in 0..APPS {
        admin(
            &sim,
            "/_admin/apps",
            json!({"tenant_id": TENANT, "client_id": format!("44444444-0000-4000-8000-00000000000{n}"),
                   "secrets": [{"value": SECRET, "expires_at": entra_simulator::now() + 90 * 86_400}],
                   "roles": ["Mail.Send"]}),
        )
        .await;
    }
    // Each check takes about a second, two at a time: the kill lands mid-sweep.
    admin(
        &sim,
        "/_admin/faults",
        json!({"scope": {"endpoint": "token"}, "kind": "latency", "ms": 1000}),
    )
    .await;
    let (app, mut server) = crate::support::process::spawn_binary_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_SCHEDULER", "off".into()),
        ("TENANTRY_CHECK_CONCURRENCY", "2".into()),
        ("TENANTRY_CHECK_LEASE_SECONDS", "3".into()),
        ("TENANTRY_CHECK_POLL_SECONDS", "1".into()),
        ("TENANTRY_LOG", "warn".into()),
    ])
    .await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let tenant = app.add_tenant(&staff, "Contoso", TENANT).await;
    let mut registrations = Vec::new();
    for n in 0..APPS {
        let client = format!("44444444-0000-4000-8000-00000000000{n}");
        let expires = in_days(80);
        let response = app
            .call(
                &staff,
                "add_registration",
                &[
                    ("customer_tenant_id", tenant.as_str()),
                    ("form[profiles]", "email"),
                    ("form[client_id]", client.as_str()),
                    ("form[secret]", SECRET),
                    ("form[secret_expires]", expires.as_str()),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        registrations.push(response.json::<String>().await.unwrap());
    }
    let counts = |staff: Client, registrations: Vec<String>| {
        let app = &app;
        async move {
            let mut counts = Vec::new();
            for id in &registrations {
                let page: RegistrationPage = app
                    .call(
                        &staff,
                        "load_registration",
                        &[("registration_id", id.as_str())],
                    )
                    .await
                    .json()
                    .await
                    .unwrap();
                counts.push(Watched::checks(&page));
            }
            counts
        }
    };
    // Only now does a server with the scheduler on take the sweep.
    server.set("TENANTRY_SCHEDULER", "on");
    server.crash_and_restart().await;
    // Killed as soon as the first results are in, with most still running
    // or waiting.
    for _ in 0..200 {
        let now = counts(staff.clone(), registrations.clone()).await;
        if now.iter().any(|&n| n > 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.crash_and_restart().await;
    let staff = app.signed_in("nadia@northwind.example", PASSWORD).await;
    let at_the_kill = counts(staff.clone(), registrations.clone()).await;
    let done = at_the_kill.iter().filter(|&&n| n > 0).count();
    assert!(
        done > 0 && done < APPS,
        "the kill landed mid-sweep: {at_the_kill:?}"
    );

    let mut seen = Vec::new();
    for _ in 0..60 {
        seen = counts(staff.clone(), registrations.clone()).await;
        if seen.iter().all(|&n| n >= 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(
        seen,
        vec![1; APPS],
        "every registration checked exactly once"
    );
    drop(server);
}

#[tokio::test]
async fn a_restart_honours_microsofts_request_to_wait() {
    let sim = contoso(&["Mail.Send"]).await;
    admin(
        &sim,
        "/_admin/faults",
        json!({"scope": {"endpoint": "token"}, "kind": "status", "code": 429,
               "retry_after_secs": 3600, "times": 1}),
    )
    .await;
    let (app, mut server) = crate::support::process::spawn_binary_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_CHECK_POLL_SECONDS", "1".into()),
        ("TENANTRY_LOG", "warn".into()),
    ])
    .await;
    let watched = watched(app, 120).await;
    let mut throttled = watched.until_checked(1).await;
    // Under load the page can show the stored check a moment before its
    // verdict; the first check's own finding is what this asks about.
    for _ in 0..50 {
        if codes(&throttled).contains(&FindingCode::Throttled) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        throttled = watched.page().await;
    }
    assert!(
        codes(&throttled).contains(&FindingCode::Throttled),
        "{:?} after {} checks",
        codes(&throttled),
        Watched::checks(&throttled)
    );

    server.crash_and_restart().await;
    // A registration added to the same tenant after the restart is due at
    // once, yet waits with the rest of the tenant.
    let tenant = watched.page().await.customer_tenant_id.to_string();
    let expires = in_days(80);
    let second = watched
        .app
        .call(
            &watched.staff,
            "add_registration",
            &[
                ("customer_tenant_id", tenant.as_str()),
                ("form[profiles]", "email"),
                ("form[client_id]", "55555555-0000-4000-8000-000000000001"),
                ("form[secret]", SECRET),
                ("form[secret_expires]", expires.as_str()),
            ],
        )
        .await;
    assert_eq!(second.status(), StatusCode::OK);
    let second = Watched {
        registration: second.json().await.unwrap(),
        app: watched.app,
        staff: watched.staff,
    };
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let waiting = second.page().await;
    assert_eq!(
        Watched::checks(&waiting),
        0,
        "the restarted server leaves the tenant alone for Microsoft's hour"
    );
    assert_eq!(waiting.standing.status, Status::NeverChecked);
}

#[tokio::test]
async fn old_checks_are_pruned_in_the_background_while_the_daily_summary_stays() {
    let sim = contoso(&["Mail.Send"]).await;
    let app = spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_SCHEDULER", "on".into()),
        ("TENANTRY_CHECK_POLL_SECONDS", "1".into()),
        ("TENANTRY_CHECK_RETENTION_DAYS", "2".into()),
    ])
    .await;
    let mut watched = watched(app, 120).await;
    watched.until_checked(1).await;
    assert_eq!(watched.check_now().await, Status::Healthy);
    let day_one = watched.page().await;
    assert_eq!(Watched::checks(&day_one), 2);

    watched.app.clock().advance(time::Duration::days(3));
    watched.sign_in_again().await;
    assert_eq!(watched.check_now().await, Status::Healthy);
    // Pruning runs once a day; the next day's run finds day one's checks
    // no longer the newest.
    watched.app.clock().advance(time::Duration::days(1));
    watched.sign_in_again().await;
    // A scheduled check may land beside the manual one; what matters is
    // that day one's checks are gone.
    let day_one_ends = day_one.timeline[0].checks[0].finished_at.clone();
    let old = |page: &RegistrationPage| {
        page.timeline
            .iter()
            .flat_map(|run| &run.checks)
            .filter(|check| check.finished_at <= day_one_ends)
            .count()
    };
    let mut after = watched.page().await;
    for _ in 0..50 {
        if old(&after) == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = watched.page().await;
    }
    assert_eq!(old(&after), 0, "day one's checks are pruned");
    assert!(Watched::checks(&after) >= 1, "the newest check is kept");
    let days_with_checks = after.strip.iter().filter(|d| d.status.is_some()).count();
    assert!(
        days_with_checks >= 2,
        "the daily summary keeps the pruned day"
    );
}

#[tokio::test]
async fn a_scheduled_check_that_could_not_reach_microsoft_is_retried_within_minutes() {
    let sim = contoso(&["Mail.Send"]).await;
    admin(
        &sim,
        "/_admin/faults",
        json!({"scope": {"endpoint": "token"}, "kind": "status", "code": 503, "times": 1}),
    )
    .await;
    let watched = watched(app_with_scheduler(&sim).await, 120).await;
    let unsure = watched.until_checked(1).await;
    assert_eq!(unsure.standing.status, Status::CouldNotCheck);
    // Failed once in a full run, never alone: what was stored is printed so
    // a next failure says which mechanism made a second check.
    assert_eq!(
        Watched::checks(&unsure),
        1,
        "no retry was slept on: {:?}",
        unsure.timeline
    );

    watched.app.clock().advance(time::Duration::minutes(11));
    let known = watched.until_checked(2).await;
    assert_eq!(known.standing.status, Status::Healthy);
}
