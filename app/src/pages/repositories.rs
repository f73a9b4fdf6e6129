use leptos::prelude::*;
use leptos_router::components::A;
use orbital_types::appstore::{ChartRef, RepositoryKind, RepositoryRow};

use super::installed::MOVING_SECONDS;
use crate::api::{
    AddRepository, DeleteUpload, RemoveRepository, SyncRepository, list_repositories,
};
use crate::components::{
    Alert, ChartUpload, FormOutcome, Freshness, LiveRegion, SubmitButton, outcome_of,
};

/// `/appstore/repositories`: the pool's repositories for platform admins — other sites'
/// added, synced and removed, their sync status followed until each has synced — and the
/// charts uploaded into the host's own repository of uploads.
#[component]
pub fn RepositoriesPage() -> impl IntoView {
    let add = ServerAction::<AddRepository>::new();
    let remove = ServerAction::<RemoveRepository>::new();
    let sync = ServerAction::<SyncRepository>::new();
    let delete = ServerAction::<DeleteUpload>::new();
    let repositories = Resource::new(|| (), |()| list_repositories());
    let actions = RepositoryActions { remove, sync };
    view! {
        <h1>"App Store repositories"</h1>
        <p>
            <A href="/appstore">"App Store"</A>
        </p>
        <div id="repositories-region">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match repositories.await {
                        Ok(rows) => {
                            let uploads = rows
                                .iter()
                                .find(|row| row.kind == RepositoryKind::Uploads)
                                .map(|row| row.charts.clone())
                                .unwrap_or_default();
                            view! {
                                <RepositoryTable rows actions />
                                <UploadedCharts charts=uploads delete />
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <Alert text=format!("The repositories cannot be listed: {error}") /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
        <LiveRegion
            regions=vec!["repositories-region".to_owned()]
            keep=Freshness::WhileMoving(MOVING_SECONDS)
        />
        <FormOutcome testid="repository-outcome" outcome=outcome_of(remove, |()| "Removed.".into()) />
        <FormOutcome testid="sync-outcome" outcome=outcome_of(sync, |()| "Syncing.".into()) />
        <FormOutcome testid="delete-upload-outcome" outcome=outcome_of(delete, |()| "Deleted.".into()) />
        <ChartUpload />
        <AddRepositoryForm add />
    }
}

/// Whether a repository of another site has not synced yet, nor failed to.
fn is_waiting(row: &RepositoryRow) -> bool {
    row.kind == RepositoryKind::Remote && row.last_sync.is_empty() && row.error.is_empty()
}

/// The actions a repository's row offers.
#[derive(Clone, Copy)]
struct RepositoryActions {
    remove: ServerAction<RemoveRepository>,
    sync: ServerAction<SyncRepository>,
}

#[component]
fn RepositoryTable(rows: Vec<RepositoryRow>, actions: RepositoryActions) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="repositories-heading">
            <h2 id="repositories-heading">"Repositories"</h2>
            <table class="table" data-testid="repositories">
                <thead>
                    <tr>
                        <th>"Name"</th>
                        <th>"Kept by"</th>
                        <th>"Address"</th>
                        <th>"Apps"</th>
                        <th>"Versions"</th>
                        <th>"Last sync"</th>
                        <th>"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! { <RepositoryLine row actions /> }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn RepositoryLine(row: RepositoryRow, actions: RepositoryActions) -> impl IntoView {
    let kept_by = match row.kind {
        RepositoryKind::Builtin => "The host: built in",
        RepositoryKind::Uploads => "The host: uploads",
        RepositoryKind::Remote => "Another site",
    };
    let address = match row.kind {
        RepositoryKind::Remote if row.with_credentials => format!("{} (with credentials)", row.url),
        RepositoryKind::Remote => row.url.clone(),
        _ => format!("/appstore/repos/{}", row.name),
    };
    let last_sync = match (row.kind, row.error.is_empty(), row.last_sync.is_empty()) {
        (RepositoryKind::Remote, false, _) => view! {
            <span class="error">{format!("Failed: {}", row.error)}</span>
        }
        .into_any(),
        (RepositoryKind::Remote, true, true) => {
            view! { <span class="muted">"Syncing…"</span> }.into_any()
        }
        (RepositoryKind::Remote, true, false) => {
            view! { <span>{row.last_sync.clone()}</span> }.into_any()
        }
        _ => view! { <span class="muted">"Always current"</span> }.into_any(),
    };
    let testid = format!("repository-{}", row.name);
    let moving = is_waiting(&row).then_some("");
    let remote = row.kind == RepositoryKind::Remote;
    let name = row.name.clone();
    view! {
        <tr data-testid=testid data-moving=moving>
            <td>{row.name}</td>
            <td>{kept_by}</td>
            <td>{address}</td>
            <td>{row.apps}</td>
            <td>{row.versions}</td>
            <td>{last_sync}</td>
            <td class="row-actions">
                {remote
                    .then(|| {
                        let for_sync = name.clone();
                        view! {
                            <ActionForm action=actions.sync>
                                <input type="hidden" name="name" value=for_sync />
                                <button class="link-button" type="submit">"Sync now"</button>
                            </ActionForm>
                            <ActionForm action=actions.remove>
                                <input type="hidden" name="name" value=name />
                                <button class="link-button danger" type="submit">"Remove"</button>
                            </ActionForm>
                        }
                    })}
            </td>
        </tr>
    }
}

#[component]
fn UploadedCharts(charts: Vec<ChartRef>, delete: ServerAction<DeleteUpload>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="uploads-heading">
            <h2 id="uploads-heading">"Uploaded charts"</h2>
            {if charts.is_empty() {
                view! { <p class="muted">"No chart has been uploaded."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list" data-testid="uploaded-charts">
                        {charts
                            .into_iter()
                            .map(|chart| {
                                let href = format!("/appstore/uploads/{}", chart.name);
                                let testid = format!("uploaded-{}-{}", chart.name, chart.version);
                                let shown = format!(" {} ", chart.version);
                                let ChartRef { name, version } = chart;
                                let link = name.clone();
                                view! {
                                    <li data-testid=testid>
                                        <A href=href>{link}</A>
                                        {shown}
                                        <ActionForm action=delete attr:class="inline-form">
                                            <input type="hidden" name="name" value=name />
                                            <input type="hidden" name="version" value=version />
                                            <button class="link-button danger" type="submit">"Delete"</button>
                                        </ActionForm>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn AddRepositoryForm(add: ServerAction<AddRepository>) -> impl IntoView {
    let outcome = outcome_of(add, |()| "Added; it syncs now.".into());
    view! {
        <section class="panel" aria-labelledby="add-repository-heading">
            <h2 id="add-repository-heading">"Add a repository of another site"</h2>
            <ActionForm action=add attr:class="form">
                <label>"Name" <input name="name" required autocomplete="off" pattern="[a-z0-9]([a-z0-9\\-]*[a-z0-9])?" /></label>
                <label>
                    "Address (the folder of its index.yaml)"
                    <input name="url" type="url" required placeholder="https://charts.example.com" />
                </label>
                <label>"Sync every" <input name="sync_interval" placeholder="10m" /></label>
                <label>"User name, if it asks for one" <input name="username" autocomplete="off" /></label>
                <label>
                    "Password"
                    <input name="password" type="password" autocomplete="new-password" />
                </label>
                <SubmitButton label="Add repository" busy="Adding…" pending=add.pending() />
            </ActionForm>
            <FormOutcome testid="add-repository-outcome" outcome />
        </section>
    }
}
