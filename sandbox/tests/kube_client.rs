//! kube-rs against the sandbox: typed CRUD, optimistic concurrency, watches and paging.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{TestSandbox, eventually};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, reflector, watcher};

fn configmap(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([("key".to_owned(), value.to_owned())])),
        ..ConfigMap::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_crud_and_stale_updates() {
    let sandbox = TestSandbox::start().await;
    let client = sandbox.client().await;
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");

    let created = configmaps
        .create(&PostParams::default(), &configmap("one", "a"))
        .await
        .unwrap();
    assert!(created.metadata.uid.is_some());
    assert!(created.metadata.creation_timestamp.is_some());

    let fetched = configmaps.get("one").await.unwrap();
    assert_eq!(fetched.data.as_ref().unwrap()["key"], "a");

    let mut changed = fetched.clone();
    changed.data = Some(BTreeMap::from([("key".to_owned(), "b".to_owned())]));
    let replaced = configmaps
        .replace("one", &PostParams::default(), &changed)
        .await
        .unwrap();
    assert_ne!(
        replaced.metadata.resource_version,
        fetched.metadata.resource_version
    );

    // `fetched` carries the old resourceVersion: the server must refuse it.
    let stale = configmaps
        .replace("one", &PostParams::default(), &fetched)
        .await
        .unwrap_err();
    let kube::Error::Api(status) = stale else {
        panic!("expected an API error, got {stale:?}");
    };
    assert_eq!(status.code, 409);
    assert_eq!(status.reason, "Conflict");

    let patched = configmaps
        .patch(
            "one",
            &PatchParams::apply("test").force(),
            &Patch::Apply(serde_json::json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "one"}, "data": {"key": "c"}
            })),
        )
        .await
        .unwrap();
    assert_eq!(patched.data.unwrap()["key"], "c");

    configmaps
        .delete("one", &DeleteParams::default())
        .await
        .unwrap();
    let gone = configmaps.get("one").await.unwrap_err();
    assert!(matches!(gone, kube::Error::Api(status) if status.code == 404));
}

#[tokio::test(flavor = "multi_thread")]
async fn watcher_and_reflector_converge() {
    let sandbox = TestSandbox::start().await;
    let client = sandbox.client().await;
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    configmaps
        .create(&PostParams::default(), &configmap("before", "1"))
        .await
        .unwrap();

    let (reader, writer) = reflector::store();
    let stream = reflector(
        writer,
        watcher(configmaps.clone(), watcher::Config::default()),
    )
    .applied_objects()
    .boxed();
    let driver = tokio::spawn(async move {
        let _ = stream.try_for_each(|_| async { Ok(()) }).await;
    });
    reader.wait_until_ready().await.unwrap();

    configmaps
        .create(&PostParams::default(), &configmap("after", "2"))
        .await
        .unwrap();
    configmaps
        .patch(
            "before",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"data": {"key": "changed"}})),
        )
        .await
        .unwrap();
    configmaps
        .delete("after", &DeleteParams::default())
        .await
        .unwrap();
    configmaps
        .create(&PostParams::default(), &configmap("last", "3"))
        .await
        .unwrap();

    eventually(Duration::from_secs(10), "the reflector to converge", || {
        let state = reader.state();
        async move {
            let mut names: Vec<String> = state
                .iter()
                .map(|cm| cm.metadata.name.clone().unwrap_or_default())
                .collect();
            names.sort();
            let before = state
                .iter()
                .find(|cm| cm.metadata.name.as_deref() == Some("before"))?;
            (names == ["before", "last"]
                && before.data.as_ref()?.get("key").map(String::as_str) == Some("changed"))
            .then_some(())
        }
    })
    .await;
    driver.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn five_thousand_objects_page_exactly_once() {
    let sandbox = TestSandbox::start().await;
    let client = sandbox.client().await;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &PostParams::default(),
            &Namespace {
                metadata: ObjectMeta {
                    name: Some("paging".into()),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            },
        )
        .await
        .unwrap();
    let configmaps: Api<ConfigMap> = Api::namespaced(client, "paging");
    futures::stream::iter(0..5000)
        .map(|i| {
            let configmaps = configmaps.clone();
            async move {
                configmaps
                    .create(
                        &PostParams::default(),
                        &configmap(&format!("cm-{i:05}"), "x"),
                    )
                    .await
                    .unwrap();
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;

    let mut seen = Vec::new();
    let mut params = ListParams::default().limit(317);
    let mut pages = 0;
    loop {
        let page = configmaps.list(&params).await.unwrap();
        pages += 1;
        seen.extend(page.items.into_iter().map(|cm| cm.metadata.name.unwrap()));
        match page.metadata.continue_.filter(|token| !token.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
    }
    assert_eq!(pages, 5000 / 317 + 1);
    let expected: Vec<String> = (0..5000).map(|i| format!("cm-{i:05}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn deletes_honour_their_preconditions() {
    use kube::api::Preconditions;

    let sandbox = TestSandbox::start().await;
    let configmaps: Api<ConfigMap> = Api::namespaced(sandbox.client().await, "default");
    let created = configmaps
        .create(&PostParams::default(), &configmap("guarded", "a"))
        .await
        .unwrap();
    let uid = created.metadata.uid.clone().unwrap();
    let version = created.metadata.resource_version.clone().unwrap();
    let guarded = |uid: Option<String>, resource_version: Option<String>| DeleteParams {
        preconditions: Some(Preconditions {
            uid,
            resource_version,
        }),
        ..DeleteParams::default()
    };
    let refused = |error: kube::Error| match error {
        kube::Error::Api(status) => (status.code, status.reason.clone(), status.message.clone()),
        other => panic!("expected an API error, got {other:?}"),
    };

    let (code, reason, message) = refused(
        configmaps
            .delete("guarded", &guarded(Some("another-uid".into()), None))
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (409, "Conflict"), "{message}");
    assert!(
        message.contains("UID in precondition: another-uid"),
        "{message}"
    );

    // A change since `version` was read: the resourceVersion precondition no longer holds.
    let mut changed = created.clone();
    changed.data = Some(BTreeMap::from([("key".to_owned(), "b".to_owned())]));
    configmaps
        .replace("guarded", &PostParams::default(), &changed)
        .await
        .unwrap();
    let (code, _, message) = refused(
        configmaps
            .delete("guarded", &guarded(None, Some(version)))
            .await
            .unwrap_err(),
    );
    assert_eq!(code, 409, "{message}");
    assert!(
        message.contains("ResourceVersion in precondition"),
        "{message}"
    );
    assert!(configmaps.get_opt("guarded").await.unwrap().is_some());

    let current = configmaps.get("guarded").await.unwrap();
    configmaps
        .delete(
            "guarded",
            &guarded(Some(uid), current.metadata.resource_version),
        )
        .await
        .unwrap();
    assert!(configmaps.get_opt("guarded").await.unwrap().is_none());
}
