use crate::error::AppError;
use crate::model::SignedInUser;
use domain::form::SecretText;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: SecretText) -> Result<(), AppError> {
    use crate::backend::{as_anyone, auth, context::session, origin::RequestOrigin};
    use domain::mfa::AfterPassword;
    as_anyone(|backend| async move {
        let origin = RequestOrigin::current();
        let member = auth::authenticate(&backend, &email, password.expose(), &origin).await?;
        let next = auth::after_password(&backend, &session().await?, &member, &origin).await?;
        leptos_axum::redirect(match next {
            AfterPassword::SignedIn => "/",
            AfterPassword::AskForCode => "/login/code",
            AfterPassword::Enrol => "/login/enrol",
        });
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::{as_anyone, auth, context::session, origin::RequestOrigin};
    as_anyone(|backend| async move {
        auth::sign_out(&backend, &session().await?, &RequestOrigin::current()).await?;
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
