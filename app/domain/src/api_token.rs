//! Organisation API tokens: what a token may do (its scopes), how a new
//! one is asked for, and how a presented token is read. A token is
//! `tnty_<id>_<secret>`: the id finds its row, the secret is checked
//! against the stored digest, and only the digest is ever kept.

use crate::form::{FieldProblem, Problems};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One thing a token may do. Scopes do not imply one another: a script
/// that only starts checks cannot read the fleet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiScope {
    /// Read tenants, registrations, checks, the dashboard and links.
    Read,
    /// Create, change and archive tenants, registrations and links.
    Write,
    /// Start checks.
    Checks,
}

impl ApiScope {
    pub const ALL: [ApiScope; 3] = [ApiScope::Read, ApiScope::Write, ApiScope::Checks];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::Read => "read",
            ApiScope::Write => "write",
            ApiScope::Checks => "checks",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == text.trim())
    }

    pub fn describe(self) -> &'static str {
        match self {
            ApiScope::Read => "read tenants, registrations, checks, the dashboard and links",
            ApiScope::Write => "create, change and archive tenants, registrations and links",
            ApiScope::Checks => "start checks",
        }
    }
}

/// The scopes of one token: never empty, each at most once, in a fixed
/// order so the stored text is canonical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiScopes(Vec<ApiScope>);

impl ApiScopes {
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        let mut scopes = Vec::new();
        for name in names {
            let name = name.as_ref().trim();
            if name.is_empty() {
                continue;
            }
            match ApiScope::parse(name) {
                Some(scope) => scopes.push(scope),
                None => {
                    return Err(format!(
                        "'{name}' is not a scope: choose from read, write and checks."
                    ))
                }
            }
        }
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err("Choose at least one scope: read, write or checks.".to_owned());
        }
        Ok(Self(scopes))
    }

    /// As stored: `read,checks`.
    pub fn stored(&self) -> String {
        self.0
            .iter()
            .map(|scope| scope.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn from_stored(text: &str) -> Result<Self, String> {
        Self::parse(&text.split(',').collect::<Vec<_>>())
    }

    pub fn allows(&self, scope: ApiScope) -> bool {
        self.0.contains(&scope)
    }

    /// Whether the token may change anything: such a token acts with a
    /// technician's rights, a read-only one with a viewer's.
    pub fn changes_anything(&self) -> bool {
        self.allows(ApiScope::Write) || self.allows(ApiScope::Checks)
    }

    pub fn iter(&self) -> impl Iterator<Item = ApiScope> + '_ {
        self.0.iter().copied()
    }
}

pub const NAME_MAX_CHARS: usize = 80;
/// Tokens live at most two years: a forgotten token should not work forever.
pub const MAX_DAYS: i64 = 730;

/// What an admin asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub scopes: ApiScopes,
    /// Unix seconds; None for a token that lasts until revoked.
    pub expires_at: Option<i64>,
}

/// Checks a request for a token; `expires_in_days` is blank for no expiry.
pub fn new_token<S: AsRef<str>>(
    name: &str,
    scopes: &[S],
    expires_in_days: &str,
    now: i64,
) -> Result<NewToken, Vec<FieldProblem>> {
    let mut problems = Problems::default();
    let name = match crate::staff::parse_name(name, NAME_MAX_CHARS) {
        Ok(name) => Some(name),
        Err(crate::StaffInputError::NameMissing) => {
            problems.add(
                "name",
                "Give the token a name that says where it is used, such as 'PSA sync'.",
            );
            None
        }
        Err(crate::StaffInputError::NameTooLong { .. }) => {
            problems.add(
                "name",
                format!("The name is too long: at most {NAME_MAX_CHARS} characters."),
            );
            None
        }
        Err(other) => {
            problems.add("name", other.to_string());
            None
        }
    };
    let scopes = problems.check("scopes", ApiScopes::parse(scopes));
    let days = expires_in_days.trim();
    let expires_at = if days.is_empty() {
        Some(None)
    } else {
        match days.parse::<i64>() {
            Ok(days) if (1..=MAX_DAYS).contains(&days) => Some(Some(now + days * 86_400)),
            _ => {
                problems.add(
                    "expires_in_days",
                    format!("Expiry is a number of days from 1 to {MAX_DAYS}, or blank for none."),
                );
                None
            }
        }
    };
    problems.finish(
        name.zip(scopes)
            .zip(expires_at)
            .map(|((name, scopes), expires_at)| NewToken {
                name,
                scopes,
                expires_at,
            }),
    )
}

