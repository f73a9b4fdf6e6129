use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Who is logged in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The user's name.
    pub name: String,
}

/// The logged-in user of this request; `None` before logging in.
#[server(endpoint = "console/me")]
pub async fn get_me() -> Result<Option<Me>, ServerFnError> {
    use orbital_federation::Principal;

    let me = use_context::<orbital_federation::Scope>().and_then(|scope| match scope.principal() {
        Principal::User(user) => Some(Me {
            name: user.name().to_owned(),
        }),
        Principal::Console => None,
    });
    Ok(me)
}
