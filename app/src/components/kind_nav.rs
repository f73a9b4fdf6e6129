use leptos::prelude::*;
use orbital_types::ApiKind;

/// The kinds one cluster serves, grouped by API group (the core group first), each a link to
/// its list on that cluster; the current kind marked as such.
#[component]
pub fn KindNav(
    /// The cluster.
    cluster: String,
    /// Its kinds, sorted by group.
    kinds: Vec<ApiKind>,
    /// The address of the kind the page shows (`deployments.apps`), if any.
    #[prop(optional)]
    current: Option<String>,
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
                    let (cluster, current) = (cluster.clone(), current.clone());
                    view! {
                        <h2 class="kind-group">{heading}</h2>
                        <ul>
                            {kinds
                                .into_iter()
                                .map(|kind| {
                                    let address = kind.address();
                                    let href = format!("/clusters/{cluster}/{address}");
                                    let shown = (current.as_deref() == Some(address.as_str()))
                                        .then_some("page");
                                    view! {
                                        <li>
                                            <a href=href aria-current=shown>{kind.kind}</a>
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
