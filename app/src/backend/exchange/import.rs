//! Importing registrations from a CSV file. Every row is checked first with
//! the same rules as the forms; if any row is wrong nothing is imported and
//! every problem is listed by line and column. Tenants are matched by their
//! directory id (or domain) within the organisation and created when new.
//! A row that repeats what is recorded changes nothing, so importing the
//! same file twice is harmless. Secrets are sealed exactly as from forms
//! and never appear in a report or the log.

use crate::backend::audit;
use crate::backend::credentials::{self, Intake};
use crate::backend::registrations::{insert, NewRegistration};
use crate::backend::tenants::{self, OwnedTenant};
use crate::backend::vault::SealedIn;
use crate::backend::{begin, db, internal, Staff};
use crate::error::AppError;
use crate::ids::CustomerTenantId;
use crate::model::{CertificateUpload, ImportReport, ImportedRow, SecretForm};
use crate::timestamp::Timestamp;
use domain::audit::AuditAction;
use domain::customer::{CustomerTenant, CustomerTenantForm};
use domain::exchange::{column_for, header_problems, LineProblem};
use domain::form::{FieldProblem, Problems, SecretText};
use domain::profile::{list_ids, Profile};
use domain::registration::{parse_ids, parse_products, RegistrationIds};
use domain::Action;
use std::collections::HashMap;

/// A file larger than this is refused before it is read.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

struct Row {
    line: usize,
    tenant: CustomerTenant,
    profiles: Vec<Profile>,
    ids: RegistrationIds,
    credential: Intake,
}

impl Row {
    /// The tenant as the file names it: its directory id, else its domain.
    fn tenant_key(&self) -> String {
        self.tenant
            .tenant_id
            .clone()
            .or_else(|| self.tenant.primary_domain.clone())
            .unwrap_or_default()
            .to_lowercase()
    }
}

fn on_line(line: usize, found: Vec<FieldProblem>) -> impl Iterator<Item = LineProblem> {
    found.into_iter().map(move |p| LineProblem {
        line,
        column: column_for(&p.field).to_owned(),
        message: p.message,
    })
}

/// Reads one record with the forms' rules.
async fn parse_row(
    ctx: &Staff,
    line: usize,
    cell: impl Fn(&str) -> String,
) -> Result<Row, Vec<LineProblem>> {
    let now = ctx.now();
    let mut problems = Problems::default();
    let cloud = match cell("cloud").trim() {
        "" => "global".to_owned(),
        given => given.to_owned(),
    };
    let tenant = CustomerTenantForm {
        display_name: cell("tenant"),
        tenant_id: cell("tenant_id"),
        primary_domain: cell("domain"),
        cloud,
        contacts: String::new(),
        notes: String::new(),
    }
    .parse()
    .map_err(|found| problems.extend(found))
    .ok();
    let profiles = parse_products(&cell("profiles").replace(';', ","), &mut problems);
    let ids = parse_ids(
        &cell("client_id"),
        &cell("object_id"),
        profiles.as_deref().unwrap_or_default(),
        &mut problems,
    );
    let pfx = cell("pfx_base64");
    let credential = if !pfx.trim().is_empty() {
        if !cell("secret").trim().is_empty() {
            problems.add(
                "secret",
                "Give a secret or a .pfx, not both: Tenantry signs in with one credential.",
            );
        }
        let upload = CertificateUpload {
            certificate: String::new(),
            private_key: SecretText::new(pfx.trim()),
            password: SecretText::new(cell("pfx_password")),
        };
        ctx.backend
            .heavy
            .run(move || credentials::certificate(&upload, now))
            .await
            .map_err(|_| {
                vec![LineProblem {
                    line,
                    column: "pfx_base64".into(),
                    message: "The .pfx could not be opened just now; import the file again.".into(),
                }]
            })?
            .map(Intake::Certificate)
    } else {
        credentials::secret(
            &SecretForm {
                secret: SecretText::new(cell("secret")),
                secret_expires: cell("secret_expires"),
            },
            false,
            now,
        )
        .and_then(|(secret, expires_at)| match secret {
            Some(secret) => Ok(Intake::Secret { secret, expires_at }),
            None => Err(vec![FieldProblem::new(
                "secret",
                "Give the client secret's value, or a .pfx in pfx_base64.",
            )]),
        })
    };
    let credential = credential.map_err(|found| problems.extend(found)).ok();
    let parsed = tenant.zip(profiles).zip(ids).zip(credential).map(
        |(((tenant, profiles), ids), credential)| Row {
            line,
            tenant,
            profiles,
            ids,
            credential,
        },
    );
    problems
        .finish(parsed)
        .map_err(|found| on_line(line, found).collect())
}

