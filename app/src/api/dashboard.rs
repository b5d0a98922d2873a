//! The dashboard: one view of every registration's health, and setting a
//! problem aside.

use crate::error::AppError;
use crate::ids::RegistrationId;
use crate::model::{AcknowledgementForm, DashboardView};
use domain::dashboard::ViewQuery;
use leptos::prelude::*;

/// The plain view has no query at all (nothing in the URL).
#[server(prefix = "/api", endpoint = "load_dashboard")]
pub async fn load_dashboard(query: Option<ViewQuery>) -> Result<DashboardView, AppError> {
    use crate::backend::{as_staff, dashboard};
    as_staff(|ctx| async move {
        dashboard::load(&ctx, &query.unwrap_or_default())
            .await
            .map(|kept| kept.view.clone())
    })
    .await
}

/// Sets a registration's current problem aside, with a note and an
/// optional end; it stays in every count.
#[server(prefix = "/api", endpoint = "acknowledge_problem")]
pub async fn acknowledge_problem(
    registration_id: RegistrationId,
    form: AcknowledgementForm,
) -> Result<(), AppError> {
    use crate::backend::{as_staff, dashboard};
    as_staff(|ctx| async move {
        dashboard::acknowledge::acknowledge(&ctx, &registration_id, &form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "withdraw_acknowledgement")]
pub async fn withdraw_acknowledgement(registration_id: RegistrationId) -> Result<(), AppError> {
    use crate::backend::{as_staff, dashboard};
    as_staff(|ctx| async move { dashboard::acknowledge::withdraw(&ctx, &registration_id).await })
        .await
}
