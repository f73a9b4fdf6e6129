use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

use super::clusters::message;
use crate::api::{PAGE_SIZE, PodPage, PodQuery, list_pods};

/// Pods across every cluster the console serves, with filters, sorting and paging done on the
/// server. The filters are a plain GET form, so the page works without JavaScript.
#[component]
pub fn PodsPage() -> impl IntoView {
    let params = use_query_map();
    let query = move || {
        let params = params.read();
        let text = |key: &str| params.get(key).unwrap_or_default();
        PodQuery {
            cluster: text("cluster"),
            namespace: text("namespace"),
            labels: text("labels"),
            name: text("name"),
            status: text("status"),
            sort: text("sort"),
            descending: text("order") == "desc",
            page: text("page").parse().unwrap_or(1).max(1),
        }
    };
    let pods = Resource::new(query, list_pods);
    let current = query();
    view! {
        <h1>"Pods"</h1>
        <section class="panel" aria-labelledby="filters-heading">
            <h2 id="filters-heading">"Filters"</h2>
            <Form method="GET" action="" attr:class="filters">
                <label>"Cluster" <input name="cluster" value=current.cluster /></label>
                <label>"Namespace" <input name="namespace" value=current.namespace /></label>
                <label>"Labels" <input name="labels" value=current.labels placeholder="app=web" /></label>
                <label>"Name contains" <input name="name" value=current.name /></label>
                <label>"Status" <input name="status" value=current.status placeholder="Running" /></label>
                <label>
                    "Sort by"
                    <select name="sort">
                        {["name", "cluster", "namespace", "status", "age"]
                            .into_iter()
                            .map(|key| view! { <option value=key selected=current.sort == key>{key}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button class="button" type="submit">"Apply"</button>
            </Form>
        </section>
        <section class="panel" aria-labelledby="pods-heading">
            <h2 id="pods-heading">"Pods"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match pods.await {
                        Ok(page) => view! { <PodTable page query=query() /> }.into_any(),
                        Err(error) => {
                            view! {
                                <p class="error" role="alert">
                                    {format!("Could not list pods: {}", message(&error))}
                                </p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// The link to another page of the same query.
fn page_link(query: &PodQuery, page: usize) -> String {
    let pairs = [
        ("cluster", query.cluster.as_str()),
        ("namespace", &query.namespace),
        ("labels", &query.labels),
        ("name", &query.name),
        ("status", &query.status),
        ("sort", &query.sort),
        ("order", if query.descending { "desc" } else { "" }),
    ];
    let mut link = format!("/pods?page={page}");
    for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        link.push_str(&format!("&{key}={}", encode(value)));
    }
    link
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[component]
fn PodTable(page: PodPage, query: PodQuery) -> impl IntoView {
    let pages = page.total.div_ceil(PAGE_SIZE).max(1);
    let shown = query.page.min(pages);
    let multi = page.multi_cluster;
    view! {
        {page
            .failed
            .into_iter()
            .map(|(cluster, error)| {
                view! {
                    <p class="error" role="alert" data-testid="failed-cluster">
                        {format!("{cluster}: {error}")}
                    </p>
                }
            })
            .collect_view()}
        <p class="muted" data-testid="pods-total">{format!("{} pods", page.total)}</p>
        <table class="table" data-testid="pods">
            <thead>
                <tr>
                    {multi.then(|| view! { <th>"Cluster"</th> })}
                    <th>"Namespace"</th>
                    <th>"Name"</th>
                    <th>"Status"</th>
                    <th>"Node"</th>
                    <th>"Created"</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .rows
                    .into_iter()
                    .map(|pod| {
                        view! {
                            <tr data-testid="pod-row">
                                {multi.then(|| view! { <td data-testid="pod-cluster">{pod.cluster}</td> })}
                                <td>{pod.namespace}</td>
                                <td>{pod.name}</td>
                                <td>{pod.status}</td>
                                <td>{pod.node}</td>
                                <td>{pod.created}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {(shown > 1).then(|| view! { <A href=page_link(&query, shown - 1)>"Previous"</A> })}
            <span class="muted">{format!(" Page {shown} of {pages} ")}</span>
            {(shown < pages).then(|| view! { <A href=page_link(&query, shown + 1)>"Next"</A> })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_filters() {
        let query = PodQuery {
            labels: "app in (web,api)".into(),
            descending: true,
            ..PodQuery::default()
        };
        assert_eq!(
            page_link(&query, 2),
            "/pods?page=2&labels=app%20in%20%28web%2Capi%29&order=desc"
        );
    }
}
