//! The credential of an `Authorization: Bearer …` header, as both the
//! JSON API's tokens and the metrics token arrive. The scheme's name is
//! case-insensitive (RFC 9110 §11.1).

use axum::http::{header, HeaderMap};

pub fn credential(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credential) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credential.trim())
}
