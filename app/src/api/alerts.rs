//! Alert channels: admins add, test and remove them; every member sees
//! them and what was sent to them.

use crate::error::AppError;
use crate::ids::AlertChannelId;
use crate::model::{
    AddedAlertChannel, AlertChannelForm, AlertChannelView, AlertRulesForm, AlertSettingsView,
};
use leptos::prelude::*;

/// The signing secret is in the answer once, never again.
#[server(prefix = "/api", endpoint = "add_alert_channel")]
pub async fn add_alert_channel(form: AlertChannelForm) -> Result<AddedAlertChannel, AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move { alerts::channels::add(&ctx, &form).await }).await
}

#[server(prefix = "/api", endpoint = "list_alert_channels")]
pub async fn list_alert_channels() -> Result<Vec<AlertChannelView>, AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move { alerts::channels::list(&ctx).await }).await
}

#[server(prefix = "/api", endpoint = "remove_alert_channel")]
pub async fn remove_alert_channel(channel_id: AlertChannelId) -> Result<(), AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move { alerts::channels::remove(&ctx, &channel_id).await }).await
}

#[server(prefix = "/api", endpoint = "send_alert_test")]
pub async fn send_alert_test(channel_id: AlertChannelId) -> Result<(), AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move { alerts::channels::send_test(&ctx, &channel_id).await }).await
}

/// The time zone digests keep and what channels' rules choose from.
#[server(prefix = "/api", endpoint = "load_alert_settings")]
pub async fn load_alert_settings() -> Result<AlertSettingsView, AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move { alerts::settings::load(&ctx).await }).await
}

#[server(prefix = "/api", endpoint = "save_alert_channel_rules")]
pub async fn save_alert_channel_rules(
    channel_id: AlertChannelId,
    form: AlertRulesForm,
) -> Result<(), AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move { alerts::settings::save_rules(&ctx, &channel_id, &form).await })
        .await
}

#[server(prefix = "/api", endpoint = "save_alert_time_zone")]
pub async fn save_alert_time_zone(time_zone: String) -> Result<(), AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move { alerts::settings::save_time_zone(&ctx, &time_zone).await }).await
}

/// A customer tenant's contacts are told before a credential expires, with
/// a renewal link.
#[server(prefix = "/api", endpoint = "set_expiry_notices")]
pub async fn set_expiry_notices(
    customer_tenant_id: crate::ids::CustomerTenantId,
    enabled: bool,
) -> Result<(), AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move {
        alerts::notices::set_for_tenant(&ctx, &customer_tenant_id, enabled).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "save_notice_reply_to")]
pub async fn save_notice_reply_to(reply_to: String) -> Result<(), AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move { alerts::notices::save_reply_to(&ctx, &reply_to).await }).await
}

/// The new signing secret is in the answer once; messages carry both
/// signatures until the rotation is finished.
#[server(prefix = "/api", endpoint = "rotate_alert_secret")]
pub async fn rotate_alert_secret(
    channel_id: AlertChannelId,
) -> Result<AddedAlertChannel, AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move { alerts::channels::rotate_secret(&ctx, &channel_id).await }).await
}

#[server(prefix = "/api", endpoint = "finish_secret_rotation")]
pub async fn finish_secret_rotation(channel_id: AlertChannelId) -> Result<(), AppError> {
    use crate::backend::{alerts, as_staff};
    as_staff(|ctx| async move { alerts::channels::finish_rotation(&ctx, &channel_id).await }).await
}
