use crate::error::ClientError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::taxonomy::TokenError;
use serde::Deserialize;

/// What a freshly issued app-only token says about the app. We read our own
/// token to learn what was granted; its signature is Microsoft's business.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenClaims {
    pub tid: Option<String>,
    pub roles: Option<Vec<String>>,
    pub appid: Option<String>,
    pub azp: Option<String>,
    pub idtyp: Option<String>,
    pub exp: Option<i64>,
}

impl TokenClaims {
    pub fn app_id(&self) -> Option<&str> {
        self.appid.as_deref().or(self.azp.as_deref())
    }
}

/// An access token with what it grants. The token text stays private.
#[derive(Clone)]
pub struct AccessToken {
    bearer: String,
    pub claims: TokenClaims,
    pub expires_at: i64,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("claims", &self.claims)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl AccessToken {
    pub fn bearer(&self) -> &str {
        &self.bearer
    }
}

pub fn decode_claims(token: &str) -> Result<TokenClaims, ClientError> {
    let not_jwt = || ClientError::Unexpected("the access token is not a readable JWT".into());
    let mut parts = token.split('.');
    let (_, payload, _) = (
        parts.next(),
        parts.next().ok_or_else(not_jwt)?,
        parts.next().ok_or_else(not_jwt)?,
    );
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| not_jwt())?;
    serde_json::from_slice(&bytes).map_err(|_| not_jwt())
}

#[derive(Deserialize)]
struct Success {
    access_token: String,
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct Failure {
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<u32>,
    #[serde(default)]
    trace_id: String,
    #[serde(default)]
    correlation_id: String,
}

/// Turns the token endpoint's answer into a token or a classified error.
pub fn parse_response(status: u16, body: &str, now: i64) -> Result<AccessToken, ClientError> {
    if (200..300).contains(&status) {
        let success: Success = serde_json::from_str(body).map_err(|_| {
            ClientError::Unexpected(format!(
                "the token endpoint answered {status} with a body that is not a token response"
            ))
        })?;
        let claims = decode_claims(&success.access_token)?;
        let expires_at = claims
            .exp
            .unwrap_or(now + success.expires_in.unwrap_or(3600));
        return Ok(AccessToken {
            bearer: success.access_token,
            claims,
            expires_at,
        });
    }
    match serde_json::from_str::<Failure>(body) {
        Ok(failure) if (400..500).contains(&status) => Err(ClientError::Refused {
            error: TokenError {
                error: failure.error,
                error_codes: failure.error_codes,
                description: failure.error_description,
            },
            trace_id: failure.trace_id,
            correlation_id: failure.correlation_id,
        }),
        _ => Err(ClientError::Unexpected(format!(
            "the token endpoint answered HTTP {status}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(payload))
    }

    #[test]
    fn claims_are_read_from_the_payload() {
        let claims = decode_claims(&jwt(
            r#"{"tid":"t","roles":["A"],"appid":"c","idtyp":"app","exp":5}"#,
        ))
        .unwrap();
        assert_eq!(claims.tid.as_deref(), Some("t"));
        assert_eq!(claims.roles, Some(vec!["A".to_string()]));
        assert_eq!(claims.app_id(), Some("c"));
    }

    #[test]
    fn a_token_that_is_not_a_jwt_is_unexpected_never_granted() {
        assert!(matches!(
            decode_claims("not-a-jwt"),
            Err(ClientError::Unexpected(_))
        ));
        assert!(matches!(
            decode_claims("a.!!!.c"),
            Err(ClientError::Unexpected(_))
        ));
    }

    #[test]
    fn identity_platform_errors_keep_their_codes_and_ids() {
        let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215],"trace_id":"t-1","correlation_id":"c-1"}"#;
        match parse_response(401, body, 0) {
            Err(ClientError::Refused {
                error,
                trace_id,
                correlation_id,
            }) => {
                assert_eq!(error.error_codes, vec![7000215]);
                assert_eq!((trace_id.as_str(), correlation_id.as_str()), ("t-1", "c-1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_response(200, "{not json", 0),
            Err(ClientError::Unexpected(_))
        ));
        assert!(matches!(
            parse_response(500, "oops", 0),
            Err(ClientError::Unexpected(_))
        ));
    }
}
