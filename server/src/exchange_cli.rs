//! `tenantry import registrations` and `tenantry export registrations`:
//! the CSV exchange for scripts, acting for an organisation named on the
//! command line (as its longest-serving admin). Exit codes: 0 done, 1 the
//! file has problems (all listed, nothing imported), 64 bad usage.

use crate::cli::{read_secret_file, CliError};
use crate::config::Config;
use crate::startup::open_backend;
use app::backend::checks::{sweep, Trigger};
use app::backend::{exchange, Backend, OrgScope, Staff};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import registrations from a CSV file (see the README for its columns).
    Registrations(ImportArgs),
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write the registrations and their health as CSV.
    Registrations(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The organisation's name.
    #[arg(long)]
    pub org: String,
    /// The CSV file, or `-` for standard input.
    #[arg(long)]
    pub file: PathBuf,
    /// Only check the file; import nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Check the imported registrations now instead of at the next sweep.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The organisation's name.
    #[arg(long)]
    pub org: String,
    /// Write here instead of standard output.
    #[arg(long)]
    pub file: Option<PathBuf>,
}

async fn as_organisation(config: &Config, org: &str) -> Result<Staff, CliError> {
    let backend: Backend = open_backend(config, config.addr, app::backend::Clock::system())
        .await
        .map_err(|error| CliError::Failed(error.to_string()))?;
    let scope = OrgScope::operator_of(&backend, org)
        .await
        .map_err(|error| match error {
            app::error::AppError::NotFound => {
                CliError::Usage(format!("no organisation is named '{org}'"))
            }
            other => CliError::Failed(other.to_string()),
        })?;
    Ok(Staff {
        backend,
        scope,
        origin: app::backend::origin::RequestOrigin::command_line(),
    })
}

/// Returns what to print and the exit code.
pub async fn import(config: &Config, args: &ImportArgs) -> Result<(String, u8), CliError> {
    // Read like a secret file: the CSV may hold client secrets.
    let text = read_secret_file(&args.file)?;
    let staff = as_organisation(config, &args.org).await?;
    let result = exchange::import::import(&staff, &text, args.dry_run).await;
    let report = result.map_err(|error| CliError::Failed(error.to_string()));
    let outcome = match report {
        Ok(report) if !report.problems.is_empty() => {
            let mut lines = vec![report.summary.clone()];
            lines.extend(report.problems.iter().map(|p| {
                format!(
                    "line {}, column {}: {}",
                    p.line,
                    if p.column.is_empty() { "-" } else { &p.column },
                    p.message
                )
            }));
            Ok((lines.join("\n"), 1))
        }
        Ok(report) => {
            let mut output = report.summary.clone();
            if args.check && report.imported() > 0 {
                match sweep::run(&staff.backend, Trigger::Cli).await {
                    Ok(summary) => {
                        output.push_str(&format!(
                            "\nChecked {} registration(s) now.",
                            summary.checked()
                        ));
                        for (status, count) in &summary.by_status {
                            output.push_str(&format!("\n{status}: {count}"));
                        }
                    }
                    Err(error) => output.push_str(&format!("\nThe check could not run: {error}")),
                }
            }
            Ok((output, 0))
        }
        Err(error) => Err(error),
    };
    staff.backend.pool.close().await;
    outcome
}

pub async fn export(config: &Config, args: &ExportArgs) -> Result<(String, u8), CliError> {
    let staff = as_organisation(config, &args.org).await?;
    let csv = exchange::export::export(&staff, None).await;
    staff.backend.pool.close().await;
    let csv = csv.map_err(|error| CliError::Failed(error.to_string()))?;
    match &args.file {
        Some(path) => {
            std::fs::write(path, &csv).map_err(|error| {
                CliError::Usage(format!("cannot write {}: {error}", path.display()))
            })?;
            Ok((String::new(), 0))
        }
        None => Ok((csv.trim_end().to_owned(), 0)),
    }
}
