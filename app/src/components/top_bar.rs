use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::{CommandPalette, OverviewResource};
use crate::api::get_me;

/// The bar across the top: the product name, the console's mode, on a member that knows it a
/// link to its host console, the command palette (not on the login page) and who is logged in.
#[component]
pub fn TopBar() -> impl IntoView {
    let overview = expect_context::<OverviewResource>();
    let me = Resource::new(|| (), |()| get_me());
    let location = use_location();
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
            // Outside the Suspense below: a search in flight must not suspend the user's menu.
            {move || (location.pathname.get() != "/login").then(|| view! { <CommandPalette /> })}
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
