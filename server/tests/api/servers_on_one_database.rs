//! Several `tenantry serve` processes on one PostgreSQL database, as behind
//! a load balancer: they split a sweep between them, one killed mid-sweep
//! leaves its share to the other, and a sign-in made on one holds on the
//! other. Runs in `make test`'s PostgreSQL pass.

use crate::support::database::{fresh_database_url, not_on_postgres, open};
use crate::support::process::{spawn_binary_with, RunningBinary};
use crate::support::{browser, TestApp, PASSWORD};
use entra_simulator::state::{NewApp, Scenario, Tenant};
use entra_simulator::Simulator;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

const REGISTRATIONS: usize = 300;
const TENANT: &str = "44444444-4444-4444-8444-444444444444";
const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const METRICS_TOKEN: &str = "metrics-token-for-the-two-server-tests";

fn client_id(i: usize) -> String {
    format!("55555555-0000-4000-8000-{i:012}")
}

fn secret(i: usize) -> String {
    format!("sweep~secret.{i:06}-value")
}

/// A tenant with `REGISTRATIONS` apps, every call answered after `latency`
/// so that a sweep lasts long enough to be shared and interrupted.
async fn directory(latency_ms: u64) -> Simulator {
    let apps = (0..REGISTRATIONS)
        .map(|i| NewApp::with_secret(TENANT, &client_id(i), &secret(i), 90, &["Mail.Send"]))
        .collect();
    let mut scenario = Scenario::of(vec![Tenant::global(TENANT, "sweep.example", "Sweep")], apps);
    scenario.faults =
        vec![
            serde_json::from_value(serde_json::json!({"kind": "latency", "ms": latency_ms}))
                .unwrap(),
        ];
    entra_simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario)
        .await
        .expect("simulator starts")
}

/// What both servers are configured with: one database, one master key,
/// short leases and polls so a dead server's share is taken over soon.
fn shared(sim: &Simulator, database: &str) -> Vec<(&'static str, String)> {
    vec![
        ("TENANTRY_DATABASE_URL", database.to_owned()),
        ("TENANTRY_MASTER_KEY", MASTER_KEY.to_owned()),
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_CHECK_CONCURRENCY", "16".to_owned()),
        ("TENANTRY_CHECK_LEASE_SECONDS", "4".to_owned()),
        ("TENANTRY_CHECK_POLL_SECONDS", "1".to_owned()),
        ("TENANTRY_METRICS_TOKEN", METRICS_TOKEN.to_owned()),
        ("TENANTRY_LOG", "warn".to_owned()),
    ]
}

/// The organisation and its registrations, stored before any server
/// starts, so that the sweep begins with both.
async fn installation(sim: &Simulator) -> String {
    let database = fresh_database_url().await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut vars: std::collections::HashMap<&str, String> =
        shared(sim, &database).into_iter().collect();
    vars.insert("TENANTRY_DATA_DIR", data.path().display().to_string());
    let config = server::Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
    let password_file = data.path().join("password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    server::cli::create_organisation(
        &config,
        &server::cli::CreateArgs {
            org: "Northwind IT".into(),
            email: "nadia@northwind.example".into(),
            name: None,
            password_file,
        },
    )
    .await
    .expect("organisation created");
    let mut csv =
        String::from("tenant,tenant_id,cloud,client_id,object_id,profiles,secret,secret_expires\n");
    for i in 0..REGISTRATIONS {
        csv.push_str(&format!(
            "Sweep,{TENANT},global,{},,email,{},2099-01-01\n",
            client_id(i),
            secret(i)
        ));
    }
    let file = data.path().join("registrations.csv");
    std::fs::write(&file, csv).unwrap();
    server::exchange_cli::import(
        &config,
        &server::exchange_cli::ImportArgs {
            org: "Northwind IT".into(),
            file,
            dry_run: false,
            check: false,
        },
    )
    .await
    .expect("registrations imported");
    database
}

async fn two_servers(sim: &Simulator, database: &str) -> [(TestApp, RunningBinary); 2] {
    let vars = shared(sim, database);
    let (first, second) = tokio::join!(spawn_binary_with(&vars), spawn_binary_with(&vars));
    [first, second]
}

/// How many scheduled checks `app` finished, by its own metrics.
async fn checks_made_by(app: &TestApp) -> u64 {
    let metrics = reqwest::Client::new()
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    metrics
        .lines()
        .filter(|line| {
            line.starts_with("tenantry_checks_total{") && line.contains("trigger=\"scheduled\"")
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Scheduled checks stored, and how many registrations they cover.
async fn stored(database: &str) -> (i64, i64) {
    let db = open(database).await;
    let counts = app::on_db!(&db, |c| {
        sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT registration_id) FROM checks WHERE trigger = 'scheduled'"
    )
    .fetch_one(c)
    .await
    })
    .unwrap();
    db.close().await;
    counts
}

/// Registrations claimed by a lease still running and not checked yet.
async fn leased_unchecked(database: &str) -> i64 {
    let db = open(database).await;
    let now = app::timestamp::Timestamp::of(time::OffsetDateTime::now_utc());
    let count = app::on_db!(&db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM registrations WHERE lease_until > $1 AND last_checked_at IS NULL"
    )
    .bind(&now)
    .fetch_one(c)
    .await)
    .unwrap();
    db.close().await;
    count
}

