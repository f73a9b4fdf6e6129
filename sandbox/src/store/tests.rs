use serde_json::json;
use tempfile::TempDir;

use super::*;

fn configmap(namespace: &str, name: &str) -> (ObjectKey, Value) {
    (
        ObjectKey::new("", "configmaps", namespace, name),
        json!({"kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace}}),
    )
}

async fn put(store: &Store, key: ObjectKey, object: Value) -> Arc<Event> {
    store
        .write(key, move |_| Ok::<_, ()>(Mutation::Put(object)))
        .await
        .unwrap()
        .unwrap()
}

fn configmaps(namespace: Option<&str>) -> Scope {
    Scope {
        group: String::new(),
        plural: "configmaps".into(),
        namespace: namespace.map(str::to_owned),
    }
}

#[tokio::test]
async fn writes_bump_the_resource_version_and_survive_reopening() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("store.redb");
    {
        let store = Store::open(&path).unwrap();
        let (key, object) = configmap("a", "one");
        let added = put(&store, key.clone(), object.clone()).await;
        assert_eq!(added.event_type, EventType::Added);
        assert_eq!(added.resource_version, 1);
        let modified = put(&store, key.clone(), object).await;
        assert_eq!(modified.event_type, EventType::Modified);
        assert_eq!(
            store.get(&key).unwrap()["metadata"]["resourceVersion"],
            json!("2")
        );
        let (other, object) = configmap("a", "two");
        put(&store, other.clone(), object).await;
        let deleted = store
            .write(other, |_| Ok::<_, ()>(Mutation::Delete))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(deleted.event_type, EventType::Deleted);
        assert_eq!(deleted.resource_version, 4);
    }
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.resource_version(), 4);
    let page = reopened.list(&configmaps(None), None, None, |_| true);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0]["metadata"]["name"], json!("one"));
}

#[tokio::test]
async fn a_closed_store_frees_its_file_while_clones_are_still_held() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("store.redb");
    let store = Store::open(&path).unwrap();
    let (key, object) = configmap("a", "one");
    put(&store, key.clone(), object.clone()).await;
    let held = store.clone();
    assert!(Store::open(&path).is_err(), "an open store holds its file");

    store.close();
    let refused = held
        .write(key.clone(), move |_| Ok::<_, ()>(Mutation::Put(object)))
        .await;
    assert!(matches!(
        refused,
        Err(WriteError::Store(StoreError::Closed))
    ));
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.resource_version(), 1);
    assert!(reopened.get(&key).is_some());
}

#[tokio::test]
async fn rejected_mutations_change_nothing() {
    let dir = TempDir::new().unwrap();
    let store = Store::open(&dir.path().join("store.redb")).unwrap();
    let (key, _) = configmap("a", "one");
    let result = store.write(key.clone(), |_| Err("no")).await;
    assert!(matches!(result, Err(WriteError::Rejected("no"))));
    assert!(store.get(&key).is_none());
    assert_eq!(store.resource_version(), 0);
}

#[tokio::test]
async fn pages_cover_each_object_once_within_the_scope() {
    let dir = TempDir::new().unwrap();
    let store = Store::open(&dir.path().join("store.redb")).unwrap();
    for namespace in ["a", "b"] {
        for i in 0..5 {
            let (key, object) = configmap(namespace, &format!("cm-{i}"));
            put(&store, key, object).await;
        }
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.list(&configmaps(Some("a")), after.as_deref(), Some(2), |_| true);
        seen.extend(page.items.iter().map(|o| o["metadata"]["name"].clone()));
        match page.continue_after {
            Some(key) => after = Some(key),
            None => break,
        }
    }
    let expected: Vec<Value> = (0..5).map(|i| json!(format!("cm-{i}"))).collect();
    assert_eq!(seen, expected);
    let filtered = store.list(&configmaps(None), None, None, |o| {
        o["metadata"]["name"] == json!("cm-3")
    });
    assert_eq!(filtered.items.len(), 2);
}

#[tokio::test]
async fn subscriptions_replay_missed_changes_then_follow_live() {
    let dir = TempDir::new().unwrap();
    let store = Store::open(&dir.path().join("store.redb")).unwrap();
    for name in ["one", "two", "three"] {
        let (key, object) = configmap("a", name);
        put(&store, key, object).await;
    }
    let mut subscription = store.subscribe(1).unwrap();
    let replayed: Vec<u64> = subscription
        .backlog
        .iter()
        .map(|e| e.resource_version)
        .collect();
    assert_eq!(replayed, [2, 3]);
    let (key, object) = configmap("a", "four");
    put(&store, key, object).await;
    let live = subscription.live.recv().await.unwrap();
    assert_eq!(live.resource_version, 4);
}

#[tokio::test]
async fn watching_from_before_a_restart_is_too_old() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("store.redb");
    {
        let store = Store::open(&path).unwrap();
        let (key, object) = configmap("a", "one");
        put(&store, key, object).await;
    }
    let store = Store::open(&path).unwrap();
    assert!(store.subscribe(1).is_ok());
    let too_old = store.subscribe(0).err().unwrap();
    assert_eq!(too_old.oldest, 1);
}

#[tokio::test]
async fn named_lists_read_only_names_with_the_prefix() {
    let dir = TempDir::new().unwrap();
    let store = Store::open(&dir.path().join("store.redb")).unwrap();
    for name in ["web-1", "web-2", "webs", "api-1"] {
        let (key, object) = configmap("a", name);
        put(&store, key, object).await;
    }
    let (key, object) = configmap("b", "web-3");
    put(&store, key, object).await;
    let names: Vec<String> = store
        .list_named(&configmaps(Some("a")), "web-", |_| true)
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["web-1", "web-2"]);
}
