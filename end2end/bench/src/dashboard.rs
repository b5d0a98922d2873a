//! The dashboard at scale. Seeds 10,000 customer tenants and 25,000
//! registrations across the four products through `tenantry import`, 29
//! past days of one check a day each through the check-recording code
//! (`app::backend::checks::record::store`), then today's sweep through the
//! real server's scheduler against the simulator. Then drives the server
//! with 32 concurrent connections: the dashboard page (server-rendered
//! HTML) and its data server function, idle and while a sweep runs.
//! Prints p50/p99 latency, requests per second, the server's peak memory,
//! the database size and the browser bundle's size.

use app::backend::checks::record::{store, Observation, Trigger};
use app::ids::{OrganisationId, RegistrationId};
use app::timestamp::Timestamp;
use bench::{current_rss_mb, peak_rss_mb, tenantry_on, Server, OBJECT};
use clap::Parser;
use domain::evaluation::{Status, Verdict};
use domain::finding::{Finding, FindingCode, Severity};
use domain::profile::{built_in, Necessity};
use domain::PermissionKind;
use serde_json::json;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    tenants: usize,
    #[arg(long, default_value_t = 25_000)]
    registrations: usize,
    #[arg(long, default_value_t = 29)]
    past_days: i64,
    #[arg(long, default_value_t = 32)]
    connections: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Writes the dashboard page's HTML here, to see what it is made of.
    #[arg(long)]
    save_page: Option<std::path::PathBuf>,
    #[arg(long, default_value_t = 4710)]
    port: u16,
    /// A PostgreSQL server's admin database URL: the installation is kept
    /// in a new database there instead of a SQLite file.
    #[arg(long)]
    postgres: Option<String>,
}

const EXTRA: &str = "Directory.ReadWrite.All";
const PASSWORD: &str = "bench password for the dashboard";

fn tenant_id(i: usize) -> String {
    format!("0d0d0d0d-0000-4000-8000-{i:012}")
}

fn client_id(j: usize) -> String {
    format!("0e0e0e0e-0000-4000-8000-{j:012}")
}

/// Registration `j`'s product, its standing in the simulator, and how its
/// secret is recorded: most are healthy; every 20th lacks consent, every
/// 20th (offset 1) holds a permission beyond need, every 50th (offset 2)
/// has a secret expiring within 10 days.
struct Planned {
    product: &'static str,
    roles: Vec<String>,
    secret_expires: &'static str,
}

fn planned(j: usize, soon: &'static str) -> Planned {
    let products = ["intune-publishing", "email", "recovery", "device-inventory"];
    let product = products[j % products.len()];
    let profile = built_in().into_iter().find(|p| p.id == product).unwrap();
    let mut roles: Vec<String> = profile
        .requirements
        .iter()
        .filter(|r| r.kind == PermissionKind::Application)
        .filter(|r| r.necessity == Necessity::Required || r.necessity == Necessity::Optional)
        .map(|r| r.permission.clone())
        .collect();
    match j % 20 {
        0 => roles.clear(),
        1 => roles.push(EXTRA.to_owned()),
        _ => {}
    }
    Planned {
        product,
        roles,
        secret_expires: if j % 50 == 2 { soon } else { "2099-01-01" },
    }
}

async fn start_simulator(port: u16, args: &Args, soon: &'static str) -> bench::Simulator {
    // The shared helper loads one tenant; this scenario has many.
    let simulator = bench::Simulator::start(port, 0, 0).await;
    let tenants: Vec<_> = (0..args.tenants)
        .map(|i| {
            json!({"id": tenant_id(i), "domains": [format!("customer{i}.example")],
                        "display_name": format!("Customer {i:05}"), "cloud": "global"})
        })
        .collect();
    let apps: Vec<_> = (0..args.registrations)
        .map(|j| {
            json!({"tenant_id": tenant_id(j % args.tenants), "client_id": client_id(j),
                   "object_id": OBJECT, "roles": planned(j, soon).roles,
                   "secrets": [{"value": bench::secret(j), "expires_at": 4_000_000_000i64}]})
        })
        .collect();
    simulator
        .load(&json!({"tenants": tenants, "apps": apps}))
        .await;
    simulator
}

