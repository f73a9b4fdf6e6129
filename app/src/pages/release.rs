use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use orbital_types::appstore::ReleaseDetails;

use crate::api::{RollbackRelease, UpgradeRelease, get_release, when_usable};
use crate::components::{
    Alert, FormOutcome, Freshness, LiveRegion, SubmitButton, VersionSelect, outcome_of,
};

use super::appstore::NotHere;
use super::installed::{MOVING_SECONDS, is_moving};

/// `/appstore/installed/{id}`: one release — what it runs, its values, its history — upgraded
/// to another version or other values, or rolled back to an earlier revision (each a new
/// revision, followed while it is on its way).
#[component]
pub fn ReleasePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let upgrade = ServerAction::<UpgradeRelease>::new();
    let rollback = ServerAction::<RollbackRelease>::new();
    let details = Resource::new(id, |id| when_usable(move || get_release(id)));
    let upgraded = outcome_of(upgrade, |()| {
        "Upgrading: a new revision follows.".to_owned()
    });
    let rolled_back = outcome_of(rollback, |()| {
        "Rolling back: a new revision follows.".to_owned()
    });
    view! {
        <p>
            <A href="/appstore/installed">"Installed apps"</A>
        </p>
        <h1>{id}</h1>
        <FormOutcome testid="upgrade-outcome" outcome=upgraded />
        <FormOutcome testid="rollback-outcome" outcome=rolled_back />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(Ok(details)) => view! { <ReleaseView details upgrade rollback /> }.into_any(),
                    Ok(Err(state)) => view! { <NotHere state /> }.into_any(),
                    Err(error) => view! { <Alert text=error.to_string() /> }.into_any(),
                }
            })}
        </Transition>
        <LiveRegion
            regions=vec![RELEASE_REGION.to_owned(), HISTORY_REGION.to_owned()]
            keep=Freshness::WhileMoving(MOVING_SECONDS)
        />
    }
}

/// The parts of the page that follow a release on its way: what it is, and its history.
const RELEASE_REGION: &str = "release-region";
const HISTORY_REGION: &str = "history-region";

#[component]
fn ReleaseView(
    details: ReleaseDetails,
    upgrade: ServerAction<UpgradeRelease>,
    rollback: ServerAction<RollbackRelease>,
) -> impl IntoView {
    let row = details.row;
    let (form_id, history_id) = (row.id.clone(), row.id.clone());
    view! {
        <section class="panel" aria-labelledby="release-about" id=RELEASE_REGION>
            <h2 id="release-about">"Release"</h2>
            <dl class="facts">
                <dt>"App"</dt>
                <dd>{format!("{} {} ({})", row.chart, row.version, row.repo)}</dd>
                <dt>"Cluster"</dt>
                <dd>{row.cluster.clone()}</dd>
                <dt>"Namespace"</dt>
                <dd>{row.namespace.clone()}</dd>
                <dt>"Phase"</dt>
                <dd data-testid="release-phase" data-moving=is_moving(&row.phase).then_some("")>
                    {row.phase.clone()}
                </dd>
                <dt>"Revision"</dt>
                <dd data-testid="release-revision">{row.revision}</dd>
                <dt>"Requested by"</dt>
                <dd>{row.requested_by.clone()}</dd>
            </dl>
            <pre class="readme" tabindex="0">{row.message.clone()}</pre>
        </section>
        <section class="panel" aria-labelledby="upgrade-heading">
            <h2 id="upgrade-heading">"Upgrade"</h2>
            <ActionForm action=upgrade attr:class="form" attr:data-testid="upgrade-form">
                <input type="hidden" name="id" value=form_id />
                <VersionSelect versions=details.versions.clone() selected=row.version.clone() />
                <label>
                    "Values (YAML, over the chart's defaults)"
                    <textarea name="values" rows="8" spellcheck="false">
                        {details.values.clone()}
                    </textarea>
                </label>
                <SubmitButton label="Upgrade" busy="Checking…" pending=upgrade.pending() />
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="history-heading" id=HISTORY_REGION>
            <h2 id="history-heading">"History"</h2>
            <table class="table" data-testid="history">
                <thead>
                    <tr>
                        <th>"Revision"</th>
                        <th>"Chart version"</th>
                        <th>"Status"</th>
                        <th>"Deployed"</th>
                        <th><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {details
                        .history
                        .into_iter()
                        .map(|revision| {
                            let testid = format!("revision-{}", revision.revision);
                            let offered = revision.can_roll_back && revision.status != "deployed";
                            let label = format!("Roll back to revision {}", revision.revision);
                            let id = history_id.clone();
                            view! {
                                <tr data-testid=testid>
                                    <td>{revision.revision}</td>
                                    <td>{revision.chart_version.clone()}</td>
                                    <td>{revision.status.clone()}</td>
                                    <td>{revision.deployed_at.clone()}</td>
                                    <td>
                                        {offered
                                            .then(|| {
                                                view! {
                                                    <ActionForm action=rollback>
                                                        <input type="hidden" name="id" value=id />
                                                        <input type="hidden" name="revision" value=revision.revision />
                                                        <span class="visually-hidden">{label}</span>
                                                        <SubmitButton
                                                            label="Roll back"
                                                            busy="Asking…"
                                                            pending=rollback.pending()
                                                        />
                                                    </ActionForm>
                                                }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
