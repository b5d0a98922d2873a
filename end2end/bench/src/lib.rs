//! What both benchmarks share: the simulator as its own process with a
//! scenario of many apps and injected latency, the client-only measurement,
//! and reading a process's peak memory.

pub mod bundle;

use domain::ids::{ClientId, SecretValue, TenantRef};
use domain::Cloud;
use entra::retry::RetryPolicy;
use entra::{Credential, Endpoints, EntraClient, VerifyRequest};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

pub const TENANT: &str = "0b0b0b0b-0000-4000-8000-000000000001";
/// Every app's object id; company recovery needs one on file.
pub const OBJECT: &str = "0b0b0b0b-0000-4000-8000-0000000000ff";
/// Calls one check makes: a token request and one Graph probe.
pub const CALLS_PER_CHECK: f64 = 2.0;

pub fn client_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

pub fn secret(i: usize) -> String {
    format!("bench-secret-{i}")
}

/// Peak resident memory (VmHWM) of process `pid` ("self" for this one), MB.
pub fn peak_rss_mb(pid: &str) -> f64 {
    memory_mb(pid, "VmHWM:")
}

/// Resident memory (VmRSS) of process `pid` now, MB.
pub fn current_rss_mb(pid: &str) -> f64 {
    memory_mb(pid, "VmRSS:")
}

