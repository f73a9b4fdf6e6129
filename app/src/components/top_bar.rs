use leptos::prelude::*;

use super::OverviewResource;

/// The bar across the top: the product name and the console's mode.
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
                            view! {
                                <span class="mode-badge" data-testid="mode-badge">
                                    {format!("{} mode", overview.mode)}
                                </span>
                            }
                        })
                })}
            </Suspense>
        </header>
    }
}
