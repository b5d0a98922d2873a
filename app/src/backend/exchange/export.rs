//! Exporting the organisation's registrations and their health as CSV:
//! never a secret, dates in RFC 3339, `;` between items inside a cell, and
//! every cell neutralised against spreadsheet formula injection.

use crate::backend::checks::view::{StandingRow, STANDING_COLUMNS, STANDING_JOINS};
use crate::backend::{db, internal, Staff};
use crate::error::AppError;
use crate::ids::RegistrationId;
use crate::timestamp::Timestamp;
use domain::evaluation::{PermissionState, Verdict};
use domain::exchange::{neutralised, EXPORT_COLUMNS};
use domain::watch::refreshed;
use std::collections::HashSet;

#[derive(sqlx::FromRow)]
struct ExportRow {
    id: RegistrationId,
    tenant: String,
    entra_tenant_id: Option<String>,
    cloud: String,
    client_id: String,
    profiles: String,
    latest_verdict: Option<String>,
    /// What the newest completed check found beyond need, as the
    /// dashboard's filter reads it.
    completed_extra: Option<String>,
    #[sqlx(flatten)]
    standing: StandingRow,
}

fn date(at: &Option<Timestamp>) -> String {
    at.as_ref().map(|t| t.to_string()).unwrap_or_default()
}

/// Every active registration of the organisation, or only those in `only`
/// (a dashboard view's), in the same columns.
pub async fn export(
    ctx: &Staff,
    only: Option<&HashSet<RegistrationId>>,
) -> Result<String, AppError> {
    let query = format!(
        "SELECT r.id, t.display_name AS tenant, t.entra_tenant_id, t.cloud, r.client_id, r.profiles,
                l.verdict AS latest_verdict, c.extra_permissions AS completed_extra, {STANDING_COLUMNS}
           FROM registrations r
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
           {STANDING_JOINS}
          WHERE r.organisation_id = $1 AND r.archived_at IS NULL AND t.archived_at IS NULL
          ORDER BY t.display_name, r.client_id"
    );
    let rows: Vec<ExportRow> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(&query)
        .bind(ctx.scope.organisation_id())
        .fetch_all(c)
        .await)
    .map_err(db("could not read registrations to export"))?;
    let now = ctx.now().unix_timestamp();
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |error: csv::Error| internal("could not write the export", error);
    out.write_record(EXPORT_COLUMNS).map_err(fail)?;
    for row in rows {
        if only.is_some_and(|only| !only.contains(&row.id)) {
            continue;
        }
        let standing = row.standing.view(&ctx.backend);
        let verdict: Option<Verdict> = row
            .latest_verdict
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .map(|v| refreshed(&v, row.standing.credential(), now));
        let extra = row
            .completed_extra
            .as_deref()
            .unwrap_or_default()
            .replace(',', ";");
        let (findings, missing) = match &verdict {
            Some(v) => (
                v.findings
                    .iter()
                    .map(|f| f.code.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                v.permissions
                    .iter()
                    .filter(|p| p.state == PermissionState::Missing)
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            None => Default::default(),
        };
        let cells = [
            row.tenant,
            row.entra_tenant_id.unwrap_or_default(),
            row.cloud,
            row.client_id,
            row.profiles.replace(',', ";"),
            standing.status.as_str().to_owned(),
            findings,
            missing,
            extra,
            row.standing.credential_kind.clone(),
            date(&row.standing.credential_expires_at),
            date(&standing.last_checked_at),
            date(&standing.last_success_at),
        ];
        out.write_record(cells.iter().map(|cell| neutralised(cell)))
            .map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|error| internal("could not finish the export", error.into_error()))?;
    String::from_utf8(bytes).map_err(|error| internal("the export is not text", error))
}
