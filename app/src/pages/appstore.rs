use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

use crate::api::{AppStoreState, list_apps, when_usable};
use crate::components::Alert;

/// `/appstore`: the pool's apps, searched and filtered by category and repository (a plain
/// GET form, so it works without JavaScript and can be linked to).
#[component]
pub fn AppStorePage() -> impl IntoView {
    let query = use_query_map();
    let field = move |key: &str| super::query_text(&query.read(), key).unwrap_or_default();
    let apps = Resource::new(
        move || (field("q"), field("category"), field("repo")),
        |(text, category, repo)| when_usable(move || list_apps(text, category, repo)),
    );
    view! {
        <h1>"App Store"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match apps.await {
                    Ok(Ok(list)) => view! { <AppList list field /> }.into_any(),
                    Ok(Err(state)) => view! { <NotHere state /> }.into_any(),
                    Err(error) => {
                        view! { <Alert text=format!("The apps cannot be listed: {error}") /> }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The link to the repositories' page, for platform admins.
#[component]
fn RepositoriesLink() -> impl IntoView {
    let permissions = expect_context::<crate::components::PermissionsResource>();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                permissions
                    .await
                    .is_ok_and(|p| p.platform_admin)
                    .then(|| view! { <A href="/appstore/repositories">"Repositories and uploads"</A> })
            })}
        </Suspense>
    }
}

/// An app's icon, when its chart names one the page may show (served over HTTPS, or inline).
#[component]
pub(crate) fn AppIcon(icon: String) -> impl IntoView {
    let shown = icon.starts_with("https://") || icon.starts_with("data:image/");
    shown.then(
        || view! { <img class="app-icon" src=icon alt="" width="32" height="32" loading="lazy" /> },
    )
}

/// Why this console has no App Store of its own.
#[component]
pub(crate) fn NotHere(state: AppStoreState) -> impl IntoView {
    let text = match &state {
        AppStoreState::HostNeeded(why) => format!(
            "This is a member cluster's console: its App Store is the host console's, and {why}. Nothing can be installed from here."
        ),
        _ => "The App Store is not enabled on this console: start the host console with --app-store (ORBITAL_APP_STORE=true).".to_owned(),
    };
    view! {
        <section class="panel" data-testid="appstore-unavailable">
            <p>{text}</p>
        </section>
    }
}

#[component]
fn AppList(
    list: orbital_types::appstore::AppList,
    field: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (category, repo) = (field("category"), field("repo"));
    view! {
        <p class="actions">
            <A href="/appstore/installed">"Installed apps"</A>
            <RepositoriesLink />
        </p>
        <Form method="GET" action="" attr:class="filters" attr:role="search">
            <label>
                "Find apps"
                <input type="search" name="q" value=field("q") placeholder="name, keyword" />
            </label>
            <label>
                "Category"
                <select name="category">
                    <option value="">"Every category"</option>
                    {list
                        .categories
                        .iter()
                        .map(|name| {
                            let chosen = *name == category;
                            view! { <option value=name.clone() selected=chosen>{name.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Repository"
                <select name="repo">
                    <option value="">"Every repository"</option>
                    {list
                        .repos
                        .iter()
                        .map(|name| {
                            let chosen = *name == repo;
                            view! { <option value=name.clone() selected=chosen>{name.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <button class="button" type="submit">"Show"</button>
        </Form>
        {if list.apps.is_empty() {
            view! { <p class="muted">"No app matches."</p> }.into_any()
        } else {
            view! {
                <ul class="app-grid" data-testid="apps">
                    {list
                        .apps
                        .into_iter()
                        .map(|app| {
                            let href = format!("/appstore/{}/{}", app.repo, app.name);
                            let testid = format!("app-{}-{}", app.repo, app.name);
                            view! {
                                <li class="panel app-card" data-testid=testid>
                                    <h2>
                                        <AppIcon icon=app.icon.clone() />
                                        <A href=href>{app.name.clone()}</A>
                                    </h2>
                                    <p>{app.description}</p>
                                    <p class="muted">
                                        {format!(
                                            "{} · version {} (app {}) · {}",
                                            if app.category.is_empty() { "Uncategorised".to_owned() } else { app.category },
                                            app.version,
                                            app.app_version,
                                            app.repo,
                                        )}
                                    </p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}
