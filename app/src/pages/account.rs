use leptos::prelude::*;
use orbital_types::tenancy::TokenSummary;

use crate::api::{ChangePassword, CreateToken, RevokeToken, list_tokens};
use crate::components::{
    Alert, FormOutcome, PermissionsResource, SubmitButton, outcome_of, read_regions_again,
};

/// The caller's own account: a kubeconfig to download, tokens for tools, their password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let permissions = expect_context::<PermissionsResource>();
    view! {
        <h1>"Your account"</h1>
        <section class="panel" aria-labelledby="kubeconfig-heading">
            <h2 id="kubeconfig-heading">"Kubeconfig"</h2>
            <p class="muted">
                "One context per cluster you may see, each reaching it through this console with a new token of yours that lasts 30 days. It is listed below and can be revoked there."
            </p>
            <form method="post" action="/kubeconfig">
                <button class="button" type="submit" data-testid="download-kubeconfig">
                    "Download kubeconfig"
                </button>
            </form>
        </section>
        <Tokens />
        <Suspense>
            {move || Suspend::new(async move {
                let here = permissions.await.is_ok_and(|p| p.managed_here);
                if here {
                    view! { <PasswordForm /> }.into_any()
                } else {
                    view! {
                        <section class="panel">
                            <h2>"Password"</h2>
                            <p class="muted">"Your password is changed on the host console."</p>
                        </section>
                    }
                        .into_any()
                }
            })}
        </Suspense>
    }
}

/// The list of the caller's tokens, read again once one is made.
const TOKENS_REGION: &str = "tokens-region";

#[component]
fn Tokens() -> impl IntoView {
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(|| (), |()| list_tokens());
    view! {
        <section class="panel" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"Access tokens"</h2>
            <p class="muted">
                "For tools: send one as a bearer token, e.g. kubectl --token. It has your rights, and ends when your password changes."
            </p>
            <TokenForm />
            <div id=TOKENS_REGION>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match tokens.await {
                            Ok(tokens) => view! { <TokenTable tokens revoke /> }.into_any(),
                            Err(error) => {
                                view! { <Alert text=format!("Could not load your tokens: {error}") /> }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </div>
            <FormOutcome testid="revoke-token-outcome" outcome=outcome_of(revoke, |()| "Revoked.".into()) />
        </section>
    }
}

/// Making a token: an island, since the new token is shown this once, by script, and never kept
/// for a page by the server.
#[island]
fn TokenForm() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    Effect::new(move || {
        if create.value().with(|made| matches!(made, Some(Ok(_)))) {
            read_regions_again(vec![TOKENS_REGION.to_owned()]);
        }
    });
    let made = move || {
        create.value().get().and_then(Result::ok).map(|new| {
            view! {
                <div class="panel new-token" role="status">
                    <p>{format!("The token {:?}, shown this once: copy it now.", new.summary.name)}</p>
                    <code data-testid="new-token">{new.token}</code>
                </div>
            }
        })
    };
    view! {
        {made}
        <ActionForm action=create attr:class="form" attr:data-testid="create-token-form">
            <label>"Name" <input name="name" required placeholder="e.g. ci-deploy" autocomplete="off" /></label>
            <label>
                "Lasts (days)"
                <input name="days" type="number" min="1" max="366" value="30" required />
            </label>
            <SubmitButton label="Create token" busy="Creating…" pending=create.pending() />
        </ActionForm>
        <FormOutcome testid="create-token-outcome" outcome=outcome_of(create, |_| String::new()) />
    }
}

#[component]
fn TokenTable(tokens: Vec<TokenSummary>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="muted">"You have no tokens."</p> }.into_any();
    }
    view! {
        <table class="table" data-testid="tokens">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Created"</th>
                    <th>"Ends"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {tokens
                    .into_iter()
                    .map(|token| {
                        view! {
                            <tr data-testid="token">
                                <td>{token.name}</td>
                                <td>{token.created}</td>
                                <td>{token.expires}</td>
                                <td>
                                    <ActionForm action=revoke>
                                        <input type="hidden" name="id" value=token.id />
                                        <button class="link-button danger" type="submit">
                                            "Revoke"
                                        </button>
                                    </ActionForm>
                                </td>
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
fn PasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    view! {
        <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <p class="muted">"Changing it ends all your sessions and tokens; you log in again with the new one."</p>
            <ActionForm action=change attr:class="form">
                <label>
                    "Current password"
                    <input name="current" type="password" required autocomplete="current-password" />
                </label>
                <label>
                    "New password"
                    <input name="password" type="password" required autocomplete="new-password" minlength="8" />
                </label>
                <label>
                    "New password again"
                    <input name="confirm" type="password" required autocomplete="new-password" minlength="8" />
                </label>
                <SubmitButton label="Change password" busy="Changing…" pending=change.pending() />
            </ActionForm>
            <FormOutcome testid="password-outcome" outcome=outcome_of(change, |()| "Changed.".into()) />
        </section>
    }
}
