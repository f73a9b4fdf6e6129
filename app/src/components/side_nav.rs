use leptos::prelude::*;
use leptos_router::components::A;

/// The navigation down the left side.
#[component]
pub fn SideNav() -> impl IntoView {
    view! {
        <nav class="side-nav" aria-label="Main">
            <A href="/" exact=true>
                "Overview"
            </A>
            <A href="/clusters">"Clusters"</A>
            <A href="/pods">"Pods"</A>
        </nav>
    }
}
