use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{SsrMode, path};

use crate::BUNDLE_NAME;
use crate::api::{get_console_overview, get_permissions};
use crate::components::{HydrationMark, OverviewResource, PermissionsResource, SideNav, TopBar};
use crate::pages::{
    AccountPage, AppStoreAppPage, AppStorePage, AuditPage, ClusterPage, ClustersPage, CreatePage,
    FindPage, HomePage, InstalledAppsPage, KindPage, LoginPage, NotFound, ObjectPage, ProjectPage,
    ReleasePage, RepositoriesPage, ResourcesPage, UsersPage, WorkspacePage, WorkspacesPage,
};

/// The navigation, except on the login page, where it would lead nowhere.
#[component]
fn Navigation() -> impl IntoView {
    let location = use_location();
    move || (location.pathname.get() != "/login").then(|| view! { <SideNav /> })
}

/// The console: layout, navigation and routes, rendered on the server; only its islands run in
/// the browser.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Loaded once per page view and shared by the top bar and the pages.
    let overview: OverviewResource = Resource::new(|| (), |()| get_console_overview());
    provide_context(overview);
    let permissions: PermissionsResource = Resource::new(|| (), |()| get_permissions());
    provide_context(permissions);

    view! {
        <Stylesheet id="orbital" href=format!("/pkg/{BUNDLE_NAME}.css") />
        <Title text="Orbital" />
        <Router>
            <div class="console">
                // The first stop of the Tab key, so keyboard users need not cross the
                // navigation on every page; followed by the browser itself (`target`), which
                // moves the focus to the content.
                <a class="skip-link" href="#content" target="_self">
                    "Skip to the content"
                </a>
                <TopBar />
                <div class="console-body">
                    <Navigation />
                    <main class="content" id="content" tabindex="-1">
                        <Routes fallback=NotFound>
                            <Route path=path!("/login") view=LoginPage />
                            // Async: the page is sent once its data is in, so it reads
                            // complete without JavaScript.
                            <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                            <Route path=path!("/clusters") view=ClustersPage ssr=SsrMode::Async />
                            <Route path=path!("/find") view=FindPage ssr=SsrMode::Async />
                            <Route
                                path=path!("/clusters/:name")
                                view=ClusterPage
                                ssr=SsrMode::Async
                            />
                            // The static `create` before the kinds, which it would match.
                            <Route
                                path=path!("/clusters/:name/create")
                                view=CreatePage
                                ssr=SsrMode::Async
                            />
                            <Route
                                path=path!("/clusters/:name/:resource")
                                view=KindPage
                                ssr=SsrMode::Async
                            />
                            <Route
                                path=path!("/clusters/:name/:resource/:object")
                                view=ObjectPage
                                ssr=SsrMode::Async
                            />
                            <Route
                                path=path!("/clusters/:name/namespaces/:namespace/:resource/:object")
                                view=ObjectPage
                                ssr=SsrMode::Async
                            />
                            <Route path=path!("/users") view=UsersPage ssr=SsrMode::Async />
                            <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async />
                            <Route
                                path=path!("/workspaces")
                                view=WorkspacesPage
                                ssr=SsrMode::Async
                            />
                            <Route
                                path=path!("/workspaces/:name")
                                view=WorkspacePage
                                ssr=SsrMode::Async
                            />
                            <Route
                                path=path!("/workspaces/:name/projects/:cluster/:namespace")
                                view=ProjectPage
                                ssr=SsrMode::Async
                            />
                            <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                            <Route path=path!("/appstore") view=AppStorePage ssr=SsrMode::Async />
                            <Route
                                path=path!("/appstore/installed")
                                view=InstalledAppsPage
                                ssr=SsrMode::Async
                            />
                            <Route
                                path=path!("/appstore/repositories")
                                view=RepositoriesPage
                                ssr=SsrMode::Async
                            />
                            // Before an app's page, which has as many segments.
                            <Route
                                path=path!("/appstore/installed/:id")
                                view=ReleasePage
                                ssr=SsrMode::Async
                            />
                            <Route
                                path=path!("/appstore/:repo/:chart")
                                view=AppStoreAppPage
                                ssr=SsrMode::Async
                            />
                            // Last, so every page above is matched before it: any kind across
                            // clusters, the navigation's kinds (`/pods`) among them.
                            <Route
                                path=path!("/:resource")
                                view=ResourcesPage
                                ssr=SsrMode::Async
                            />
                        </Routes>
                    </main>
                </div>
                // Last, as islands come to life in document order.
                <HydrationMark />
            </div>
        </Router>
    }
}
