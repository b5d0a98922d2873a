use crate::error::AppError;
use crate::model::{AuditPage, AuditQuery};
use leptos::prelude::*;

/// A page of the organisation's audit trail, newest first (admins only).
#[server(prefix = "/api", endpoint = "audit_trail")]
pub async fn audit_trail(query: Option<AuditQuery>, page: i64) -> Result<AuditPage, AppError> {
    use crate::backend::{as_staff, audit};
    as_staff(|ctx| async move {
        let filter = query.unwrap_or_default().filter()?;
        audit::page(&ctx, &filter, page).await
    })
    .await
}
