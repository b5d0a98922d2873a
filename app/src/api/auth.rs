use crate::error::AppError;
use crate::model::SignedInUser;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::backend::{self, auth};
    backend::respond(async {
        let backend = backend::backend()?;
        let user_id = auth::authenticate(&backend, &email, &password).await?;
        auth::begin_session(&backend::session().await?, &user_id).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::{self, auth};
    backend::respond(async {
        auth::end_session(&backend::session().await?).await?;
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<SignedInUser, AppError> {
    use crate::backend::{self, users, OrgScope};
    backend::respond(async {
        let backend = backend::backend()?;
        let scope = OrgScope::of_caller(&backend).await?;
        users::current(&backend.pool, &scope).await
    })
    .await
}
