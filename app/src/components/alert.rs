use leptos::prelude::*;

/// What went wrong, read out to screen readers at once.
#[component]
pub fn Alert(
    /// What went wrong, and what to do.
    #[prop(into)]
    text: String,
) -> impl IntoView {
    view! {
        <p class="error" role="alert">
            {text}
        </p>
    }
}
