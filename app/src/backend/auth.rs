use crate::backend::scope::USER_ID_KEY;
use crate::backend::{internal, users, Backend};
use crate::error::AppError;
use tower_sessions::Session;

/// Checks an e-mail address and password. Every failure, whether the account
/// is unknown or the password wrong, is the same `InvalidCredentials` after
/// the same amount of hashing work.
pub async fn authenticate(
    backend: &Backend,
    email: &str,
    password: &str,
) -> Result<String, AppError> {
    let account = match domain::Email::parse(email) {
        Ok(email) => users::credentials(&backend.pool, &email).await?,
        Err(_) => None,
    };
    let stored = account.as_ref().map(|(_, hash)| hash.as_str());
    if backend.passwords.verify(password, stored).await? {
        Ok(account.map(|(id, _)| id).unwrap_or_default())
    } else {
        Err(AppError::InvalidCredentials)
    }
}

/// A new session id at sign-in, so an id planted before sign-in
/// (session fixation) is worthless afterwards.
pub async fn begin_session(session: &Session, user_id: &str) -> Result<(), AppError> {
    session
        .cycle_id()
        .await
        .map_err(|error| internal("could not rotate the session id", error))?;
    session
        .insert(USER_ID_KEY, user_id)
        .await
        .map_err(|error| internal("could not store the session", error))
}

pub async fn end_session(session: &Session) -> Result<(), AppError> {
    session
        .flush()
        .await
        .map_err(|error| internal("could not end the session", error))
}