/// A memory figure of `/proc/<pid>/status` (given in kB), MB.
fn memory_mb(pid: &str, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with(field))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// CPU time (user + system) process `pid` has used so far, seconds.
pub fn cpu_seconds(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // Fields after the command name, which is in parentheses.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let ticks =
                fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// A binary built next to this one.
pub fn sibling(name: &str) -> PathBuf {
    std::env::current_exe()
        .expect("own path")
        .with_file_name(name)
}

/// The `tenantry` binary built next to this one, with a data directory and
/// Microsoft's endpoints pointed at `simulator`, and nothing else from the
/// environment.
pub fn tenantry(data: &Path, simulator: &str) -> Command {
    tenantry_on(data, None, simulator)
}

/// `tenantry` as above, on `database` when given instead of the data
/// directory's SQLite file.
pub fn tenantry_on(data: &Path, database: Option<&str>, simulator: &str) -> Command {
    let mut command = Command::new(sibling("tenantry"));
    command
        .env_clear()
        .env("TENANTRY_DATA_DIR", data)
        .env("TENANTRY_IDENTITY_URL", simulator)
        .env("TENANTRY_GRAPH_URL", simulator)
        .env("TENANTRY_LOG", "warn");
    if let Some(database) = database {
        command.env("TENANTRY_DATABASE_URL", database);
    }
    command
}

/// A new, empty database on the PostgreSQL server whose admin database is
/// `admin_url`; its URL.
pub async fn fresh_postgres_database(admin_url: &str, name: &str) -> String {
    let admin = app::backend::db::open(admin_url, Default::default())
        .await
        .expect("the PostgreSQL server answers");
    app::execute_on!(
        &admin,
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
    )
    .expect("an old benchmark database dropped");
    app::execute_on!(&admin, sqlx::query(&format!("CREATE DATABASE {name}")))
        .expect("a benchmark database");
    admin.close().await;
    let (server, _) = admin_url
        .rsplit_once('/')
        .expect("the admin URL ends with a database name");
    format!("{server}/{name}")
}

/// Runs a CLI command to the end; its output is shown if it fails.
pub fn run(mut command: Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The organisation "Bench MSP" with its admin bench@bench.example, made
/// through `tenantry admin create`.
pub fn create_admin(data: &Path, database: Option<&str>, simulator: &str, password: &str) {
    let file = data.join("password");
    std::fs::write(&file, format!("{password}\n")).expect("password file");
    let mut create = tenantry_on(data, database, simulator);
    create
        .args([
            "admin",
            "create",
            "--org",
            "Bench MSP",
            "--email",
            "bench@bench.example",
            "--password-file",
        ])
        .arg(&file);
    run(create, "tenantry admin create");
}

/// The header of the registrations CSV that `tenantry import` reads.
pub const IMPORT_HEADER: &str =
    "tenant,tenant_id,cloud,client_id,object_id,profiles,secret,secret_expires\n";

/// Imports `csv` (with `IMPORT_HEADER`) into "Bench MSP" through `tenantry
/// import registrations`; returns how long it took, seconds.
pub fn import_registrations(
    data: &Path,
    database: Option<&str>,
    simulator: &str,
    csv: &str,
) -> f64 {
    let file = data.join("registrations.csv");
    std::fs::write(&file, csv).expect("CSV file");
    let mut import = tenantry_on(data, database, simulator);
    import
        .args(["import", "registrations", "--org", "Bench MSP", "--file"])
        .arg(&file);
    let began = Instant::now();
    run(import, "tenantry import registrations");
    began.elapsed().as_secs_f64()
}

/// Waits until the server at `base` answers its health check.
pub async fn wait_until_serving(http: &reqwest::Client, base: &str) {
    while !http
        .get(format!("{base}/health"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A running `tenantry serve`, stopped when dropped.
pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Simulator {
    child: std::process::Child,
    pub base: String,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Simulator {
    pub fn cpu_seconds(&self) -> f64 {
        cpu_seconds(&self.child.id().to_string())
    }

    /// Starts `entra-sim` on `port` with `apps` apps in one tenant, each
    /// with consent for AuditLog.Read.All, and `latency_ms` on every call.
    pub async fn start(port: u16, apps: usize, latency_ms: u64) -> Simulator {
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(sibling("entra-sim"))
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("entra-sim next to the benchmark (build both with --release)");
        let simulator = Simulator { child, base };
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http
                .post(format!("{}/_admin/reset", simulator.base))
                .send()
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let apps: Vec<_> = (0..apps)
            .map(|i| {
                json!({"tenant_id": TENANT, "client_id": client_id(i), "object_id": OBJECT,
                            "roles": ["AuditLog.Read.All"],
                            "secrets": [{"value": secret(i), "expires_at": 4_000_000_000i64}]})
            })
            .collect();
        let scenario = json!({
            "tenants": [{"id": TENANT, "domains": ["bench.example"], "display_name": "Bench", "cloud": "global"}],
            "apps": apps,
            "faults": [{"kind": "latency", "ms": latency_ms}],
        });
        simulator.load(&scenario).await;
        simulator
    }

    /// Replaces the simulator's directories, apps and faults.
    pub async fn load(&self, scenario: &serde_json::Value) {
        let loaded = reqwest::Client::new()
            .post(format!("{}/_admin/scenario", self.base))
            .json(scenario)
            .send()
            .await
            .expect("scenario");
        assert!(
            loaded.status().is_success(),
            "scenario refused: {}",
            loaded.status()
        );
    }
}

/// Client-only: verifies apps `0..registrations` through the real client
/// at `concurrency`, nothing stored. Returns (checks per second, healthy).
pub async fn client_only(base: &str, registrations: usize, concurrency: usize) -> (f64, usize) {
    let client = EntraClient::new(
        Endpoints::overridden(Some(base.to_owned()), Some(base.to_owned())),
        Duration::from_secs(30),
        RetryPolicy::default(),
    )
    .expect("client");
    let tenant = TenantRef::parse(TENANT).unwrap();
    let profiles = vec![domain::profile::recovery()];
    let limit = Arc::new(Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..registrations {
        let (client, tenant, profiles, limit) = (
            client.clone(),
            tenant.clone(),
            profiles.clone(),
            limit.clone(),
        );
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            let client_id = ClientId::parse(&client_id(i)).unwrap();
            let credential = Credential::Secret(SecretValue::new(&secret(i)).unwrap());
            entra::verify(
                &client,
                &VerifyRequest {
                    cloud: Cloud::Global,
                    tenant: &tenant,
                    expected_tenant_id: None,
                    client_id: &client_id,
                    credential: &credential,
                    profiles: &profiles,
                    secret_expires_at: None,
                    now: time::OffsetDateTime::now_utc().unix_timestamp(),
                },
            )
            .await
            .verdict
            .status
        });
    }
    let mut healthy = 0;
    while let Some(status) = tasks.join_next().await {
        if status.expect("task") == domain::evaluation::Status::Healthy {
            healthy += 1;
        }
    }
    (
        registrations as f64 / started.elapsed().as_secs_f64(),
        healthy,
    )
}

/// The most checks per second the injected latency allows.
pub fn latency_bound(concurrency: usize, latency_ms: u64) -> f64 {
    concurrency as f64 / (CALLS_PER_CHECK * latency_ms as f64 / 1000.0)
}
