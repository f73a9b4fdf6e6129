use leptos::prelude::*;
use orbital_types::tenancy::UserSummary;

use crate::api::{CreateUser, DeleteUser, ResetPassword, SetUserDisabled, list_users};
use crate::components::{Alert, FormOutcome, SubmitButton, outcome_of};

/// The users, for platform admins: make, disable, reset and delete them.
#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let users = Resource::new(|| (), |()| list_users());
    let actions = UserActions {
        disable,
        reset,
        delete,
    };
    view! {
        <h1>"Users"</h1>
        <section class="panel" aria-labelledby="users-heading">
            <h2 id="users-heading">"All users"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(users) => view! { <UserTable users actions /> }.into_any(),
                        Err(error) => {
                            view! { <Alert text=format!("Could not load the users: {error}") /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
            <FormOutcome testid="disable-outcome" outcome=outcome_of(disable, |()| "Saved.".into()) />
            <FormOutcome testid="reset-outcome" outcome=outcome_of(reset, |()| "The password was reset; their sessions ended.".into()) />
            <FormOutcome testid="delete-outcome" outcome=outcome_of(delete, |()| "Deleted.".into()) />
        </section>
        <CreateUserForm create />
    }
}

/// The actions a user's row offers.
#[derive(Clone, Copy)]
struct UserActions {
    disable: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetPassword>,
    delete: ServerAction<DeleteUser>,
}

#[component]
fn UserTable(users: Vec<UserSummary>, actions: UserActions) -> impl IntoView {
    view! {
        <table class="table" data-testid="users">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Display name"</th>
                    <th>"Email"</th>
                    <th>"State"</th>
                    <th>"Last login"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {users.into_iter().map(|user| view! { <UserRow user actions /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn UserRow(user: UserSummary, actions: UserActions) -> impl IntoView {
    let toggle = if user.disabled { "Enable" } else { "Disable" };
    let row = format!("user-{}", user.name);
    let label = format!("New password for {}", user.name);
    let (for_toggle, for_reset, for_delete) =
        (user.name.clone(), user.name.clone(), user.name.clone());
    let disabled = (!user.disabled).to_string();
    view! {
        <tr data-testid=row>
            <td>{user.name}</td>
            <td>{user.display_name}</td>
            <td>{user.email}</td>
            <td>{if user.disabled { "Disabled" } else { "Active" }}</td>
            <td>{user.last_login.unwrap_or_else(|| "never".into())}</td>
            <td class="row-actions">
                <ActionForm action=actions.disable>
                    <input type="hidden" name="name" value=for_toggle.clone() />
                    <input type="hidden" name="disabled" value=disabled.clone() />
                    <button class="link-button" type="submit">
                        {toggle}
                    </button>
                </ActionForm>
                <ActionForm action=actions.reset attr:class="inline-form">
                    <input type="hidden" name="name" value=for_reset.clone() />
                    <input
                        type="password"
                        name="password"
                        placeholder="New password"
                        autocomplete="new-password"
                        aria-label=label.clone()
                        required
                    />
                    <button class="link-button" type="submit">
                        "Reset password"
                    </button>
                </ActionForm>
                <ActionForm action=actions.delete>
                    <input type="hidden" name="name" value=for_delete.clone() />
                    <button class="link-button danger" type="submit">
                        "Delete"
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn CreateUserForm(create: ServerAction<CreateUser>) -> impl IntoView {
    let outcome = outcome_of(create, |name| format!("Created {name}."));
    view! {
        <section class="panel" aria-labelledby="create-user-heading">
            <h2 id="create-user-heading">"Create a user"</h2>
            <ActionForm action=create attr:class="form">
                <label>"Username" <input name="name" required autocomplete="off" /></label>
                <label>"Display name" <input name="display_name" /></label>
                <label>"Email" <input name="email" type="email" /></label>
                <label>
                    "Password"
                    <input name="password" type="password" required autocomplete="new-password" minlength="8" />
                </label>
                <SubmitButton label="Create user" busy="Creating…" pending=create.pending() />
            </ActionForm>
            <FormOutcome testid="create-user-outcome" outcome />
        </section>
    }
}