/// One check a day at noon UTC for each of the past days, stored through
/// the product's own recording code.
async fn seed_history(database: &str, past_days: i64) -> usize {
    let pool = app::backend::db::connect(database, Default::default())
        .await
        .expect("database");
    let rows: Vec<(RegistrationId, OrganisationId, String)> =
        app::on_db!(&pool, |c| sqlx::query_as(
            "SELECT id, organisation_id, profiles FROM registrations"
        )
        .fetch_all(c)
        .await)
        .expect("registrations");
    let today = time::OffsetDateTime::now_utc()
        .date()
        .midnight()
        .assume_utc();
    let mut stored = 0;
    for day in (1..=past_days).rev() {
        let at = Timestamp::of(today - time::Duration::days(day) + time::Duration::hours(12));
        let due = Timestamp::of(today - time::Duration::days(day - 1));
        for chunk in rows.chunks(2_500) {
            let mut tx = pool.begin().await.expect("transaction");
            for (n, (id, organisation, _)) in chunk.iter().enumerate() {
                let report = entra::VerifyReport {
                    verdict: past_verdict(stored + n, day),
                    token: None,
                    trace_id: None,
                    correlation_id: None,
                    retry_after: None,
                };
                let seen = Observation {
                    registration_id: id,
                    organisation_id: organisation,
                    trigger: Trigger::Scheduled,
                    triggered_by: None,
                    report: &report,
                    started_at: &at,
                    finished_at: &at,
                    duration_ms: 120,
                    next_check_at: &due,
                };
                store(&mut tx, None, &seen).await.expect("stored");
            }
            tx.commit().await.expect("commit");
            stored += chunk.len();
        }
    }
    pool.close().await;
    stored
}

fn past_verdict(n: usize, day: i64) -> Verdict {
    let finding = |code, severity, message: &str| Finding::new(code, severity, message, "");
    let (status, findings) = match (n as i64 + day) % 23 {
        0 => (
            Status::Failing,
            vec![finding(
                FindingCode::ConsentMissing,
                Severity::Failing,
                "Admin consent is missing.",
            )],
        ),
        1 => (
            Status::CouldNotCheck,
            vec![finding(
                FindingCode::Unreachable,
                Severity::CouldNotCheck,
                "Microsoft could not be reached.",
            )],
        ),
        2 | 3 => (
            Status::Warning,
            vec![finding(
                FindingCode::ExtraPermission,
                Severity::Warning,
                "Extra permissions.",
            )],
        ),
        _ => (Status::Healthy, vec![]),
    };
    Verdict {
        status,
        permissions: vec![],
        extra_permissions: vec![],
        findings,
        last_known: None,
    }
}

struct Load {
    latencies_ms: Vec<f64>,
    errors: usize,
    seconds: f64,
}

impl Load {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_ms.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies_ms.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_ms[i]
    }

    fn print(&self, what: &str, targets: &str) {
        println!(
            "{what}: requests={} errors={} rps={:.0} p50_ms={:.1} p99_ms={:.1} {targets}",
            self.latencies_ms.len(),
            self.errors,
            self.latencies_ms.len() as f64 / self.seconds,
            self.percentile(0.50),
            self.percentile(0.99),
        );
    }
}

#[derive(Clone, Copy)]
enum Target {
    Page,
    Data,
    FilteredData,
}

async fn drive(
    client: &reqwest::Client,
    base: &str,
    target: Target,
    connections: usize,
    seconds: u64,
) -> Load {
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, base) = (client.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < until {
                let began = Instant::now();
                let request = match target {
                    Target::Page => client.get(format!("{base}/")),
                    Target::Data => client.post(format!("{base}/api/load_dashboard")),
                    Target::FilteredData => client
                        .post(format!("{base}/api/load_dashboard"))
                        .form(&[("query[status]", "failing"), ("query[page]", "3")]),
                };
                match request.send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        latencies.push(began.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies_ms = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mut l, e) = task.await.expect("load task");
        latencies_ms.append(&mut l);
        errors += e;
    }
    latencies_ms.sort_by(|a, b| a.total_cmp(b));
    Load {
        latencies_ms,
        errors,
        seconds: started.elapsed().as_secs_f64(),
    }
}

async fn scheduled_checks(database: &str) -> i64 {
    let pool = app::backend::db::connect(database, Default::default())
        .await
        .expect("database");
    let (count,): (i64,) = app::on_db!(&pool, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM checks WHERE trigger = 'scheduled' AND finished_at >= $1",
    )
    .bind(start_of_today())
    .fetch_one(c)
    .await)
    .expect("count");
    pool.close().await;
    count
}

/// Midnight UTC today: checks stored since were made by today's sweeps.
fn start_of_today() -> Timestamp {
    Timestamp::of(
        time::OffsetDateTime::now_utc()
            .date()
            .midnight()
            .assume_utc(),
    )
}

/// Runs one statement on the benchmark's database beside the server.
async fn execute(database: &str, statement: &str) {
    let pool = app::backend::db::connect(database, Default::default())
        .await
        .expect("database");
    app::execute_on!(&pool, sqlx::query(statement)).unwrap_or_else(|e| panic!("{statement}: {e}"));
    pool.close().await;
}

