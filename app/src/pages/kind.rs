use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};
use orbital_types::{ApiKind, LiveTarget, PAGE_SIZE, Table, TableColumn, TableQuery};

use crate::api::{list_columns, list_kinds, list_table};
use crate::components::{Alert, Freshness, KindNav, LiveRegion};
use crate::live::changes_url;
use crate::url::encode;

/// One kind on one cluster, `/clusters/{cluster}/{resource}`: the API server's own columns,
/// filtered, sorted and paged on the server, beside every kind the cluster serves. The filters
/// are a plain GET form, so the page works without JavaScript.
#[component]
pub fn KindPage() -> impl IntoView {
    let params = use_params_map();
    let cluster = move || params.read().get("name").unwrap_or_default();
    let resource = move || params.read().get("resource").unwrap_or_default();
    let query_map = use_query_map();
    let query = move || {
        let params = query_map.read();
        let text = |key: &str| super::query_text(&params, key);
        TableQuery {
            namespace: text("namespace"),
            labels: text("labelSelector"),
            name: text("q"),
            sort: text("sort"),
            descending: text("order").as_deref() == Some("desc"),
            page: text("page")
                .and_then(|page| page.parse().ok())
                .unwrap_or(1)
                .max(1),
        }
    };
    let kinds = Resource::new(cluster, list_kinds);
    let columns = Resource::new(
        move || (cluster(), resource()),
        |(cluster, resource)| list_columns(cluster, resource),
    );
    // The list follows the cluster: a change to one of its objects reads the page again.
    let follow = Freshness::Follow(changes_url(&[LiveTarget {
        cluster: cluster(),
        resource: resource(),
        namespace: query().namespace,
        name: None,
    }]));
    let table = Resource::new(
        move || (cluster(), resource(), query()),
        |(cluster, resource, query)| list_table(cluster, resource, query),
    );
    view! {
        <div class="browser">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    kinds.await.ok().map(|kinds| {
                        view! { <KindNav cluster=cluster() kinds current=resource() /> }
                    })
                })}
            </Suspense>
            <div class="browser-main">
                // Apart from the rows, so that a change arriving does not reset what is typed.
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let kind = kinds
                            .await
                            .ok()
                            .and_then(|kinds| ApiKind::find(&kinds, &resource()).cloned());
                        let columns = columns.await.unwrap_or_default();
                        kind.map(|kind| {
                            view! { <KindHeading cluster=cluster() kind columns query=query() /> }
                        })
                    })}
                </Suspense>
                <div id="objects-region">
                    <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || {
                            table
                                .get()
                                .map(|table| match table {
                                    Ok(table) => {
                                        view! { <KindTable cluster=cluster() table query=query() /> }
                                            .into_any()
                                    }
                                    Err(error) => {
                                        view! {
                                            <Alert text=format!(
                                                "Could not list {} on {}: {error}",
                                                resource(),
                                                cluster(),
                                            ) />
                                        }
                                            .into_any()
                                    }
                                })
                        }}
                    </Transition>
                </div>
                <LiveRegion regions=vec!["objects-region".to_owned()] keep=follow />
            </div>
        </div>
    }
}

/// The link to `page` of the same query.
fn page_link(cluster: &str, resource: &str, query: &TableQuery, page: usize) -> String {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let pairs = [
        ("namespace", text(&query.namespace)),
        ("labelSelector", text(&query.labels)),
        ("q", text(&query.name)),
        ("sort", text(&query.sort)),
        (
            "order",
            if query.descending { "desc" } else { "" }.to_owned(),
        ),
    ];
    let mut link = format!("/clusters/{cluster}/{resource}?page={page}");
    for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        link.push_str(&format!("&{key}={}", encode(value)));
    }
    link
}

