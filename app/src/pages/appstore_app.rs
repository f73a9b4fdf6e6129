use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use orbital_types::appstore::ClusterInstall;

use crate::api::{InstallApp, get_app, list_clusters, when_usable};
use crate::components::{
    Alert, FormOutcome, SettingFields, SubmitButton, VersionSelect, outcome_of,
};

use super::appstore::NotHere;

/// `/appstore/{repo}/{chart}`: an app's page — what it is, its versions, README and default
/// values — and the form that installs it on a cluster.
#[component]
pub fn AppStoreAppPage() -> impl IntoView {
    let params = use_params_map();
    let repo = move || params.read().get("repo").unwrap_or_default();
    let name = move || params.read().get("chart").unwrap_or_default();
    let details = Resource::new(
        move || (repo(), name()),
        |(repo, name)| when_usable(move || get_app(repo, name)),
    );
    view! {
        <p>
            <A href="/appstore">"App Store"</A>
        </p>
        <h1>{name}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(Ok(details)) => view! { <AppDetailsView details /> }.into_any(),
                    Ok(Err(state)) => view! { <NotHere state /> }.into_any(),
                    Err(error) => view! { <Alert text=error.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AppDetailsView(details: orbital_types::appstore::AppDetails) -> impl IntoView {
    let summary = details.summary.clone();
    view! {
        <section class="panel" aria-labelledby="app-about">
            <h2 id="app-about">"About"</h2>
            <p data-testid="app-description">{summary.description.clone()}</p>
            <dl class="facts">
                <dt>"Repository"</dt>
                <dd>{summary.repo.clone()}</dd>
                <dt>"Category"</dt>
                <dd>{summary.category.clone()}</dd>
                <dt>"Newest version"</dt>
                <dd>{format!("{} (app {})", summary.version, summary.app_version)}</dd>
                <dt>"Maintainers"</dt>
                <dd>{details.maintainers.join(", ")}</dd>
                <dt>"Home"</dt>
                <dd>{details.home.clone()}</dd>
            </dl>
        </section>
        <InstallForm details=details.clone() />
        <section class="panel" aria-labelledby="app-versions">
            <h2 id="app-versions">"Versions"</h2>
            <table class="table">
                <thead>
                    <tr>
                        <th>"Chart"</th>
                        <th>"App"</th>
                        <th>"Published"</th>
                    </tr>
                </thead>
                <tbody>
                    {details
                        .versions
                        .iter()
                        .map(|version| {
                            view! {
                                <tr>
                                    <td>{version.version.clone()}</td>
                                    <td>{version.app_version.clone()}</td>
                                    <td>{version.created.clone()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        {(!details.readme.is_empty())
            .then(|| {
                view! {
                    <section class="panel" aria-labelledby="app-readme">
                        <h2 id="app-readme">"README"</h2>
                        <pre class="readme" tabindex="0">{details.readme.clone()}</pre>
                    </section>
                }
            })}
        <section class="panel" aria-labelledby="app-values">
            <h2 id="app-values">"Default values"</h2>
            <pre class="readme" tabindex="0" data-testid="app-values">{details.values.clone()}</pre>
        </section>
    }
}

#[component]
fn InstallForm(details: orbital_types::appstore::AppDetails) -> impl IntoView {
    let install = ServerAction::<InstallApp>::new();
    let clusters = Resource::new(|| (), |()| list_clusters());
    let outcome = outcome_of(install, |outcomes: &Vec<ClusterInstall>| {
        outcomes
            .iter()
            .map(|install| match &install.outcome {
                Ok(id) => format!("{}: asked for {id}.", install.cluster),
                Err(error) => format!("{}: not installed: {error}.", install.cluster),
            })
            .collect::<Vec<_>>()
            .join(" ")
    });
    let summary = details.summary;
    view! {
        <section class="panel" aria-labelledby="install-heading">
            <h2 id="install-heading">"Install"</h2>
            <ActionForm action=install attr:class="form" attr:data-testid="install-form">
                <input type="hidden" name="repo" value=summary.repo.clone() />
                <input type="hidden" name="chart" value=summary.name.clone() />
                <VersionSelect versions=details.versions.clone() />
                <fieldset class="choices">
                    <legend>"Clusters"</legend>
                    <Suspense>
                        {move || Suspend::new(async move {
                            clusters
                                .await
                                .unwrap_or_default()
                                .into_iter()
                                .map(|cluster| {
                                    view! {
                                        <label class="choice">
                                            <input type="checkbox" name="clusters[]" value=cluster.name.clone() />
                                            {cluster.name.clone()}
                                        </label>
                                    }
                                })
                                .collect_view()
                        })}
                    </Suspense>
                </fieldset>
                <label>
                    "Namespace"
                    <input name="namespace" required autocomplete="off" placeholder="apps" />
                </label>
                <label>
                    "Release name"
                    <input name="release_name" required autocomplete="off" value=summary.name.clone() />
                </label>
                {(!details.settings.is_empty())
                    .then(|| view! { <SettingFields settings=details.settings.clone() /> })}
                <label>
                    "Values (YAML, over the defaults below; a setting given above wins)"
                    <textarea name="values" rows="6" spellcheck="false" placeholder="replicaCount: 2"></textarea>
                </label>
                <label>
                    "Per-cluster values (YAML: a cluster's name, then its values over those above)"
                    <textarea
                        name="overrides"
                        rows="4"
                        spellcheck="false"
                        placeholder="member-2:\n  replicaCount: 3"
                    ></textarea>
                </label>
                <SubmitButton label="Install" busy="Checking…" pending=install.pending() />
            </ActionForm>
            <FormOutcome testid="install-outcome" outcome />
        </section>
    }
}
