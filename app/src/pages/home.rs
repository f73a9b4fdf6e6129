use leptos::prelude::*;

use crate::api::{ConsoleStatus, GetConsoleStatus, get_console_status, get_overview};
use crate::components::{Alert, OverviewPanels, OverviewResource};

/// The landing page: how full the clusters are, what is unhealthy on them, what this console
/// is, and a live check of the server behind it.
#[component]
pub fn HomePage() -> impl IntoView {
    let overview = expect_context::<OverviewResource>();
    let clusters = Resource::new(|| (), |_| get_overview(None));
    view! {
        <h1>"Overview"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                view! { <OverviewPanels overview=clusters.await /> }
            })}
        </Suspense>
        <section class="panel" aria-labelledby="console-heading">
            <h2 id="console-heading">"This console"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => {
                            view! {
                                <dl class="facts">
                                    <dt>"Version"</dt>
                                    <dd data-testid="console-version">{overview.version}</dd>
                                    <dt>"Mode"</dt>
                                    <dd data-testid="console-mode">{overview.mode.as_str()}</dd>
                                    <dt>"Role"</dt>
                                    <dd>{overview.mode.description()}</dd>
                                    {overview
                                        .host_url
                                        .map(|url| {
                                            view! {
                                                <dt>"Host console"</dt>
                                                <dd>
                                                    <a href=url.clone() data-testid="host-url" rel="external">
                                                        {url.clone()}
                                                    </a>
                                                </dd>
                                            }
                                        })}
                                </dl>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <Alert text=format!("Could not load the console overview: {error}") /> }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
        <StatusCheck />
    }
}

/// The console's health, rendered on the server and checked again in place on request (an
/// island: it runs in the browser).
#[island]
fn StatusCheck() -> impl IntoView {
    let first = Resource::new(|| (), |_| get_console_status());
    let check = ServerAction::<GetConsoleStatus>::new();
    let checks_made = check.version();
    view! {
        <section class="panel" aria-labelledby="status-heading">
            <h2 id="status-heading">"Server status"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let latest = check.value().get();
                    let checks = checks_made.get();
                    Suspend::new(async move {
                        let status = match latest {
                            Some(status) => status,
                            None => first.await,
                        };
                        match status {
                            Ok(status) => view! { <StatusFacts status checks /> }.into_any(),
                            Err(error) => {
                                view! {
                                    <p class="error" role="alert" data-testid="status-answer">
                                        {format!("The server did not answer: {error}")}
                                    </p>
                                }
                                    .into_any()
                            }
                        }
                    })
                }}
            </Suspense>
            <button
                class="button"
                on:click=move |_| {
                    check.dispatch(GetConsoleStatus {});
                }
                disabled=move || check.pending().get()
            >
                "Check server status"
            </button>
        </section>
    }
}

/// What the server said of its health.
#[component]
fn StatusFacts(status: ConsoleStatus, checks: usize) -> impl IntoView {
    let connection = if status.connected {
        "answering"
    } else {
        "not answering"
    };
    let clusters = status.clusters.map_or_else(
        || "not known yet".to_owned(),
        |(ready, total)| format!("{ready} of {total}"),
    );
    view! {
        <p class="status-answer" data-testid="status-answer" aria-live="polite">
            {describe(&status, checks)}
        </p>
        <dl class="facts">
            <dt>"Cluster connection"</dt>
            <dd data-testid="status-connection">{connection}</dd>
            <dt>"Clusters ready"</dt>
            <dd data-testid="status-clusters">{clusters}</dd>
        </dl>
    }
}

fn describe(status: &ConsoleStatus, checks: usize) -> String {
    let state = if status.ready { "ready" } else { "not ready" };
    let checked = if checks == 0 {
        String::new()
    } else {
        format!(" (check {checks})")
    };
    format!("Server {state}, up {} s{checked}.", status.uptime_seconds)
}
