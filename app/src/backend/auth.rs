use crate::backend::origin::RequestOrigin;
use crate::backend::scope::{STAFF_SESSION_KEY, USER_ID_KEY};
use crate::backend::sign_in_limits::account_key;
use crate::backend::users::{self, Membership};
use crate::backend::{audit, internal, sessions, Backend};
use crate::error::AppError;
use crate::ids::{OrganisationId, StaffSessionId, UserId};
use domain::audit::AuditAction;
use domain::session::SessionState;
use domain::throttle::Admission;
use tower_sessions::Session;

/// Someone who proved they know a member's password.
pub struct Authenticated {
    pub user_id: UserId,
    pub organisation_id: OrganisationId,
    pub email: String,
}

/// Checks an e-mail address and password. Every failure, whether the account
/// is unknown or the password wrong, is the same `InvalidCredentials` after
/// the same amount of hashing work; an address with repeated failures, known
/// or not, waits (`domain::throttle`) and so does a client address trying
/// too often. Failures against a real account go into its organisation's
/// audit trail.
pub async fn authenticate(
    backend: &Backend,
    email: &str,
    password: &str,
    origin: &RequestOrigin,
) -> Result<Authenticated, AppError> {
    backend.sign_in.admit_client(origin)?;
    let key = account_key(email);
    let account = match domain::Email::parse(email) {
        Ok(email) => users::credentials(&backend.pool, &email).await?,
        Err(_) => None,
    };
    let now = backend.now();
    if let Admission::Wait { seconds } = backend
        .sign_in
        .admit_account(&backend.pool, &key, now)
        .await?
    {
        if let Some(account) = &account {
            record_attempt(backend, account, AuditAction::SignInLocked, "", origin).await?;
        }
        return Err(AppError::TooManyAttempts {
            retry_after_seconds: seconds,
        });
    }
    let stored = account.as_ref().map(|a| a.password_hash.as_str());
    let matches = backend.passwords.verify(password, stored).await?;
    let account = match account {
        Some(account) if matches => account,
        aimed_at => {
            backend
                .sign_in
                .record_failure(&backend.pool, &key, now)
                .await?;
            if let Some(account) = &aimed_at {
                record_attempt(
                    backend,
                    account,
                    AuditAction::SignInFailed,
                    "wrong password",
                    origin,
                )
                .await?;
            }
            return Err(AppError::InvalidCredentials);
        }
    };
    backend.sign_in.clear(&backend.pool, &key).await?;
    if account.disabled_at.is_some() {
        record_attempt(
            backend,
            &account,
            AuditAction::SignInFailed,
            "account disabled",
            origin,
        )
        .await?;
        return Err(AppError::AccountDisabled);
    }
    Ok(Authenticated {
        user_id: account.id,
        organisation_id: account.organisation_id,
        email: account.email,
    })
}

async fn record_attempt(
    backend: &Backend,
    account: &users::StoredCredentials,
    action: AuditAction,
    detail: &str,
    origin: &RequestOrigin,
) -> Result<(), AppError> {
    audit::record(
        &backend.pool,
        audit::Event {
            organisation_id: &account.organisation_id,
            actor_user_id: Some(&account.id),
            actor: &account.email,
            action,
            target: &account.email,
            detail,
            origin,
            at: backend.now(),
        },
    )
    .await
}

const SIGNED_IN_AT_KEY: &str = "signed_in_at";
const LAST_SEEN_KEY: &str = "last_seen";

fn session_error(error: tower_sessions::session::Error) -> AppError {
    internal("could not use the session", error)
}

/// A new session id at sign-in, so an id planted before sign-in
/// (session fixation) is worthless afterwards, and a new session row, so
/// the sign-in can be listed and ended.
pub async fn begin_session(
    backend: &Backend,
    session: &Session,
    member: &Authenticated,
    origin: &RequestOrigin,
) -> Result<(), AppError> {
    let at = backend.now();
    let now = at.unix_timestamp();
    let row = sessions::open(
        &backend.pool,
        &member.user_id,
        &member.organisation_id,
        origin,
        at,
    )
    .await?;
    audit::record(
        &backend.pool,
        audit::Event {
            organisation_id: &member.organisation_id,
            actor_user_id: Some(&member.user_id),
            actor: &member.email,
            action: AuditAction::SignedIn,
            target: &member.email,
            detail: "",
            origin,
            at,
        },
    )
    .await?;
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID_KEY, &member.user_id)
        .await
        .map_err(session_error)?;
    session
        .insert(STAFF_SESSION_KEY, &row)
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

/// Who a browser's session signs in.
pub struct SignedIn {
    pub user_id: UserId,
    pub session_id: StaffSessionId,
    pub member: Membership,
}

/// The member this session signs in, if it is within its idle and absolute
/// lifetimes (`domain::session`), its row is not ended and the member may
/// still sign in. Otherwise the session is ended here. A used one is marked
/// so its idle time starts again, which also makes the store save it with
/// a later expiry.
pub async fn signed_in(backend: &Backend, session: &Session) -> Result<Option<SignedIn>, AppError> {
    let user_id: Option<UserId> = session.get(USER_ID_KEY).await.map_err(session_error)?;
    let row: Option<StaffSessionId> = session
        .get(STAFF_SESSION_KEY)
        .await
        .map_err(session_error)?;
    let (Some(user_id), Some(row)) = (user_id, row) else {
        // No sign-in, or one from before sign-ins were rows.
        return Ok(None);
    };
    let signed_in_at: Option<i64> = session.get(SIGNED_IN_AT_KEY).await.map_err(session_error)?;
    let last_seen: Option<i64> = session.get(LAST_SEEN_KEY).await.map_err(session_error)?;
    let at = backend.now();
    let now = at.unix_timestamp();
    let state = match (signed_in_at, last_seen) {
        (Some(signed_in_at), Some(last_seen)) => {
            backend.session_limits.judge(signed_in_at, last_seen, now)
        }
        _ => SessionState::Ended,
    };
    if state == SessionState::Ended {
        sessions::end(&backend.pool, &row, at).await?;
        end_session(session).await?;
        return Ok(None);
    }
    let Some(member) = sessions::member(&backend.pool, &row, &user_id).await? else {
        end_session(session).await?;
        return Ok(None);
    };
    if state == SessionState::LiveTouch {
        sessions::touch(&backend.pool, &row, at).await?;
        session
            .insert(LAST_SEEN_KEY, now)
            .await
            .map_err(session_error)?;
    }
    Ok(Some(SignedIn {
        user_id,
        session_id: row,
        member,
    }))
}

/// Signs this browser out: its row is ended and the session forgotten.
pub async fn sign_out(
    backend: &Backend,
    session: &Session,
    origin: &RequestOrigin,
) -> Result<(), AppError> {
    if let Some(signed_in) = signed_in(backend, session).await? {
        sessions::end(&backend.pool, &signed_in.session_id, backend.now()).await?;
        audit::record(
            &backend.pool,
            audit::Event {
                organisation_id: &signed_in.member.organisation_id,
                actor_user_id: Some(&signed_in.user_id),
                actor: &signed_in.member.email,
                action: AuditAction::SignedOut,
                target: &signed_in.member.email,
                detail: "",
                origin,
                at: backend.now(),
            },
        )
        .await?;
    }
    end_session(session).await
}

pub async fn end_session(session: &Session) -> Result<(), AppError> {
    session
        .flush()
        .await
        .map_err(|error| internal("could not end the session", error))
}
