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

/// The token itself is this answer and nothing else ever again.
#[server(prefix = "/api", endpoint = "create_api_token")]
pub async fn create_api_token(form: ApiTokenForm) -> Result<String, AppError> {
    use crate::backend::{api_tokens, as_staff};
    as_staff(|ctx| async move { Ok(api_tokens::create(&ctx, &form).await?.token) }).await
}

#[server(prefix = "/api", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(token_id: ApiTokenId) -> Result<(), AppError> {
    use crate::backend::{api_tokens, as_staff};
    as_staff(|ctx| async move { api_tokens::revoke(&ctx, &token_id).await }).await
}
