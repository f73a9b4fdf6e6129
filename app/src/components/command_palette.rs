use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use orbital_types::{FIND_TEXT_MAX, Findings};

use super::{Alert, FoundList};
use crate::api::find_anything;
use crate::url::go_to;

/// The command palette in the top bar. Ctrl+K (⌘K) jumps to it from any page; typing finds
/// clusters, namespaces, kinds and objects by name across every cluster the user may see,
/// answered from the console's caches; the arrow keys choose and Enter opens. Without
/// JavaScript it is a search form that leads to `/find`. An island: it runs in the browser.
#[island]
pub fn CommandPalette() -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    let text = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let chosen = RwSignal::new(0usize);
    let findings = LocalResource::new(move || {
        let text = text.get();
        async move {
            if text.trim().is_empty() {
                Ok(Findings::default())
            } else {
                find_anything(text).await
            }
        }
    });
    let hrefs = move || -> Vec<String> {
        findings
            .get()
            .and_then(Result::ok)
            .map(|findings| findings.found.into_iter().map(|found| found.href).collect())
            .unwrap_or_default()
    };
    let shown = move || open.get() && !text.read().trim().is_empty();

    let shortcut = window_event_listener(ev::keydown, move |event| {
        if event.key().eq_ignore_ascii_case("k") && (event.ctrl_key() || event.meta_key()) {
            event.prevent_default();
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
                input.select();
            }
            open.set(true);
        }
    });
    on_cleanup(move || shortcut.remove());

    // The chosen result stays in sight as the arrow keys move through the list.
    Effect::new(move || {
        let at = chosen.get();
        if shown() {
            keep_in_sight(&format!("found-{at}"));
        }
    });

    let on_keydown = move |event: ev::KeyboardEvent| {
        let count = hrefs().len();
        match event.key().as_str() {
            "ArrowDown" | "ArrowUp" if count > 0 => {
                event.prevent_default();
                open.set(true);
                let step = if event.key() == "ArrowDown" {
                    1
                } else {
                    count - 1
                };
                chosen.update(|at| *at = (*at + step) % count);
            }
            "Enter" if shown() => {
                if let Some(href) = hrefs().get(chosen.get_untracked()) {
                    event.prevent_default();
                    open.set(false);
                    go_to(href);
                }
            }
            "Escape" => open.set(false),
            _ => {}
        }
    };

    view! {
        <form method="get" action="/find" class="palette" role="search">
            <input
                node_ref=input
                type="search"
                name="q"
                class="palette-input"
                placeholder="Find anything (Ctrl+K)"
                aria-label="Find anything"
                title="Clusters, namespaces, kinds and objects by name"
                aria-keyshortcuts="Control+K Meta+K"
                role="combobox"
                aria-autocomplete="list"
                aria-controls="palette-results"
                aria-expanded=move || shown().to_string()
                aria-activedescendant=move || {
                    (shown() && !hrefs().is_empty()).then(|| format!("found-{}", chosen.get()))
                }
                autocomplete="off"
                maxlength=FIND_TEXT_MAX
                data-testid="palette"
                on:input=move |event| {
                    text.set(event_target_value(&event));
                    chosen.set(0);
                    open.set(true);
                }
                on:focus=move |_| open.set(true)
                on:blur=move |_| open.set(false)
                on:keydown=on_keydown
            />
            // Pressing on a result must not blur the input first, or the list would close
            // before the click lands.
            <div
                class="palette-results"
                hidden=move || !shown()
                on:mousedown=|event| event.prevent_default()
            >
                // Only while shown, so the server, where a local resource has no value, sends
                // nothing here.
                {move || {
                    shown()
                        .then(|| match findings.get() {
                            None => view! { <p class="muted">"Searching…"</p> }.into_any(),
                            Some(Ok(findings)) => {
                                view! {
                                    <FoundList
                                        findings
                                        chosen=chosen.into()
                                        on_follow=Callback::new(move |()| open.set(false))
                                    />
                                }
                                    .into_any()
                            }
                            Some(Err(error)) => {
                                view! { <Alert text=format!("The search failed: {error}") /> }
                                    .into_any()
                            }
                        })
                }}
            </div>
        </form>
    }
}

/// Scrolls the element with `id` just far enough to show it whole.
#[cfg(feature = "hydrate")]
fn keep_in_sight(id: &str) {
    use web_sys::{ScrollIntoViewOptions, ScrollLogicalPosition};

    if let Some(element) = document().get_element_by_id(id) {
        let options = ScrollIntoViewOptions::new();
        options.set_block(ScrollLogicalPosition::Nearest);
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

/// Effects never run on the server.
#[cfg(not(feature = "hydrate"))]
fn keep_in_sight(_id: &str) {}
