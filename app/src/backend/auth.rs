use crate::backend::scope::USER_ID_KEY;
use crate::backend::{internal, users, Backend};
use crate::error::AppError;
use crate::ids::UserId;
use domain::session::SessionState;
use tower_sessions::Session;

/// Checks an e-mail address and password. Every failure, whether the account
/// is unknown or the password wrong, is the same `InvalidCredentials` after
/// the same amount of hashing work.
pub async fn authenticate(
    backend: &Backend,
    email: &str,
    password: &str,
) -> Result<UserId, AppError> {
    let account = match domain::Email::parse(email) {
        Ok(email) => users::credentials(&backend.pool, &email).await?,
        Err(_) => None,
    };
    let stored = account.as_ref().map(|a| a.password_hash.as_str());
    match (backend.passwords.verify(password, stored).await?, account) {
        (true, Some(account)) => Ok(account.id),
        _ => Err(AppError::InvalidCredentials),
    }
}

const SIGNED_IN_AT_KEY: &str = "signed_in_at";
const LAST_SEEN_KEY: &str = "last_seen";

fn session_error(error: tower_sessions::session::Error) -> AppError {
    internal("could not use the session", error)
}

/// A new session id at sign-in, so an id planted before sign-in
/// (session fixation) is worthless afterwards.
pub async fn begin_session(
    backend: &Backend,
    session: &Session,
    user_id: &UserId,
) -> Result<(), AppError> {
    let now = backend.now().unix_timestamp();
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID_KEY, user_id)
        .await
        .map_err(session_error)?;
    session
        .insert(SIGNED_IN_AT_KEY, now)
        .await
        .map_err(session_error)?;
    session
        .insert(LAST_SEEN_KEY, now)
        .await
        .map_err(session_error)
}

/// The member this session signs in, if it is still within its idle and
/// absolute lifetimes (`domain::session`). A session past either is ended
/// here; a used one is marked so its idle time starts again, which also
/// makes the store save it with a later expiry.
pub async fn signed_in_user(
    backend: &Backend,
    session: &Session,
) -> Result<Option<UserId>, AppError> {
    let Some(user_id) = session
        .get::<UserId>(USER_ID_KEY)
        .await
        .map_err(session_error)?
    else {
        return Ok(None);
    };
    let signed_in_at: Option<i64> = session.get(SIGNED_IN_AT_KEY).await.map_err(session_error)?;
    let last_seen: Option<i64> = session.get(LAST_SEEN_KEY).await.map_err(session_error)?;
    let now = backend.now().unix_timestamp();
    let state = match (signed_in_at, last_seen) {
        (Some(signed_in_at), Some(last_seen)) => {
            backend.session_limits.judge(signed_in_at, last_seen, now)
        }
        // A session from before lifetimes were recorded: sign in again.
        _ => SessionState::Ended,
    };
    match state {
        SessionState::Live => Ok(Some(user_id)),
        SessionState::LiveTouch => {
            session
                .insert(LAST_SEEN_KEY, now)
                .await
                .map_err(session_error)?;
            Ok(Some(user_id))
        }
        SessionState::Ended => {
            end_session(session).await?;
            Ok(None)
        }
    }
}

pub async fn end_session(session: &Session) -> Result<(), AppError> {
    session
        .flush()
        .await
        .map_err(|error| internal("could not end the session", error))
}
