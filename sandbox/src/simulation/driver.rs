//! The loop every simulated controller runs: follow the store's change feed, queue the keys a
//! change concerns, and reconcile them one at a time, each as often as its own timer asks.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::future::Future;
use std::time::Duration;

use tokio::sync::broadcast::error::TryRecvError;
use tokio::time::Instant;

use crate::api::ApiError;
use crate::cluster::Cluster;
use crate::controllers::{Next, next};
use crate::store::{Event, ObjectKey};

/// How soon a reconcile that failed is tried again.
const RETRY: Duration = Duration::from_secs(1);
/// The least time between two reconciles of one key: a burst of changes to an object's
/// dependents (a thousand pods starting) costs a few reconciles of it, not one per change.
const MIN_INTERVAL: Duration = Duration::from_millis(50);

/// A level-based controller: given a key, it looks at the store and moves the object one step
/// towards what it should be.
pub(super) trait Controller: Send + 'static {
    /// The controller's name in logs.
    const NAME: &'static str;

    /// Every key worth reconciling, on start and after falling behind the change feed.
    fn all_keys(&mut self, cluster: &Cluster) -> Vec<ObjectKey>;

    /// The keys a change concerns.
    fn keys_for(&mut self, cluster: &Cluster, event: &Event) -> Vec<ObjectKey>;

    /// Reconciles `key`; `Some(delay)` asks to be called again after `delay` even if
    /// nothing changes (a container that will crash, a schedule that will fire).
    fn reconcile(
        &mut self,
        cluster: &Cluster,
        key: &ObjectKey,
    ) -> impl Future<Output = Result<Option<Duration>, ApiError>> + Send;
}

/// Keys waiting for a reconcile, each at most once, in arrival order.
#[derive(Default)]
struct Queue {
    order: VecDeque<ObjectKey>,
    queued: HashSet<ObjectKey>,
}

impl Queue {
    fn extend(&mut self, keys: impl IntoIterator<Item = ObjectKey>) {
        for key in keys {
            if self.queued.insert(key.clone()) {
                self.order.push_back(key);
            }
        }
    }

    fn pop(&mut self) -> Option<ObjectKey> {
        let key = self.order.pop_front()?;
        self.queued.remove(&key);
        Some(key)
    }
}

/// One pending wake-up per key: the latest reconcile's wish replaces earlier ones.
#[derive(Default)]
struct Timers {
    due: BTreeSet<(Instant, ObjectKey)>,
    by_key: HashMap<ObjectKey, Instant>,
}

impl Timers {
    fn set(&mut self, key: ObjectKey, at: Instant) {
        if let Some(previous) = self.by_key.insert(key.clone(), at) {
            self.due.remove(&(previous, key.clone()));
        }
        self.due.insert((at, key));
    }

    /// Wakes `key` at `at`, unless it is already due sooner.
    fn set_no_later(&mut self, key: ObjectKey, at: Instant) {
        if self.by_key.get(&key).is_none_or(|due| *due > at) {
            self.set(key, at);
        }
    }

    fn clear(&mut self, key: &ObjectKey) {
        if let Some(previous) = self.by_key.remove(key) {
            self.due.remove(&(previous, key.clone()));
        }
    }

    fn next(&self) -> Option<Instant> {
        self.due.first().map(|(at, _)| *at)
    }

    fn take_due(&mut self, now: Instant) -> Vec<ObjectKey> {
        let mut keys = Vec::new();
        while let Some((at, _)) = self.due.first()
            && *at <= now
        {
            if let Some((_, key)) = self.due.pop_first() {
                self.by_key.remove(&key);
                keys.push(key);
            }
        }
        keys
    }
}

/// Runs `controller` until the store's change feed closes.
pub(super) async fn run<C: Controller>(cluster: Cluster, mut controller: C) {
    let (_, mut subscription) = cluster.store().subscribe_now();
    let mut queue = Queue::default();
    let mut timers = Timers::default();
    let mut last_run: HashMap<ObjectKey, Instant> = HashMap::new();
    queue.extend(controller.all_keys(&cluster));
    loop {
        // Take every change already waiting, so a burst costs one reconcile per object.
        loop {
            match subscription.live.try_recv() {
                Ok(event) => queue.extend(controller.keys_for(&cluster, &event)),
                Err(TryRecvError::Lagged(_)) => queue.extend(controller.all_keys(&cluster)),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Closed) => return,
            }
        }
        queue.extend(timers.take_due(Instant::now()));
        if let Some(key) = queue.pop() {
            let now = Instant::now();
            if let Some(last) = last_run.get(&key)
                && now < *last + MIN_INTERVAL
            {
                timers.set_no_later(key, *last + MIN_INTERVAL);
                continue;
            }
            if last_run.len() > 100_000 {
                last_run.retain(|_, at| now < *at + MIN_INTERVAL);
            }
            last_run.insert(key.clone(), now);
            timers.clear(&key);
            match controller.reconcile(&cluster, &key).await {
                Ok(Some(delay)) => timers.set(key, Instant::now() + delay),
                Ok(None) => {}
                Err(error) => {
                    if !matches!(error, ApiError::Conflict { .. } | ApiError::NotFound { .. }) {
                        tracing::warn!(controller = C::NAME, %key, "reconcile failed: {error}");
                    }
                    timers.set(key, Instant::now() + RETRY);
                }
            }
            continue;
        }
        let wake = timers.next();
        tokio::select! {
            received = next(&mut subscription.live) => match received {
                Next::Event(event) => queue.extend(controller.keys_for(&cluster, &event)),
                Next::Resync => queue.extend(controller.all_keys(&cluster)),
                Next::Closed => return,
            },
            () = sleep_until(wake) => {}
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> ObjectKey {
        ObjectKey::new("", "pods", "demo", name)
    }

    #[test]
    fn queue_holds_each_key_once_in_arrival_order() {
        let mut queue = Queue::default();
        queue.extend([key("a"), key("b"), key("a")]);
        assert_eq!(queue.pop(), Some(key("a")));
        queue.extend([key("a")]);
        assert_eq!(queue.pop(), Some(key("b")));
        assert_eq!(queue.pop(), Some(key("a")));
        assert_eq!(queue.pop(), None);
    }

    #[test]
    fn a_later_timer_replaces_the_earlier_one() {
        let mut timers = Timers::default();
        let now = Instant::now();
        timers.set(key("a"), now + Duration::from_secs(1));
        timers.set(key("a"), now + Duration::from_secs(5));
        timers.set_no_later(key("a"), now + Duration::from_secs(9));
        assert_eq!(timers.by_key[&key("a")], now + Duration::from_secs(5));
        timers.set(key("b"), now + Duration::from_secs(2));
        assert_eq!(timers.next(), Some(now + Duration::from_secs(2)));
        assert_eq!(
            timers.take_due(now + Duration::from_secs(3)),
            vec![key("b")]
        );
        timers.clear(&key("a"));
        assert_eq!(timers.next(), None);
    }
}
