//! Identifiers customers type in: parsed once, so nothing unchecked ever
//! reaches a URL.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("'{0}' is not a GUID such as 01234567-89ab-cdef-0123-456789abcdef")]
    NotAGuid(String),
    #[error("'{0}' is neither a tenant GUID nor a domain such as contoso.onmicrosoft.com")]
    NotATenant(String),
}

fn is_guid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn parse_guid(raw: &str) -> Result<String, IdError> {
    let text = raw.trim().trim_start_matches('{').trim_end_matches('}');
    if is_guid(text) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(IdError::NotAGuid(raw.trim().to_owned()))
    }
}

/// An Application (client) ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClientId(String);

impl ClientId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        parse_guid(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An object ID (of an application or service principal).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectId(String);

impl ObjectId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        parse_guid(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Directory (tenant) ID: the GUID only, never a domain, for the places
/// where a proof must name the tenant exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        parse_guid(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As a token URL names it.
    pub fn to_ref(&self) -> TenantRef {
        TenantRef::Id(self.0.clone())
    }
}

/// The Directory (tenant) ID in an OpenID issuer such as
/// `https://login.microsoftonline.com/<tenant id>/v2.0`: the one path
/// segment that is a GUID.
pub fn tenant_id_of_issuer(issuer: &str) -> Option<String> {
    let path = issuer.split_once("://").map_or(issuer, |(_, rest)| rest);
    let mut ids = path
        .split('/')
        .skip(1)
        .filter_map(|segment| parse_guid(segment).ok());
    let id = ids.next()?;
    ids.next().is_none().then_some(id)
}

/// How a customer's tenant is named in a token URL: its Directory (tenant)
/// ID, or one of its verified domains.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TenantRef {
    Id(String),
    Domain(String),
}

impl TenantRef {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        if let Ok(id) = parse_guid(raw) {
            return Ok(TenantRef::Id(id));
        }
        let domain = raw.trim().to_ascii_lowercase();
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        if domain.contains('.') && domain.len() <= 253 && labels_ok {
            Ok(TenantRef::Domain(domain))
        } else {
            Err(IdError::NotATenant(raw.trim().to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            TenantRef::Id(id) | TenantRef::Domain(id) => id,
        }
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            TenantRef::Id(id) => Some(id),
            TenantRef::Domain(_) => None,
        }
    }
}

impl fmt::Display for TenantRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client secret's value. Never printed: `Debug` shows only that it exists.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    pub fn new(raw: &str) -> Result<Self, SecretError> {
        let value = raw.trim();
        if value.is_empty() {
            Err(SecretError::Empty)
        } else {
            Ok(Self(value.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A secret *ID* is a GUID; a secret *value* never is. People paste the
    /// wrong one often enough to warn about it.
    pub fn looks_like_secret_id(&self) -> bool {
        is_guid(&self.0)
    }

    /// The last characters, safe to show as a reminder of which secret it is.
    pub fn hint(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
        format!("…{tail}")
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the client secret is empty")]
    Empty,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_id_is_read_from_an_issuer_and_nothing_else_is() {
        assert_eq!(
            tenant_id_of_issuer(
                "https://login.microsoftonline.com/72F988BF-86F1-41AF-91AB-2D7CD011DB47/v2.0"
            ),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47".to_owned())
        );
        assert_eq!(
            tenant_id_of_issuer("https://login.microsoftonline.com/common/v2.0"),
            None
        );
        assert_eq!(
            tenant_id_of_issuer("https://72f988bf-86f1-41af-91ab-2d7cd011db47.example/v2.0"),
            None,
            "a GUID in the host is not the tenant"
        );
    }
    use proptest::prelude::*;

    #[test]
    fn guids_are_normalised_to_lower_case_without_braces() {
        assert_eq!(
            ClientId::parse(" {0123ABCD-89ab-cdef-0123-456789ABCDEF} ")
                .unwrap()
                .as_str(),
            "0123abcd-89ab-cdef-0123-456789abcdef"
        );
    }

    #[test]
    fn malformed_ids_are_refused_before_they_reach_a_url() {
        for raw in [
            "",
            "0123abcd",
            "0123abcd-89ab-cdef-0123-456789abcdeg",
            "../../common",
            "a/b.com",
        ] {
            assert!(ClientId::parse(raw).is_err(), "{raw}");
        }
        for raw in [
            "",
            "contoso",
            "contoso..com",
            "-x.com",
            "contoso.com/oauth2",
            "{{tenantid}}",
            "con toso.com",
        ] {
            assert!(TenantRef::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn a_tenant_is_a_guid_or_a_domain() {
        assert!(matches!(
            TenantRef::parse("11111111-2222-3333-4444-555555555555"),
            Ok(TenantRef::Id(_))
        ));
        assert_eq!(
            TenantRef::parse("Contoso.onmicrosoft.com").unwrap(),
            TenantRef::Domain("contoso.onmicrosoft.com".into())
        );
    }

    #[test]
    fn secrets_hide_themselves_and_spot_pasted_ids() {
        let secret = SecretValue::new("abc~DEF123456789").unwrap();
        assert_eq!(format!("{secret:?}"), "SecretValue(<redacted>)");
        assert_eq!(secret.hint(), "…6789");
        assert!(!secret.looks_like_secret_id());
        assert!(SecretValue::new("11111111-2222-3333-4444-555555555555")
            .unwrap()
            .looks_like_secret_id());
        assert_eq!(SecretValue::new("  "), Err(SecretError::Empty));
    }

    proptest! {
        #[test]
        fn any_parsed_tenant_is_url_safe(raw in "\\PC{0,40}") {
            if let Ok(tenant) = TenantRef::parse(&raw) {
                prop_assert!(tenant.as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
            }
        }
    }
}
