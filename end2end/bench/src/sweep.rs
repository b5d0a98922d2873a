//! The watch at scale: imports N registrations through `tenantry import`,
//! starts the real server with its scheduler against the simulator (50 ms
//! per call), and times one full sweep until every result is stored. Prints
//! checks per second beside the client-only rate at the same concurrency
//! (measured in this run, at 1,000 and at N registrations) and the latency
//! bound, the server's peak memory, and how long the import took. With
//! `--postgres`, the same sweep again on PostgreSQL by one server and by
//! two sharing the database, and the ratio of the two rates.

use bench::{
    client_id, client_only, latency_bound, peak_rss_mb, secret, tenantry_on, Server, Simulator,
    OBJECT, TENANT,
};
use clap::Parser;
use std::process::Stdio;
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
    /// A PostgreSQL server's admin database URL: then the sweep runs again
    /// on PostgreSQL, with one server and with two.
    #[arg(long)]
    postgres: Option<String>,
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

    let sqlite = sweep(&args, &simulator, None, 1).await;
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
        "import_seconds={:.2} ({} rows through `tenantry import registrations`)",
        sqlite.import_seconds, args.registrations
    );
    println!(
        "sweep_checks_per_second={:.1} elapsed_s={:.2} ratio_to_client_only={:.2} (target >= 0.80)",
        sqlite.rate(),
        sqlite.elapsed,
        sqlite.rate() / client_rate
    );
    println!(
        "server_peak_rss_mb={:.1} (target <= 150)",
        sqlite.peak_rss_mb
    );
    println!(
        "cpu_seconds: server={:.2} simulator_so_far={:.2} (this machine has {} cores)",
        sqlite.cpu_seconds,
        simulator.cpu_seconds(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    sqlite.report_results();

    let Some(admin) = &args.postgres else {
        return;
    };
    let one = sweep(
        &args,
        &simulator,
        Some(bench::fresh_postgres_database(admin, "sweep_one_server").await),
        1,
    )
    .await;
    let two = sweep(
        &args,
        &simulator,
        Some(bench::fresh_postgres_database(admin, "sweep_two_servers").await),
        2,
    )
    .await;
    for (servers, run) in [(1, &one), (2, &two)] {
        println!(
            "postgres_sweep servers={servers} checks_per_second={:.1} elapsed_s={:.2} import_seconds={:.2} peak_rss_mb_per_server={:.1} server_cpu_seconds={:.2}",
            run.rate(),
            run.elapsed,
            run.import_seconds,
            run.peak_rss_mb,
            run.cpu_seconds
        );
        run.report_results();
    }
    println!(
        "postgres_two_servers_to_one_ratio={:.2} (same latency and concurrency per server; the bound per server is {bound:.0}/s)",
        two.rate() / one.rate()
    );
}

/// One full sweep of every registration, imported first, by `servers`
/// servers on one database (the data directory's SQLite file, or
/// `database`).
async fn sweep(
    args: &Args,
    simulator: &Simulator,
    database: Option<String>,
    servers: u16,
) -> Sweep {
    let data = tempfile::tempdir().expect("temp dir");
    let database_url = database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data.path().join("tenantry.db").display()));
    let on = database.as_deref();
    bench::create_admin(
        data.path(),
        on,
        &simulator.base,
        "bench password for the sweep",
    );

    let mut text = String::from(bench::IMPORT_HEADER);
    for i in 0..args.registrations {
        text.push_str(&format!(
            "Bench,{TENANT},global,{},{OBJECT},recovery,{},2099-01-01\n",
            client_id(i),
            secret(i)
        ));
    }
    let import_seconds = bench::import_registrations(data.path(), on, &simulator.base, &text);

    // The sweep: the real servers, their schedulers, results stored. They
    // share the data directory, so they seal with the same key.
    let http = reqwest::Client::new();
    let mut running = Vec::new();
    for n in 1..=servers {
        let port = args.port + n;
        running.push(Server(
            tenantry_on(data.path(), on, &simulator.base)
                .env("TENANTRY_ADDR", format!("127.0.0.1:{port}"))
                .env("TENANTRY_CHECK_CONCURRENCY", args.concurrency.to_string())
                .env("TENANTRY_SITE_ROOT", data.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("tenantry next to the benchmark (make bench builds it)"),
        ));
    }
    // The sweep starts with the schedulers, as the servers begin to answer;
    // opening the database and migrations are not part of it.
    for n in 1..=servers {
        bench::wait_until_serving(&http, &format!("http://127.0.0.1:{}", args.port + n)).await;
    }
    let started = Instant::now();
    let db = app::backend::db::open(&database_url, Default::default())
        .await
        .expect("the benchmark's database");
    let mut stored = 0i64;
    let mut elapsed = f64::NAN;
    for _ in 0..6_000 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let counted: Result<i64, _> = app::on_db!(&db, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM checks WHERE trigger = 'scheduled'"
        )
        .fetch_one(c)
        .await);
        if let Ok(count) = counted {
            stored = count;
            if stored >= args.registrations as i64 {
                elapsed = started.elapsed().as_secs_f64();
                break;
            }
        }
    }
    let pids: Vec<String> = running.iter().map(|s| s.0.id().to_string()).collect();
    let peak_rss_mb = pids.iter().map(|pid| peak_rss_mb(pid)).fold(0.0, f64::max);
    let cpu_seconds = pids.iter().map(|pid| bench::cpu_seconds(pid)).sum();
    let (distinct, healthy): (i64, i64) = app::on_db!(&db, |c| sqlx::query_as(
        "SELECT COUNT(DISTINCT registration_id), COALESCE(SUM(CASE WHEN status = 'healthy' THEN 1 ELSE 0 END), 0) FROM checks",
    )
    .fetch_one(c)
    .await)
    .expect("counts");
    db.close().await;
    drop(running);
    Sweep {
        registrations: args.registrations,
        import_seconds,
        elapsed,
        peak_rss_mb,
        cpu_seconds,
        stored,
        distinct,
        healthy,
    }
}

struct Sweep {
    registrations: usize,
    import_seconds: f64,
    elapsed: f64,
    peak_rss_mb: f64,
    cpu_seconds: f64,
    stored: i64,
    distinct: i64,
    healthy: i64,
}

impl Sweep {
    fn rate(&self) -> f64 {
        self.registrations as f64 / self.elapsed
    }

    /// Prints what was stored; exits 1 unless exactly one result per
    /// registration.
    fn report_results(&self) {
        println!(
            "results_stored={} registrations_with_a_result={} healthy={} (target: exactly {})",
            self.stored, self.distinct, self.healthy, self.registrations
        );
        if self.stored != self.registrations as i64 || self.distinct != self.registrations as i64 {
            eprintln!("the sweep did not store exactly one result per registration");
            std::process::exit(1);
        }
    }
}
