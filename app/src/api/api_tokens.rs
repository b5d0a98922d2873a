//! Organisation API tokens, for admins: list, create (the token is the
//! answer, once), revoke.

use crate::error::AppError;
use crate::ids::ApiTokenId;
use crate::model::{ApiTokenForm, ApiTokenView};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    use crate::backend::{api_tokens, as_staff};
    as_staff(|ctx| async move { api_tokens::list(&ctx).await }).await
}

/// The token itself is this answer and nothing else ever again. A form the
/// browser posted itself (before the page could show the answer) is
/// refused, so no token is made that nobody saw.
#[server(prefix = "/api", endpoint = "create_api_token")]
pub async fn create_api_token(form: ApiTokenForm) -> Result<String, AppError> {
    use crate::backend::{api_tokens, as_staff, context::posted_by_a_plain_form};
    as_staff(|ctx| async move {
        if posted_by_a_plain_form() {
            return Err(AppError::invalid(
                "form",
                "The token can be shown only once the page has finished loading. Try again in a moment.",
            ));
        }
        Ok(api_tokens::create(&ctx, &form).await?.token)
    })
    .await
}

#[server(prefix = "/api", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(token_id: ApiTokenId) -> Result<(), AppError> {
    use crate::backend::{api_tokens, as_staff};
    as_staff(|ctx| async move { api_tokens::revoke(&ctx, &token_id).await }).await
}
