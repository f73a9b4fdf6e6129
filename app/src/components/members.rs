use leptos::prelude::*;

use super::Alert;
use orbital_types::tenancy::{Member, MemberTarget, Project};
use orbital_types::{Role, RoleScope};

use super::{FormOutcome, SubmitButton, outcome_of};
use crate::api::{GrantRole, IamError, RevokeGrant, list_members};

/// The roles granted on `target`'s kind of scope.
fn roles_for(target: &MemberTarget) -> Vec<Role> {
    let scope = match target {
        MemberTarget::Platform => RoleScope::Platform,
        MemberTarget::Cluster(_) => RoleScope::Cluster,
        MemberTarget::Workspace(_) => RoleScope::Workspace,
        MemberTarget::Project(_) => RoleScope::Project,
    };
    Role::ALL
        .into_iter()
        .filter(|role| role.scope() == scope)
        .collect()
}

/// The cluster a target is on, if any.
fn cluster_of(target: &MemberTarget) -> Option<String> {
    match target {
        MemberTarget::Cluster(cluster) => Some(cluster.clone()),
        MemberTarget::Project(Project { cluster, .. }) => Some(cluster.clone()),
        MemberTarget::Platform | MemberTarget::Workspace(_) => None,
    }
}

/// Who holds which role on `target`, and for those who may (`editable`) forms to grant and
/// revoke roles there. The server decides each change again.
#[component]
pub fn Members(
    /// What the members are members of.
    target: MemberTarget,
    /// Whether the caller may grant and revoke roles here.
    editable: bool,
    /// The `data-testid` of the section.
    testid: &'static str,
) -> impl IntoView {
    let grant = ServerAction::<GrantRole>::new();
    let revoke = ServerAction::<RevokeGrant>::new();
    let listed = target.clone();
    let members = Resource::new(|| (), move |()| list_members(listed.clone()));
    let form = editable.then(|| view! { <GrantForm target=target.clone() grant /> });
    let revoked = outcome_of(revoke, |()| "Revoked.".into());
    view! {
        <section class="panel" data-testid=testid>
            <h2>"Members"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match members.await {
                        Ok(members) if members.is_empty() => {
                            view! { <p class="muted">"Nobody holds a role here yet."</p> }.into_any()
                        }
                        Ok(members) => view! { <MemberTable members editable revoke /> }.into_any(),
                        Err(IamError::Forbidden(_)) => {
                            view! { <p class="muted">"Only those who may read all of it see who holds roles here."</p> }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <Alert text=format!("Could not load the members: {error}") /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
            <FormOutcome testid="revoke-outcome" outcome=revoked />
            {form}
        </section>
    }
}

#[component]
fn MemberTable(
    members: Vec<Member>,
    editable: bool,
    revoke: ServerAction<RevokeGrant>,
) -> impl IntoView {
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th>"User"</th>
                    <th>"Role"</th>
                    {editable.then(|| view! { <th></th> })}
                </tr>
            </thead>
            <tbody>
                {members
                    .into_iter()
                    .map(|member| {
                        let cluster = cluster_of(&member.target).unwrap_or_default();
                        let control = editable
                            .then(|| {
                                view! {
                                    <td>
                                        <ActionForm action=revoke>
                                            <input type="hidden" name="grant" value=member.grant.clone() />
                                            <input type="hidden" name="cluster" value=cluster />
                                            <button class="link-button" type="submit">
                                                "Revoke"
                                            </button>
                                        </ActionForm>
                                    </td>
                                }
                            });
                        view! {
                            <tr data-testid=format!("member-{}", member.user)>
                                <td>{member.user.clone()}</td>
                                <td>{member.role.as_str()}</td>
                                {control}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn GrantForm(target: MemberTarget, grant: ServerAction<GrantRole>) -> impl IntoView {
    let roles = roles_for(&target);
    let (cluster, workspace, namespace) = match &target {
        MemberTarget::Platform => (None, None, None),
        MemberTarget::Cluster(c) => (Some(c.clone()), None, None),
        MemberTarget::Workspace(w) => (None, Some(w.clone()), None),
        MemberTarget::Project(p) => (Some(p.cluster.clone()), None, Some(p.namespace.clone())),
    };
    let hidden = |name: &'static str, value: Option<String>| {
        value.map(|value| view! { <input type="hidden" name=name value=value /> })
    };
    let outcome = outcome_of(grant, |member| {
        format!("Granted {} to {}.", member.role, member.user)
    });
    view! {
        <ActionForm action=grant attr:class="form" attr:data-testid="grant-form">
            {hidden("cluster", cluster)}
            {hidden("workspace", workspace)}
            {hidden("namespace", namespace)}
            <label>"User" <input name="user" required autocomplete="off" /></label>
            <label>
                "Role"
                <select name="role">
                    {roles
                        .into_iter()
                        .map(|role| view! { <option value=role.as_str()>{role.as_str()}</option> })
                        .collect_view()}
                </select>
            </label>
            <SubmitButton label="Grant role" busy="Granting…" pending=grant.pending() />
        </ActionForm>
        <FormOutcome testid="grant-outcome" outcome />
    }
}