async fn wait_for_checks(database: &str, at_least: i64) -> f64 {
    let started = Instant::now();
    while scheduled_checks(database).await < at_least {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    started.elapsed().as_secs_f64()
}

/// What PostgreSQL holds for the database, tables and indexes, MB.
async fn postgres_size_mb(database: &str) -> f64 {
    let pool = app::backend::db::open(database, Default::default())
        .await
        .expect("database");
    let bytes: i64 = app::on_db!(&pool, |c| sqlx::query_scalar(
        "SELECT pg_database_size(current_database())"
    )
    .fetch_one(c)
    .await)
    .expect("database size");
    pool.close().await;
    bytes as f64 / 1_048_576.0
}

fn file_size_mb(path: &std::path::Path) -> f64 {
    std::fs::metadata(path)
        .map(|m| m.len() as f64 / 1_048_576.0)
        .unwrap_or(0.0)
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let soon: &'static str = Box::leak(
        {
            let date = (time::OffsetDateTime::now_utc() + time::Duration::days(10)).date();
            format!(
                "{:04}-{:02}-{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            )
        }
        .into_boxed_str(),
    );
    let simulator = start_simulator(args.port, &args, soon).await;
    let data = tempfile::tempdir().expect("temp dir");
    let db_path = data.path().join("tenantry.db");
    let postgres = match &args.postgres {
        Some(admin) => Some(bench::fresh_postgres_database(admin, "dashboard_bench").await),
        None => None,
    };
    let on = postgres.as_deref();
    let database = postgres
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", db_path.display()));
    println!(
        "database={}",
        if on.is_some() { "postgres" } else { "sqlite" }
    );
    bench::create_admin(data.path(), on, &simulator.base, PASSWORD);

    let mut text = String::from(bench::IMPORT_HEADER);
    for j in 0..args.registrations {
        let plan = planned(j, soon);
        let i = j % args.tenants;
        text.push_str(&format!(
            "Customer {i:05},{},global,{},{OBJECT},{},{},{}\n",
            tenant_id(i),
            client_id(j),
            plan.product,
            bench::secret(j),
            plan.secret_expires
        ));
    }
    let import_seconds = bench::import_registrations(data.path(), on, &simulator.base, &text);

    let began = Instant::now();
    let seeded = seed_history(&database, args.past_days).await;
    let seed_seconds = began.elapsed().as_secs_f64();

    // Today's sweep, through the real server.
    let port = args.port + 1;
    let base = format!("http://127.0.0.1:{port}");
    let server = Server(
        tenantry_on(data.path(), on, &simulator.base)
            .env("TENANTRY_ADDR", format!("127.0.0.1:{port}"))
            .env("TENANTRY_CHECK_CONCURRENCY", "128")
            .env("TENANTRY_CHECK_POLL_SECONDS", "1")
            .env(
                "TENANTRY_SITE_ROOT",
                std::env::current_dir().unwrap().join("target/site"),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tenantry next to the benchmark (make bench-dashboard builds it)"),
    );
    let pid = server.0.id().to_string();
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    bench::wait_until_serving(&http, &base).await;
    let sweep_seconds = wait_for_checks(&database, args.registrations as i64).await;
    let rss_after_sweep = current_rss_mb(&pid);
    let pool = app::backend::db::connect(&database, Default::default())
        .await
        .expect("database");
    let today: Vec<(String, String, i64)> = app::on_db!(&pool, |c| sqlx::query_as(
        "SELECT status, finding_codes, COUNT(*) FROM checks WHERE finished_at >= $1 GROUP BY status, finding_codes",
    )
    .bind(start_of_today())
    .fetch_all(c)
    .await)
    .expect("today's checks");
    pool.close().await;
    println!("todays_checks_by_result={today:?}");

    let signed_in = http
        .post(format!("{base}/api/login"))
        .form(&[("email", "bench@bench.example"), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign-in");
    assert!(
        signed_in.status().is_success(),
        "sign-in: {}",
        signed_in.status()
    );

    // The first view after a change reads every registration.
    let (cold_ms, first) = timed_view(&http, &base).await;
    let view: serde_json::Value = serde_json::from_slice(&first).expect("a dashboard");
    let counts = view["counts"].clone();

    // A change to a tenant (or a registration added or removed) makes the
    // next view read every registration again; the daily trend is not
    // read again.
    execute(
        &database,
        "UPDATE organisations SET dashboard_version = dashboard_version + 1, dashboard_layout = dashboard_layout + 1",
    )
    .await;
    let (reread_ms, _) = timed_view(&http, &base).await;
    // Checks stored for 100 registrations: the next view reads those again.
    execute(
        &database,
        "UPDATE registrations SET status_since = status_since
          WHERE id IN (SELECT id FROM registrations ORDER BY id LIMIT 100)",
    )
    .await;
    let (updated_ms, _) = timed_view(&http, &base).await;
    let page_html = http
        .get(format!("{base}/"))
        .send()
        .await
        .expect("page")
        .bytes()
        .await
        .expect("body");
    let page_bytes = page_html.len();
    if let Some(path) = &args.save_page {
        std::fs::write(path, &page_html).expect("save the page");
    }
    let rss_idle = current_rss_mb(&pid);

    let page = drive(&http, &base, Target::Page, args.connections, args.seconds).await;
    let rss_after_page = current_rss_mb(&pid);
    let data_fn = drive(&http, &base, Target::Data, args.connections, args.seconds).await;
    let filtered = drive(
        &http,
        &base,
        Target::FilteredData,
        args.connections,
        args.seconds,
    )
    .await;
    let rss_after_data = current_rss_mb(&pid);

    // The same page while every registration is checked again. Counted
    // before they are made due: the scheduler starts within a second.
    let before = scheduled_checks(&database).await;
    execute(&database, "UPDATE registrations SET next_check_at = NULL").await;
    let began = Instant::now();
    let during = drive(&http, &base, Target::Page, args.connections, args.seconds).await;
    let checked_during = scheduled_checks(&database).await - before;
    let during_seconds = began.elapsed().as_secs_f64();
    let rest = wait_for_checks(&database, before + args.registrations as i64).await;
    let sweep_under_load = args.registrations as f64 / (during_seconds + rest);

    let interactive = Command::new("node")
        .arg("end2end/bench/interactive.mjs")
        .args([base.as_str(), "bench@bench.example", PASSWORD, "5"])
        .output()
        .map(|o| {
            if o.status.success() {
                String::from_utf8_lossy(&o.stdout).trim().to_owned()
            } else {
                format!("failed: {}", String::from_utf8_lossy(&o.stderr).trim())
            }
        })
        .unwrap_or_else(|e| format!("node not found: {e}"));

    let rss = peak_rss_mb(&pid);
    drop(server);
    let db_mb = match on {
        None => file_size_mb(&db_path) + file_size_mb(&data.path().join("tenantry.db-wal")),
        Some(_) => postgres_size_mb(&database).await,
    };

    println!(
        "seeded: tenants={} registrations={} past_days={} import_s={import_seconds:.1} history_checks={seeded} history_s={seed_seconds:.1} today_sweep_s={sweep_seconds:.1}",
        args.tenants, args.registrations, args.past_days
    );
    println!("counts={counts}");
    println!("first_view_ms={cold_ms:.0} (reads every registration and the 29 finished days of the trend)");
    println!("view_after_a_tenant_change_ms={reread_ms:.0} (reads every registration again; later views reuse it)");
    println!("view_after_100_registrations_changed_ms={updated_ms:.0} (reads those 100 again)");
    println!("dashboard_page_bytes={page_bytes}");
    println!("server_rss_mb: after_sweep={rss_after_sweep:.1} after_first_views={rss_idle:.1} after_page_load={rss_after_page:.1} after_data_load={rss_after_data:.1}");
    page.print("dashboard_page_html", "(targets: p99 <= 60 ms, >= 500 rps)");
    data_fn.print("load_dashboard", "");
    filtered.print("load_dashboard_failing_page_3", "");
    during.print("dashboard_page_html_during_sweep", "");
    println!(
        "sweep_during_load: checks_while_loading={checked_during} checks_per_second={sweep_under_load:.0} (idle sweep: {:.0}/s)",
        args.registrations as f64 / sweep_seconds
    );
    println!("server_peak_rss_mb={rss:.1} (target <= 150)");
    println!("database_mb={db_mb:.1}");
    println!("dashboard_interactive_ms (Chromium, localhost; first load with an empty cache, then reloads)={interactive} (target <= 500)");
    match bench::bundle::measure(std::path::Path::new("target/site/pkg")) {
        Ok(bundle) => {
            println!("bundle_wasm: {}", bundle.wasm.describe());
            println!("bundle_script: {}", bundle.script.describe());
            println!(
                "bundle_whole_app (what every page downloads): {} (target <= 300 gzipped)",
                bundle.whole().describe()
            );
        }
        Err(e) => println!("bundle: not measured ({e})"),
    }
}

/// One view of the dashboard's data: how long it took, in milliseconds,
/// and the answer.
async fn timed_view(http: &reqwest::Client, base: &str) -> (f64, Vec<u8>) {
    let began = Instant::now();
    let response = http
        .post(format!("{base}/api/load_dashboard"))
        .send()
        .await
        .expect("view");
    assert!(response.status().is_success());
    let body = response.bytes().await.expect("the view's body").to_vec();
    (began.elapsed().as_secs_f64() * 1000.0, body)
}
