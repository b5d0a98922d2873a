//! Outgoing webhooks as the Standard Webhooks convention has them, so a
//! receiver can check a message came from Tenantry and is fresh: headers
//! `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64
//! HMAC-SHA256 of "id.timestamp.body">`, keyed with a `whsec_` secret;
//! while a secret is being replaced, both sign and both signatures are
//! sent. And where such a message may go: never to this machine or the
//! networks behind it, judged on the addresses a name resolves to.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use ipnet::IpNet;
use sha2::Sha256;
use std::net::IpAddr;

const PREFIX: &str = "whsec_";
/// Bytes of a secret Tenantry makes; the convention allows 24 to 64.
pub const SECRET_BYTES: usize = 32;
/// How far a message's timestamp may be from the receiver's clock.
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// The key of a webhook's signatures. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(redacted)")
    }
}

impl WebhookSecret {
    /// A secret from random bytes the caller drew.
    pub fn from_random(bytes: [u8; SECRET_BYTES]) -> Self {
        Self(bytes.to_vec())
    }

    /// `whsec_` and the key in base64, as it is shown once and stored sealed.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let encoded = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or("a webhook secret begins with whsec_")?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| "a webhook secret is whsec_ followed by base64")?;
        if !(24..=64).contains(&bytes.len()) {
            return Err("a webhook secret holds 24 to 64 bytes");
        }
        Ok(Self(bytes))
    }

    pub fn expose(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-signature` header: one signature per secret, separated by
/// spaces (the new secret and the one it replaces, during a rotation).
pub fn signature_header(
    secrets: &[WebhookSecret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|secret| secret.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a receiver checks: one of the header's signatures is `secret`'s for
/// this message, and its timestamp is within the tolerance of `now`.
pub fn verify(
    secret: &WebhookSecret,
    header: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
    now: i64,
) -> bool {
    if now.abs_diff(timestamp) > TOLERANCE_SECS.unsigned_abs() {
        return false;
    }
    let expected = secret.sign(id, timestamp, body);
    header
        .split(' ')
        .any(|signature| constant_time_eq(signature.as_bytes(), expected.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Networks no webhook may reach, with the reason shown to the admin.
const REFUSED: &[(&str, &str)] = &[
    ("0.0.0.0/8", "an unspecified address"),
    ("10.0.0.0/8", "a private network"),
    ("100.64.0.0/10", "a carrier's shared network"),
    ("127.0.0.0/8", "this machine"),
    (
        "169.254.0.0/16",
        "a link-local address (cloud metadata services live here)",
    ),
    ("172.16.0.0/12", "a private network"),
    ("192.0.0.0/24", "a reserved network"),
    ("192.0.2.0/24", "a documentation network"),
    ("192.168.0.0/16", "a private network"),
    ("198.18.0.0/15", "a benchmarking network"),
    ("198.51.100.0/24", "a documentation network"),
    ("203.0.113.0/24", "a documentation network"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved network"),
    ("::/128", "an unspecified address"),
    ("::1/128", "this machine"),
    ("fc00::/7", "a private network"),
    ("fe80::/10", "a link-local address"),
    ("ff00::/8", "a multicast address"),
    ("2001:db8::/32", "a documentation network"),
    // Forms that carry an IPv4 address inside, which a gateway may reach.
    ("::/96", "an IPv4-compatible address"),
    ("64:ff9b::/96", "a NAT64 address"),
    ("64:ff9b:1::/48", "a NAT64 address"),
    ("2001::/32", "a Teredo address"),
    ("2002::/16", "a 6to4 address"),
    ("192.88.99.0/24", "a 6to4 relay"),
    ("::ffff:0:0:0/96", "an IPv4-translated address"),
    ("fec0::/10", "a site-local address"),
];

/// Why a webhook may not be sent to `address`, if it may not. Loopback is
/// allowed only when the operator said so (tests, a receiver on this
/// machine); an IPv4 address written as IPv6 is judged as IPv4. Judged on
/// the address alone: a NAT64 prefix a network chose for itself cannot be
/// told from a public address.
pub fn refused(address: IpAddr, loopback_allowed: bool) -> Option<&'static str> {
    let address = match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    if loopback_allowed && address.is_loopback() {
        return None;
    }
    REFUSED.iter().find_map(|(network, reason)| {
        network
            .parse::<IpNet>()
            .is_ok_and(|network| network.contains(&address))
            .then_some(*reason)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> WebhookSecret {
        WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap()
    }

    #[test]
    fn the_signature_is_the_conventions_known_answer() {
        // The example of the Standard Webhooks specification.
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature_header(
                &[secret()],
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                body
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_receiver_accepts_any_signature_of_a_rotation_and_nothing_stale_or_altered() {
        let old = secret();
        let new = WebhookSecret::from_random([7; SECRET_BYTES]);
        let body = b"{\"event\":\"registration.failing\"}";
        let header = signature_header(&[new.clone(), old.clone()], "msg_1", 1_000, body);
        assert!(verify(&old, &header, "msg_1", 1_000, body, 1_000));
        assert!(verify(
            &new,
            &header,
            "msg_1",
            1_000,
            body,
            1_000 + TOLERANCE_SECS
        ));
        assert!(!verify(
            &new,
            &header,
            "msg_1",
            1_000,
            body,
            1_001 + TOLERANCE_SECS
        ));
        assert!(!verify(&new, &header, "msg_2", 1_000, body, 1_000));
        assert!(!verify(&new, &header, "msg_1", 1_000, b"{}", 1_000));
        let other = WebhookSecret::from_random([8; SECRET_BYTES]);
        assert!(!verify(&other, &header, "msg_1", 1_000, body, 1_000));
    }

    #[test]
    fn a_secret_round_trips_is_checked_when_read_and_never_debug_printed() {
        let made = WebhookSecret::from_random([42; SECRET_BYTES]);
        assert!(made.expose().starts_with("whsec_"));
        assert_eq!(WebhookSecret::parse(&made.expose()), Ok(made.clone()));
        assert!(!format!("{made:?}").contains(&made.expose()[6..]));
        assert!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(WebhookSecret::parse("whsec_not*base64").is_err());
        assert!(WebhookSecret::parse("whsec_c2hvcnQ=").is_err(), "too short");
    }

    #[test]
    fn private_loopback_and_link_local_addresses_are_refused() {
        for address in [
            "10.1.2.3",
            "172.31.255.255",
            "192.168.0.10",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::10.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::1",
            "2001:0:a00:1::1",
            "fec0::1",
        ] {
            assert!(
                refused(address.parse().unwrap(), true).is_some(),
                "{address}"
            );
        }
        assert_eq!(
            refused("127.0.0.1".parse().unwrap(), false),
            Some("this machine")
        );
        assert_eq!(refused("::1".parse().unwrap(), false), Some("this machine"));
        assert_eq!(refused("127.0.0.1".parse().unwrap(), true), None);
        assert_eq!(refused("::ffff:127.0.0.1".parse().unwrap(), true), None);
        for public in ["52.96.1.1", "172.32.0.1", "2603:1030::1"] {
            assert_eq!(refused(public.parse().unwrap(), false), None, "{public}");
        }
    }
}
