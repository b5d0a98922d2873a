//! Which registrations may send an organisation's alerts as a mailbox
//! through Microsoft Graph (`domain::alert_rules::may_send`): asked when a
//! channel is added, when the page offers them, and again before each send,
//! since a tenant can be archived or a home tenant changed meanwhile.

use crate::backend::{db, Backend};
use crate::error::AppError;
use crate::ids::OrganisationId;
use domain::alert_rules::{may_send, Sender};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    tenant: String,
    client_id: String,
    profiles: String,
    entra_tenant_id: Option<String>,
    home_tenant_id: Option<String>,
    proved: bool,
    archived: bool,
}

const ROWS: &str =
    "SELECT r.id, t.display_name AS tenant, r.client_id, r.profiles, t.entra_tenant_id,
        o.home_tenant_id, t.ownership_verified_at IS NOT NULL AS proved,
        (r.archived_at IS NOT NULL OR t.archived_at IS NOT NULL) AS archived
   FROM registrations r
   JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
   JOIN organisations o ON o.id = r.organisation_id
  WHERE r.organisation_id = $1";

impl Row {
    fn judged(&self) -> Result<(), &'static str> {
        may_send(&Sender {
            has_email_product: domain::profile::parse_list(&self.profiles)
                .is_ok_and(|profiles| profiles.iter().any(|p| p.id == "email")),
            archived: self.archived,
            tenant_id: self.entra_tenant_id.as_deref(),
            home_tenant_id: self.home_tenant_id.as_deref(),
            tenant_proved: self.proved,
        })
    }
}

/// The registrations that may send, as (id, what the form shows).
pub async fn eligible(
    backend: &Backend,
    organisation: &OrganisationId,
) -> Result<Vec<(String, String)>, AppError> {
    let rows: Vec<Row> = crate::on_db!(&backend.pool, |c| sqlx::query_as(&format!(
        "{ROWS} ORDER BY t.display_name, r.client_id"
    ))
    .bind(organisation)
    .fetch_all(c)
    .await)
    .map_err(db("could not list registrations that may send alerts"))?;
    Ok(rows
        .into_iter()
        .filter(|row| row.judged().is_ok())
        .map(|row| {
            (
                row.id,
                format!("{}: application {}", row.tenant, row.client_id),
            )
        })
        .collect())
}

/// Whether `id` may send the organisation's alerts, and if not, why.
pub async fn may_send_with(
    backend: &Backend,
    organisation: &OrganisationId,
    id: &str,
) -> Result<Result<(), String>, AppError> {
    if id.trim().is_empty() {
        return Ok(Err(
            "Choose the registration that sends: one with the e-mail product in your own tenant."
                .to_owned(),
        ));
    }
    let row: Option<Row> = crate::on_db!(&backend.pool, |c| sqlx::query_as(&format!(
        "{ROWS} AND r.id = $2"
    ))
    .bind(organisation)
    .bind(id.trim())
    .fetch_optional(c)
    .await)
    .map_err(db("could not read a sending registration"))?;
    Ok(match row {
        None => Err("That registration is not one of yours.".to_owned()),
        Some(row) => row.judged().map_err(str::to_owned),
    })
}
