//! Refused logins counted per address: an address that has been refused `max` times within the
//! window is turned away (new connections, and the console it is on) until the oldest refusal
//! leaves the window. The operator's own lock after wrong passwords (`[service]`) still applies;
//! this stops one address from trying many logins.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct LoginGate {
    max: usize,
    window: Duration,
    refused: HashMap<IpAddr, VecDeque<Instant>>,
}

impl LoginGate {
    pub fn new(max: usize, window: Duration) -> LoginGate {
        LoginGate { max: max.max(1), window, refused: HashMap::new() }
    }

    fn prune(&mut self, ip: IpAddr, now: Instant) {
        if let Some(times) = self.refused.get_mut(&ip) {
            while times.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
                times.pop_front();
            }
            if times.is_empty() {
                self.refused.remove(&ip);
            }
        }
    }

    /// Whether `ip` is turned away now.
    pub fn closed(&mut self, ip: IpAddr, now: Instant) -> bool {
        self.prune(ip, now);
        self.refused.get(&ip).is_some_and(|t| t.len() >= self.max)
    }

    /// Counts a refused login from `ip`; whether the address is turned away after it.
    pub fn refuse(&mut self, ip: IpAddr, now: Instant) -> bool {
        self.prune(ip, now);
        self.refused.entry(ip).or_default().push_back(now);
        self.closed(ip, now)
    }

    /// Addresses with refusals in the window (kept small: old ones go as they are looked at,
    /// and all of them here).
    pub fn sweep(&mut self, now: Instant) {
        let window = self.window;
        self.refused.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_closed_after_max_refusals_within_the_window_and_opens_after_it() {
        let mut g = LoginGate::new(3, Duration::from_secs(60));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        assert!(!g.refuse(a, t0));
        assert!(!g.refuse(a, t0 + Duration::from_secs(10)));
        assert!(!g.closed(a, t0 + Duration::from_secs(11)));
        assert!(g.refuse(a, t0 + Duration::from_secs(20)));
        assert!(g.closed(a, t0 + Duration::from_secs(30)));
        // another address is not affected
        assert!(!g.closed(b, t0 + Duration::from_secs(30)));
        // the first refusal leaves the window: two remain, the address is open again
        assert!(!g.closed(a, t0 + Duration::from_secs(60)));
        g.sweep(t0 + Duration::from_secs(200));
        assert!(g.refused.is_empty());
    }
}
