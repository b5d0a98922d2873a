//! Turning what a person typed or uploaded into a credential Tenantry can
//! store: a client secret with its expiry, or a certificate with its private
//! key. Each problem gets its own message on the field it concerns; advice
//! that does not block (a long lifetime) comes back alongside.

use crate::model::{CertificateUpload, CredentialForm, SavedCredential, SecretForm};
use crate::timestamp::Timestamp;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::credential::{check_certificate, check_secret, CredentialProblem, SecretFacts};
use domain::form::FieldProblem;
use domain::ids::SecretValue;
use entra::certificate::{certificate_der, read_pkcs12, CertificateError};
use entra::CertificateKey;
use time::OffsetDateTime;

/// A credential ready to be sealed and stored.
pub enum Intake {
    Secret {
        secret: SecretValue,
        expires_at: OffsetDateTime,
    },
    Certificate(CertificateIntake),
}

pub struct CertificateIntake {
    /// PKCS#8 PEM; the only secret part.
    pub key_pem: String,
    pub der: Vec<u8>,
    pub thumbprint: String,
    pub subject: String,
    pub expires_at: OffsetDateTime,
}

impl Intake {
    pub fn expires_at(&self) -> OffsetDateTime {
        match self {
            Intake::Secret { expires_at, .. } => *expires_at,
            Intake::Certificate(certificate) => certificate.expires_at,
        }
    }
}

impl CertificateIntake {
    pub fn from_key(key: &CertificateKey, key_pem: String) -> Self {
        CertificateIntake {
            key_pem,
            der: key.der.clone(),
            thumbprint: key.thumbprint.clone(),
            subject: key.subject.clone(),
            expires_at: OffsetDateTime::from_unix_timestamp(key.facts.not_after)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        }
    }
}

/// A secret with its expiry, or a certificate with its key, checked with
/// the same policy wherever staff enter one. Certificate files are opened
/// off the async workers.
pub async fn intake(
    heavy: &crate::backend::HeavyWork,
    form: &CredentialForm,
    now: OffsetDateTime,
) -> Result<Result<Intake, Vec<FieldProblem>>, crate::error::AppError> {
    Ok(match form.credential.as_str() {
        "certificate" => {
            let upload = CertificateUpload {
                certificate: form.certificate.clone(),
                private_key: form.private_key.clone(),
                password: form.password.clone(),
            };
            heavy
                .run(move || certificate(&upload, now))
                .await?
                .map(Intake::Certificate)
        }
        _ => secret(
            &SecretForm {
                secret: form.secret.clone(),
                secret_expires: form.secret_expires.clone(),
            },
            false,
            now,
        )
        .and_then(|(secret, expires_at)| match secret {
            Some(secret) => Ok(Intake::Secret { secret, expires_at }),
            None => Err(vec![]),
        }),
    })
}

/// A new RSA key and a certificate named `name`, made off the async
/// workers; the key never leaves the server.
pub async fn generated(
    heavy: &crate::backend::HeavyWork,
    name: String,
    issued: OffsetDateTime,
) -> Result<CertificateIntake, crate::error::AppError> {
    use crate::backend::internal;
    heavy
        .run(move || {
            let generated = entra::certificate::generate(&name, issued)
                .map_err(|error| internal("could not generate a certificate", error))?;
            let key = CertificateKey::from_pem(&generated.der, generated.key_pem.as_bytes())
                .map_err(|error| internal("a generated certificate could not be read", error))?;
            Ok(CertificateIntake::from_key(&key, generated.key_pem))
        })
        .await?
}

/// A date as entered in a date field, `YYYY-MM-DD`, at midnight UTC.
pub(crate) fn parse_date(raw: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw.trim(), &format)
        .ok()
        .map(|date| date.midnight().assume_utc())
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem::new(field, message)
}

fn advice(problems: &[CredentialProblem]) -> Vec<String> {
    problems
        .iter()
        .filter(|p| !p.is_blocking())
        .map(CredentialProblem::message)
        .collect()
}

