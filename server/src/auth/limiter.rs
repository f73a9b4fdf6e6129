//! Failed logins counted per user and per client address: after too many in a minute, further
//! attempts are refused until the oldest failure is a minute old.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures allowed in [`WINDOW`] before attempts are refused.
pub const MAX_FAILURES: usize = 20;
/// The window failures are counted over.
pub const WINDOW: Duration = Duration::from_secs(60);

/// What failures are counted against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Client(IpAddr),
}

/// The failure counts of one console process.
#[derive(Debug, Default)]
pub struct Limiter {
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

impl Limiter {
    fn keys(user: &str, client: Option<IpAddr>) -> Vec<Key> {
        let mut keys = vec![Key::User(user.to_owned())];
        keys.extend(client.map(Key::Client));
        keys
    }

    /// How long `user` from `client` must wait before trying again, if at all.
    pub fn wait(&self, user: &str, client: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        Self::keys(user, client)
            .into_iter()
            .filter_map(|key| {
                let times = failures.get_mut(&key)?;
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= WINDOW)
                {
                    times.pop_front();
                }
                let oldest = *times.front()?;
                (times.len() >= MAX_FAILURES).then(|| WINDOW - now.duration_since(oldest))
            })
            .max()
    }

    /// Counts a failed attempt of `user` from `client`.
    pub fn failed(&self, user: &str, client: Option<IpAddr>, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.duration_since(*t) < WINDOW)
        });
        for key in Self::keys(user, client) {
            failures.entry(key).or_default().push_back(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attempt_after_the_limit_waits_until_the_oldest_failure_is_a_minute_old() {
        let limiter = Limiter::default();
        let start = Instant::now();
        let client = Some(IpAddr::from([10, 0, 0, 1]));
        for second in 0..MAX_FAILURES as u64 {
            let now = start + Duration::from_secs(second);
            assert_eq!(
                limiter.wait("ann", client, now),
                None,
                "attempt {}",
                second + 1
            );
            limiter.failed("ann", client, now);
        }
        let now = start + Duration::from_secs(30);
        assert_eq!(
            limiter.wait("ann", client, now),
            Some(Duration::from_secs(30))
        );
        // The same user from elsewhere waits too; another user from that address as well.
        assert!(
            limiter
                .wait("ann", Some(IpAddr::from([10, 0, 0, 2])), now)
                .is_some()
        );
        assert!(limiter.wait("bob", client, now).is_some());
        assert_eq!(limiter.wait("bob", None, now), None);
        let later = start + WINDOW;
        assert_eq!(
            limiter.wait("ann", client, later),
            None,
            "the first failure aged out"
        );
    }
}
