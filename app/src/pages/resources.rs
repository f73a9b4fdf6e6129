use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};

use orbital_types::{Kind, PAGE_SIZE, Page, Query, Sort};

use crate::ConsoleMode;
use crate::api::list_resources;
use crate::components::{Alert, FailedClusters, Freshness, LiveRegion, OverviewResource};
use crate::live::view_url;
use crate::pages::NotFound;
use crate::url::encode;

/// One kind of resource across every cluster the console serves, `/{resource}`, any kind the
/// clusters serve (`/pods`, `/deployments`, `/widgets.example.com`), with filters, sorting and
/// paging done on the server, following changes as the console's caches hear them. The filters
/// are a plain GET form, so the page works without JavaScript. An address that names no kind is not found.
#[component]
pub fn ResourcesPage() -> impl IntoView {
    let params = use_params_map();
    let kind = Memo::new(move |_| Kind::parse(&params.read().get("resource").unwrap_or_default()));
    move || match kind.get() {
        Ok(kind) => view! { <KindAcrossClusters kind /> }.into_any(),
        Err(_) => view! { <NotFound /> }.into_any(),
    }
}

/// The list of `kind` across clusters, as the address's query asks for it.
#[component]
fn KindAcrossClusters(kind: Kind) -> impl IntoView {
    let params = use_query_map();
    let query = move || {
        let params = params.read();
        let text = |key: &str| super::query_text(&params, key);
        Query {
            cluster: text("cluster"),
            namespace: text("namespace"),
            labels: text("labels"),
            name: text("name"),
            status: text("status"),
            sort: Sort::parse(&text("sort").unwrap_or_default()),
            descending: text("order").as_deref() == Some("desc"),
            page: text("page")
                .and_then(|page| page.parse().ok())
                .unwrap_or(1)
                .max(1),
        }
    };
    // The list follows what the caches hear, read again after each burst of changes.
    let follow = Freshness::Follow(view_url(&kind, &query()));
    let listed = kind.clone();
    let resources = Resource::new(query, move |query| list_resources(listed.clone(), query));
    let overview = expect_context::<OverviewResource>();
    let multi = move || {
        overview
            .get()
            .map(|overview| overview.is_ok_and(|o| o.mode == ConsoleMode::Host))
    };
    // Filters stay offered when the list failed, so a bad one can be mended; the list is read
    // in the same transition so that the server waits for it. They are outside the live
    // region, so what is typed in them stays as changes arrive.
    let namespaced = Memo::new(move |_| {
        resources
            .get()
            .map(|page| page.as_ref().map_or(true, |page| page.namespaced))
    });
    let title = kind.title();
    let filtered = kind.clone();
    view! {
        <h1>{title.clone()}</h1>
        <Transition fallback=|| ()>
            {move || resources.get().map(|_| ())}
            {move || {
                let kind = filtered.clone();
                multi()
                    .zip(namespaced.get())
                    .map(|(multi, namespaced)| {
                        view! {
                            <section class="panel" aria-labelledby="filters-heading">
                                <h2 id="filters-heading">"Filters"</h2>
                                <Filters kind current=query() multi namespaced />
                            </section>
                        }
                    })
            }}
        </Transition>
        <section class="panel" aria-labelledby="resources-heading" id="resources-region">
            <h2 id="resources-heading">{title}</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let kind = kind.clone();
                    resources
                        .get()
                        .map(|page| match page {
                            Ok(page) => {
                                view! { <ResourceTable kind page query=query() /> }.into_any()
                            }
                            Err(error) => {
                                view! { <Alert text=format!("Could not list {kind}: {error}") /> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
        <LiveRegion regions=vec!["resources-region".to_owned()] keep=follow />
    }
}

/// The filter form; the cluster filter and sort only where there are clusters to choose from.
#[component]
fn Filters(kind: Kind, current: Query, multi: bool, namespaced: bool) -> impl IntoView {
    let sorts = Sort::ALL.into_iter().filter(move |sort| {
        (namespaced || *sort != Sort::Namespace) && (multi || *sort != Sort::Cluster)
    });
    view! {
        <Form method="GET" action="" attr:class="filters">
            {multi
                .then(|| {
                    view! { <label>"Cluster" <input name="cluster" value=current.cluster.unwrap_or_default() /></label> }
                })}
            {namespaced
                .then(|| {
                    view! {
                        <label>"Namespace" <input name="namespace" value=current.namespace.unwrap_or_default() /></label>
                    }
                })}
            <label>"Labels" <input name="labels" value=current.labels.unwrap_or_default() placeholder="app=web" /></label>
            <label>"Name contains" <input name="name" value=current.name.unwrap_or_default() /></label>
            <label>
                "Status"
                <input
                    name="status"
                    value=current.status.unwrap_or_default()
                    placeholder=kind.example_status()
                />
            </label>
            <label>
                "Sort by"
                <select name="sort">
                    {sorts
                        .map(|sort| {
                            view! {
                                <option value=sort.as_str() selected=current.sort == sort>
                                    {sort.as_str()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button class="button" type="submit">"Apply"</button>
        </Form>
    }
}

/// The link to another page of the same query.
fn page_link(kind: &Kind, query: &Query, page: usize) -> String {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let sort = if query.sort == Sort::default() {
        ""
    } else {
        query.sort.as_str()
    };
    let pairs = [
        ("cluster", text(&query.cluster)),
        ("namespace", text(&query.namespace)),
        ("labels", text(&query.labels)),
        ("name", text(&query.name)),
        ("status", text(&query.status)),
        ("sort", sort.to_owned()),
        (
            "order",
            if query.descending { "desc" } else { "" }.to_owned(),
        ),
    ];
    let mut link = format!("{}?page={page}", kind.list_page());
    for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        link.push_str(&format!("&{key}={}", encode(value)));
    }
    link
}

#[component]
fn ResourceTable(kind: Kind, page: Page, query: Query) -> impl IntoView {
    let pages = page.total.div_ceil(PAGE_SIZE).max(1);
    let shown = query.page.min(pages);
    let multi = page.multi_cluster;
    let namespaced = page.namespaced;
    let detail = kind.detail();
    let columns = page.columns;
    view! {
        <FailedClusters failed=page.failed />
        <p class="muted" data-testid="resources-total">
            {format!("{} {}", page.total, kind.plural())}
        </p>
        <table class="table" data-testid="resources">
            <thead>
                <tr>
                    {multi.then(|| view! { <th>"Cluster"</th> })}
                    {namespaced.then(|| view! { <th>"Namespace"</th> })}
                    <th>"Name"</th>
                    <th>"Status"</th>
                    {detail.map(|heading| view! { <th>{heading}</th> })}
                    {columns.into_iter().map(|heading| view! { <th>{heading}</th> }).collect_view()}
                    <th>"Created"</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .rows
                    .into_iter()
                    .map(|row| {
                        let href = row.page(&kind);
                        view! {
                            <tr data-testid="resource-row">
                                {multi
                                    .then(|| view! { <td data-testid="row-cluster">{row.cluster}</td> })}
                                {namespaced.then(|| view! { <td>{row.namespace}</td> })}
                                <td>
                                    <A href=href>{row.name}</A>
                                </td>
                                <td>{row.status}</td>
                                {detail.map(|_| view! { <td>{row.detail}</td> })}
                                {row
                                    .cells
                                    .into_iter()
                                    .map(|cell| view! { <td>{cell}</td> })
                                    .collect_view()}
                                <td>{row.created}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {(shown > 1)
                .then(|| view! { <A href=page_link(&kind, &query, shown - 1)>"Previous"</A> })}
            <span class="muted">{format!(" Page {shown} of {pages} ")}</span>
            {(shown < pages)
                .then(|| view! { <A href=page_link(&kind, &query, shown + 1)>"Next"</A> })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_kind_and_the_filters() {
        let query = Query {
            labels: Some("app in (web,api)".into()),
            sort: Sort::Age,
            descending: true,
            ..Query::default()
        };
        assert_eq!(
            page_link(&Kind::DEPLOYMENTS, &query, 2),
            "/deployments?page=2&labels=app%20in%20%28web%2Capi%29&sort=age&order=desc"
        );
        let widgets = Kind::parse("widgets.example.com").unwrap();
        assert_eq!(
            page_link(&widgets, &Query::default(), 3),
            "/widgets.example.com?page=3"
        );
    }
}