pub const PREFIX: &str = "tnty_";

/// A token as presented in `Authorization: Bearer …`, split into the id
/// that finds its row and the secret that proves it.
#[derive(Clone, PartialEq, Eq)]
pub struct PresentedToken {
    pub id: String,
    whole: String,
}

impl PresentedToken {
    /// None for anything that is not shaped like one of our tokens, so a
    /// malformed header costs no database read.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.trim().strip_prefix(PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        let id_ok = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
        let secret_ok = (40..=64).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        (id_ok && secret_ok).then(|| Self {
            id: id.to_ascii_lowercase(),
            whole: text.trim().to_owned(),
        })
    }

    /// The whole token, to be digested and compared; never to be logged.
    pub fn expose(&self) -> &str {
        &self.whole
    }
}

impl fmt::Debug for PresentedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PresentedToken({PREFIX}{}_…)", self.id)
    }
}

/// Builds the text handed to the admin once.
pub fn token_text(id: &str, secret: &str) -> String {
    format!("{PREFIX}{id}_{secret}")
}

/// Why a stored token does not let its bearer in, checked after the
/// digest matched. Each reads the same to the caller (401); the reason is
/// for the server's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Revoked,
    Expired,
    /// Its creator is no longer an active admin of the organisation.
    CreatorGone,
}

pub fn usable(
    revoked: bool,
    expires_at: Option<i64>,
    creator_is_active_admin: bool,
    now: i64,
) -> Result<(), Refused> {
    if revoked {
        Err(Refused::Revoked)
    } else if expires_at.is_some_and(|at| at <= now) {
        Err(Refused::Expired)
    } else if !creator_is_active_admin {
        Err(Refused::CreatorGone)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn scopes_are_stored_in_one_order_without_repeats() {
        let scopes = ApiScopes::parse(&["checks", "read", "checks"]).unwrap();
        assert_eq!(scopes.stored(), "read,checks");
        assert_eq!(ApiScopes::from_stored("read,checks").unwrap(), scopes);
        assert!(scopes.changes_anything());
        assert!(!ApiScopes::parse(&["read"]).unwrap().changes_anything());
    }

    #[test]
    fn an_unknown_or_missing_scope_is_refused_with_the_choices() {
        assert!(ApiScopes::parse(&["admin"])
            .unwrap_err()
            .contains("read, write and checks"));
        assert!(ApiScopes::parse::<&str>(&[]).is_err());
    }

    #[test]
    fn a_new_token_needs_a_name_scopes_and_a_sensible_expiry() {
        let token = new_token("PSA sync", &["read"], "30", NOW).unwrap();
        assert_eq!(token.expires_at, Some(NOW + 30 * 86_400));
        assert_eq!(new_token("x", &["read"], "", NOW).unwrap().expires_at, None);
        assert!(
            new_token("PSA\u{202E}cnys", &["read"], "", NOW).is_err(),
            "no hidden reordering"
        );
        let problems = new_token(" ", &["root"], "9999", NOW).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name", "scopes", "expires_in_days"]);
    }

    #[test]
    fn only_tokens_of_our_shape_are_read() {
        let id = "0123456789abcdef0123456789abcdef";
        let secret = "A".repeat(43);
        let token = PresentedToken::parse(&token_text(id, &secret)).unwrap();
        assert_eq!(token.id, id);
        assert!(PresentedToken::parse(&format!("tnty_{id}")).is_none());
        assert!(PresentedToken::parse(&format!("ghp_{id}_{secret}")).is_none());
        assert!(PresentedToken::parse(&format!("tnty_{id}_short")).is_none());
        assert!(PresentedToken::parse(&format!("tnty_nothex_{secret}")).is_none());
    }

    #[test]
    fn a_presented_token_never_prints_its_secret() {
        let secret = "S".repeat(43);
        let token = PresentedToken::parse(&token_text("0123456789abcdef0123456789abcdef", &secret))
            .unwrap();
        assert!(!format!("{token:?}").contains(&secret));
    }

    #[test]
    fn revoked_expired_and_orphaned_tokens_are_refused() {
        assert_eq!(usable(false, None, true, NOW), Ok(()));
        assert_eq!(usable(true, None, true, NOW), Err(Refused::Revoked));
        assert_eq!(usable(false, Some(NOW), true, NOW), Err(Refused::Expired));
        assert_eq!(usable(false, Some(NOW + 1), true, NOW), Ok(()));
        assert_eq!(usable(false, None, false, NOW), Err(Refused::CreatorGone));
    }
}
