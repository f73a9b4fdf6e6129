use leptos::prelude::*;
use leptos_router::params::ParamsMap;
use orbital_types::ObjectRef;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{LogOptions, MAX_LOG_PODS, ObjectError, log_containers};
use crate::components::Alert;
use crate::live::follow_logs;
use crate::url::encode;

/// Lines shown when the form asks for no number.
const DEFAULT_TAIL: u32 = 500;
/// The most lines a followed log keeps on the page.
const KEEP_LINES: usize = 5000;

/// The address of the object's logs as `options` asks, streamed (or, with `download`, as a file).
fn logs_url(target: &ObjectRef, options: &LogOptions, download: bool) -> String {
    let mut url = format!(
        "/live/logs?target={}",
        encode(&serde_json::to_string(target).unwrap_or_default())
    );
    if let Some(container) = &options.container {
        url += &format!("&container={}", encode(container));
    }
    if let Some(lines) = options.tail_lines {
        url += &format!("&tailLines={lines}");
    }
    if let Some(seconds) = options.since_seconds {
        url += &format!("&sinceSeconds={seconds}");
    }
    if options.timestamps {
        url += "&timestamps=1";
    }
    if options.previous {
        url += "&previous=1";
    }
    if download {
        url += "&download=1";
    }
    url
}

/// The logs a page's address asks for (`?container=&tailLines=&sinceSeconds=&timestamps=&previous=&follow=`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogsAsked {
    /// Which logs.
    pub options: LogOptions,
    /// Whether new lines are followed as they are written.
    pub follow: bool,
}

impl LogsAsked {
    /// What `query` asks for; the last [`DEFAULT_TAIL`] lines when it names no number.
    pub fn from_query(query: &ParamsMap) -> Self {
        let text = |key: &str| crate::pages::query_text(query, key);
        Self {
            options: LogOptions {
                container: text("container"),
                tail_lines: Some(
                    text("tailLines")
                        .and_then(|lines| lines.parse().ok())
                        .unwrap_or(DEFAULT_TAIL),
                ),
                since_seconds: text("sinceSeconds").and_then(|seconds| seconds.parse().ok()),
                timestamps: text("timestamps").is_some(),
                previous: text("previous").is_some(),
            },
            follow: text("follow").is_some(),
        }
    }
}

/// A pod's logs, or a workload's pods' interleaved and labelled: container, tail lines, since,
/// timestamps and the previous run chosen in a plain GET form, so the page reads them without
/// JavaScript too; with it, followed as new lines are written, searched, wrapped, and
/// downloaded.
#[component]
pub fn PodLogs(
    /// The pod or the workload.
    target: ObjectRef,
    /// Its object, for its containers.
    object: Value,
    /// What the page's address asks for.
    asked: LogsAsked,
    /// The logs as read with the page; none when they are followed.
    read: Option<Result<String, ObjectError>>,
) -> impl IntoView {
    let containers = log_containers(&object);
    let of_pods = !target.is_pod();
    let LogsAsked { options, follow } = asked;
    let download = logs_url(&target, &options, true);
    let streamed = RwSignal::new(Vec::<String>::new());
    if follow {
        let url = logs_url(&target, &options, false);
        Effect::new(move || follow_logs(url.clone(), streamed, KEEP_LINES));
    }
    let search = RwSignal::new(String::new());
    let wrap = RwSignal::new(false);
    let shown = move |lines: Vec<String>| {
        let wanted = search.get();
        lines
            .into_iter()
            .filter(|line| wanted.is_empty() || line.contains(&wanted))
            .map(|line| line + "\n")
            .collect::<String>()
    };
    // The lines shown: those streamed while followed, else those read with the page.
    let (lines, failed) = match read {
        None => (Signal::derive(move || streamed.get()), None),
        Some(Ok(text)) => (
            Signal::stored(text.lines().map(str::to_owned).collect::<Vec<_>>()),
            None,
        ),
        Some(Err(error)) => (Signal::stored(Vec::new()), Some(error)),
    };
    let current = options;
    view! {
        <section class="panel" aria-labelledby="logs-heading">
            <h2 id="logs-heading">"Logs"</h2>
            {of_pods
                .then(|| {
                    view! {
                        <p class="muted">
                            {format!(
                                "The logs of its pods (the first {MAX_LOG_PODS} by name), by time, each line labelled with its pod and container.",
                            )}
                        </p>
                    }
                })}
            <form method="get" action="" class="filters">
                <input type="hidden" name="tab" value="logs" />
                <label>
                    "Container"
                    <select name="container">
                        {containers
                            .into_iter()
                            .map(|name| {
                                let selected = current.container.as_deref() == Some(name.as_str());
                                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    "Last lines"
                    <input name="tailLines" type="number" min="1" value=current.tail_lines.unwrap_or(DEFAULT_TAIL) />
                </label>
                <label>
                    "Since (seconds)"
                    <input name="sinceSeconds" type="number" min="1" value=current.since_seconds.map(|s| s.to_string()).unwrap_or_default() />
                </label>
                <label>
                    <input type="checkbox" name="timestamps" value="1" checked=current.timestamps />
                    " Timestamps"
                </label>
                <label>
                    <input type="checkbox" name="previous" value="1" checked=current.previous />
                    " Previous run"
                </label>
                <label>
                    <input type="checkbox" name="follow" value="1" checked=follow />
                    " Follow"
                </label>
                <button class="button" type="submit">"Show"</button>
            </form>
            <div class="filters">
                <label>
                    "Search"
                    <input
                        type="search"
                        data-testid="logs-search"
                        prop:value=move || search.get()
                        on:input=move |event| search.set(event_target_value(&event))
                    />
                </label>
                <label>
                    <input type="checkbox" on:change=move |event| wrap.set(event_target_checked(&event)) />
                    " Wrap lines"
                </label>
                <a href=download download="" data-testid="logs-download">"Download"</a>
            </div>
            {match failed {
                Some(error) => {
                    view! { <Alert text=format!("Could not read the logs: {error}") /> }.into_any()
                }
                None => {
                    view! {
                        <pre
                            class="logs"
                            class:wrap=move || wrap.get()
                            data-testid="pod-logs"
                            aria-live=follow.then_some("off")
                            aria-label="Log lines"
                            tabindex="0"
                        >
                            {move || shown(lines.get())}
                        </pre>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
