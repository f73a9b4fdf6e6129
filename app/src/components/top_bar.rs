use leptos::prelude::*;

use super::OverviewResource;
use crate::api::get_me;

/// The bar across the top: the product name, the console's mode, on a member that knows it a
/// link to its host console, and who is logged in.
#[component]
pub fn TopBar() -> impl IntoView {
    let overview = expect_context::<OverviewResource>();
    let me = Resource::new(|| (), |()| get_me());
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
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.await
                        .ok()
                        .flatten()
                        .map(|me| {
                            view! {
                                <span class="user-menu">
                                    <a class="user-name" data-testid="user-name" href="/account" title="Your account: kubeconfig, tokens, password">
                                        {me.name}
                                    </a>
                                    <form method="post" action="/logout">
                                        <button class="link-button" type="submit">
                                            "Log out"
                                        </button>
                                    </form>
                                </span>
                            }
                        })
                })}
            </Suspense>
        </header>
    }
}
