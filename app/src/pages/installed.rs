use leptos::prelude::*;
use leptos_router::components::A;

use orbital_types::appstore::ReleaseRow;

use crate::api::{UninstallRelease, list_releases, when_usable};
use crate::components::{Alert, FormOutcome, Freshness, LiveRegion, SubmitButton, outcome_of};

use super::appstore::NotHere;

/// Phases a release passes through on its way; a page showing one looks again shortly.
const MOVING: &[&str] = &["Pending", "Installing", "Upgrading", "Uninstalling"];

/// Whether a release in `phase` is on its way.
pub(crate) fn is_moving(phase: &str) -> bool {
    MOVING.contains(&phase)
}

/// How often, in seconds, a page showing something on its way reads it again.
pub(crate) const MOVING_SECONDS: u32 = 2;

/// `/appstore/installed`: the App Store's releases by cluster and namespace, with their phase,
/// revision and message, followed while any is on its way, each with its uninstall button.
#[component]
pub fn InstalledAppsPage() -> impl IntoView {
    let uninstall = ServerAction::<UninstallRelease>::new();
    let releases = Resource::new(|| (), |()| when_usable(list_releases));
    let outcome = outcome_of(uninstall, |()| "Uninstalling.".to_owned());
    view! {
        <p>
            <A href="/appstore">"App Store"</A>
        </p>
        <h1>"Installed apps"</h1>
        <FormOutcome testid="uninstall-outcome" outcome />
        <div id="releases-region">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match releases.await {
                        Ok(Err(state)) => view! { <NotHere state /> }.into_any(),
                        Ok(Ok(rows)) if rows.is_empty() => {
                            view! { <p class="muted">"No app is installed through the App Store."</p> }
                                .into_any()
                        }
                        Ok(Ok(rows)) => {
                            view! {
                                <table class="table" data-testid="releases">
                                    <thead>
                                        <tr>
                                            <th>"Release"</th>
                                            <th>"App"</th>
                                            <th>"Cluster"</th>
                                            <th>"Namespace"</th>
                                            <th>"Phase"</th>
                                            <th>"Revision"</th>
                                            <th>"Message"</th>
                                            <th>"Requested by"</th>
                                            <th><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {rows
                                            .into_iter()
                                            .map(|row| view! { <ReleaseLine row uninstall /> })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <Alert text=format!("The releases cannot be listed: {error}") /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
        <LiveRegion regions=vec!["releases-region".to_owned()] keep=Freshness::WhileMoving(MOVING_SECONDS) />
    }
}

/// One release of the installed apps: the App Store's, with its page and its uninstall button,
/// or one Helm itself made, shown as it is.
#[component]
fn ReleaseLine(row: ReleaseRow, uninstall: ServerAction<UninstallRelease>) -> impl IntoView {
    let ours = !row.id.is_empty();
    let testid = if ours {
        format!("release-{}", row.id)
    } else {
        format!(
            "helm-release-{}.{}.{}",
            row.release_name, row.namespace, row.cluster
        )
    };
    let label = format!("Uninstall {}", row.release_name);
    let app = if ours {
        format!("{} {} ({})", row.chart, row.version, row.repo)
    } else {
        format!("{} (app {})", row.chart, row.version)
    };
    let requested_by = if ours {
        row.requested_by.clone()
    } else {
        "Helm, outside the App Store".to_owned()
    };
    view! {
        <tr data-testid=testid data-moving=is_moving(&row.phase).then_some("")>
            <td>
                {if ours {
                    view! {
                        <A href=format!("/appstore/installed/{}", row.id)>{row.release_name.clone()}</A>
                    }
                        .into_any()
                } else {
                    row.release_name.clone().into_any()
                }}
            </td>
            <td>{app}</td>
            <td>{row.cluster.clone()}</td>
            <td>{row.namespace.clone()}</td>
            <td data-testid="phase">{row.phase.clone()}</td>
            <td>{row.revision}</td>
            <td class="message">{row.message.clone()}</td>
            <td>{requested_by}</td>
            <td>
                {ours
                    .then(|| {
                        view! {
                            <ActionForm action=uninstall>
                                <input type="hidden" name="id" value=row.id.clone() />
                                <span class="visually-hidden">{label}</span>
                                <SubmitButton
                                    label="Uninstall"
                                    busy="Asking…"
                                    pending=uninstall.pending()
                                    danger=true
                                />
                            </ActionForm>
                        }
                    })}
            </td>
        </tr>
    }
}
