use leptos::prelude::*;
use leptos_router::components::A;

use orbital_types::Kind;

use super::PermissionsResource;

/// The navigation down the left side; Users and the audit log only for platform admins.
#[component]
pub fn SideNav() -> impl IntoView {
    let permissions = expect_context::<PermissionsResource>();
    view! {
        <nav class="side-nav" aria-label="Main">
            <A href="/" exact=true>
                "Overview"
            </A>
            <A href="/clusters">"Clusters"</A>
            {Kind::ALL
                .into_iter()
                .map(|kind| view! { <A href=kind.list_page()>{kind.title()}</A> })
                .collect_view()}
            <A href="/workspaces">"Workspaces"</A>
            <A href="/appstore">"App Store"</A>
            <Suspense>
                {move || Suspend::new(async move {
                    let admin = permissions.await.is_ok_and(|p| p.platform_admin);
                    admin
                        .then(|| {
                            view! {
                                <A href="/users">"Users"</A>
                                <A href="/audit">"Audit log"</A>
                            }
                        })
                })}
            </Suspense>
        </nav>
    }
}
