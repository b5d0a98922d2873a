//! Verifies many registrations against the simulator (started as its own
//! process, so its memory is not counted) with injected latency, and prints
//! checks per second, peak memory and the ratio to a serial Python baseline.

use clap::Parser;
use domain::evaluation::Status;
use domain::ids::{ClientId, SecretValue, TenantRef};
use domain::Cloud;
use entra::retry::RetryPolicy;
use entra::{Credential, Endpoints, EntraClient, VerifyRequest};
use serde_json::json;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

#[derive(Parser)]
struct Args {
    /// How many registrations to verify.
    #[arg(long, default_value_t = 1000)]
    registrations: usize,
    /// How many verifications run at once.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// Latency the simulator adds to every call.
    #[arg(long, default_value_t = 50)]
    latency_ms: u64,
    /// How many token requests the serial baseline makes (its rate is per request).
    #[arg(long, default_value_t = 100)]
    baseline_requests: usize,
    /// Port for the simulator.
    #[arg(long, default_value_t = 4510)]
    port: u16,
}

const TENANT: &str = "0b0b0b0b-0000-4000-8000-000000000001";

fn client_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|line| {
            line.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

struct SimulatorProcess(std::process::Child);

impl Drop for SimulatorProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn simulator_binary() -> PathBuf {
    let me = std::env::current_exe().expect("own path");
    me.with_file_name("entra-sim")
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let base = format!("http://127.0.0.1:{}", args.port);
    let _simulator = SimulatorProcess(
        Command::new(simulator_binary())
            .args(["--addr", &format!("127.0.0.1:{}", args.port)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("entra-sim next to verify-bench (build both with --release)"),
    );
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http
            .post(format!("{base}/_admin/reset"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let apps: Vec<_> = (0..args.registrations.max(args.baseline_requests))
        .map(|i| json!({"tenant_id": TENANT, "client_id": client_id(i), "roles": ["AuditLog.Read.All"],
                        "secrets": [{"value": format!("bench-secret-{i}"), "expires_at": 4_000_000_000i64}]}))
        .collect();
    let scenario = json!({
        "tenants": [{"id": TENANT, "domains": ["bench.example"], "display_name": "Bench", "cloud": "global"}],
        "apps": apps,
        "faults": [{"kind": "latency", "ms": args.latency_ms}],
    });
    let loaded = http
        .post(format!("{base}/_admin/scenario"))
        .json(&scenario)
        .send()
        .await
        .expect("scenario");
    assert!(
        loaded.status().is_success(),
        "scenario refused: {}",
        loaded.status()
    );

    let client = EntraClient::new(
        Endpoints::overridden(Some(base.clone()), Some(base.clone())),
        Duration::from_secs(30),
        RetryPolicy::default(),
    )
    .unwrap();
    let tenant = TenantRef::parse(TENANT).unwrap();
    let profiles = vec![domain::profile::recovery()];
    let limit = Arc::new(Semaphore::new(args.concurrency));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..args.registrations {
        let (client, tenant, profiles, limit) = (
            client.clone(),
            tenant.clone(),
            profiles.clone(),
            limit.clone(),
        );
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            let client_id = ClientId::parse(&client_id(i)).unwrap();
            let credential =
                Credential::Secret(SecretValue::new(&format!("bench-secret-{i}")).unwrap());
            let report = entra::verify(
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
            .await;
            report.verdict.status
        });
    }
    let mut healthy = 0usize;
    while let Some(status) = tasks.join_next().await {
        if status.expect("task") == Status::Healthy {
            healthy += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rate = args.registrations as f64 / elapsed;
    println!(
        "registrations={} concurrency={} latency_ms={}",
        args.registrations, args.concurrency, args.latency_ms
    );
    println!(
        "healthy={healthy} elapsed_s={elapsed:.2} checks_per_second={rate:.1} peak_rss_mb={:.1}",
        peak_rss_mb()
    );

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/serial_baseline.py");
    let baseline = Command::new("python3")
        .args([script, &base, TENANT, &args.baseline_requests.to_string()])
        .output()
        .expect("python3 for the serial baseline");
    let text = String::from_utf8_lossy(&baseline.stdout);
    let baseline_rate = text
        .lines()
        .find_map(|l| l.strip_prefix("requests_per_second="))
        .and_then(|v| v.trim().parse::<f64>().ok());
    match baseline_rate {
        Some(serial) => {
            println!("serial_baseline_requests_per_second={serial:.1} (python requests, {} token requests)", args.baseline_requests);
            println!("speedup_vs_serial={:.1}x (target >= 20x; each check here is a token request plus a Graph probe)", rate / serial);
        }
        None => println!(
            "serial baseline failed: {}",
            String::from_utf8_lossy(&baseline.stderr).trim()
        ),
    }
    if healthy != args.registrations {
        eprintln!(
            "{} of {} registrations were not healthy",
            args.registrations - healthy,
            args.registrations
        );
        std::process::exit(1);
    }
}
