use leptos::prelude::*;

/// One resource's use as a bar: the capacity as the track, what of it pods may use over it,
/// and what the pods request over that; the same figures in words beside it. Drawn with SVG
/// attributes, so the page's style policy allows it without a script.
#[component]
pub fn LoadBar(
    /// What is measured (`CPU`, `Memory`).
    resource: &'static str,
    /// The capacity.
    capacity: u64,
    /// What of it pods may use.
    allocatable: u64,
    /// What the pods request.
    requested: u64,
    /// Writes an amount for people.
    show: fn(u64) -> String,
) -> impl IntoView {
    let width = |part: u64| format!("{:.1}", share(part, capacity));
    let words = format!(
        "{} of {} requested ({:.0} %), {} capacity",
        show(requested),
        show(allocatable),
        share(requested, allocatable),
        show(capacity),
    );
    view! {
        <div class="load" data-testid="load-bar">
            <span class="load-name">{resource}</span>
            <svg class="load-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                <rect class="load-capacity" width="100" height="10" />
                <rect class="load-allocatable" width=width(allocatable) height="10" />
                <rect class="load-requested" width=width(requested) height="10" />
            </svg>
            <span class="load-words">{words}</span>
        </div>
    }
}

/// `part` as a percentage of `whole`, at most 100; none of nothing.
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 100.0 / whole as f64).min(100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn shares_are_percentages_that_stay_on_the_bar() {
        assert_eq!(share(250, 1000), 25.0);
        assert_eq!(share(3000, 2000), 100.0, "overcommitted stays on the bar");
        assert_eq!(share(5, 0), 0.0);
    }
}
