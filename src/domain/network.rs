//! IP and MAC addresses as the NOC types them.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("'{0}' is not an IP address")]
    BadIp(String),
    #[error(
        "'{0}' is not a MAC address: use 00:11:22:33:44:55, 00-11-22-33-44-55, 0011.2233.4455 or 001122334455"
    )]
    BadMac(String),
    #[error("'{0}' has no /prefix")]
    NoPrefix(String),
    #[error("'{0}' is not a prefix length")]
    BadPrefix(String),
    #[error("/{prefix} for {first}: use /{lo}–/{hi}")]
    PrefixRange { prefix: u8, first: String, lo: u8, hi: u8 },
    #[error("{first} is not the first address of a /{prefix}: that block starts at {start}")]
    NotFirst { first: String, prefix: u8, start: String },
}

/// An IPv4 or IPv6 address, stored in its canonical text form (`10.0.3.14`, `2001:db8::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ip(pub IpAddr);

impl Ip {
    pub fn parse(input: &str) -> Result<Ip, AddressError> {
        let t = input.trim();
        IpAddr::from_str(t).map(Ip).map_err(|_| AddressError::BadIp(t.to_string()))
    }

    /// True when the text looks like a dotted quad or an IPv6 address (for search detection).
    pub fn looks_like(input: &str) -> bool {
        Ip::parse(input).is_ok()
    }

    /// The address as a sort key: `4` and 8 hex digits, or `6` and 32. Keys of one family have
    /// one length, so comparing them as text compares the addresses; every IPv4 key sorts
    /// before every IPv6 key.
    pub fn key(self) -> String {
        match self.0 {
            IpAddr::V4(a) => format!("4{:08x}", u32::from(a)),
            IpAddr::V6(a) => format!("6{:032x}", u128::from(a)),
        }
    }

    /// The address in the hex form UserSide's `get_last_ip` answers with (`0a00030e`).
    pub fn hex(self) -> String {
        self.key()[1..].to_string()
    }

    pub fn is_v4(self) -> bool {
        self.0.is_ipv4()
    }
}

/// A block of addresses given by its first address and prefix length (`10.0.3.0/29`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Subnet {
    pub first: Ip,
    pub prefix: u8,
}

/// The prefix lengths a customer's subnet may have: from a /16 (IPv4) or /32 (IPv6) down to
/// one address.
pub const V4_PREFIXES: std::ops::RangeInclusive<u8> = 16..=32;
pub const V6_PREFIXES: std::ops::RangeInclusive<u8> = 32..=128;

impl Subnet {
    /// Checks that `first` really is the first address of a block of that length.
    pub fn new(first: Ip, prefix: u8) -> Result<Subnet, AddressError> {
        let range = if first.is_v4() { V4_PREFIXES } else { V6_PREFIXES };
        if !range.contains(&prefix) {
            return Err(AddressError::PrefixRange {
                prefix,
                first: first.to_string(),
                lo: *range.start(),
                hi: *range.end(),
            });
        }
        let net = Subnet { first, prefix };
        if net.first_addr() != first {
            return Err(AddressError::NotFirst {
                first: first.to_string(),
                prefix,
                start: net.first_addr().to_string(),
            });
        }
        Ok(net)
    }

    /// `10.0.3.0/29`, or the first address and a prefix given apart (`10.0.3.0`, `29`).
    pub fn parse(input: &str) -> Result<Subnet, AddressError> {
        let t = input.trim();
        let (ip, prefix) = t.split_once('/').ok_or_else(|| AddressError::NoPrefix(t.to_string()))?;
        let prefix: u8 =
            prefix.trim().parse().map_err(|_| AddressError::BadPrefix(prefix.trim().to_string()))?;
        Subnet::new(Ip::parse(ip)?, prefix)
    }

    fn host_bits(self) -> u32 {
        let width = if self.first.is_v4() { 32 } else { 128 };
        width - u32::from(self.prefix)
    }

    fn first_addr(self) -> Ip {
        let h = self.host_bits();
        match self.first.0 {
            IpAddr::V4(a) => {
                let mask = if h >= 32 { 0 } else { u32::MAX << h };
                Ip(IpAddr::V4((u32::from(a) & mask).into()))
            }
            IpAddr::V6(a) => {
                let mask = if h >= 128 { 0 } else { u128::MAX << h };
                Ip(IpAddr::V6((u128::from(a) & mask).into()))
            }
        }
    }

