//! Who is on the other end of a request. Behind a reverse proxy the direct
//! peer is the proxy, and the client's address is in `X-Forwarded-For`,
//! which each proxy appends to. Everything left of the entry our own proxy
//! appended was written by the client and proves nothing, so the header is
//! believed only when the peer is a configured proxy, and read from the
//! right: the first address that is not one of ours is the client.

use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)")]
pub struct NotAnAddress(pub String);

impl TrustedProxies {
    /// Addresses and networks separated by commas or spaces; empty means
    /// no proxy is trusted and the peer is always the client.
    pub fn parse(text: &str) -> Result<Self, NotAnAddress> {
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| NotAnAddress(part.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An IPv4 address that arrived as IPv6 (`::ffff:10.0.0.5`) is the IPv4 one.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn hop(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .or_else(|_| text.parse::<SocketAddr>().map(|socket| socket.ip()))
        .ok()
        .map(canonical)
}

/// The client's address, given the direct peer and every `X-Forwarded-For`
/// header value in the order received.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &TrustedProxies) -> IpAddr {
    let mut client = canonical(peer);
    if !trusted.trusts(client) {
        return client;
    }
    let hops = forwarded_for.iter().flat_map(|value| value.split(','));
    for text in hops.collect::<Vec<_>>().into_iter().rev() {
        let Some(address) = hop(text) else {
            // A proxy of ours writes addresses; anything else came from
            // the client, and the last proxy's peer is all we know.
            return client;
        };
        client = address;
        if !trusted.trusts(address) {
            return client;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(text: &str) -> TrustedProxies {
        TrustedProxies::parse(text).unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        let trusted = TrustedProxies::default();
        assert_eq!(
            client_address(ip("203.0.113.9"), &["198.51.100.1"], &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() {
        let trusted = proxies("10.0.0.0/8");
        let header = ["1.2.3.4, 198.51.100.7, 10.0.0.3"];
        assert_eq!(
            client_address(ip("10.0.0.2"), &header, &trusted),
            ip("198.51.100.7"),
            "1.2.3.4 was written by the client and is ignored"
        );
    }

    #[test]
    fn several_header_lines_read_as_one_list() {
        let trusted = proxies("10.0.0.2");
        assert_eq!(
            client_address(ip("10.0.0.2"), &["1.2.3.4", "198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_header_from_an_untrusted_peer_is_ignored() {
        let trusted = proxies("10.0.0.2");
        assert_eq!(
            client_address(ip("203.0.113.9"), &["10.0.0.2"], &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn garbage_in_the_header_stops_the_walk_at_the_last_known_hop() {
        let trusted = proxies("10.0.0.2, 10.0.0.3");
        assert_eq!(
            client_address(ip("10.0.0.2"), &["not-an-ip, 10.0.0.3"], &trusted),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn ipv4_mapped_addresses_match_ipv4_networks() {
        let trusted = proxies("127.0.0.1");
        assert_eq!(
            client_address(ip("::ffff:127.0.0.1"), &["198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_list_with_a_typo_is_refused_with_the_entry_named() {
        assert_eq!(
            TrustedProxies::parse("10.0.0.1, 10.0.0.300"),
            Err(NotAnAddress("10.0.0.300".to_owned()))
        );
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }
}
