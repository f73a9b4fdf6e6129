use leptos::prelude::*;
use orbital_types::Findings;

/// What a search found, each a link to its page, and the clusters that could not answer.
/// `chosen`, when given, marks the one the keyboard is on (the command palette's listbox).
#[component]
pub fn FoundList(
    /// What the search answered.
    findings: Findings,
    /// The index the keyboard is on, for the palette; `None` on the find page.
    #[prop(optional)]
    chosen: Option<Signal<usize>>,
    /// Called when a result is followed, so the palette can close.
    #[prop(optional)]
    on_follow: Option<Callback<()>>,
) -> impl IntoView {
    let Findings { found, missing } = findings;
    let nothing = found.is_empty().then(|| {
        view! { <p class="muted" role="status">"Nothing matches."</p> }
    });
    let items = found
        .into_iter()
        .enumerate()
        .map(|(at, found)| {
            let selected = move || chosen.is_some_and(|chosen| chosen.get() == at);
            view! {
                // In the palette the link itself is the option: an option may hold nothing
                // focusable, and the keyboard stays in the input (hence no Tab stop here).
                <li role=chosen.map(|_| "none") class:chosen=selected>
                    <a
                        href=found.href
                        id=chosen.map(|_| format!("found-{at}"))
                        role=chosen.map(|_| "option")
                        aria-selected=move || chosen.map(|_| selected().to_string())
                        tabindex=chosen.map(|_| "-1")
                        data-testid="found"
                        on:click=move |_| {
                            if let Some(follow) = on_follow {
                                follow.run(());
                            }
                        }
                    >
                        <span class="found-name">{found.name}</span>
                        <span class="found-detail">{found.detail}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let missing = (!missing.is_empty()).then(|| {
        let text = missing
            .iter()
            .map(|failure| format!("{}: {}", failure.cluster, failure.error))
            .collect::<Vec<_>>()
            .join("; ");
        view! {
            <p class="muted" data-testid="found-missing">
                {format!("Left out, could not answer — {text}")}
            </p>
        }
    });
    view! {
        {nothing}
        <ul
            class="found-list"
            id=chosen.map(|_| "palette-results")
            role=chosen.map(|_| "listbox")
            aria-label="Found"
        >
            {items}
        </ul>
        {missing}
    }
}
