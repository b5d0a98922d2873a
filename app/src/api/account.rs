//! The signed-in member's own account: their sign-ins and password.

use crate::error::AppError;
use crate::model::SessionView;
use domain::form::SecretText;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<SessionView>, AppError> {
    use crate::backend::{as_staff, sessions};
    as_staff(|ctx| async move { sessions::mine(&ctx).await }).await
}

/// Ends the caller's other sign-ins, or all of them with `everywhere`.
#[server(prefix = "/api", endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere(everywhere: bool) -> Result<u64, AppError> {
    use crate::backend::{as_staff, sessions};
    as_staff(|ctx| async move {
        let ended = sessions::sign_out_everywhere(&ctx, everywhere).await?;
        if everywhere {
            leptos_axum::redirect("/login");
        }
        Ok(ended)
    })
    .await
}

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: SecretText,
    new_password: SecretText,
) -> Result<(), AppError> {
    use crate::backend::{account, as_staff};
    as_staff(|ctx| async move {
        account::change_password(&ctx, current_password.expose(), new_password.expose()).await
    })
    .await
}
