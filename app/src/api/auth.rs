use crate::error::AppError;
use crate::model::SignedInUser;
use domain::form::SecretText;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: SecretText) -> Result<(), AppError> {
    use crate::backend::{as_anyone, auth, context::session};
    as_anyone(|backend| async move {
        let user_id = auth::authenticate(&backend, &email, password.expose()).await?;
        auth::begin_session(&backend, &session().await?, &user_id).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::{as_anyone, auth, context::session};
    as_anyone(|_| async move {
        auth::end_session(&session().await?).await?;
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<SignedInUser, AppError> {
    use crate::backend::{as_staff, users};
    as_staff(|ctx| async move { users::current(&ctx).await }).await
}
