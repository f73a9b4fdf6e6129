use leptos::prelude::*;
use orbital_types::ApiKind;

/// The kinds one cluster serves, grouped by API group (the core group first), each a link to
/// its list on that cluster.
#[component]
pub fn KindNav(
    /// The cluster.
    cluster: String,
    /// Its kinds, sorted by group.
    kinds: Vec<ApiKind>,
) -> impl IntoView {
    let mut groups: Vec<(String, Vec<ApiKind>)> = Vec::new();
    for kind in kinds {
        match groups.last_mut() {
            Some((group, members)) if *group == kind.group => members.push(kind),
            _ => groups.push((kind.group.clone(), vec![kind])),
        }
    }
    view! {
        <nav class="kind-nav" aria-label=format!("Kinds on {cluster}") data-testid="kind-nav">
            {groups
                .into_iter()
                .map(|(group, kinds)| {
                    let heading = if group.is_empty() { "core".to_owned() } else { group };
                    let cluster = cluster.clone();
                    view! {
                        <h2 class="kind-group">{heading}</h2>
                        <ul>
                            {kinds
                                .into_iter()
                                .map(|kind| {
                                    let href = format!("/clusters/{cluster}/{}", kind.address());
                                    view! {
                                        <li>
                                            <a href=href>{kind.kind}</a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })
                .collect_view()}
        </nav>
    }
}
