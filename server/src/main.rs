use clap::Parser;
use server::cli::{self, AdminCommand, Cli, Command, KeysCommand};
use server::exchange_cli::{ExportCommand, ImportCommand};
use server::{telemetry, Application, Config};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 64 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("tenantry: {error}");
            return ExitCode::from(64);
        }
    };
    telemetry::init(&config.log_filter);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Verify(args) => print(server::verify::run(&config, &args).await),
        Command::Recovery { command } => print(server::recovery_cli::run(&config, &command).await),
        Command::Import {
            command: ImportCommand::Registrations(args),
        } => print(server::exchange_cli::import(&config, &args).await),
        Command::Export {
            command: ExportCommand::Registrations(args),
        } => print(server::exchange_cli::export(&config, &args).await),
        Command::Checks { command } => print(server::checks_cli::run(&config, &command).await),
        Command::Db {
            command: cli::DbCommand::Migrate,
        } => print(cli::migrate(&config).await.map(|report| (report, 0))),
        Command::Db {
            command: cli::DbCommand::Copy(args),
        } => print(cli::copy_database(&args).await.map(|report| (report, 0))),
        Command::Keys {
            command: KeysCommand::Rotate,
        } => print(cli::rotate_keys(&config).await.map(|report| (report, 0))),
        Command::Keys {
            command: KeysCommand::Status,
        } => print(cli::key_status(&config).await.map(|report| (report, 0))),
        Command::Admin {
            command: AdminCommand::Create(args),
        } => match cli::create_organisation(&config, &args).await {
            Ok(id) => {
                println!(
                    "Created organisation {} ({id}) with admin {}.",
                    args.org, args.email
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("tenantry: {error}");
                ExitCode::from(error.exit_code() as u8)
            }
        },
    }
}

/// Prints a command's output (nothing when empty) and exits with its code.
fn print(result: Result<(String, u8), cli::CliError>) -> ExitCode {
    match result {
        Ok((output, code)) => {
            if !output.is_empty() {
                println!("{output}");
            }
            ExitCode::from(code)
        }
        Err(error) => {
            eprintln!("tenantry: {error}");
            ExitCode::from(error.exit_code() as u8)
        }
    }
}

async fn serve(config: Config) -> ExitCode {
    let app = match Application::build(&config).await {
        Ok(app) => app,
        Err(error) => {
            tracing::error!("{error}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        address = %app.local_addr(),
        database = %config.database_for_log(),
        site_root = %config.site_root.display(),
        "Tenantry is listening on {}",
        config.public_url_for(app.local_addr())
    );
    match app.open_setup_if_empty().await {
        Ok(Some(link)) => tracing::info!(
            "No organisation yet. Finish first-run set-up at {link} (this link works once; it is also in {}).",
            config.data_dir.join("setup-url.txt").display()
        ),
        Ok(None) => {}
        Err(error) => {
            tracing::error!("{error}");
            return ExitCode::FAILURE;
        }
    }
    match app.serve(shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "server failed");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
