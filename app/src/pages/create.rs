use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use orbital_types::ApiKind;

use crate::api::{create_object, list_kinds, plan_objects};
use crate::components::{Alert, KindNav, YamlText, yaml_problem};

/// What became of one document.
#[derive(Clone, Debug, PartialEq)]
struct Report {
    summary: String,
    /// The created object's page, or why it was not created.
    outcome: Result<Option<String>, String>,
}

/// Creates every document of `yaml` on `cluster` in turn, each reported.
async fn create_all(
    cluster: String,
    namespace: String,
    yaml: String,
) -> Result<Vec<Report>, String> {
    let planned = plan_objects(cluster.clone(), namespace, yaml)
        .await
        .map_err(|error| error.to_string())?;
    let kinds = list_kinds(cluster.clone()).await.unwrap_or_default();
    let mut reports = Vec::new();
    for document in planned {
        let outcome = match (document.problem, document.target) {
            (Some(problem), _) => Err(problem),
            (None, None) => Err("it names no kind the cluster serves".to_owned()),
            (None, Some(target)) => match create_object(target.clone(), document.object).await {
                Ok(created) => {
                    let name = created["metadata"]["name"].as_str().unwrap_or_default();
                    Ok(kinds
                        .iter()
                        .find(|kind| kind.group == target.group && kind.resource == target.resource)
                        .map(|kind: &ApiKind| {
                            kind.page(&cluster, target.namespace.as_deref(), name)
                        }))
                }
                Err(error) => Err(error.message),
            },
        };
        reports.push(Report {
            summary: document.summary,
            outcome,
        });
    }
    Ok(reports)
}

/// Creating objects from YAML on one cluster, `/clusters/{cluster}/create`: several documents
/// at once, each created on its own and reported.
#[component]
pub fn CreatePage() -> impl IntoView {
    let params = use_params_map();
    let cluster = move || params.read().get("name").unwrap_or_default();
    let kinds = Resource::new(cluster, list_kinds);
    view! {
        <div class="browser">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    kinds.await.ok().map(|kinds| view! { <KindNav cluster=cluster() kinds /> })
                })}
            </Suspense>
            <div class="browser-main">
                <h1>{move || format!("Create on {}", cluster())}</h1>
                <CreateFromYaml cluster=cluster() />
            </div>
        </div>
    }
}

/// The YAML to create from, the button and what became of each document: an island, it runs in
/// the browser.
#[island]
fn CreateFromYaml(
    /// The cluster to create on.
    cluster: String,
) -> impl IntoView {
    let yaml = RwSignal::new(String::new());
    let namespace = RwSignal::new("default".to_owned());
    let create = Action::new(
        move |(cluster, namespace, yaml): &(String, String, String)| {
            create_all(cluster.clone(), namespace.clone(), yaml.clone())
        },
    );
    let pending = create.pending();
    // Text with a mistake that is never YAML is told at its line as it is typed, and not sent.
    let problem = yaml_problem(yaml);
    let live = RwSignal::new(false);
    Effect::new(move || live.set(true));
    view! {
        <section class="panel" aria-labelledby="create-heading">
            <h2 id="create-heading">"YAML"</h2>
            <p class="muted">"One or more documents, separated by ---. Each is created on its own."</p>
            <label>
                "Namespace for objects that name none"
                <input
                    data-testid="create-namespace"
                    prop:value=move || namespace.get()
                    on:input=move |event| namespace.set(event_target_value(&event))
                />
            </label>
            <YamlText
                text=yaml
                problem
                objection=Signal::stored(None)
                label="Objects as YAML"
                testid="create-yaml"
            />
            <button
                class="button"
                type="button"
                data-testid="create-submit"
                disabled=move || pending.get() || !live.get() || problem.get().is_some()
                on:click=move |_| {
                    create.dispatch((cluster.clone(), namespace.get_untracked(), yaml.get_untracked()));
                }
            >
                {move || if pending.get() { "Creating…" } else { "Create" }}
            </button>
            {move || {
                create
                    .value()
                    .get()
                    .map(|reports| match reports {
                        Ok(reports) => {
                            view! {
                                <ul class="plain" data-testid="create-reports" aria-live="polite">
                                    {reports
                                        .into_iter()
                                        .map(|report| {
                                            match report.outcome {
                                                Ok(page) => {
                                                    view! {
                                                        <li class="ok" data-testid="create-report">
                                                            {format!("{}: created ", report.summary)}
                                                            {page.map(|href| view! { <a href=href>"open"</a> })}
                                                        </li>
                                                    }
                                                        .into_any()
                                                }
                                                Err(error) => {
                                                    view! {
                                                        <li class="error" data-testid="create-report">
                                                            {format!("{}: not created: {error}", report.summary)}
                                                        </li>
                                                    }
                                                        .into_any()
                                                }
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <Alert text=format!("Could not read the YAML: {error}") /> }.into_any(),
                    })
            }}
        </section>
    }
    // Erased, so that the page around it stays a type the compiler lays out within its limits.
    .into_any()
}
