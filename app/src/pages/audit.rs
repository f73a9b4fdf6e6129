use leptos::prelude::*;

use crate::components::Alert;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use orbital_types::tenancy::{AuditEntry, AuditFilter};

use crate::api::{AUDIT_PAGE, list_audit};

/// The audit log for platform admins: every change asked of the console, allowed or refused,
/// the newest first, filtered by a plain GET form so the page works without JavaScript.
#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_query_map();
    let filter = move || {
        let params = params.read();
        let text = |key: &str| super::query_text(&params, key);
        AuditFilter {
            user: text("user"),
            verb: text("verb"),
            cluster: text("cluster"),
            resource: text("resource"),
            refused: text("refused").is_some(),
        }
    };
    let entries = Resource::new(filter, list_audit);
    view! {
        <h1>"Audit log"</h1>
        <section class="panel" aria-labelledby="audit-filters-heading">
            <h2 id="audit-filters-heading">"Filters"</h2>
            <AuditFilters current=filter() />
        </section>
        <section class="panel" aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Changes, the newest first"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(entries) if entries.is_empty() => {
                            view! { <p class="muted">"No change matches."</p> }.into_any()
                        }
                        Ok(entries) => view! { <AuditTable entries /> }.into_any(),
                        Err(error) => {
                            view! { <Alert text=format!("Could not read the audit log: {error}") /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AuditFilters(current: AuditFilter) -> impl IntoView {
    let value = |field: Option<String>| field.unwrap_or_default();
    view! {
        <Form method="GET" action="" attr:class="filters">
            <label>"User" <input name="user" value=value(current.user) /></label>
            <label>"Verb" <input name="verb" value=value(current.verb) placeholder="create, delete, …" /></label>
            <label>"Cluster" <input name="cluster" value=value(current.cluster) /></label>
            <label>"Resource" <input name="resource" value=value(current.resource) placeholder="pods, users, …" /></label>
            <label class="checkbox">
                <input type="checkbox" name="refused" value="yes" checked=current.refused />
                " Refused only"
            </label>
            <button class="button" type="submit">
                "Filter"
            </button>
        </Form>
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    let full = (entries.len() == AUDIT_PAGE)
        .then(|| view! { <p class="muted">{format!("The newest {AUDIT_PAGE} shown; filter to see older ones.")}</p> });
    view! {
        <table class="table" data-testid="audit">
            <thead>
                <tr>
                    <th>"Time"</th>
                    <th>"User"</th>
                    <th>"Verb"</th>
                    <th>"Resource"</th>
                    <th>"Object"</th>
                    <th>"Cluster"</th>
                    <th>"Answer"</th>
                </tr>
            </thead>
            <tbody>
                {entries
                    .into_iter()
                    .map(|entry| {
                        let object = match (entry.namespace, entry.name) {
                            (Some(namespace), Some(name)) if namespace != name => format!("{namespace}/{name}"),
                            (_, Some(name)) => name,
                            (Some(namespace), None) => namespace,
                            (None, None) => String::new(),
                        };
                        let state = if entry.code < 400 { "state state-ok" } else { "state state-bad" };
                        view! {
                            <tr data-testid="audit-entry" title=entry.uri>
                                <td>{entry.time}</td>
                                <td>{entry.user}</td>
                                <td>{entry.verb}</td>
                                <td>{entry.resource}</td>
                                <td>{object}</td>
                                <td>{entry.cluster}</td>
                                <td>
                                    <span class=state>{entry.code}</span>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        {full}
    }
}