    pub fn last(self) -> Ip {
        let h = self.host_bits();
        match self.first.0 {
            IpAddr::V4(a) => {
                let host = if h >= 32 { u32::MAX } else { (1u32 << h) - 1 };
                Ip(IpAddr::V4((u32::from(a) | host).into()))
            }
            IpAddr::V6(a) => {
                let host = if h >= 128 { u128::MAX } else { (1u128 << h) - 1 };
                Ip(IpAddr::V6((u128::from(a) | host).into()))
            }
        }
    }

    /// How many addresses the block holds (saturating for huge IPv6 blocks).
    pub fn size(self) -> u128 {
        1u128.checked_shl(self.host_bits()).unwrap_or(u128::MAX)
    }
}

impl fmt::Display for Subnet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.first, self.prefix)
    }
}

impl fmt::Display for Ip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Ip {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Ip {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ip::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A MAC address, stored as `00:11:22:33:44:55` (lower case, colons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac([u8; 6]);

impl Mac {
    pub fn parse(input: &str) -> Result<Mac, AddressError> {
        let t = input.trim();
        let bad = || AddressError::BadMac(t.to_string());
        let hex: String = match t.len() {
            // 00:11:22:33:44:55 or 00-11-22-33-44-55
            17 => {
                let sep = t.as_bytes()[2];
                if sep != b':' && sep != b'-' {
                    return Err(bad());
                }
                for (i, b) in t.bytes().enumerate() {
                    if i % 3 == 2 && b != sep {
                        return Err(bad());
                    }
                }
                t.chars().filter(|c| *c != sep as char).collect()
            }
            // 0011.2233.4455 (Cisco)
            14 => {
                let b = t.as_bytes();
                if b[4] != b'.' || b[9] != b'.' {
                    return Err(bad());
                }
                t.chars().filter(|c| *c != '.').collect()
            }
            12 => t.to_string(),
            _ => return Err(bad()),
        };
        if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut out = [0u8; 6];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).map_err(|_| bad())?;
        }
        Ok(Mac(out))
    }

    pub fn octets(self) -> [u8; 6] {
        self.0
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = self.0;
        write!(f, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3], o[4], o[5])
    }
}

impl Serialize for Mac {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Mac {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Mac::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_mac_spelling_normalises_to_one_form() {
        for s in [
            "00:11:22:33:44:5F",
            "00-11-22-33-44-5f",
            "0011.2233.445f",
            "00112233445F",
            " 00:11:22:33:44:5f ",
        ] {
            assert_eq!(Mac::parse(s).map(|m| m.to_string()), Ok("00:11:22:33:44:5f".into()), "{s}");
        }
    }

    #[test]
    fn bad_macs_are_refused() {
        for s in
            ["", "00:11:22:33:44", "00:11-22:33:44:55", "0011.2233.44555", "zz1122334455", "001122.334455"]
        {
            assert!(Mac::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn ips_are_validated_and_canonical() {
        assert_eq!(Ip::parse("10.0.3.14").map(|i| i.to_string()), Ok("10.0.3.14".into()));
        assert_eq!(Ip::parse("2001:DB8:0::1").map(|i| i.to_string()), Ok("2001:db8::1".into()));
        assert!(Ip::parse("10.0.3.256").is_err());
        assert!(Ip::parse("10.0.3").is_err());
        assert!(Ip::parse("ленина").is_err());
    }

    #[test]
    fn keys_sort_like_addresses_and_families_never_mix() {
        let k = |s: &str| Ip::parse(s).unwrap().key();
        assert_eq!(k("10.0.3.14"), "40a00030e");
        assert!(k("9.255.255.255") < k("10.0.0.0"));
        assert!(k("255.255.255.255") < k("::"));
        assert_eq!(k("2001:db8::1").len(), 33);
        assert_eq!(Ip::parse("10.0.3.14").unwrap().hex(), "0a00030e");
    }

    #[test]
    fn subnets_start_at_their_first_address() {
        let n = Subnet::parse("10.0.3.8/29").unwrap();
        assert_eq!(n.last().to_string(), "10.0.3.15");
        assert_eq!(n.size(), 8);
        assert_eq!(Subnet::parse("10.0.3.8/32").unwrap().last().to_string(), "10.0.3.8");
        let e = Subnet::parse("10.0.3.9/29").unwrap_err().to_string();
        assert!(e.contains("starts at 10.0.3.8"), "{e}");
        assert!(Subnet::parse("10.0.0.0/8").is_err());
        assert!(Subnet::parse("10.0.0.0/33").is_err());
        assert!(Subnet::parse("10.0.0.0").is_err());
        let v6 = Subnet::parse("2001:db8:1::/64").unwrap();
        assert_eq!(v6.last().to_string(), "2001:db8:1:0:ffff:ffff:ffff:ffff");
        assert_eq!(Subnet::parse("2001:db8::/128").unwrap().size(), 1);
    }
}
