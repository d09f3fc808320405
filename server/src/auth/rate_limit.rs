//! A small fixed-window rate limit per client address, for the sign-in and token endpoints
//! (brute force and abuse). Kept in memory per replica: behind a load balancer each replica
//! limits on its own, which still bounds the total.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    per_window: u32,
    window: Duration,
    counts: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter").field("per_window", &self.per_window).field("window", &self.window).finish()
    }
}

impl RateLimiter {
    pub fn new(per_window: u32, window: Duration) -> Self {
        RateLimiter { per_window, window, counts: Mutex::new(HashMap::new()) }
    }

    /// Counts a request from `client`; `false` when it is over the limit.
    pub fn allow(&self, client: IpAddr, now: Instant) -> bool {
        let Ok(mut counts) = self.counts.lock() else {
            return true;
        };
        // Forget finished windows now and then so the map cannot grow without bound.
        if counts.len() > 10_000 {
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = counts.entry(client).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_the_limit_waits_for_the_next_window() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        let (a, b) = (IpAddr::from([127, 0, 0, 1]), IpAddr::from([127, 0, 0, 2]));
        let start = Instant::now();
        assert!((0..3).all(|_| limiter.allow(a, start)));
        assert!(!limiter.allow(a, start));
        assert!(limiter.allow(b, start), "limits are per client");
        assert!(limiter.allow(a, start + Duration::from_secs(61)));
    }
}
