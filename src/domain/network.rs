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
}
