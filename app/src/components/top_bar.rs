use leptos::prelude::*;

use super::OverviewResource;

/// The bar across the top: the product name, the console's mode and, on a member that knows
/// it, a link to its host console.
#[component]
pub fn TopBar() -> impl IntoView {
    let overview = expect_context::<OverviewResource>();
    view! {
        <header class="top-bar">
            <a class="brand" href="/">
                "Orbital"
            </a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    overview
                        .await
                        .ok()
                        .map(|overview| {
                            let host = overview
                                .host_url
                                .map(|url| {
                                    view! {
                                        <a class="host-link" href=url rel="external">
                                            "Host console"
                                        </a>
                                    }
                                });
                            view! {
                                <span class="mode-badge" data-testid="mode-badge">
                                    {format!("{} mode", overview.mode)}
                                </span>
                                {host}
                            }
                        })
                })}
            </Suspense>
        </header>
    }
}
