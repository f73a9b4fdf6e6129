//! Two candidates for one lease on a sandbox cluster: one leads at a time, and the lead moves
//! when the holder dies or resigns.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use kube::api::PostParams;
use kube::config::{KubeConfigOptions, Kubeconfig};
use orbital_lease::{Candidate, Leadership, LeaseSettings};
use orbital_sandbox::{Sandbox, SandboxConfig};
use tokio::time::Instant;

const NAMESPACE: &str = "replicas";

/// Short timings, in the proportions the defaults keep: the holder stops leading well before
/// anybody else may take over.
fn settings() -> LeaseSettings {
    LeaseSettings {
        duration: Duration::from_secs(6),
        renew_deadline: Duration::from_secs(3),
        retry: Duration::from_millis(500),
        ..LeaseSettings::new(NAMESPACE, "console")
    }
}

async fn cluster(dir: &std::path::Path) -> (Sandbox, kube::Client) {
    let sandbox = Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.join("host"),
        name: "host".into(),
        simulation: None,
        seed: false,
    })
    .await
    .unwrap();
    let kubeconfig = Kubeconfig::from_yaml(&sandbox.kubeconfig().to_yaml()).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let namespace: Namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": NAMESPACE}})).unwrap();
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap();
    (sandbox, client)
}

/// Watches two leaderships until `until` holds of them (or fails after `within`), failing as
/// soon as both lead at once; returns how long it took.
async fn watch_pair(
    a: &Leadership,
    b: &Leadership,
    within: Duration,
    until: impl Fn(bool, bool) -> bool,
) -> Duration {
    let start = Instant::now();
    loop {
        let (a_leads, b_leads) = (a.is_leading(), b.is_leading());
        assert!(!(a_leads && b_leads), "both replicas lead at once");
        if until(a_leads, b_leads) {
            return start.elapsed();
        }
        assert!(start.elapsed() < within, "timed out after {within:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn holder(client: &kube::Client) -> Option<String> {
    let lease = Api::<Lease>::namespaced(client.clone(), NAMESPACE)
        .get("console")
        .await
        .unwrap();
    lease.spec.unwrap().holder_identity
}

#[tokio::test]
async fn one_candidate_leads_and_the_other_takes_over_when_it_dies_or_resigns() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, client) = cluster(dir.path()).await;
    let first = Candidate::start(client.clone(), "first", settings());
    let second = Candidate::start(client.clone(), "second", settings());
    let (a, b) = (first.leadership(), second.leadership());

    watch_pair(&a, &b, Duration::from_secs(10), |a, b| a || b).await;
    // Nobody takes over from a holder that keeps renewing.
    let steady = Instant::now() + settings().duration * 2;
    while Instant::now() < steady {
        watch_pair(&a, &b, Duration::from_secs(1), |a, b| a != b).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (leader, follower, follower_name) = if a.is_leading() {
        (first, second, "second")
    } else {
        (second, first, "first")
    };
    let leader_name = if follower_name == "first" {
        "second"
    } else {
        "first"
    };
    assert_eq!(holder(&client).await.as_deref(), Some(leader_name));

    // The holder dies without a word: the other leads within the lease's duration.
    let (survivor, dead) = (follower.leadership(), leader.leadership());
    drop(leader);
    let took = watch_pair(
        &survivor,
        &dead,
        settings().duration + Duration::from_secs(1),
        |s, _| s,
    )
    .await;
    // Counted from the holder's last renewal, which came before its death; the takeover's
    // own look and write come on top.
    assert!(
        took <= settings().duration + settings().retry,
        "took over after {took:?}"
    );
    assert_eq!(holder(&client).await.as_deref(), Some(follower_name));

    // A newcomer follows; when the holder resigns, it leads within a look or two.
    let newcomer = Candidate::start(client.clone(), "third", settings());
    let third = newcomer.leadership();
    tokio::time::sleep(settings().retry * 3).await;
    assert!(!third.is_leading());
    follower.resign().await.unwrap();
    let took = watch_pair(&third, &survivor, Duration::from_secs(5), |t, _| t).await;
    assert!(took < settings().retry * 3, "took over after {took:?}");
    assert_eq!(holder(&client).await.as_deref(), Some("third"));
}