/// A secret's value and expiry. `keep_saved` lets an empty value stand for
/// the one saved earlier.
pub fn secret(
    form: &SecretForm,
    keep_saved: bool,
    now: OffsetDateTime,
) -> Result<(Option<SecretValue>, OffsetDateTime), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let value = match form.secret.expose().trim() {
        "" if keep_saved => None,
        "" => {
            problems.push(problem("secret", "Enter the client secret's Value."));
            None
        }
        raw => match SecretValue::new(raw) {
            Ok(secret) if secret.looks_like_secret_id() => {
                problems.push(problem("secret", "This looks like the secret's ID. Enter its Value, which Entra shows only once, right after you create the secret."));
                None
            }
            Ok(secret) => Some(secret),
            Err(_) => None,
        },
    };
    let expires = parse_date(&form.secret_expires);
    match expires {
        None => problems.push(problem(
            "secret_expires",
            "Enter the expiry date shown next to the secret, as YYYY-MM-DD.",
        )),
        Some(at) => problems.extend(
            secret_policy(at, now)
                .iter()
                .filter(|p| p.is_blocking())
                .map(|p| problem("secret_expires", p.message())),
        ),
    }
    match (expires, problems.is_empty()) {
        (Some(expires), true) => Ok((value, expires)),
        _ => Err(problems),
    }
}

fn secret_policy(expires_at: OffsetDateTime, now: OffsetDateTime) -> Vec<CredentialProblem> {
    check_secret(
        &SecretFacts {
            created_at: None,
            expires_at: expires_at.unix_timestamp(),
        },
        now.unix_timestamp(),
    )
}

pub fn secret_advice(expires_at: OffsetDateTime, now: OffsetDateTime) -> Vec<String> {
    advice(&secret_policy(expires_at, now))
}

fn decoded(field: &str, base64: &str) -> Result<Vec<u8>, FieldProblem> {
    STANDARD
        .decode(base64.trim())
        .map_err(|_| problem(field, "The file could not be read; choose it again."))
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"-----BEGIN")
}

