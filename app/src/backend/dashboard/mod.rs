//! The permission-health dashboard: read from the stored check history
//! only (never Microsoft), kept in memory while true (see `snapshot`),
//! filtered and ordered by the rules of `domain::dashboard`.

pub mod acknowledge;
mod compose;
pub mod snapshot;
mod trend;

use crate::backend::Staff;
use crate::error::AppError;
use crate::ids::RegistrationId;
use domain::dashboard::ViewQuery;
use domain::Action;
use std::sync::Arc;

pub use snapshot::{Dashboards, KeptView};

pub async fn load(ctx: &Staff, query: &ViewQuery) -> Result<Arc<KeptView>, AppError> {
    let snapshot = snapshot::current(snapshot::Source::of(ctx)).await?;
    let can_acknowledge = ctx.scope.permit(Action::ManageTenants).is_ok();
    let interval_minutes = ctx.backend.watch.interval_secs() / 60;
    Ok(snapshot.view((query.clone(), can_acknowledge), || {
        compose::compose(
            &snapshot,
            query,
            compose::Context {
                trend: snapshot.trend.clone(),
                interval_minutes,
                can_acknowledge,
            },
        )
    }))
}

/// The registrations a view shows, for its CSV export.
pub async fn shown(ctx: &Staff, query: &ViewQuery) -> Result<Vec<RegistrationId>, AppError> {
    let snapshot = snapshot::current(snapshot::Source::of(ctx)).await?;
    let (view, _) = compose::parse(query);
    let (shown, _) = compose::selected(&snapshot, &view);
    Ok(shown
        .into_iter()
        .map(|i| snapshot.registrations[i].id.clone())
        .collect())
}
