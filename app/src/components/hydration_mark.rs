use leptos::prelude::*;

/// Marks the console live (`data-hydrated="true"` on `.console`) once the islands before it
/// have come to life: islands are hydrated in document order, and this one is last on every
/// page. End-to-end tests wait for the mark before they click.
#[island]
pub fn HydrationMark() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(|| {
        if let Ok(Some(console)) = document().query_selector(".console") {
            let _ = console.set_attribute("data-hydrated", "true");
        }
    });
}
