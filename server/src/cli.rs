//! Command-line tasks of the `tenantry` binary, for scripts and operators.

use crate::config::Config;
use crate::startup::open_backend;
use app::backend::organisations::{self, NewOrganisation, OnlyIfFirst};
use clap::{Args, Parser, Subcommand};
use domain::{DisplayName, Email, OrganisationName, Password};
use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "tenantry",
    about = "Tenantry: Entra ID app registrations for MSPs",
    version
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default when no command is given).
    Serve,
    /// Verify one app registration against Microsoft and print the verdict.
    Verify(crate::verify::VerifyArgs),
    /// Company recovery: check a recovery app registration.
    Recovery {
        #[command(subcommand)]
        command: crate::recovery_cli::RecoveryCommand,
    },
    /// Manage the master keys that seal secrets at rest.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Run the watch's checks once, or count registrations by status.
    Checks {
        #[command(subcommand)]
        command: crate::checks_cli::ChecksCommand,
    },
    /// Import registrations from a spreadsheet (CSV).
    Import {
        #[command(subcommand)]
        command: crate::exchange_cli::ImportCommand,
    },
    /// Export registrations and their health (CSV).
    Export {
        #[command(subcommand)]
        command: crate::exchange_cli::ExportCommand,
    },
    /// The database itself.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Manage organisations and their staff.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations and exit, before starting servers.
    Migrate,
    /// Copy an installation's SQLite database into an empty PostgreSQL one.
    Copy(CopyArgs),
}

#[derive(Debug, clap::Args)]
pub struct CopyArgs {
    /// The database to copy from, e.g. sqlite://data/tenantry.db.
    #[arg(long)]
    pub from: String,
    /// The empty database to copy into, e.g. postgres://tenantry@db.example/tenantry.
    #[arg(long)]
    pub to: String,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Start sealing with a new key and re-seal every stored secret with it.
    Rotate,
    /// Which key seals how many stored secrets, and which keys nothing needs.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organisation with its first admin, without the browser set-up.
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The organisation's name.
    #[arg(long)]
    pub org: String,
    /// The admin's e-mail address, used to sign in.
    #[arg(long)]
    pub email: String,
    /// The admin's name as colleagues see it (defaults to the e-mail address).
    #[arg(long)]
    pub name: Option<String>,
    /// A file holding the admin's password, or `-` for standard input.
    /// Passwords are never taken from the command line, where other users
    /// of the machine could read them.
    #[arg(long)]
    pub password_file: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    /// `sysexits.h`: 64 for bad usage, 1 for anything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 64,
            CliError::Failed(_) => 1,
        }
    }
}

pub fn read_secret_file(path: &PathBuf) -> Result<String, CliError> {
    let mut text = String::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|content| text = content)
    };
    read.map_err(|error| CliError::Usage(format!("cannot read {}: {error}", path.display())))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

pub async fn create_organisation(config: &Config, args: &CreateArgs) -> Result<String, CliError> {
    let usage = |error: domain::StaffInputError| CliError::Usage(error.to_string());
    let new = NewOrganisation {
        name: OrganisationName::parse(&args.org).map_err(usage)?,
        admin_name: DisplayName::parse(args.name.as_deref().unwrap_or(&args.email))
            .map_err(usage)?,
        admin_email: Email::parse(&args.email).map_err(usage)?,
        admin_password: Password::parse(
            &read_secret_file(&args.password_file)?,
            &[
                &args.email,
                &args.org,
                args.name.as_deref().unwrap_or_default(),
            ],
        )
        .map_err(usage)?,
    };
    let backend = open_backend(config, config.addr, app::backend::Clock::system())
        .await
        .map_err(|error| CliError::Failed(error.to_string()))?;
    let created = organisations::create_with_admin(&backend, &new, OnlyIfFirst::No).await;
    backend.pool.close().await;
    match created {
        Ok(id) => Ok(id.to_string()),
        Err(error @ app::error::AppError::Invalid(_)) => Err(CliError::Usage(error.to_string())),
        Err(error) => Err(CliError::Failed(error.to_string())),
    }
}

