use leptos::prelude::*;

use orbital_types::Cluster;

use crate::api::{RemoveCluster, RotateKubeconfig, UpdateCluster};
use crate::components::{FormOutcome, SubmitButton, outcome_of};

/// The host's forms for one member: its details, its kubeconfig, its removal.
#[component]
pub fn ClusterAdmin(cluster: Cluster, update: ServerAction<UpdateCluster>) -> impl IntoView {
    let name = cluster.name.clone();
    view! {
        <DetailsForm cluster update />
        <RotateForm name=name.clone() />
        <RemoveForm name />
    }
}

#[component]
fn DetailsForm(cluster: Cluster, update: ServerAction<UpdateCluster>) -> impl IntoView {
    let labels = cluster.label_terms().join("\n");
    view! {
        <section class="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">"Details"</h2>
            <ActionForm action=update attr:class="form">
                <input type="hidden" name="name" value=cluster.name />
                <label>
                    "Labels"
                    <textarea name="labels" rows="3" placeholder="env=prod, region=eu">
                        {labels}
                    </textarea>
                </label>
                <label>"Provider" <input name="provider" value=cluster.provider /></label>
                <label>"Description" <input name="description" value=cluster.description /></label>
                <SubmitButton label="Save details" busy="Saving…" pending=update.pending() />
            </ActionForm>
            <FormOutcome testid="details-outcome" outcome=outcome_of(update, |_| "Saved.".into()) />
        </section>
    }
}

#[component]
fn RotateForm(name: String) -> impl IntoView {
    let rotate = ServerAction::<RotateKubeconfig>::new();
    view! {
        <section class="panel" aria-labelledby="rotate-heading">
            <h2 id="rotate-heading">"Kubeconfig"</h2>
            <p class="muted">
                "Replace the stored kubeconfig, e.g. after its credentials were rotated. It must reach the same cluster."
            </p>
            <ActionForm action=rotate attr:class="form">
                <input type="hidden" name="name" value=name />
                <label>
                    "New kubeconfig"
                    <textarea name="kubeconfig" rows="6" required />
                </label>
                <SubmitButton
                    label="Replace kubeconfig"
                    busy="Checking the cluster…"
                    pending=rotate.pending()
                />
            </ActionForm>
            <FormOutcome
                testid="rotate-outcome"
                outcome=outcome_of(rotate, |_| "The kubeconfig was replaced.".into())
            />
        </section>
    }
}

#[component]
fn RemoveForm(name: String) -> impl IntoView {
    let remove = ServerAction::<RemoveCluster>::new();
    view! {
        <section class="panel" aria-labelledby="remove-heading">
            <h2 id="remove-heading">"Remove"</h2>
            <p class="muted">
                "The host forgets this cluster and its kubeconfig. Nothing on the cluster itself changes, so an unreachable cluster can be removed too."
            </p>
            <ActionForm action=remove attr:class="form">
                <input type="hidden" name="name" value=name />
                <label>
                    "Type the cluster's name to confirm"
                    <input name="confirm" required autocomplete="off" />
                </label>
                <SubmitButton label="Remove cluster" busy="Removing…" pending=remove.pending() danger=true />
            </ActionForm>
            <FormOutcome testid="remove-outcome" outcome=outcome_of(remove, |_| "Removed.".into()) />
        </section>
    }
}
