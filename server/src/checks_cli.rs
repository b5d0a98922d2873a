//! `tenantry checks`: the watch's engine from a script or cron, and counts
//! by status. Exit codes as `tenantry verify`: 0 when everything checked is
//! healthy or warning, 1 when something is failing, 2 when something could
//! not be checked; 64 for bad usage.

use crate::cli::CliError;
use crate::config::Config;
use crate::startup::open_backend;
use app::backend::checks::{sweep, Trigger};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// Check the registrations that are due (or those named) once, now.
    Run(RunArgs),
    /// Count every active registration by status.
    Status,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Check every active registration, due or not.
    #[arg(long, conflicts_with = "tenant")]
    pub all: bool,
    /// Check the registrations of one customer tenant (Tenantry's id or the
    /// Microsoft directory id), due or not.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Also wait for checks a running server holds right now.
    #[arg(long)]
    pub wait: bool,
}

pub async fn run(config: &Config, command: &ChecksCommand) -> Result<(String, u8), CliError> {
    let backend = open_backend(config, config.addr, app::backend::Clock::system())
        .await
        .map_err(|error| CliError::Failed(error.to_string()))?;
    let result = match command {
        ChecksCommand::Run(args) => run_checks(&backend, args).await,
        ChecksCommand::Status => status(&backend).await,
    };
    backend.pool.close().await;
    result
}

fn failed(error: app::error::AppError) -> CliError {
    CliError::Failed(error.to_string())
}

async fn run_checks(
    backend: &app::backend::Backend,
    args: &RunArgs,
) -> Result<(String, u8), CliError> {
    if args.all || args.tenant.is_some() {
        let marked = sweep::make_due(backend, args.tenant.as_deref())
            .await
            .map_err(failed)?;
        if marked == 0 && args.tenant.is_some() {
            return Err(CliError::Usage(
                "no active registration belongs to that tenant".into(),
            ));
        }
    }
    let mut summary = sweep::run(backend, Trigger::Cli).await.map_err(failed)?;
    let mut waited = false;
    while args.wait && sweep::leased_elsewhere(backend).await.map_err(failed)? > 0 {
        waited = true;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        summary.merge(sweep::run(backend, Trigger::Cli).await.map_err(failed)?);
    }
    let mut lines = vec![format!(
        "Checked {} registration(s){}.",
        summary.checked(),
        if waited {
            ", after waiting for a running server's checks"
        } else {
            ""
        }
    )];
    lines.extend(
        summary
            .by_status
            .iter()
            .map(|(status, count)| format!("{status}: {count}")),
    );
    if summary.not_stored > 0 {
        lines.push(format!("not stored: {} (see the log)", summary.not_stored));
    }
    let code = summary.worst.map(crate::verify::exit_code).unwrap_or(0);
    Ok((lines.join("\n"), code))
}

async fn status(backend: &app::backend::Backend) -> Result<(String, u8), CliError> {
    let counts = sweep::standings(backend).await.map_err(failed)?;
    Ok((
        counts
            .iter()
            .map(|(status, count)| format!("{status}: {count}"))
            .collect::<Vec<_>>()
            .join("\n"),
        0,
    ))
}
