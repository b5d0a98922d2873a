use crate::backend::origin::RequestOrigin;
use crate::backend::scope::{STAFF_SESSION_KEY, USER_ID_KEY};
use crate::backend::sign_in_limits::{code_key, password_key, Attempt};
use crate::backend::users::{self, Membership};
use crate::backend::{audit, internal, mfa, sessions, Backend};
use crate::error::AppError;
use crate::ids::{OrganisationId, StaffSessionId, UserId};
use domain::audit::AuditAction;
use domain::mfa::AfterPassword;
use domain::session::SessionState;
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
    let key = password_key(email);
    let account = match domain::Email::parse(email) {
        Ok(email) => users::credentials(&backend.pool, &email).await?,
        Err(_) => None,
    };
    let now = backend.now();
    let stored = account.as_ref().map(|a| a.password_hash.as_str());
    let attempt = backend
        .sign_in
        .guarded(&backend.pool, origin, &key, now, async {
            let matches = backend.passwords.verify(password, stored).await?;
            Ok((matches && account.is_some()).then_some(()))
        })
        .await?;
    let Some(account) = account else {
        return Err(AppError::InvalidCredentials);
    };
    let attempt_on = |action, detail| {
        audit::Event::against_account(
            &account.organisation_id,
            &account.email,
            action,
            detail,
            origin,
            now,
        )
    };
    if let Attempt::Failed { now_waiting } = attempt {
        backend.metrics.sign_in_failed(now_waiting);
        audit::record(
            &backend.pool,
            attempt_on(AuditAction::SignInFailed, "wrong password"),
        )
        .await?;
        if now_waiting {
            audit::record(&backend.pool, attempt_on(AuditAction::SignInLocked, "")).await?;
        }
        return Err(AppError::InvalidCredentials);
    }
    backend.sign_in.clear(&backend.pool, &key, now).await?;
    if account.disabled_at.is_some() {
        backend.metrics.sign_in_failed(false);
        audit::record(
            &backend.pool,
            attempt_on(AuditAction::SignInFailed, "account disabled"),
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

const SIGNED_IN_AT_KEY: &str = "signed_in_at";
const LAST_SEEN_KEY: &str = "last_seen";
/// Between a correct password and the second factor: who, and since when.
/// Such a session is not signed in; only the second-factor forms read it.
const HALF_USER_KEY: &str = "half_signed_in_user";
const HALF_SINCE_KEY: &str = "half_signed_in_since";

/// After a correct password: signs in, or keeps the member half-signed-in
/// for a code or for setting up a second factor (`domain::mfa`).
pub async fn after_password(
    backend: &Backend,
    session: &Session,
    member: &Authenticated,
    origin: &RequestOrigin,
) -> Result<AfterPassword, AppError> {
    let (enrolled, required) = mfa::enrolled_and_required(backend, member).await?;
    let next = domain::mfa::after_password(enrolled, required);
    if next == AfterPassword::SignedIn {
        begin_session(backend, session, member, origin).await?;
    } else {
        session.cycle_id().await.map_err(session_error)?;
        session
            .insert(HALF_USER_KEY, &member.user_id)
            .await
            .map_err(session_error)?;
        session
            .insert(HALF_SINCE_KEY, backend.now().unix_timestamp())
            .await
            .map_err(session_error)?;
    }
    Ok(next)
}

/// The member who gave their password in this browser moments ago and
/// has not yet given their second factor.
pub async fn half_signed_in(
    backend: &Backend,
    session: &Session,
) -> Result<Authenticated, AppError> {
    let user_id: Option<UserId> = session.get(HALF_USER_KEY).await.map_err(session_error)?;
    let since: Option<i64> = session.get(HALF_SINCE_KEY).await.map_err(session_error)?;
    let (Some(user_id), Some(since)) = (user_id, since) else {
        return Err(AppError::Unauthenticated);
    };
    if backend.now().unix_timestamp() - since > domain::mfa::HALF_SIGNED_IN_SECONDS {
        end_session(session).await?;
        return Err(AppError::Unauthenticated);
    }
    let account = users::credentials_by_id(&backend.pool, &user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if account.disabled_at.is_some() {
        return Err(AppError::AccountDisabled);
    }
    Ok(Authenticated {
        user_id: account.id,
        organisation_id: account.organisation_id,
        email: account.email,
    })
}

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
        audit::Event::by_account(member, AuditAction::SignedIn, "", origin, at),
    )
    .await?;
    session.cycle_id().await.map_err(session_error)?;
    session
        .remove::<UserId>(HALF_USER_KEY)
        .await
        .map_err(session_error)?;
    session
        .remove::<i64>(HALF_SINCE_KEY)
        .await
        .map_err(session_error)?;
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

/// Completes a sign-in that needed a second factor.
/// The member's code count starts again only now, not at the password.
pub async fn complete_sign_in(
    half: &crate::backend::context::HalfSignedIn,
) -> Result<(), AppError> {
    let backend = &half.backend;
    backend
        .sign_in
        .clear(
            &backend.pool,
            &code_key(&half.member.user_id),
            backend.now(),
        )
        .await?;
    begin_session(backend, &half.session, &half.member, &half.origin).await
}

/// Who a browser's session signs in.
#[derive(Clone)]
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
        sessions::end(&backend.pool, &row, &user_id, at).await?;
        end_session(session).await?;
        return Ok(None);
    }
    let Some(member) = sessions::member(&backend.pool, &row, &user_id).await? else {
        end_session(session).await?;
        return Ok(None);
    };
    if state == SessionState::LiveTouch {
        sessions::touch(&backend.pool, &row, &user_id, at).await?;
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
        sessions::end(
            &backend.pool,
            &signed_in.session_id,
            &signed_in.user_id,
            backend.now(),
        )
        .await?;
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
