use leptos::prelude::*;

use crate::api::{EventRow, ObjectError};
use crate::components::Alert;

/// The events about one object, newest first, as read with the object.
#[component]
pub fn ObjectEvents(
    /// The events, or why they could not be read.
    events: Result<Vec<EventRow>, ObjectError>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="events-heading">
            <h2 id="events-heading">"Events"</h2>
            {
                    match events {
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
            }
        </section>
    }
}
