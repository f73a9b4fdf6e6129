use leptos::prelude::*;

use crate::api::{CheckConsoleStatus, ConsoleStatus};
use crate::components::OverviewResource;

/// The landing page: what this console is, and a live check of the server behind it.
#[component]
pub fn HomePage() -> impl IntoView {
    let overview = expect_context::<OverviewResource>();
    view! {
        <h1>"Overview"</h1>
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
                            view! {
                                <p class="error" role="alert">
                                    {format!("Could not load the console overview: {error}")}
                                </p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
        <StatusCheck />
    }
}

/// A button that asks the server for its status and shows the answer in place.
#[component]
fn StatusCheck() -> impl IntoView {
    let check = ServerAction::<CheckConsoleStatus>::new();
    let checks_made = check.version();
    let answer = check.value();
    view! {
        <section class="panel" aria-labelledby="status-heading">
            <h2 id="status-heading">"Server status"</h2>
            <button
                class="button"
                on:click=move |_| {
                    check.dispatch(CheckConsoleStatus {});
                }
                disabled=move || check.pending().get()
            >
                "Check server status"
            </button>
            <p class="status-answer" data-testid="status-answer" aria-live="polite">
                {move || match answer.get() {
                    None => "Not checked yet.".to_owned(),
                    Some(Ok(status)) => describe(&status, checks_made.get()),
                    Some(Err(error)) => format!("The server did not answer: {error}"),
                }}
            </p>
        </section>
    }
}

fn describe(status: &ConsoleStatus, checks_made: usize) -> String {
    let state = if status.ready { "ready" } else { "starting" };
    format!(
        "Server {state}, up {} s (check {checks_made}).",
        status.uptime_seconds
    )
}
