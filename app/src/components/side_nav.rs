use leptos::prelude::*;
use leptos_router::components::A;

use orbital_types::Kind;

/// The navigation down the left side.
#[component]
pub fn SideNav() -> impl IntoView {
    view! {
        <nav class="side-nav" aria-label="Main">
            <A href="/" exact=true>
                "Overview"
            </A>
            <A href="/clusters">"Clusters"</A>
            {Kind::ALL
                .into_iter()
                .map(|kind| view! { <A href=format!("/{}", kind.plural())>{kind.title()}</A> })
                .collect_view()}
        </nav>
    }
}
