//! Which address a request comes from, for the sign-in and token rate limits. Behind a load
//! balancer every request arrives from the balancer, so one limit would be shared by everyone;
//! the proxies named in `PLUMBLINE_TRUSTED_PROXIES` are looked through by way of
//! `X-Forwarded-For`. Only those: a client cannot pick its own address by sending the header.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// Addresses and networks (`10.0.0.0/8`, `::1`) of the reverse proxies in front of Plumbline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses addresses or CIDR networks separated by commas (empty: none).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut networks = Vec::new();
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (address, length) = match item.split_once('/') {
                Some((address, length)) => (address, Some(length)),
                None => (item, None),
            };
            let address: IpAddr =
                address.parse().map_err(|_| format!("{item:?} is not an IP address or network (like 10.0.0.0/8)"))?;
            let max = if address.is_ipv4() { 32 } else { 128 };
            let length = match length {
                Some(text) => text
                    .parse::<u8>()
                    .ok()
                    .filter(|l| *l <= max)
                    .ok_or_else(|| format!("{item:?}: the prefix length must be 0 to {max}"))?,
                None => max,
            };
            networks.push((address, length));
        }
        Ok(TrustedProxies(networks))
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|(network, length)| in_network(address, *network, *length))
    }

    /// The client: the peer, unless it is a trusted proxy; then, reading `X-Forwarded-For` from
    /// the right (each proxy appends the address it received from), the first address that is
    /// not a trusted proxy. An unreadable entry stops the walk at the last good hop.
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.ip();
        if !self.contains(client) {
            return client;
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for entry in forwarded.into_iter().rev() {
            let Some(hop) = parse_hop(entry.trim()) else {
                return client;
            };
            client = hop;
            if !self.contains(hop) {
                return hop;
            }
        }
        client
    }
}

/// An address as proxies write it: bare, or with a port (`1.2.3.4:5678`, `[::1]:5678`).
fn parse_hop(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>().ok().or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

fn in_network(address: IpAddr, network: IpAddr, length: u8) -> bool {
    match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            prefix_matches(u128::from(u32::from(a)), u128::from(u32::from(n)), length, 32)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => prefix_matches(u128::from(a), u128::from(n), length, 128),
        // An IPv4 client seen through an IPv6 socket.
        (IpAddr::V6(a), IpAddr::V4(_)) => {
            a.to_ipv4_mapped().is_some_and(|a| in_network(IpAddr::V4(a), network, length))
        }
        (IpAddr::V4(_), IpAddr::V6(_)) => false,
    }
}

fn prefix_matches(address: u128, network: u128, length: u8, bits: u32) -> bool {
    let length = u32::from(length);
    if length == 0 {
        return true;
    }
    let shift = bits - length;
    (address >> shift) == (network >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-forwarded-for", value.parse().unwrap());
        }
        map
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 40000)
    }

    #[test]
    fn networks_parse_and_match() {
        let trusted = TrustedProxies::parse(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8").unwrap();
        assert!(trusted.contains("10.200.3.4".parse().unwrap()));
        assert!(!trusted.contains("11.0.0.1".parse().unwrap()));
        assert!(trusted.contains("192.168.1.7".parse().unwrap()));
        assert!(!trusted.contains("192.168.1.8".parse().unwrap()));
        assert!(trusted.contains("fd12::1".parse().unwrap()));
        assert!(trusted.contains("::ffff:10.1.2.3".parse().unwrap()), "IPv4-mapped");
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "proxy.internal", "10.0.0.0/x"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_nearest_untrusted_hop() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // Without a trusted peer the header is the client's own say: ignored.
        assert_eq!(trusted.client(peer("203.0.113.9"), &headers(&["1.2.3.4"])).to_string(), "203.0.113.9");
        assert_eq!(TrustedProxies::default().client(peer("10.0.0.1"), &headers(&["1.2.3.4"])).to_string(), "10.0.0.1");
        // Through the balancer: the address it received from.
        assert_eq!(trusted.client(peer("10.0.0.1"), &headers(&["203.0.113.9"])).to_string(), "203.0.113.9");
        // A client's own (spoofed) entries are left of the one the proxy appended.
        let spoofed = headers(&["6.6.6.6, 203.0.113.9", "10.0.0.2"]);
        assert_eq!(trusted.client(peer("10.0.0.1"), &spoofed).to_string(), "203.0.113.9");
        assert_eq!(trusted.client(peer("10.0.0.1"), &headers(&["[2001:db8::1]:443"])).to_string(), "2001:db8::1");
        // Garbage stops the walk at the last hop known good; no header leaves the proxy itself.
        assert_eq!(trusted.client(peer("10.0.0.1"), &headers(&["junk, 10.0.0.3"])).to_string(), "10.0.0.3");
        assert_eq!(trusted.client(peer("10.0.0.1"), &HeaderMap::new()).to_string(), "10.0.0.1");
    }
}
