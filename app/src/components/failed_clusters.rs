use leptos::prelude::*;
use orbital_types::Failure;

/// The clusters a page had to leave out, each with why, read out to screen readers at once.
#[component]
pub fn FailedClusters(
    /// The clusters and why.
    failed: Vec<Failure>,
) -> impl IntoView {
    failed
        .into_iter()
        .map(|failure| {
            view! {
                <p class="error" role="alert" data-testid="failed-cluster">
                    {format!("{}: {}", failure.cluster, failure.error)}
                </p>
            }
        })
        .collect_view()
}
