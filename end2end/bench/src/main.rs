//! Verifies many registrations against the simulator (started as its own
//! process, so its memory is not counted) with injected latency, and prints
//! checks per second, peak memory and the ratio to a serial Python baseline.

use bench::{client_only, latency_bound, peak_rss_mb, Simulator, TENANT};
use clap::Parser;
use std::process::Command;

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

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let simulator = Simulator::start(
        args.port,
        args.registrations.max(args.baseline_requests),
        args.latency_ms,
    )
    .await;
    let base = simulator.base.clone();
    let (rate, healthy) = client_only(&base, args.registrations, args.concurrency).await;
    println!(
        "registrations={} concurrency={} latency_ms={}",
        args.registrations, args.concurrency, args.latency_ms
    );
    println!(
        "healthy={healthy} checks_per_second={rate:.1} latency_bound={:.0} peak_rss_mb={:.1}",
        latency_bound(args.concurrency, args.latency_ms),
        peak_rss_mb("self")
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