/// An uploaded certificate and private key, checked against the policy.
/// Advice that does not block is shown with the saved credential instead
/// (`certificate_advice`).
pub fn certificate(
    upload: &CertificateUpload,
    now: OffsetDateTime,
) -> Result<CertificateIntake, Vec<FieldProblem>> {
    if upload.private_key.is_blank() {
        return Err(vec![problem(
            "private_key",
            "Choose the private key: a .pfx file, or a PEM file with the key.",
        )]);
    }
    let key_file = decoded("private_key", upload.private_key.expose()).map_err(|p| vec![p])?;
    let certificate_file = match upload.certificate.trim() {
        "" => None,
        raw => Some(decoded("certificate", raw).map_err(|p| vec![p])?),
    };
    let (der, key_pem) = if looks_like_pem(&key_file) {
        let Some(certificate_file) = certificate_file else {
            return Err(vec![problem(
                "certificate",
                "A PEM key needs its certificate: choose the .cer, .crt or .pem file too.",
            )]);
        };
        let der = certificate_der(&certificate_file).map_err(|error| {
            vec![problem(
                "certificate",
                format!("This is not a certificate file ({error})."),
            )]
        })?;
        let key_pem = String::from_utf8(key_file)
            .map_err(|_| vec![problem("private_key", "The PEM key is not text.")])?;
        (der, key_pem)
    } else {
        let (der, key_pem) =
            read_pkcs12(&key_file, upload.password.expose()).map_err(|error| {
                vec![match error {
                    CertificateError::Pkcs12TooCostly { iterations } => problem(
                        "private_key",
                        format!("This .pfx asks for {iterations} key-derivation iterations; Tenantry accepts at most {} for any one part and {} for the whole file. Export it again with your tool's usual settings (Windows and OpenSSL defaults are fine).", entra::pkcs12_cost::MAX_ITERATIONS, entra::pkcs12_cost::MAX_TOTAL_ITERATIONS),
                    ),
                    CertificateError::Pkcs12TooLarge { bytes } => problem(
                        "private_key",
                        format!("This .pfx is {bytes} bytes; a certificate's .pfx is a few kilobytes, and Tenantry accepts at most {}. Export only the certificate and its key.", entra::pkcs12_cost::MAX_BYTES),
                    ),
                    CertificateError::Pkcs12TooManyParts => problem(
                        "private_key",
                        "This .pfx holds more entries than one certificate, its chain and its key. Export only the certificate Tenantry should use, with its key.",
                    ),
                    CertificateError::Pkcs12PasswordTooLong => problem(
                        "password",
                        format!("This password is longer than the {} characters Tenantry accepts for a .pfx.", entra::pkcs12_cost::MAX_PASSWORD_CHARS),
                    ),
                    CertificateError::Pkcs12UnexpectedContent => problem(
                        "private_key",
                        "This .pfx holds something other than a certificate and its key (a stored secret, or an entry Tenantry does not read). Export only the certificate with its key.",
                    ),
                    CertificateError::Pkcs12SchemeUnsupported => problem(
                        "private_key",
                        "This .pfx is protected with a scheme Tenantry does not open. Export it again from Windows or OpenSSL, or upload the certificate and a PEM key.",
                    ),
                    _ => problem(
                        "password",
                        "The .pfx could not be opened: check the password, or that the file is a .pfx (PKCS#12).",
                    ),
                }]
            })?;
        if let Some(certificate_file) = certificate_file {
            let uploaded = certificate_der(&certificate_file).ok();
            if uploaded.as_deref() != Some(der.as_slice()) {
                return Err(vec![problem(
                    "certificate",
                    "This certificate is not the one inside the .pfx. Choose the matching .cer, or leave it out: the .pfx already holds it.",
                )]);
            }
        }
        (der, key_pem)
    };
    let key = CertificateKey::from_pem(&der, key_pem.as_bytes()).map_err(|error| {
        vec![match error {
            CertificateError::KeyDoesNotMatch => problem(
                "private_key",
                "This private key does not belong to the certificate. Choose the key made together with it.",
            ),
            CertificateError::NotACertificate(_) => {
                problem("certificate", "This is not a certificate file.")
            }
            CertificateError::KeyNotRsa => problem(
                "certificate",
                CredentialProblem::KeyNotRsa.message(),
            ),
            _ => problem(
                "private_key",
                "The private key could not be read; use an RSA key as .pfx or PEM (PKCS#8 or PKCS#1).",
            ),
        }]
    })?;
    let problems = check_certificate(&key.facts, now.unix_timestamp());
    let blocking: Vec<FieldProblem> = problems
        .iter()
        .filter(|p| p.is_blocking())
        .map(|p| problem("certificate", p.message()))
        .collect();
    if !blocking.is_empty() {
        return Err(blocking);
    }
    Ok(CertificateIntake::from_key(&key, key_pem))
}

pub fn certificate_advice(der: &[u8], now: OffsetDateTime) -> Vec<String> {
    entra::certificate::certificate_facts(der)
        .map(|(facts, _)| advice(&check_certificate(&facts, now.unix_timestamp())))
        .unwrap_or_default()
}

/// How a stored credential is shown: never any secret part.
pub fn describe_secret(hint: &str, expires_at: &Timestamp, advice: Vec<String>) -> SavedCredential {
    SavedCredential {
        certificate: false,
        summary: format!("Client secret {hint}"),
        thumbprint: None,
        expires: expires_at.clone(),
        generated: false,
        advice,
    }
}

pub fn describe_certificate(
    subject: &str,
    thumbprint: &str,
    expires_at: &Timestamp,
    generated: bool,
    advice: Vec<String>,
) -> SavedCredential {
    SavedCredential {
        certificate: true,
        summary: format!("Certificate {subject}"),
        thumbprint: Some(thumbprint.to_owned()),
        expires: expires_at.clone(),
        generated,
        advice,
    }
}
