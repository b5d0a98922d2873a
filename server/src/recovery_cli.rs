//! `tenantry recovery check`: the recovery checklist from the command line,
//! for scripts and support. The JSON shape and the exit codes are a
//! contract (see README): 0 accepted, 1 rejected, 2 not yet visible or
//! could not check, 64 bad arguments.

use crate::cli::{read_secret_file, CliError};
use crate::config::Config;
use clap::{Args, Subcommand};
use domain::finding::Finding;
use domain::recovery::checklist::{Check, Creator, Outcome, Report};
use domain::{ClientId, Cloud, ObjectId, SecretValue, TenantId};
use entra::RecoveryRequest;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum RecoveryCommand {
    /// Check a recovery app registration and print the checklist as JSON.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// global, gcc, gcc-high, dod or china.
    #[arg(long)]
    pub cloud: String,
    /// Directory (tenant) ID of the tenant the app was created in.
    #[arg(long)]
    pub tenant: String,
    /// Application (client) ID of the recovery app.
    #[arg(long)]
    pub client_id: String,
    /// Object ID of the recovery app (from its Overview page).
    #[arg(long)]
    pub object_id: String,
    /// File holding the client secret's value, or `-` for standard input.
    #[arg(long)]
    pub secret_file: PathBuf,
    /// The company's tenant on file; the app must be in it.
    #[arg(long)]
    pub expected_tenant: Option<String>,
    /// How long after its creation the app counts (default: the server's
    /// TENANTRY_RECOVERY_WINDOW_HOURS, 72).
    #[arg(long)]
    pub window_hours: Option<i64>,
}

#[derive(Serialize)]
struct Output<'a> {
    outcome: Outcome,
    checks: &'a [Check],
    created_at: Option<String>,
    age_hours: Option<f64>,
    initiated_by: Option<&'a Creator>,
    findings: &'a [Finding],
}

pub fn exit_code(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Accepted => 0,
        Outcome::Rejected => 1,
        Outcome::NotYetVisible | Outcome::CouldNotCheck => 2,
    }
}

fn usage(message: impl ToString) -> CliError {
    CliError::Usage(message.to_string())
}

fn guid<T>(
    flag: &str,
    raw: &str,
    parse: fn(&str) -> Result<T, domain::ids::IdError>,
) -> Result<T, CliError> {
    parse(raw).map_err(|error| usage(format!("--{flag}: {error}")))
}

pub async fn run(config: &Config, command: &RecoveryCommand) -> Result<(String, u8), CliError> {
    let RecoveryCommand::Check(args) = command;
    let cloud: Cloud = args.cloud.parse().map_err(usage)?;
    let tenant_id = guid("tenant", &args.tenant, TenantId::parse)?;
    let expected = args
        .expected_tenant
        .as_deref()
        .map(|raw| guid("expected-tenant", raw, TenantId::parse))
        .transpose()?;
    let client_id = guid("client-id", &args.client_id, ClientId::parse)?;
    let object_id = guid("object-id", &args.object_id, ObjectId::parse)?;
    if client_id.as_str() == object_id.as_str() {
        return Err(usage(
            "--object-id is the Application (client) ID again; the Object ID is the other GUID on the app's Overview page",
        ));
    }
    let secret = SecretValue::new(&read_secret_file(&args.secret_file)?).map_err(usage)?;
    if secret.looks_like_secret_id() {
        return Err(usage(
            "the secret file holds a GUID: that is the secret's ID, not its value (copy the Value column, shown only once)",
        ));
    }
    let window_hours = args.window_hours.unwrap_or(config.recovery_window_hours);
    if window_hours <= 0 {
        return Err(usage("--window-hours must be a positive number of hours"));
    }
    let client = crate::verify::entra_client(config)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let report = entra::check_recovery(
        &client,
        &RecoveryRequest {
            cloud,
            tenant_id: &tenant_id,
            expected_tenant_id: expected.as_ref(),
            client_id: &client_id,
            object_id: &object_id,
            credential: &entra::Credential::Secret(secret),
            window_secs: window_hours * 3600,
            now,
        },
    )
    .await;
    let text = json(&report).map_err(|e| CliError::Failed(e.to_string()))?;
    Ok((text, exit_code(report.outcome)))
}

fn json(report: &Report) -> serde_json::Result<String> {
    serde_json::to_string(&Output {
        outcome: report.outcome,
        checks: &report.checks,
        created_at: report.created_at.and_then(rfc3339),
        age_hours: report
            .age_secs
            .map(|secs| (secs as f64 / 36.0).round() / 100.0),
        initiated_by: report.initiated_by.as_ref(),
        findings: &report.findings,
    })
}

fn rfc3339(at: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}
