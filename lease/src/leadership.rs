//! Whether this replica leads, and work that runs only while it does.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Whether this replica holds the lease now, kept current by its [`crate::Candidate`]. Cheap to
/// clone.
#[derive(Clone, Debug)]
pub struct Leadership {
    leading: watch::Receiver<bool>,
    /// Keeps the sender of a leadership no campaign decides ([`Leadership::alone`]).
    _fixed: Option<Arc<watch::Sender<bool>>>,
}

impl Leadership {
    /// A leadership that `sender` decides.
    pub(crate) fn of(sender: &watch::Sender<bool>) -> Self {
        Self {
            leading: sender.subscribe(),
            _fixed: None,
        }
    }

    /// The leadership of a process that is the only one doing its work (a test, a benchmark):
    /// it always leads.
    pub fn alone() -> Self {
        let (sender, leading) = watch::channel(true);
        Self {
            leading,
            _fixed: Some(Arc::new(sender)),
        }
    }

    /// Whether this replica leads now.
    pub fn is_leading(&self) -> bool {
        *self.leading.borrow()
    }

    /// Waits until this replica leads (`true`) or follows (`false`). Returns `false` without
    /// waiting for leadership when the campaign has ended, as nobody will lead through it.
    pub async fn until(&mut self, leading: bool) -> bool {
        if self.leading.has_changed().is_err() {
            return !leading;
        }
        match self.leading.wait_for(|now| *now == leading).await {
            Ok(_) => true,
            Err(_) => !leading,
        }
    }
}

/// Runs the task `start` makes while `leadership` leads: started each time this replica takes
/// the lead, aborted as soon as it loses it. `what` names the work in the log.
pub fn while_leading<F>(mut leadership: Leadership, what: &'static str, start: F) -> JoinHandle<()>
where
    F: Fn() -> JoinHandle<()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            if !leadership.until(true).await {
                return;
            }
            tracing::info!("this replica leads: {what} started");
            // Aborted with this task too, not only when the lead is lost.
            let work = AbortOnDrop(start());
            leadership.until(false).await;
            drop(work);
            tracing::info!("this replica no longer leads: {what} stopped");
        }
    })
}

/// A task aborted when this is dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    /// Waits until `done` holds, or fails after a few seconds.
    async fn eventually(done: impl Fn() -> bool) {
        tokio::time::timeout(Duration::from_secs(5), async {
            while !done() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn work_runs_only_while_leading_and_starts_again_on_each_lead() {
        let (sender, _) = watch::channel(false);
        let starts = Arc::new(AtomicUsize::new(0));
        let running = Arc::new(AtomicUsize::new(0));
        let task = while_leading(Leadership::of(&sender), "test work", {
            let (starts, running) = (starts.clone(), running.clone());
            move || {
                starts.fetch_add(1, Ordering::SeqCst);
                let running = running.clone();
                tokio::spawn(async move {
                    let _alive = Alive::new(running);
                    std::future::pending::<()>().await;
                })
            }
        });
        tokio::task::yield_now().await;
        assert_eq!(starts.load(Ordering::SeqCst), 0);

        sender.send_replace(true);
        eventually(|| running.load(Ordering::SeqCst) == 1).await;
        sender.send_replace(false);
        eventually(|| running.load(Ordering::SeqCst) == 0).await;
        sender.send_replace(true);
        eventually(|| running.load(Ordering::SeqCst) == 1).await;
        assert_eq!(starts.load(Ordering::SeqCst), 2);

        // The campaign ending stops the work and the watcher.
        drop(sender);
        eventually(|| running.load(Ordering::SeqCst) == 0).await;
        eventually(|| task.is_finished()).await;
    }

    #[tokio::test]
    async fn aborting_the_watcher_stops_the_work() {
        let running = Arc::new(AtomicUsize::new(0));
        let task = while_leading(Leadership::alone(), "test work", {
            let running = running.clone();
            move || {
                let running = running.clone();
                tokio::spawn(async move {
                    let _alive = Alive::new(running);
                    std::future::pending::<()>().await;
                })
            }
        });
        eventually(|| running.load(Ordering::SeqCst) == 1).await;
        task.abort();
        eventually(|| running.load(Ordering::SeqCst) == 0).await;
    }

    #[tokio::test]
    async fn alone_always_leads() {
        let mut leadership = Leadership::alone();
        assert!(leadership.is_leading());
        assert!(leadership.until(true).await);
    }

    /// Counts itself in `running` while it lives.
    struct Alive(Arc<AtomicUsize>);

    impl Alive {
        fn new(running: Arc<AtomicUsize>) -> Self {
            running.fetch_add(1, Ordering::SeqCst);
            Self(running)
        }
    }

    impl Drop for Alive {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
