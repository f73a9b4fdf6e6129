use leptos::prelude::*;
use orbital_types::ObjectRef;

use crate::api::object_events;
use crate::components::Alert;

/// The events about one object, newest first.
#[component]
pub fn ObjectEvents(
    /// The object.
    target: ObjectRef,
    /// Its UID, which its events name.
    uid: String,
) -> impl IntoView {
    let events = Resource::new(
        move || (target.clone(), uid.clone()),
        |(target, uid)| object_events(target, uid),
    );
    view! {
        <section class="panel" aria-labelledby="events-heading">
            <h2 id="events-heading">"Events"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(events) if events.is_empty() => {
                            view! { <p class="muted" data-testid="no-events">"No events."</p> }.into_any()
                        }
                        Ok(events) => {
                            view! {
                                <table class="table" data-testid="object-events">
                                    <thead>
                                        <tr>
                                            <th>"Type"</th>
                                            <th>"Reason"</th>
                                            <th>"Message"</th>
                                            <th>"Count"</th>
                                            <th>"Last seen"</th>
                                            <th>"From"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {events
                                            .into_iter()
                                            .map(|event| {
                                                let class = if event.severity == "Warning" { "state state-bad" } else { "" };
                                                view! {
                                                    <tr data-testid="object-event">
                                                        <td class=class>{event.severity}</td>
                                                        <td>{event.reason}</td>
                                                        <td>{event.message}</td>
                                                        <td>{event.count}</td>
                                                        <td>{event.last_seen}</td>
                                                        <td>{event.source}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <Alert text=format!("Could not list the events: {error}") /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
