use domain::taxonomy::TokenError;

/// What can go wrong talking to Microsoft, in the terms the verdict needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The token endpoint answered with an identity-platform error.
    #[error("the token endpoint refused: {} (trace {trace_id})", error.error)]
    Refused {
        error: TokenError,
        trace_id: String,
        correlation_id: String,
    },
    /// Still throttled (429, or asked to wait with `Retry-After`) after the
    /// retries allowed.
    #[error("throttled by Microsoft after {attempts} attempts")]
    Throttled {
        attempts: u32,
        /// How long Microsoft last asked us to wait, if it said.
        retry_after: Option<std::time::Duration>,
    },
    /// 502/503/504 without `Retry-After` on every attempt: an outage.
    #[error("Microsoft's service answered HTTP {status} to all {attempts} attempts")]
    Unavailable { status: u16, attempts: u32 },
    /// Network error or timeout.
    #[error("could not reach {0}")]
    Unreachable(String),
    /// A 5xx, a body that is not the expected JSON, or an undecodable token.
    #[error("unexpected response: {0}")]
    Unexpected(String),
    /// Graph answered 403 Authorization_RequestDenied.
    #[error("Microsoft Graph denied the request")]
    Forbidden,
}
