use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The login form. A plain form post to `/login`, so it works without JavaScript; the server
/// sends the browser back here with `problem` set when the login did not succeed.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_owned());
    let problem = move || {
        query
            .read()
            .get("problem")
            .map(|problem| match problem.as_str() {
                "failed" => "The username or password is wrong.",
                "password-changed" => "Your password was changed: log in with the new one.",
                _ => "The console cannot log you in right now; try again shortly.",
            })
    };
    view! {
        <section class="panel login" aria-labelledby="login-heading">
            <h1 id="login-heading">"Log in to Orbital"</h1>
            {move || {
                problem()
                    .map(|text| {
                        view! {
                            <p class="error" role="alert" data-testid="login-problem">
                                {text}
                            </p>
                        }
                    })
            }}
            <form class="form" method="post" action="/login">
                <input type="hidden" name="next" value=next />
                <label>
                    "Username" <input name="username" autocomplete="username" required />
                </label>
                <label>
                    "Password"
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                    />
                </label>
                <button class="button" type="submit">
                    "Log in"
                </button>
            </form>
        </section>
    }
}
