use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{CreateWorkspace, list_clusters, list_workspaces};
use crate::components::{Alert, FormOutcome, PermissionsResource, SubmitButton, outcome_of};

/// The workspaces the caller belongs to, and for platform admins a form to make one.
#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let create = ServerAction::<CreateWorkspace>::new();
    let workspaces = Resource::new(|| (), |()| list_workspaces());
    let permissions = expect_context::<PermissionsResource>();
    view! {
        <h1>"Workspaces"</h1>
        <section class="panel" aria-labelledby="workspaces-heading">
            <h2 id="workspaces-heading">"Your workspaces"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match workspaces.await {
                        Ok(workspaces) if workspaces.is_empty() => {
                            view! { <p class="muted">"You belong to no workspace."</p> }.into_any()
                        }
                        Ok(workspaces) => {
                            view! {
                                <table class="table" data-testid="workspaces">
                                    <thead>
                                        <tr>
                                            <th>"Name"</th>
                                            <th>"Clusters"</th>
                                            <th>"Description"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {workspaces
                                            .into_iter()
                                            .map(|workspace| {
                                                let href = format!("/workspaces/{}", workspace.name);
                                                let row = format!("workspace-{}", workspace.name);
                                                view! {
                                                    <tr data-testid=row>
                                                        <td>
                                                            <A href=href>{workspace.name}</A>
                                                        </td>
                                                        <td>{workspace.clusters.join(", ")}</td>
                                                        <td>{workspace.description}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <Alert text=format!("Could not load the workspaces: {error}") /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
        <Suspense>
            {move || Suspend::new(async move {
                let may = permissions
                    .await
                    .is_ok_and(|p| p.platform_admin && p.managed_here);
                may.then(|| view! { <CreateWorkspaceForm create /> })
            })}
        </Suspense>
    }
}

#[component]
fn CreateWorkspaceForm(create: ServerAction<CreateWorkspace>) -> impl IntoView {
    let clusters = Resource::new(|| (), |()| list_clusters());
    let outcome = outcome_of(create, |name| format!("Created {name}."));
    view! {
        <section class="panel" aria-labelledby="create-workspace-heading">
            <h2 id="create-workspace-heading">"Create a workspace"</h2>
            <ActionForm action=create attr:class="form">
                <label>"Name" <input name="name" required autocomplete="off" /></label>
                <label>
                    "Clusters (separated by commas)"
                    <input name="clusters" required list="cluster-names" placeholder="member-1" />
                </label>
                <datalist id="cluster-names">
                    <Suspense>
                        {move || Suspend::new(async move {
                            clusters
                                .await
                                .unwrap_or_default()
                                .into_iter()
                                .map(|cluster| view! { <option value=cluster.name></option> })
                                .collect_view()
                        })}
                    </Suspense>
                </datalist>
                <label>"Description" <input name="description" /></label>
                <SubmitButton label="Create workspace" busy="Creating…" pending=create.pending() />
            </ActionForm>
            <FormOutcome testid="create-workspace-outcome" outcome />
        </section>
    }
}
