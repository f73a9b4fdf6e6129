use leptos::prelude::*;
use orbital_types::{DiffLine, LineChange, ObjectRef};

use super::yaml_text::{YamlText, yaml_problem};
use crate::api::{SaveOutcome, save_object_yaml};

/// A conflict's difference: what the other change did to the version the edit began from.
#[component]
fn Difference(lines: Vec<DiffLine>) -> impl IntoView {
    view! {
        <pre class="diff" data-testid="conflict-diff">
            {lines
                .into_iter()
                .map(|line| {
                    let (class, mark) = match line.change {
                        LineChange::Same => ("diff-same", "  "),
                        LineChange::Removed => ("diff-removed", "- "),
                        LineChange::Added => ("diff-added", "+ "),
                    };
                    view! { <span class=class>{format!("{mark}{}\n", line.text)}</span> }
                })
                .collect_view()}
        </pre>
    }
}

/// An object's YAML: read as it is without JavaScript; with it, edited with highlighting and
/// checked as it is typed, saved after a dry run, the API server's objection shown at its line, and a change made
/// meanwhile shown as a difference with the edit offered again on the latest version.
#[component]
pub fn YamlEditor(
    /// The object.
    target: ObjectRef,
    /// Its YAML as loaded.
    yaml: String,
    /// Whether values were left out of it (a Secret), so it cannot be saved.
    hidden: bool,
) -> impl IntoView {
    let original = RwSignal::new(yaml.clone());
    let text = RwSignal::new(yaml);
    let outcome = RwSignal::new(None::<Result<SaveOutcome, String>>);
    let live = RwSignal::new(false);
    Effect::new(move || live.set(true));
    let save = Action::new(move |(original, edited): &(String, String)| {
        let (target, original, edited) = (target.clone(), original.clone(), edited.clone());
        async move { save_object_yaml(target, original, edited).await }
    });
    Effect::new(move || {
        if let Some(result) = save.value().get() {
            if let Ok(SaveOutcome::Saved { yaml }) = &result {
                original.set(yaml.clone());
                text.set(yaml.clone());
            }
            outcome.set(Some(result.map_err(|error| error.to_string())));
        }
    });
    // Mistakes that are never YAML keep the text from being sent; the server's objection to a
    // save is marked until the next one.
    let problem = yaml_problem(text);
    let objection = Signal::derive(move || match outcome.get() {
        Some(Ok(SaveOutcome::Invalid { line, .. })) => line,
        _ => None,
    });
    let pending = save.pending();
    let result = move || {
        outcome.get().map(|answer| match answer {
            Ok(SaveOutcome::Saved { .. }) => {
                view! { <p class="ok" data-testid="yaml-outcome">"Saved."</p> }.into_any()
            }
            Ok(SaveOutcome::Invalid { message, line }) => {
                let at = line.map(|line| format!("Line {line}: ")).unwrap_or_default();
                view! {
                    <p class="error" role="alert" data-testid="yaml-outcome">
                        {format!("Not saved. {at}{message}")}
                    </p>
                }
                    .into_any()
            }
            Ok(SaveOutcome::Conflict { latest, theirs, rebased }) => {
                let latest_again = latest.clone();
                view! {
                    <div class="conflict" role="alert" data-testid="yaml-conflict">
                        <p class="error">
                            "Not saved: the object changed since you loaded it. This is what the other change did:"
                        </p>
                        <Difference lines=theirs />
                        <button
                            class="button"
                            type="button"
                            data-testid="reapply"
                            on:click=move |_| {
                                original.set(latest.clone());
                                text.set(rebased.clone());
                                outcome.set(None);
                            }
                        >
                            "Re-apply my edit on the latest version"
                        </button>
                        " "
                        <button
                            class="button"
                            type="button"
                            on:click=move |_| {
                                original.set(latest_again.clone());
                                text.set(latest_again.clone());
                                outcome.set(None);
                            }
                        >
                            "Discard my edit"
                        </button>
                    </div>
                }
                    .into_any()
            }
            Err(error) => {
                view! {
                    <p class="error" role="alert" data-testid="yaml-outcome">
                        {format!("Not saved: {error}")}
                    </p>
                }
                    .into_any()
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="yaml-heading">
            <h2 id="yaml-heading">"YAML"</h2>
            {hidden
                .then(|| {
                    view! {
                        <p class="muted">
                            "A Secret's values are left out here; reveal them on the overview."
                        </p>
                    }
                })}
            <YamlText
                text
                problem
                objection
                label="The object as YAML"
                testid="yaml-text"
                readonly=hidden
            />
            {(!hidden)
                .then(|| {
                    view! {
                        <button
                            class="button"
                            type="button"
                            data-testid="yaml-save"
                            disabled=move || pending.get() || !live.get() || problem.get().is_some()
                            on:click=move |_| {
                                save.dispatch((original.get_untracked(), text.get_untracked()));
                            }
                        >
                            {move || if pending.get() { "Checking and saving…" } else { "Save" }}
                        </button>
                    }
                })}
            {result}
        </section>
    }
}