/// `tenantry db migrate`: which migrations were applied, and where the
/// database stands.
pub async fn migrate(config: &Config) -> Result<String, CliError> {
    crate::storage::prepare_data_dir(&config.data_dir)
        .and_then(|()| crate::storage::prepare_database_file(&config.database_url))
        .map_err(|error| CliError::Failed(format!("{}: {}", error.path.display(), error.source)))?;
    let migrated = app::backend::db::migrate(&config.database_url)
        .await
        .map_err(|error| CliError::Failed(format!("could not migrate the database: {error}")))?;
    let mut report = match migrated.applied.len() {
        0 => "No migration was pending.".to_owned(),
        1 => format!(
            "Applied 1 migration:\n  {} {}",
            migrated.applied[0].0, migrated.applied[0].1
        ),
        count => {
            let names: Vec<String> = migrated
                .applied
                .iter()
                .map(|(version, description)| format!("  {version} {description}"))
                .collect();
            format!("Applied {count} migrations:\n{}", names.join("\n"))
        }
    };
    if let Some((version, description)) = migrated.latest {
        report.push_str(&format!("\nThe database is at {version} ({description})."));
    }
    Ok(report)
}

/// `tenantry db copy`: everything copied, and each table's rows, counted
/// again on both sides.
pub async fn copy_database(args: &CopyArgs) -> Result<String, CliError> {
    use app::backend::db_copy::CopyError;
    let copied = app::backend::db_copy::copy(&args.from, &args.to)
        .await
        .map_err(|error| match error {
            CopyError::Direction | CopyError::TargetNotEmpty(_) => {
                CliError::Usage(error.to_string())
            }
            error => CliError::Failed(format!("nothing was copied: {error}")),
        })?;
    let total: i64 = copied.tables.iter().map(|(_, rows)| rows).sum();
    let mut report = format!(
        "Copied {total} rows in {} tables; each table holds as many rows in both databases:",
        copied.tables.len()
    );
    for (table, rows) in &copied.tables {
        report.push_str(&format!("\n  {table:<20} {rows}"));
    }
    report.push_str(
        "\nSealed values were copied as they are: servers on the new database need the same master keys.",
    );
    Ok(report)
}

/// Adds a new master key (unless keys come from the environment) and
/// re-seals every secret sealed with an older one. Returns a report.
pub async fn rotate_keys(config: &Config) -> Result<String, CliError> {
    let added = match crate::keyring::add_key(config) {
        Ok(path) => Some(path),
        Err(crate::keyring::KeyringError::EnvironmentManaged)
            if !config.previous_master_keys.is_empty() =>
        {
            None
        }
        Err(error) => return Err(CliError::Usage(error.to_string())),
    };
    let backend = open_backend(config, config.addr, app::backend::Clock::system())
        .await
        .map_err(|error| CliError::Failed(error.to_string()))?;
    let key = backend.vault.current_key_id().to_owned();
    let resealed = app::backend::registrations::reseal_stale(&backend).await;
    let recorded = match &resealed {
        Ok(count) => app::backend::audit::key_rotated(&backend, &key, *count).await,
        Err(_) => Ok(()),
    };
    backend.pool.close().await;
    let resealed = resealed.map_err(|error| CliError::Failed(error.to_string()))?;
    recorded.map_err(|error| CliError::Failed(error.to_string()))?;
    Ok(match added {
        Some(path) => format!(
            "New key {key} ({}) now seals; {resealed} secret(s) re-sealed. Restart running servers; older key files can be removed once every server runs with the new key.",
            path.display()
        ),
        None => format!("Key {key} now seals; {resealed} secret(s) re-sealed."),
    })
}

/// `tenantry keys status`: each master key, where it comes from, and what
/// it sealed; an older key that seals nothing can be deleted.
pub async fn key_status(config: &Config) -> Result<String, CliError> {
    let sources =
        crate::keyring::sources(config).map_err(|error| CliError::Usage(error.to_string()))?;
    let backend = open_backend(config, config.addr, app::backend::Clock::system())
        .await
        .map_err(|error| CliError::Failed(error.to_string()))?;
    let counts = app::backend::sealed::count_by_key(&backend.pool).await;
    backend.pool.close().await;
    let mut counts = counts.map_err(|error| CliError::Failed(error.to_string()))?;
    let mut out = String::new();
    for (position, (id, source)) in sources.iter().enumerate() {
        let role = if position == 0 {
            "current, seals new secrets"
        } else {
            "older"
        };
        let sealed = counts.remove(id).unwrap_or_default();
        let what = if sealed.is_empty() {
            if position == 0 {
                "seals nothing yet".to_owned()
            } else {
                "seals nothing: it can be deleted once every server runs with the current key"
                    .to_owned()
            }
        } else {
            sealed
                .iter()
                .map(|(what, count)| format!("{count} {what}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!("key {id} ({role}; {source}): {what}\n"));
    }
    for (id, sealed) in counts {
        let total: usize = sealed.iter().map(|(_, count)| count).sum();
        out.push_str(&format!(
            "key {id} (NOT AVAILABLE): {total} stored secrets cannot be opened; restore this key\n"
        ));
    }
    Ok(out.trim_end().to_owned())
}
