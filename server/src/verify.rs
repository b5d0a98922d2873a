//! `tenantry verify`: one registration checked from the command line, for
//! MSP engineers' scripts. The output format and exit codes are a contract
//! (see README): 0 healthy or warning, 1 failing, 2 could not check, 64 bad
//! arguments.

use crate::cli::{read_secret_file, CliError};
use crate::config::Config;
use clap::Args;
use domain::evaluation::{PermissionVerdict, Status};
use domain::finding::Finding;
use domain::ids::{ClientId, SecretValue, TenantRef};
use domain::Cloud;
use entra::retry::RetryPolicy;
use entra::verify::TokenSummary;
use entra::{CertificateKey, Credential, Endpoints, EntraClient, VerifyRequest};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// global, gcc, gcc-high, dod or china.
    #[arg(long)]
    pub cloud: String,
    /// Directory (tenant) ID, or a verified domain.
    #[arg(long)]
    pub tenant: String,
    /// Application (client) ID.
    #[arg(long)]
    pub client_id: String,
    /// Comma-separated profiles: intune-publishing, email, recovery, device-inventory.
    #[arg(long)]
    pub profile: String,
    /// File holding the client secret value, or `-` for standard input.
    #[arg(long, conflicts_with_all = ["pfx", "cert_pem"])]
    pub secret_file: Option<PathBuf>,
    /// PKCS#12 file with the certificate and its private key.
    #[arg(long, conflicts_with = "cert_pem")]
    pub pfx: Option<PathBuf>,
    /// File holding the .pfx password (none if absent).
    #[arg(long, requires = "pfx")]
    pub pfx_password_file: Option<PathBuf>,
    /// PEM certificate (with --key-pem).
    #[arg(long, requires = "key_pem")]
    pub cert_pem: Option<PathBuf>,
    /// PEM private key (with --cert-pem).
    #[arg(long, requires = "cert_pem")]
    pub key_pem: Option<PathBuf>,
    /// Print a readable table instead of JSON.
    #[arg(long)]
    pub human: bool,
}

#[derive(Serialize)]
struct Output<'a> {
    status: Status,
    permissions: &'a [PermissionVerdict],
    extra_permissions: &'a [String],
    findings: &'a [Finding],
    token: Option<&'a TokenSummary>,
}

fn usage(message: impl ToString) -> CliError {
    CliError::Usage(message.to_string())
}

fn read_bytes(path: &PathBuf) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| usage(format!("cannot read {}: {e}", path.display())))
}

fn credential(args: &VerifyArgs) -> Result<Credential, CliError> {
    if let Some(path) = &args.secret_file {
        return Ok(Credential::Secret(
            SecretValue::new(&read_secret_file(path)?).map_err(usage)?,
        ));
    }
    if let Some(path) = &args.pfx {
        let password = match &args.pfx_password_file {
            Some(file) => read_secret_file(file)?,
            None => String::new(),
        };
        let key = CertificateKey::from_pkcs12(&read_bytes(path)?, &password).map_err(usage)?;
        return Ok(Credential::Certificate(Arc::new(key)));
    }
    if let (Some(cert), Some(key)) = (&args.cert_pem, &args.key_pem) {
        let key = CertificateKey::from_pem(&read_bytes(cert)?, &read_bytes(key)?).map_err(usage)?;
        return Ok(Credential::Certificate(Arc::new(key)));
    }
    Err(usage(
        "give a credential: --secret-file, --pfx or --cert-pem with --key-pem",
    ))
}

pub fn exit_code(status: Status) -> u8 {
    match status {
        Status::Healthy | Status::Warning => 0,
        Status::Failing => 1,
        Status::CouldNotCheck | Status::Stale | Status::NeverChecked => 2,
    }
}

/// The client a command-line check uses: the configured hosts, a patient
/// timeout and the default retries.
pub fn entra_client(config: &Config) -> Result<EntraClient, CliError> {
    let endpoints = Endpoints::overridden(config.identity_url.clone(), config.graph_url.clone());
    EntraClient::new(endpoints, Duration::from_secs(20), RetryPolicy::default())
        .map_err(|e| CliError::Failed(e.to_string()))
}

/// Runs the check and returns what to print and the exit code.
pub async fn run(config: &Config, args: &VerifyArgs) -> Result<(String, u8), CliError> {
    let cloud: Cloud = args.cloud.parse().map_err(usage)?;
    let tenant = TenantRef::parse(&args.tenant).map_err(usage)?;
    let client_id = ClientId::parse(&args.client_id).map_err(usage)?;
    let profiles = domain::profile::parse_list(&args.profile).map_err(usage)?;
    if profiles.is_empty() {
        return Err(usage("give at least one profile"));
    }
    let credential = credential(args)?;
    let client = entra_client(config)?;
    let report = entra::verify(
        &client,
        &VerifyRequest {
            cloud,
            tenant: &tenant,
            expected_tenant_id: tenant.id(),
            client_id: &client_id,
            credential: &credential,
            profiles: &profiles,
            secret_expires_at: None,
            now: time::OffsetDateTime::now_utc().unix_timestamp(),
        },
    )
    .await;
    let verdict = &report.verdict;
    let text = if args.human {
        human(&report)
    } else {
        serde_json::to_string(&Output {
            status: verdict.status,
            permissions: &verdict.permissions,
            extra_permissions: &verdict.extra_permissions,
            findings: &verdict.findings,
            token: report.token.as_ref(),
        })
        .map_err(|e| CliError::Failed(e.to_string()))?
    };
    Ok((text, exit_code(verdict.status)))
}

fn human(report: &entra::VerifyReport) -> String {
    use domain::evaluation::PermissionState as S;
    let verdict = &report.verdict;
    let mut out = format!(
        "Status: {}\n\nPermissions\n",
        serde_json::to_value(verdict.status)
            .unwrap_or_default()
            .as_str()
            .unwrap_or("?")
    );
    for p in &verdict.permissions {
        let mark = match p.state {
            S::Granted => "granted",
            S::Missing => "MISSING",
            S::OptionalMissing => "optional, not granted",
            S::NotVerifiableAppOnly => "cannot be verified with an app-only token",
            S::NotChecked => "not checked",
        };
        out.push_str(&format!("  {:<60} {:<12} {mark}\n", p.name, p.kind.label()));
    }
    if !verdict.extra_permissions.is_empty() {
        out.push_str(&format!(
            "\nNot needed: {}\n",
            verdict.extra_permissions.join(", ")
        ));
    }
    for finding in &verdict.findings {
        out.push_str(&format!(
            "\n[{}] {}\n  Fix: {}\n",
            finding.code.as_str(),
            finding.message,
            finding.fix
        ));
    }
    if let Some(trace) = &report.trace_id {
        out.push_str(&format!("\nMicrosoft trace ID: {trace}\n"));
    }
    out
}