/// What is recorded already for a registration the file names again.
#[derive(sqlx::FromRow)]
struct Recorded {
    id: String,
    customer_tenant_id: CustomerTenantId,
    client_id: String,
    profiles: String,
    object_id: Option<String>,
    secret_sealed: Option<String>,
    certificate_thumbprint: Option<String>,
    credential_expires_at: Option<Timestamp>,
}

impl Recorded {
    fn same_as(&self, ctx: &Staff, row: &Row) -> Result<bool, AppError> {
        let same_profiles = self.profiles == list_ids(&row.profiles);
        let same_object =
            self.object_id.as_deref() == row.ids.object_id.as_ref().map(|o| o.as_str());
        let same_expiry = self
            .credential_expires_at
            .as_ref()
            .map(|at| at.date().to_owned())
            == Some(Timestamp::of(row.credential.expires_at()).date().to_owned());
        let same_credential = match &row.credential {
            Intake::Certificate(cert) => {
                self.certificate_thumbprint.as_deref() == Some(cert.thumbprint.as_str())
            }
            Intake::Secret { secret, .. } => match &self.secret_sealed {
                Some(sealed) if self.certificate_thumbprint.is_none() => {
                    let held = ctx
                        .backend
                        .vault
                        .open(sealed, &SealedIn::Registrations.context(&self.id))
                        .map_err(|error| internal("a stored secret could not be opened", error))?;
                    held == secret.expose().as_bytes()
                }
                _ => false,
            },
        };
        Ok(same_profiles && same_object && same_expiry && same_credential)
    }
}

/// A file the browser read (base64), imported like one from the command line.
pub async fn import_upload(
    ctx: &Staff,
    form: &crate::model::ImportForm,
) -> Result<ImportReport, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let text = decode_upload(form.file.expose())?;
    import(ctx, &text, form.dry_run).await
}

/// The text of a file the browser read as base64.
fn decode_upload(base64: &str) -> Result<String, AppError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .map_err(|_| AppError::invalid("file", "Choose a CSV file to import."))?;
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "Choose a CSV file to import."));
    }
    String::from_utf8(bytes)
        .map(|text| text.trim_start_matches('\u{feff}').to_owned())
        .map_err(|_| {
            AppError::invalid(
                "file",
                "The file is not UTF-8 text; save it from the spreadsheet as CSV UTF-8.",
            )
        })
}

/// Reads `text` as CSV and imports it (or, with `dry_run`, only checks it).
pub async fn import(ctx: &Staff, text: &str, dry_run: bool) -> Result<ImportReport, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    if text.len() > MAX_BYTES {
        return Err(AppError::invalid(
            "file",
            format!("The file is larger than {} MB.", MAX_BYTES / (1024 * 1024)),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::Headers)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(|h| h.trim().to_lowercase()).collect(),
        Err(error) => return Ok(ImportReport::refused(vec![unreadable(1, &error)], dry_run)),
    };
    let mut problems = header_problems(&header);
    if !problems.is_empty() {
        return Ok(ImportReport::refused(problems, dry_run));
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(unreadable(line, &error));
                continue;
            }
        };
        let cell = |column: &str| {
            header
                .iter()
                .position(|name| name == column)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        match parse_row(ctx, line, cell).await {
            Ok(row) => rows.push(row),
            Err(found) => problems.extend(found),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(LineProblem {
            line: 2,
            column: "tenant".into(),
            message: "The file has a header but no registrations.".into(),
        });
    }
    let plan = plan(ctx, &rows, &mut problems).await?;
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Ok(ImportReport::refused(problems, dry_run));
    }
    if !dry_run {
        write(ctx, &rows, &plan).await?;
    }
    Ok(ImportReport::accepted(plan.outcomes, dry_run))
}

fn unreadable(line: usize, error: &csv::Error) -> LineProblem {
    // The csv error can quote the record; only its position is safe to show.
    let detail = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("This line has {len} cells; the header has {expected_len}.")
        }
        csv::ErrorKind::Utf8 { .. } => "This line is not UTF-8 text.".to_owned(),
        _ => "This line cannot be read as CSV.".to_owned(),
    };
    LineProblem {
        line,
        column: String::new(),
        message: detail,
    }
}

/// A tenant on file: its row, directory id, domain and archive time.
type KnownTenant = (
    CustomerTenantId,
    Option<String>,
    Option<String>,
    Option<Timestamp>,
);

struct Plan {
    /// For each row: the tenant it goes under (known, or the index of the
    /// row that creates it) and whether the registration is new.
    placement: Vec<(Placement, bool)>,
    outcomes: Vec<ImportedRow>,
}

enum Placement {
    Known(OwnedTenant),
    CreatedBy(usize),
}

