use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use orbital_types::tenancy::{MemberTarget, Project, WorkspaceSummary};

use super::NotFound;
use crate::api::{CreateProject, DeleteProject, DeleteWorkspace, IamError, get_workspace};
use crate::components::{
    Alert, FormOutcome, Members, PermissionsResource, SubmitButton, outcome_of,
};

/// One workspace: where it is placed, its projects and its members, with the controls the
/// caller may use.
#[component]
pub fn WorkspacePage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let create = ServerAction::<CreateProject>::new();
    let delete = ServerAction::<DeleteProject>::new();
    let workspace = Resource::new(name, get_workspace);
    let permissions = expect_context::<PermissionsResource>();
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let permissions = permissions.await.unwrap_or_default();
                match workspace.await {
                    Ok((workspace, projects)) => {
                        let administers = permissions.managed_here
                            && permissions.administers(&workspace.name);
                        let platform = permissions.managed_here && permissions.platform_admin;
                        view! {
                            <WorkspaceView workspace projects administers platform create delete />
                        }
                            .into_any()
                    }
                    Err(IamError::NotFound(_)) => view! { <NotFound /> }.into_any(),
                    Err(error) => {
                        view! { <Alert text=format!("Could not load the workspace: {error}") /> }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn WorkspaceView(
    workspace: WorkspaceSummary,
    projects: Vec<Project>,
    administers: bool,
    platform: bool,
    create: ServerAction<CreateProject>,
    delete: ServerAction<DeleteProject>,
) -> impl IntoView {
    let name = workspace.name.clone();
    let create_form = administers.then(|| {
        view! { <CreateProjectForm workspace=workspace.clone() create /> }
    });
    let delete_form = platform.then(|| view! { <DeleteWorkspaceForm name=name.clone() /> });
    view! {
        <h1>{format!("Workspace {name}")}</h1>
        <section class="panel" aria-labelledby="placement-heading">
            <h2 id="placement-heading">"Placement"</h2>
            <dl class="facts">
                <dt>"Clusters"</dt>
                <dd data-testid="workspace-clusters">{workspace.clusters.join(", ")}</dd>
                <dt>"Description"</dt>
                <dd>{workspace.description.clone()}</dd>
            </dl>
        </section>
        <section class="panel" aria-labelledby="projects-heading">
            <h2 id="projects-heading">"Projects"</h2>
            <ProjectTable workspace=name.clone() projects administers delete />
            <FormOutcome testid="delete-project-outcome" outcome=outcome_of(delete, |()| "Deleted.".into()) />
            {create_form}
        </section>
        <Members target=MemberTarget::Workspace(name) editable=platform testid="workspace-members" />
        {delete_form}
    }
}

#[component]
fn ProjectTable(
    workspace: String,
    projects: Vec<Project>,
    administers: bool,
    delete: ServerAction<DeleteProject>,
) -> impl IntoView {
    if projects.is_empty() {
        return view! { <p class="muted">"No projects yet."</p> }.into_any();
    }
    view! {
        <table class="table" data-testid="projects">
            <thead>
                <tr>
                    <th>"Project"</th>
                    <th>"Cluster"</th>
                    <th>"Workloads"</th>
                    {administers.then(|| view! { <th></th> })}
                </tr>
            </thead>
            <tbody>
                {projects
                    .into_iter()
                    .map(|project| {
                        let page = format!(
                            "/workspaces/{workspace}/projects/{}/{}",
                            project.cluster,
                            project.namespace,
                        );
                        let pods = format!(
                            "/pods?cluster={}&namespace={}",
                            project.cluster,
                            project.namespace,
                        );
                        let row = format!("project-{}-{}", project.cluster, project.namespace);
                        let (cluster, namespace) = (project.cluster.clone(), project.namespace.clone());
                        let control = administers
                            .then(move || {
                                view! {
                                    <td>
                                        <ActionForm action=delete>
                                            <input type="hidden" name="cluster" value=cluster.clone() />
                                            <input type="hidden" name="namespace" value=namespace.clone() />
                                            <button class="link-button danger" type="submit">
                                                "Delete"
                                            </button>
                                        </ActionForm>
                                    </td>
                                }
                            });
                        view! {
                            <tr data-testid=row>
                                <td>
                                    <A href=page>{project.namespace}</A>
                                </td>
                                <td>{project.cluster}</td>
                                <td>
                                    <A href=pods>"Pods"</A>
                                </td>
                                {control}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
        .into_any()
}

#[component]
fn CreateProjectForm(
    workspace: WorkspaceSummary,
    create: ServerAction<CreateProject>,
) -> impl IntoView {
    let outcome = outcome_of(create, |project| {
        format!("Created {} on {}.", project.namespace, project.cluster)
    });
    view! {
        <ActionForm action=create attr:class="form" attr:data-testid="create-project-form">
            <input type="hidden" name="workspace" value=workspace.name />
            <label>"Project name" <input name="namespace" required autocomplete="off" /></label>
            <label>
                "Cluster"
                <select name="cluster">
                    {workspace
                        .clusters
                        .into_iter()
                        .map(|cluster| view! { <option value=cluster.clone()>{cluster.clone()}</option> })
                        .collect_view()}
                </select>
            </label>
            <SubmitButton label="Create project" busy="Creating…" pending=create.pending() />
        </ActionForm>
        <FormOutcome testid="create-project-outcome" outcome />
    }
}

#[component]
fn DeleteWorkspaceForm(name: String) -> impl IntoView {
    let delete = ServerAction::<DeleteWorkspace>::new();
    view! {
        <section class="panel" aria-labelledby="delete-workspace-heading">
            <h2 id="delete-workspace-heading">"Delete"</h2>
            <p class="muted">
                "The workspace and the grants on it are deleted. Its projects stay on their clusters."
            </p>
            <ActionForm action=delete attr:class="form">
                <input type="hidden" name="name" value=name />
                <label>
                    "Type the workspace's name to confirm"
                    <input name="confirm" required autocomplete="off" />
                </label>
                <SubmitButton label="Delete workspace" busy="Deleting…" pending=delete.pending() danger=true />
            </ActionForm>
            <FormOutcome testid="delete-workspace-outcome" outcome=outcome_of(delete, |()| "Deleted.".into()) />
        </section>
    }
}

/// One project of a workspace: its members, with the controls the caller may use.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let param = move |key: &str| params.read().get(key).unwrap_or_default();
    let permissions = expect_context::<PermissionsResource>();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let workspace = param("name");
                let project = Project {
                    cluster: param("cluster"),
                    namespace: param("namespace"),
                };
                Suspend::new(async move {
                    let permissions = permissions.await.unwrap_or_default();
                    let editable = permissions.managed_here && permissions.administers(&workspace);
                    let pods = format!(
                        "/pods?cluster={}&namespace={}",
                        project.cluster,
                        project.namespace,
                    );
                    view! {
                        <h1>{format!("Project {} on {}", project.namespace, project.cluster)}</h1>
                        <p>
                            <A href=format!("/workspaces/{workspace}")>{format!("Workspace {workspace}")}</A>
                            " · "
                            <A href=pods>"Pods"</A>
                        </p>
                        <Members target=MemberTarget::Project(project) editable testid="project-members" />
                    }
                })
            }}
        </Suspense>
    }
}
