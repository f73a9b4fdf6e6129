//! Pages that follow the cluster: server-sent events from `/live/changes` and `/live/logs`,
//! opened in the browser only (a page rendered on the server is complete as it is).

use leptos::prelude::*;
use orbital_types::{Kind, LiveTarget, Query};

/// How long a burst of changes is gathered before the page reads afresh once.
#[cfg(feature = "hydrate")]
const GATHER: std::time::Duration = std::time::Duration::from_millis(300);

/// The address of the change stream for `targets`.
pub(crate) fn changes_url(targets: &[LiveTarget]) -> String {
    use crate::url::encode;
    let mut url = "/live/changes?".to_owned();
    for (at, target) in targets.iter().enumerate() {
        if at > 0 {
            url.push('&');
        }
        url.push_str("target=");
        url.push_str(&encode(&serde_json::to_string(target).unwrap_or_default()));
    }
    url
}

/// The address of the change stream of the list of `kind` across clusters that `query` asks
/// for: only its cluster and namespace narrow it, since a change can bring an object into the
/// other filters or take it out.
pub(crate) fn view_url(kind: &Kind, query: &Query) -> String {
    use crate::url::encode;
    let mut url = format!("/live/view?kind={}", encode(&kind.address()));
    for (key, value) in [("cluster", &query.cluster), ("namespace", &query.namespace)] {
        if let Some(value) = value {
            url.push_str(&format!("&{key}={}", encode(value)));
        }
    }
    url
}

/// A count that goes up after each burst of `open` and `change` events from the stream at
/// `url` (one of [`changes_url`] or [`view_url`]; `open` for what may have been missed before
/// it): what reads it is read again. On the server it stays at zero.
pub(crate) fn use_changes(url: String) -> ReadSignal<u32> {
    let (changes, set_changes) = signal(0u32);
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, set_changes);
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let waiting = Arc::new(AtomicBool::new(false));
        browser::listen(&url, &["open", "change"], move |_| {
            // A burst of changes is read once, after it.
            if !waiting.swap(true, Ordering::SeqCst) {
                let waiting = waiting.clone();
                set_timeout(
                    move || {
                        waiting.store(false, Ordering::SeqCst);
                        set_changes.update(|count| *count += 1);
                    },
                    GATHER,
                );
            }
        });
    });
    changes
}

/// The lines a followed pod log adds, from `url` (`/live/logs?…`), into `lines`, keeping the
/// last `keep`.
pub(crate) fn follow_logs(url: String, lines: RwSignal<Vec<String>>, keep: usize) {
    #[cfg(feature = "hydrate")]
    browser::listen(&url, &["line"], move |line| {
        lines.update(|lines| {
            lines.push(line);
            if lines.len() > keep {
                let extra = lines.len() - keep;
                lines.drain(..extra);
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, lines, keep);
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::on_cleanup;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    /// Opens an event source at `url` for as long as the calling component lives, calling
    /// `each` with the data of every event named in `names`.
    pub(super) fn listen(url: &str, names: &[&str], each: impl Fn(String) + 'static) {
        let Ok(source) = EventSource::new(url) else {
            return;
        };
        let handler = Closure::<dyn Fn(MessageEvent)>::new(move |message: MessageEvent| {
            each(message.data().as_string().unwrap_or_default());
        });
        for name in names {
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
        }
        let kept = SendWrapper::new((source, handler));
        on_cleanup(move || kept.0.close());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_ride_in_the_query_as_json() {
        let pods = LiveTarget {
            cluster: "m1".into(),
            resource: "pods".into(),
            ..LiveTarget::default()
        };
        let url = changes_url(&[pods.clone(), pods]);
        assert!(
            url.starts_with("/live/changes?target=%7B%22cluster%22%3A%22m1%22"),
            "{url}"
        );
        assert_eq!(url.matches("target=").count(), 2);
    }

    #[test]
    fn a_view_is_followed_by_its_kind_cluster_and_namespace() {
        let query = Query {
            cluster: Some("m 1".into()),
            labels: Some("app=web".into()),
            ..Query::default()
        };
        assert_eq!(
            view_url(&Kind::DEPLOYMENTS, &query),
            "/live/view?kind=deployments.apps&cluster=m%201"
        );
    }
}
