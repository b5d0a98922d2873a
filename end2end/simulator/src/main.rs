use clap::Parser;
use entra_simulator::state::Scenario;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Stand-in for Microsoft's identity platform and Graph, for tests and demos.
#[derive(Parser)]
#[command(name = "entra-sim")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4010")]
    addr: SocketAddr,
    /// A scenario file (JSON) with tenants, apps and faults to start with.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Also receive e-mail over SMTP on this address, and list it at
    /// `GET /_admin/smtp` (for browser journeys that follow an e-mailed link).
    #[arg(long)]
    smtp_addr: Option<SocketAddr>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let args = Args::parse();
    let scenario = match &args.scenario {
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Scenario>(&text).map_err(|e| e.to_string()))
        {
            Ok(scenario) => scenario,
            Err(error) => {
                eprintln!("entra-sim: cannot load {}: {error}", path.display());
                return std::process::ExitCode::from(64);
            }
        },
        None => Scenario::default(),
    };
    let mail = match args.smtp_addr {
        Some(addr) => match entra_simulator::smtp::spawn(addr).await {
            Ok(mail) => Some(mail),
            Err(error) => {
                eprintln!("entra-sim: cannot receive mail on {addr}: {error}");
                return std::process::ExitCode::FAILURE;
            }
        },
        None => None,
    };
    match entra_simulator::spawn_with_mail(args.addr, scenario, mail).await {
        Ok(simulator) => {
            tracing::info!("Entra simulator listening on {}", simulator.base_url());
            let _ = tokio::signal::ctrl_c().await;
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("entra-sim: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