async fn until_every_registration_is_checked(database: &str, within: Duration) -> (i64, i64) {
    let started = Instant::now();
    loop {
        let counts = stored(database).await;
        if counts.1 >= REGISTRATIONS as i64 || started.elapsed() > within {
            return counts;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn two_servers_split_a_sweep_and_check_every_registration_exactly_once() {
    if not_on_postgres() {
        return;
    }
    let sim = directory(40).await;
    let database = installation(&sim).await;
    let [(first, _first_process), (second, _second_process)] = two_servers(&sim, &database).await;

    let (checks, registrations) =
        until_every_registration_is_checked(&database, Duration::from_secs(90)).await;
    assert_eq!(registrations, REGISTRATIONS as i64, "none missed");
    assert_eq!(checks, REGISTRATIONS as i64, "none checked twice");
    let (by_first, by_second) = (checks_made_by(&first).await, checks_made_by(&second).await);
    assert!(
        by_first > 0 && by_second > 0,
        "both servers did work: {by_first} and {by_second}"
    );
    assert_eq!(by_first + by_second, REGISTRATIONS as u64);
}

#[tokio::test]
async fn when_one_server_is_killed_mid_sweep_the_other_finishes_its_share() {
    if not_on_postgres() {
        return;
    }
    // Slow answers keep every slot of both servers busy, so the one killed
    // dies holding leases the other must wait out and take over.
    let sim = directory(250).await;
    let database = installation(&sim).await;
    let [(_, doomed), (survivor, _survivor_process)] = two_servers(&sim, &database).await;

    let started = Instant::now();
    while stored(&database).await.1 < 40 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = doomed.stop();
    let (_, at_the_kill) = stored(&database).await;
    let leased = leased_unchecked(&database).await;
    assert!(
        at_the_kill < REGISTRATIONS as i64 && leased > 0,
        "the sweep was still running when the server died, with checks under way: {log}"
    );

    let (checks, registrations) =
        until_every_registration_is_checked(&database, Duration::from_secs(120)).await;
    assert_eq!(registrations, REGISTRATIONS as i64, "none missed");
    assert_eq!(checks, REGISTRATIONS as i64, "none stored twice");
    assert!(checks_made_by(&survivor).await >= (REGISTRATIONS as i64 - at_the_kill) as u64);
}

#[tokio::test]
async fn a_sign_in_made_on_one_server_holds_on_the_other() {
    if not_on_postgres() {
        return;
    }
    let sim = directory(0).await;
    let database = installation(&sim).await;
    let mut vars = shared(&sim, &database);
    vars.push(("TENANTRY_SCHEDULER", "off".to_owned()));
    let ((first, _first_process), (second, _second_process)) =
        tokio::join!(spawn_binary_with(&vars), spawn_binary_with(&vars));

    // One cookie jar, as one browser behind a load balancer: both servers
    // are on 127.0.0.1, and cookies do not depend on the port.
    let browser = browser();
    let signed_in = first
        .call(
            &browser,
            "login",
            &[("email", "nadia@northwind.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_eq!(second.me(&browser).await.email, "nadia@northwind.example");

    let signed_out = second.call(&browser, "logout", &[]).await;
    assert_eq!(signed_out.status(), StatusCode::OK);
    let refused = first.call(&browser, "load_staff", &[]).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn servers_started_together_on_an_empty_database_migrate_it_once() {
    if not_on_postgres() {
        return;
    }
    let sim = directory(0).await;
    let database = fresh_database_url().await.unwrap();
    let vars = shared(&sim, &database);
    // Each waits for the migrator's advisory lock; all three must answer.
    let ((first, _a), (second, _b), (third, _c)) = tokio::join!(
        spawn_binary_with(&vars),
        spawn_binary_with(&vars),
        spawn_binary_with(&vars)
    );
    for app in [&first, &second, &third] {
        let health = reqwest::get(app.url("/health")).await.unwrap();
        assert_eq!(health.status(), StatusCode::OK);
    }
    let db = open(&database).await;
    let migrations: i64 = app::on_db!(&db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM _sqlx_migrations WHERE success"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/postgres");
    assert_eq!(
        migrations as usize,
        std::fs::read_dir(folder).unwrap().count()
    );
}