/// The kind's heading and the filter form.
#[component]
fn KindHeading(
    cluster: String,
    kind: ApiKind,
    columns: Vec<TableColumn>,
    query: TableQuery,
) -> impl IntoView {
    let create = format!("/clusters/{cluster}/create");
    view! {
        <h1>{format!("{} on {cluster}", kind.kind)}</h1>
        <p class="muted">
            {format!("{} ({}) ", kind.address(), kind.api_version())}
            <A href=create>"Create from YAML"</A>
        </p>
        <section class="panel" aria-labelledby="filters-heading">
            <h2 id="filters-heading">"Filters"</h2>
            <Form method="GET" action="" attr:class="filters">
                {kind
                    .namespaced
                    .then(|| {
                        view! {
                            <label>
                                "Namespace"
                                <input name="namespace" value=query.namespace.clone().unwrap_or_default() />
                            </label>
                        }
                    })}
                <label>
                    "Labels"
                    <input
                        name="labelSelector"
                        value=query.labels.clone().unwrap_or_default()
                        placeholder="app=web"
                    />
                </label>
                <label>"Name contains" <input name="q" value=query.name.clone().unwrap_or_default() /></label>
                <label>
                    "Sort by"
                    <select name="sort">
                        {columns
                            .into_iter()
                            .filter(|column| column.priority == 0)
                            .map(|column| {
                                let selected = query.sort.as_deref() == Some(column.name.as_str());
                                view! {
                                    <option value=column.name.clone() selected=selected>
                                        {column.name.clone()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    "Order"
                    <select name="order">
                        <option value="" selected=!query.descending>"ascending"</option>
                        <option value="desc" selected=query.descending>"descending"</option>
                    </select>
                </label>
                <button class="button" type="submit">"Apply"</button>
            </Form>
        </section>
    }
}

#[component]
fn KindTable(cluster: String, table: Table, query: TableQuery) -> impl IntoView {
    let kind = table.kind.clone();
    let address = kind.address();
    let pages = table.total.div_ceil(PAGE_SIZE).max(1);
    let shown = query.page.min(pages);
    // The namespace column, as `kubectl get -A` adds it, when rows may come from several.
    let namespace_column = kind.namespaced && query.namespace.is_none();
    // The columns `kubectl get` prints; those of `-o wide` are left out.
    let shown_columns: Vec<usize> = (0..table.columns.len())
        .filter(|at| table.columns[*at].priority == 0)
        .collect();
    let headings: Vec<_> = shown_columns
        .iter()
        .map(|at| table.columns[*at].clone())
        .collect();
    let previous = (shown > 1).then(|| page_link(&cluster, &address, &query, shown - 1));
    let next = (shown < pages).then(|| page_link(&cluster, &address, &query, shown + 1));
    let rows = table
        .rows
        .into_iter()
        .map(|row| {
            let namespace = (!row.namespace.is_empty()).then_some(row.namespace.as_str());
            let href = kind.page(&cluster, namespace, &row.name);
            let cells: Vec<String> = shown_columns
                .iter()
                .map(|at| row.cells.get(*at).cloned().unwrap_or_default())
                .collect();
            let mut cells = cells.into_iter();
            // The first column is the name: it links to the object.
            let name = cells.next().unwrap_or_default();
            view! {
                <tr data-testid="object-row">
                    {namespace_column.then(|| view! { <td>{row.namespace.clone()}</td> })}
                    <td>
                        <A href=href>{name}</A>
                    </td>
                    {cells.map(|cell| view! { <td>{cell}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="objects-heading">
            <h2 id="objects-heading">{kind.kind.clone()}</h2>
            <p class="muted" data-testid="objects-total">{format!("{} objects", table.total)}</p>
            <table class="table" data-testid="objects">
                <thead>
                    <tr>
                        {namespace_column.then(|| view! { <th>"Namespace"</th> })}
                        {headings
                            .into_iter()
                            .map(|column| view! { <th title=column.description>{column.name}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <nav class="pager" aria-label="Pages">
                {previous.map(|href| view! { <A href=href>"Previous"</A> })}
                <span class="muted">{format!(" Page {shown} of {pages} ")}</span>
                {next.map(|href| view! { <A href=href>"Next"</A> })}
            </nav>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_filters() {
        let query = TableQuery {
            labels: Some("app in (web)".into()),
            sort: Some("Age".into()),
            descending: true,
            ..TableQuery::default()
        };
        assert_eq!(
            page_link("m1", "deployments.apps", &query, 3),
            "/clusters/m1/deployments.apps?page=3&labelSelector=app%20in%20%28web%29&sort=Age&order=desc"
        );
    }
}
