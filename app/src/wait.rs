//! Waiting in the browser, for controls that show progress until the cluster reflects a change.

use std::time::Duration;

/// How often a control asks whether the cluster reflects its change yet.
pub(crate) const POLL: Duration = Duration::from_millis(500);

/// Resolves after `duration` (in the browser; such waits never run while rendering on the
/// server).
pub(crate) async fn sleep(duration: Duration) {
    let (done, wait) = futures::channel::oneshot::channel::<()>();
    leptos::prelude::set_timeout(
        move || {
            let _ = done.send(());
        },
        duration,
    );
    let _ = wait.await;
}
