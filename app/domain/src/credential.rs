//! Credential policy: certificates are preferred; what makes a certificate
//! or a client secret acceptable, and when expiry becomes a warning.
//! Times are Unix seconds (UTC), passed in.

use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;
pub const MIN_RSA_BITS: u32 = 2048;
/// Recommended longest certificate validity: one year (leap years included).
pub const MAX_CERTIFICATE_VALIDITY_SECS: i64 = 366 * DAY;
/// Recommended longest client-secret lifetime: six months.
pub const MAX_SECRET_LIFETIME_SECS: i64 = 183 * DAY;
/// Days before expiry at which the warning steps up.
/// The first warning: a credential this close to expiry turns its
/// registration to warning.
pub const FIRST_WARNING_DAYS: i64 = 30;
pub const EXPIRY_WARNING_DAYS: [i64; 3] = [FIRST_WARNING_DAYS, 14, 7];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyAlgorithm {
    Rsa { bits: u32 },
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureHash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    Other,
}

/// What Tenantry learned from a certificate (parsed elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateFacts {
    pub key: KeyAlgorithm,
    pub signature: SignatureHash,
    pub not_before: i64,
    pub not_after: i64,
    /// `None` when the certificate has no extended key usage at all (then
    /// any use is allowed); `Some(false)` when it lists others but not
    /// client authentication.
    pub client_auth_usage: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretFacts {
    pub created_at: Option<i64>,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryStage {
    Fine,
    /// Expires within this many days (30, 14 or 7).
    ExpiresWithin {
        days: i64,
    },
    Expired,
}

pub fn expiry_stage(expires_at: i64, now: i64) -> ExpiryStage {
    if expires_at <= now {
        return ExpiryStage::Expired;
    }
    EXPIRY_WARNING_DAYS
        .iter()
        .rev()
        .find(|&&days| expires_at - now <= days * DAY)
        .map(|&days| ExpiryStage::ExpiresWithin { days })
        .unwrap_or(ExpiryStage::Fine)
}

/// Whole days left, rounded down, for messages.
pub fn days_left(expires_at: i64, now: i64) -> i64 {
    (expires_at - now).max(0) / DAY
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum CredentialProblem {
    KeyNotRsa,
    KeyTooShort { bits: u32 },
    WeakSignature,
    NotClientAuthentication,
    NotYetValid,
    Expired,
    ValidityTooLong { days: i64 },
    SecretLifetimeTooLong { days: i64 },
}

impl CredentialProblem {
    /// Blocking problems make the credential unusable; the rest are advice.
    pub fn is_blocking(&self) -> bool {
        !matches!(
            self,
            CredentialProblem::ValidityTooLong { .. }
                | CredentialProblem::SecretLifetimeTooLong { .. }
        )
    }

    pub fn message(&self) -> String {
        match self {
            CredentialProblem::KeyNotRsa => "The certificate's key is not RSA. Entra app credentials need an RSA key.".into(),
            CredentialProblem::KeyTooShort { bits } => {
                format!("The key has {bits} bits; use an RSA key of at least {MIN_RSA_BITS} bits.")
            }
            CredentialProblem::WeakSignature => {
                "The certificate is signed with SHA-1 or an unknown algorithm; sign it with SHA-256, SHA-384 or SHA-512.".into()
            }
            CredentialProblem::NotClientAuthentication => {
                "The certificate is not meant for client authentication; its extended key usage must include it.".into()
            }
            CredentialProblem::NotYetValid => "The certificate is not valid yet; check its start date and the clock.".into(),
            CredentialProblem::Expired => "This credential has already expired; create a new one in Entra and use that.".into(),
            CredentialProblem::ValidityTooLong { days } => {
                format!("The certificate is valid for {days} days; one year or less is recommended.")
            }
            CredentialProblem::SecretLifetimeTooLong { days } => {
                format!("The secret lives {days} days; six months or less is recommended, or use a certificate.")
            }
        }
    }
}

pub fn check_certificate(cert: &CertificateFacts, now: i64) -> Vec<CredentialProblem> {
    let mut problems = Vec::new();
    match cert.key {
        KeyAlgorithm::Rsa { bits } if bits < MIN_RSA_BITS => {
            problems.push(CredentialProblem::KeyTooShort { bits })
        }
        KeyAlgorithm::Rsa { .. } => {}
        KeyAlgorithm::Other => problems.push(CredentialProblem::KeyNotRsa),
    }
    if matches!(cert.signature, SignatureHash::Sha1 | SignatureHash::Other) {
        problems.push(CredentialProblem::WeakSignature);
    }
    if cert.client_auth_usage == Some(false) {
        problems.push(CredentialProblem::NotClientAuthentication);
    }
    if now < cert.not_before {
        problems.push(CredentialProblem::NotYetValid);
    }
    if cert.not_after <= now {
        problems.push(CredentialProblem::Expired);
    }
    let validity = cert.not_after - cert.not_before;
    if validity > MAX_CERTIFICATE_VALIDITY_SECS {
        problems.push(CredentialProblem::ValidityTooLong {
            days: validity / DAY,
        });
    }
    problems
}

pub fn check_secret(secret: &SecretFacts, now: i64) -> Vec<CredentialProblem> {
    let mut problems = Vec::new();
    if secret.expires_at <= now {
        problems.push(CredentialProblem::Expired);
    }
    let lifetime = secret.expires_at - secret.created_at.unwrap_or(now);
    if lifetime > MAX_SECRET_LIFETIME_SECS {
        problems.push(CredentialProblem::SecretLifetimeTooLong {
            days: lifetime / DAY,
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_800_000_000;

    fn good_cert() -> CertificateFacts {
        CertificateFacts {
            key: KeyAlgorithm::Rsa { bits: 2048 },
            signature: SignatureHash::Sha256,
            not_before: NOW - DAY,
            not_after: NOW + 364 * DAY,
            client_auth_usage: Some(true),
        }
    }

    #[test]
    fn a_2048_bit_sha256_certificate_for_a_year_passes() {
        assert_eq!(check_certificate(&good_cert(), NOW), vec![]);
    }

    #[test]
    fn each_certificate_violation_is_named() {
        type Spoil = fn(&mut CertificateFacts);
        let table: [(Spoil, CredentialProblem); 7] = [
            (
                |c| c.key = KeyAlgorithm::Rsa { bits: 1024 },
                CredentialProblem::KeyTooShort { bits: 1024 },
            ),
            (
                |c| c.key = KeyAlgorithm::Other,
                CredentialProblem::KeyNotRsa,
            ),
            (
                |c| c.signature = SignatureHash::Sha1,
                CredentialProblem::WeakSignature,
            ),
            (
                |c| c.client_auth_usage = Some(false),
                CredentialProblem::NotClientAuthentication,
            ),
            (|c| c.not_before = NOW + 10, CredentialProblem::NotYetValid),
            (
                |c| {
                    c.not_before = NOW - 100 * DAY;
                    c.not_after = NOW - 1
                },
                CredentialProblem::Expired,
            ),
            (
                |c| c.not_after = NOW + 800 * DAY,
                CredentialProblem::ValidityTooLong { days: 801 },
            ),
        ];
        for (spoil, expected) in table {
            let mut cert = good_cert();
            spoil(&mut cert);
            assert_eq!(
                check_certificate(&cert, NOW),
                vec![expected.clone()],
                "{expected:?}"
            );
            assert!(!expected.message().is_empty());
        }
    }

    #[test]
    fn long_lived_secrets_are_advised_against_but_not_blocked() {
        let secret = SecretFacts {
            created_at: Some(NOW),
            expires_at: NOW + 365 * DAY,
        };
        let problems = check_secret(&secret, NOW);
        assert_eq!(
            problems,
            vec![CredentialProblem::SecretLifetimeTooLong { days: 365 }]
        );
        assert!(!problems[0].is_blocking());
        let expired = SecretFacts {
            created_at: Some(NOW - 10 * DAY),
            expires_at: NOW,
        };
        assert_eq!(
            check_secret(&expired, NOW),
            vec![CredentialProblem::Expired]
        );
    }

    #[test]
    fn expiry_warnings_step_up_at_thirty_fourteen_and_seven_days() {
        let table = [
            (31 * DAY, ExpiryStage::Fine),
            (30 * DAY, ExpiryStage::ExpiresWithin { days: 30 }),
            (15 * DAY, ExpiryStage::ExpiresWithin { days: 30 }),
            (14 * DAY, ExpiryStage::ExpiresWithin { days: 14 }),
            (7 * DAY, ExpiryStage::ExpiresWithin { days: 7 }),
            (1, ExpiryStage::ExpiresWithin { days: 7 }),
            (0, ExpiryStage::Expired),
            (-DAY, ExpiryStage::Expired),
        ];
        for (left, expected) in table {
            assert_eq!(
                expiry_stage(NOW + left, NOW),
                expected,
                "{left} seconds left"
            );
        }
    }

    proptest! {
        #[test]
        fn less_time_left_never_means_a_milder_stage(a in -100 * DAY..100 * DAY, b in -100 * DAY..100 * DAY) {
            let (sooner, later) = if a <= b { (a, b) } else { (b, a) };
            let stage = |left: i64| match expiry_stage(NOW + left, NOW) {
                ExpiryStage::Fine => 0,
                ExpiryStage::ExpiresWithin { days } => 100 - days,
                ExpiryStage::Expired => 1000,
            };
            prop_assert!(stage(sooner) >= stage(later));
        }
    }
}
