//! Registrations from and to spreadsheets. The export is a file download
//! served outside the server functions (`/export/registrations.csv`).

use crate::error::AppError;
use crate::model::{ImportForm, ImportReport};
use leptos::prelude::*;

/// Imports registrations from a CSV file the browser read (base64), or
/// with `dry_run` only checks it. Secrets in the file are sealed like those
/// typed in forms; the report names lines and columns, never values.
#[server(prefix = "/api", endpoint = "import_registrations")]
pub async fn import_registrations(form: ImportForm) -> Result<ImportReport, AppError> {
    use crate::backend::{as_staff, exchange};
    as_staff(|ctx| async move { exchange::import::import_upload(&ctx, &form).await }).await
}
