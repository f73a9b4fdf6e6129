use leptos::html::{Pre, Textarea};
use leptos::prelude::*;

use super::yaml_check::first_problem;
use super::yaml_highlight::line_pieces;

/// The YAML text coloured line by line, `error_line` (from 1) marked.
fn highlighted(text: &str, error_line: Option<usize>) -> impl IntoView + use<> {
    text.split('\n')
        .enumerate()
        .map(|(at, line)| {
            let class = if Some(at + 1) == error_line {
                "y-line y-error"
            } else {
                "y-line"
            };
            let pieces = line_pieces(line)
                .into_iter()
                .map(|(piece, text)| view! { <span class=piece.class()>{text.to_owned()}</span> })
                .collect_view();
            view! { <span class=class>{pieces}"\n"</span> }
        })
        .collect_view()
}

/// The first mistake in `text` that is never YAML, as `(line, what)`, followed as it is typed.
pub fn yaml_problem(text: RwSignal<String>) -> Memo<Option<(usize, String)>> {
    Memo::new(move |_| first_problem(&text.get()))
}

/// A text area for YAML: a plain text area without JavaScript; once the page is live, coloured
/// as it is typed, with the first mistake that is never YAML marked at its line and told below.
#[component]
pub fn YamlText(
    /// The text, as typed.
    text: RwSignal<String>,
    /// Its first mistake, from [`yaml_problem`]; the caller keeps such text from being sent.
    problem: Memo<Option<(usize, String)>>,
    /// A line the server objected to, marked until the next attempt.
    #[prop(into)]
    objection: Signal<Option<usize>>,
    /// What the text area holds, for its accessible name.
    label: &'static str,
    /// The text area's test id.
    testid: &'static str,
    /// Whether the text can only be read.
    #[prop(optional)]
    readonly: bool,
) -> impl IntoView {
    // Colours cover the text only once the page is live; before, the text area shows it.
    let live = RwSignal::new(false);
    Effect::new(move || live.set(true));
    let area = NodeRef::<Textarea>::new();
    let colours = NodeRef::<Pre>::new();
    let follow_scroll = move |_| {
        if let (Some(area), Some(colours)) = (area.get(), colours.get()) {
            colours.set_scroll_top(area.scroll_top());
            colours.set_scroll_left(area.scroll_left());
        }
    };
    let marked = move || problem.get().map(|(line, _)| line).or(objection.get());
    view! {
        <div class="yaml-editor" class:live=move || live.get()>
            <pre class="yaml-colours" aria-hidden="true" node_ref=colours>
                {move || highlighted(&text.get(), marked())}
            </pre>
            <textarea
                node_ref=area
                aria-label=label
                aria-describedby=format!("{testid}-problem")
                data-testid=testid
                spellcheck="false"
                readonly=readonly
                prop:value=move || text.get()
                on:input=move |event| text.set(event_target_value(&event))
                on:scroll=follow_scroll
            >
                {text.get_untracked()}
            </textarea>
        </div>
        <p id=format!("{testid}-problem") class="error yaml-problem" role="status" data-testid="yaml-problem">
            {move || problem.get().map(|(line, what)| format!("Line {line}: {what}."))}
        </p>
    }
}
