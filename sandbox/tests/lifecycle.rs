//! Deletion semantics: finalizers, propagation policies, namespaces, CRDs; identity across restarts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{TestSandbox, eventually};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, PropagationPolicy};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);

async fn create(api: &Api<ConfigMap>, body: serde_json::Value) -> ConfigMap {
    api.create(
        &PostParams::default(),
        &serde_json::from_value(body).unwrap(),
    )
    .await
    .unwrap()
}

async fn owner_and_dependent(api: &Api<ConfigMap>, suffix: &str) -> (String, String) {
    let owner = create(
        api,
        json!({"metadata": {"name": format!("owner-{suffix}")}}),
    )
    .await;
    let uid = owner.metadata.uid.unwrap();
    let dependent = format!("dependent-{suffix}");
    create(
        api,
        json!({"metadata": {"name": dependent, "ownerReferences": [
            {"apiVersion": "v1", "kind": "ConfigMap", "name": format!("owner-{suffix}"), "uid": uid}
        ]}}),
    )
    .await;
    (format!("owner-{suffix}"), dependent)
}

async fn gone(api: &Api<ConfigMap>, name: &str) -> Option<()> {
    api.get_opt(name).await.unwrap().is_none().then_some(())
}

#[tokio::test(flavor = "multi_thread")]
async fn propagation_policies_and_finalizers() {
    let sandbox = TestSandbox::start().await;
    let api: Api<ConfigMap> = Api::namespaced(sandbox.client().await, "default");

    let (owner, dependent) = owner_and_dependent(&api, "bg").await;
    api.delete(&owner, &DeleteParams::background())
        .await
        .unwrap();
    eventually(WAIT, "the background dependent to go", || {
        gone(&api, &dependent)
    })
    .await;

    let (owner, dependent) = owner_and_dependent(&api, "orphan").await;
    api.delete(&owner, &DeleteParams::orphan()).await.unwrap();
    eventually(WAIT, "the orphaning owner to go", || gone(&api, &owner)).await;
    let orphan = api.get(&dependent).await.unwrap();
    assert!(
        orphan
            .metadata
            .owner_references
            .unwrap_or_default()
            .is_empty()
    );

    let (owner, dependent) = owner_and_dependent(&api, "fg").await;
    let hold = json!({"metadata": {"finalizers": ["example.com/hold"]}});
    api.patch(&dependent, &PatchParams::default(), &Patch::Merge(&hold))
        .await
        .unwrap();
    let params = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Foreground),
        ..DeleteParams::default()
    };
    api.delete(&owner, &params).await.unwrap();
    let waiting = api.get(&owner).await.unwrap();
    assert!(
        waiting.metadata.deletion_timestamp.is_some(),
        "the owner waits for its dependent"
    );
    eventually(WAIT, "the dependent to be marked", || async {
        api.get(&dependent)
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .map(|_| ())
    })
    .await;
    let release = json!({"metadata": {"finalizers": null}});
    api.patch(&dependent, &PatchParams::default(), &Patch::Merge(&release))
        .await
        .unwrap();
    eventually(WAIT, "the dependent to go", || gone(&api, &dependent)).await;
    eventually(WAIT, "the foreground owner to go", || gone(&api, &owner)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_namespace_deletes_its_contents() {
    let sandbox = TestSandbox::start().await;
    let client = sandbox.client().await;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "doomed"}})).unwrap(),
        )
        .await
        .unwrap();
    let configmaps: Api<ConfigMap> = Api::namespaced(client, "doomed");
    create(&configmaps, json!({"metadata": {"name": "inside"}})).await;
    namespaces
        .delete("doomed", &DeleteParams::default())
        .await
        .unwrap();
    let refused = configmaps
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "late"}})).unwrap(),
        )
        .await;
    assert!(
        matches!(refused, Err(kube::Error::Api(status)) if status.code == 403 || status.code == 404)
    );
    eventually(WAIT, "the namespace to go", || async {
        namespaces
            .get_opt("doomed")
            .await
            .unwrap()
            .is_none()
            .then_some(())
    })
    .await;
    assert!(configmaps.get_opt("inside").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_crd_deletes_its_objects() {
    let sandbox = TestSandbox::start().await;
    let client = sandbox.client().await;
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {"group": "example.com", "scope": "Cluster",
                 "names": {"plural": "gadgets", "kind": "Gadget"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object"}}}]}
    });
    let crds_resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
        "customresourcedefinitions",
    );
    let crds: Api<DynamicObject> = Api::all_with(client.clone(), &crds_resource);
    crds.create(
        &PostParams::default(),
        &serde_json::from_value(crd).unwrap(),
    )
    .await
    .unwrap();
    let established = crds.get("gadgets.example.com").await.unwrap();
    let conditions = established.data["status"]["conditions"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        conditions
            .iter()
            .any(|c| c["type"] == "Established" && c["status"] == "True")
    );

    let gadget_resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("example.com", "v1", "Gadget"),
        "gadgets",
    );
    let gadgets: Api<DynamicObject> = Api::all_with(client.clone(), &gadget_resource);
    let gadget =
        json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g1"}});
    gadgets
        .create(
            &PostParams::default(),
            &serde_json::from_value(gadget.clone()).unwrap(),
        )
        .await
        .unwrap();

    crds.delete("gadgets.example.com", &DeleteParams::default())
        .await
        .unwrap();
    let listing = gadgets.list(&Default::default()).await;
    assert!(matches!(listing, Err(kube::Error::Api(status)) if status.code == 404));
    crds.create(
        &PostParams::default(),
        &serde_json::from_value(established_definition()).unwrap(),
    )
    .await
    .unwrap();
    assert!(
        gadgets
            .list(&Default::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

fn established_definition() -> serde_json::Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {"group": "example.com", "scope": "Cluster",
                 "names": {"plural": "gadgets", "kind": "Gadget"},
                 "versions": [{"name": "v1", "served": true, "storage": true}]}
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn kube_system_keeps_its_uid_across_restarts() {
    let first = TestSandbox::start().await;
    let namespaces: Api<Namespace> = Api::all(first.client().await);
    let uid = namespaces
        .get("kube-system")
        .await
        .unwrap()
        .metadata
        .uid
        .unwrap();
    let TestSandbox { sandbox, dir, .. } = first;
    sandbox.shutdown().await;
    let second = TestSandbox::start_in(dir).await;
    let namespaces: Api<Namespace> = Api::all(second.client().await);
    assert_eq!(
        namespaces
            .get("kube-system")
            .await
            .unwrap()
            .metadata
            .uid
            .unwrap(),
        uid
    );
}
