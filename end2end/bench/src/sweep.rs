//! The watch at scale: imports N registrations through `tenantry import`,
//! starts the real server with its scheduler against the simulator (50 ms
//! per call), and times one full sweep until every result is stored. Prints
//! checks per second beside the client-only rate at the same concurrency
//! (measured in this run, at 1,000 and at N registrations) and the latency
//! bound, the server's peak memory, and how long the import took.

use bench::{
    client_id, client_only, latency_bound, peak_rss_mb, secret, tenantry, Server, Simulator,
    OBJECT, TENANT,
};
use clap::Parser;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::ConnectOptions;
use std::process::Stdio;
use std::str::FromStr;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    registrations: usize,
    /// Checks at once, in the server and in the client-only runs.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    #[arg(long, default_value_t = 50)]
    latency_ms: u64,
    #[arg(long, default_value_t = 4610)]
    port: u16,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let simulator = Simulator::start(args.port, args.registrations, args.latency_ms).await;
    let bound = latency_bound(args.concurrency, args.latency_ms);

    // The client alone, at 1,000 and at N, so the double's own cost shows.
    let (small_rate, _) = client_only(
        &simulator.base,
        1_000.min(args.registrations),
        args.concurrency,
    )
    .await;
    let (client_rate, client_healthy) =
        client_only(&simulator.base, args.registrations, args.concurrency).await;
    assert_eq!(
        client_healthy, args.registrations,
        "client-only: every check healthy"
    );

    let data = tempfile::tempdir().expect("temp dir");
    bench::create_admin(data.path(), &simulator.base, "bench password for the sweep");

    let mut text = String::from(bench::IMPORT_HEADER);
    for i in 0..args.registrations {
        text.push_str(&format!(
            "Bench,{TENANT},global,{},{OBJECT},recovery,{},2099-01-01\n",
            client_id(i),
            secret(i)
        ));
    }
    let import_seconds = bench::import_registrations(data.path(), &simulator.base, &text);

    // The sweep: the real server, its scheduler, results stored.
    let port = args.port + 1;
    let server = Server(
        tenantry(data.path(), &simulator.base)
            .env("TENANTRY_ADDR", format!("127.0.0.1:{port}"))
            .env("TENANTRY_CHECK_CONCURRENCY", args.concurrency.to_string())
            .env("TENANTRY_SITE_ROOT", data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tenantry next to the benchmark (make bench builds it)"),
    );
    // The sweep starts with the scheduler, as the server begins to answer;
    // opening the database and migrations are not part of it.
    bench::wait_until_serving(&reqwest::Client::new(), &format!("http://127.0.0.1:{port}")).await;
    let started = Instant::now();
    let database = SqliteConnectOptions::from_str(&format!(
        "sqlite://{}?mode=ro",
        data.path().join("tenantry.db").display()
    ))
    .unwrap();
    let mut stored = 0i64;
    let mut elapsed = 0.0;
    for _ in 0..6_000 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let Ok(mut connection) = database.connect().await else {
            continue;
        };
        let counted: Result<(i64,), _> =
            sqlx::query_as("SELECT COUNT(*) FROM checks WHERE trigger = 'scheduled'")
                .fetch_one(&mut connection)
                .await;
        if let Ok((count,)) = counted {
            stored = count;
            if stored >= args.registrations as i64 {
                elapsed = started.elapsed().as_secs_f64();
                break;
            }
        }
    }
    let server_rss = peak_rss_mb(&server.0.id().to_string());
    let server_cpu = bench::cpu_seconds(&server.0.id().to_string());
    let simulator_cpu = simulator.cpu_seconds();
    let mut connection = database.connect().await.expect("database");
    let (distinct, healthy): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(DISTINCT registration_id), COALESCE(SUM(CASE WHEN status = 'healthy' THEN 1 ELSE 0 END), 0) FROM checks",
    )
    .fetch_one(&mut connection)
    .await
    .expect("counts");
    drop(server);

    let rate = args.registrations as f64 / elapsed;
    println!(
        "registrations={} concurrency={} latency_ms={}",
        args.registrations, args.concurrency, args.latency_ms
    );
    println!(
        "latency_bound_checks_per_second={bound:.0} (concurrency / ({} calls x {} ms))",
        bench::CALLS_PER_CHECK,
        args.latency_ms
    );
    println!(
        "client_only_checks_per_second: at_1000={small_rate:.1} at_{}={client_rate:.1} ratio={:.2} (target: within 15%)",
        args.registrations,
        client_rate / small_rate
    );
    println!(
        "import_seconds={import_seconds:.2} ({} rows through `tenantry import registrations`)",
        args.registrations
    );
    println!(
        "sweep_checks_per_second={rate:.1} elapsed_s={elapsed:.2} ratio_to_client_only={:.2} (target >= 0.80)",
        rate / client_rate
    );
    println!("server_peak_rss_mb={server_rss:.1} (target <= 150)");
    println!("cpu_seconds: server={server_cpu:.2} simulator_so_far={simulator_cpu:.2} (this machine has {} cores)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0));
    println!("results_stored={stored} registrations_with_a_result={distinct} healthy={healthy} (target: exactly {})", args.registrations);
    if stored != args.registrations as i64 || distinct != args.registrations as i64 {
        eprintln!("the sweep did not store exactly one result per registration");
        std::process::exit(1);
    }
}
