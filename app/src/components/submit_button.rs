use leptos::prelude::*;

/// A form's submit button: disabled while its action runs, and saying what it is doing, since
/// checking a cluster can take seconds.
#[component]
pub fn SubmitButton(
    /// What the button does (`Join cluster`).
    label: &'static str,
    /// What it says while that runs (`Checking the cluster…`).
    busy: &'static str,
    /// Whether the action runs now.
    #[prop(into)]
    pending: Signal<bool>,
    /// Whether the action destroys something.
    #[prop(optional)]
    danger: bool,
) -> impl IntoView {
    let class = if danger {
        "button button-danger"
    } else {
        "button"
    };
    view! {
        <button class=class type="submit" disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
            {move || if pending.get() { busy } else { label }}
        </button>
    }
}