async fn plan(
    ctx: &Staff,
    rows: &[Row],
    problems: &mut Vec<LineProblem>,
) -> Result<Plan, AppError> {
    let known: Vec<KnownTenant> =
        crate::on_db!(ctx.pool(), |c| sqlx::query_as(
            "SELECT id, entra_tenant_id, primary_domain, archived_at FROM customer_tenants WHERE organisation_id = $1",
        )
        .bind(ctx.scope.organisation_id())
        .fetch_all(c)
        .await)
        .map_err(db("could not read the organisation's tenants"))?;
    let mut tenants: HashMap<String, OwnedTenant> = HashMap::new();
    for (id, entra, domain, archived) in known {
        let owned = OwnedTenant::selected_in_organisation(
            id,
            ctx.scope.organisation_id().clone(),
            archived.is_some(),
        );
        for key in [entra, domain].into_iter().flatten() {
            tenants.insert(key.to_lowercase(), owned.clone());
        }
    }
    let recorded: Vec<Recorded> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT id, customer_tenant_id, client_id, profiles, object_id, secret_sealed,
                certificate_thumbprint, credential_expires_at
           FROM registrations WHERE organisation_id = $1",
    )
    .bind(ctx.scope.organisation_id())
    .fetch_all(c)
    .await)
    .map_err(db("could not read the organisation's registrations"))?;
    let recorded: HashMap<(String, String), &Recorded> = recorded
        .iter()
        .map(|r| ((r.customer_tenant_id.to_string(), r.client_id.clone()), r))
        .collect();

    let mut created: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut placement = Vec::new();
    let mut outcomes = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let key = row.tenant_key();
        let client = row.ids.client_id.as_str().to_owned();
        if let Some(first) = seen.insert((key.clone(), client.clone()), row.line) {
            problems.push(LineProblem {
                line: row.line,
                column: "client_id".into(),
                message: format!("Line {first} already names this registration."),
            });
        }
        let (place, new_tenant, new_registration) = match tenants.get(&key) {
            Some(owned) if owned.archived() => {
                problems.push(LineProblem {
                    line: row.line,
                    column: if row.tenant.tenant_id.is_some() {
                        "tenant_id"
                    } else {
                        "domain"
                    }
                    .into(),
                    message: "This tenant is archived; restore it before importing into it.".into(),
                });
                continue;
            }
            Some(owned) => {
                let existing = recorded.get(&(owned.id().to_string(), client.clone()));
                let new_registration = match existing {
                    None => true,
                    Some(existing) if existing.same_as(ctx, row)? => false,
                    Some(_) => {
                        problems.push(LineProblem {
                            line: row.line,
                            column: "client_id".into(),
                            message: "This registration is already recorded with other products or another credential; change it on its page.".into(),
                        });
                        continue;
                    }
                };
                (Placement::Known(owned.clone()), false, new_registration)
            }
            None => match created.get(&key) {
                Some(creator) => (Placement::CreatedBy(*creator), false, true),
                None => {
                    created.insert(key.clone(), index);
                    (Placement::CreatedBy(index), true, true)
                }
            },
        };
        placement.push((place, new_registration));
        outcomes.push(ImportedRow {
            line: row.line,
            tenant: row.tenant.display_name.clone(),
            client_id: client,
            new_tenant,
            new_registration,
        });
    }
    Ok(Plan {
        placement,
        outcomes,
    })
}

async fn write(ctx: &Staff, rows: &[Row], plan: &Plan) -> Result<(), AppError> {
    let at = Timestamp::of(ctx.now());
    let mut tx = begin(ctx.pool()).await?;
    let mut made: HashMap<usize, OwnedTenant> = HashMap::new();
    for (index, (row, (place, new_registration))) in rows.iter().zip(&plan.placement).enumerate() {
        let tenant = match place {
            Placement::Known(owned) => owned.clone(),
            Placement::CreatedBy(creator) if *creator == index => {
                let owned = tenants::insert(&mut tx, &ctx.scope, &row.tenant, &at)
                    .await
                    .map_err(|error| internal("could not import a tenant", error))?;
                audit::by_member(
                    &mut tx,
                    ctx,
                    AuditAction::TenantCreated,
                    &row.tenant.display_name,
                    "from a CSV import",
                )
                .await?;
                made.insert(index, owned.clone());
                owned
            }
            Placement::CreatedBy(creator) => made[creator].clone(),
        };
        if *new_registration {
            insert(
                &ctx.backend,
                &mut tx,
                &tenant,
                &NewRegistration {
                    profiles: &row.profiles,
                    ids: &row.ids,
                    credential: &row.credential,
                    entered_by: ctx.scope.user_id(),
                    consent_redirect: false,
                },
                &at,
            )
            .await?;
            audit::by_member(
                &mut tx,
                ctx,
                AuditAction::RegistrationCreated,
                row.ids.client_id.as_str(),
                &format!(
                    "{} from a CSV import",
                    domain::profile::list_ids(&row.profiles)
                ),
            )
            .await?;
        }
    }
    tx.commit()
        .await
        .map_err(db("could not save the imported registrations"))?;
    ctx.backend.watch.wake.notify_one();
    Ok(())
}
