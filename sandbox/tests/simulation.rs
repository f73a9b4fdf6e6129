//! The simulated cluster through the real `kubectl`: nodes, scheduling, rollouts, pod states,
//! logs, events, the other workload kinds, and carrying on after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::kubectl::Kubectl;
use common::{TestSandbox, eventually};
use orbital_sandbox::simulation::{NOT_READY_ANNOTATION, SimulationConfig};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Generous: the simulation acts within milliseconds, but CI machines are shared.
const WAIT: Duration = Duration::from_secs(60);

async fn simulated() -> Kubectl {
    Kubectl::over(TestSandbox::start_simulated().await)
}

/// The items of `kubectl get … -o json`.
async fn items(kubectl: &Kubectl, args: &[&str]) -> Vec<Value> {
    kubectl.json(args).await["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Waits until every pod selected by `selector` runs, `count` of them, and returns them.
async fn running_pods(kubectl: &Kubectl, selector: &str, count: usize) -> Vec<Value> {
    eventually(
        WAIT,
        &format!("{count} running pods {selector}"),
        || async {
            let pods = items(kubectl, &["get", "pods", "-l", selector]).await;
            let running = pods.iter().all(|p| {
                p["status"]["phase"] == "Running" && p["spec"]["nodeName"].as_str().is_some()
            });
            (pods.len() == count && running).then_some(pods)
        },
    )
    .await
}

fn names(pods: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = pods
        .iter()
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// Waits for `kubectl rollout status deployment/web` to report success.
async fn rolled_out(kubectl: &Kubectl) {
    let status = kubectl
        .ok(&["rollout", "status", "deployment/web", "--timeout=60s"])
        .await;
    assert!(status.contains("successfully rolled out"), "{status}");
}

/// Checks that the three `web` pods run `image`, from `replica_sets` ReplicaSets in all.
async fn web_runs(kubectl: &Kubectl, image: &str, replica_sets: usize) -> Vec<Value> {
    let pods = running_pods(kubectl, "app=web", 3).await;
    assert!(
        pods.iter()
            .all(|p| p["spec"]["containers"][0]["image"] == image)
    );
    let all = items(kubectl, &["get", "replicasets", "-l", "app=web"]).await;
    assert_eq!(all.len(), replica_sets);
    pods
}

#[tokio::test(flavor = "multi_thread")]
async fn deployments_roll_out_scale_update_and_undo() {
    let kubectl = simulated().await;
    let nodes = items(&kubectl, &["get", "nodes"]).await;
    assert_eq!(nodes.len(), 3);
    kubectl
        .ok(&[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=3",
        ])
        .await;
    rolled_out(&kubectl).await;
    let pods = running_pods(&kubectl, "app=web", 3).await;
    let placed: Vec<&str> = pods
        .iter()
        .filter_map(|p| p["spec"]["nodeName"].as_str())
        .collect();
    assert!(placed.iter().all(|n| n.starts_with("node-")), "{placed:?}");
    assert!(pods.iter().all(|p| p["status"]["podIP"].is_string()));

    kubectl
        .ok(&["scale", "deployment/web", "--replicas=5"])
        .await;
    rolled_out(&kubectl).await;
    running_pods(&kubectl, "app=web", 5).await;
    kubectl
        .ok(&["scale", "deployment/web", "--replicas=3"])
        .await;
    running_pods(&kubectl, "app=web", 3).await;

    kubectl
        .ok(&["set", "image", "deployment/web", "nginx=nginx:1.28"])
        .await;
    rolled_out(&kubectl).await;
    web_runs(&kubectl, "nginx:1.28", 2).await;

    let undone = kubectl.ok(&["rollout", "undo", "deployment/web"]).await;
    assert!(undone.contains("rolled back"), "{undone}");
    rolled_out(&kubectl).await;
    // The first ReplicaSet came back as revision 3; no third one was made.
    let pods = web_runs(&kubectl, "nginx", 2).await;
    let deployment = kubectl.json(&["get", "deployment", "web"]).await;
    assert_eq!(
        deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );

    let waited = kubectl
        .ok(&[
            "wait",
            "--for=condition=Available",
            "deployment/web",
            "--timeout=60s",
        ])
        .await;
    assert!(waited.contains("condition met"), "{waited}");
    let pod = names(&pods)[0].clone();
    let described = kubectl.ok(&["describe", "pod", &pod]).await;
    for expected in [
        "Scheduled",
        "Pulling",
        "Started",
        "default-scheduler",
        "kubelet",
    ] {
        assert!(described.contains(expected), "{expected} in {described}");
    }
    let events = kubectl.ok(&["get", "events"]).await;
    assert!(events.contains("ScalingReplicaSet"), "{events}");
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_are_served_and_followed_until_the_client_leaves() {
    let kubectl = simulated().await;
    kubectl
        .ok(&["create", "deployment", "web", "--image=nginx:1.27"])
        .await;
    let pods = running_pods(&kubectl, "app=web", 1).await;
    let pod = names(&pods)[0].clone();
    let all = kubectl.ok(&["logs", &pod]).await;
    assert!(all.contains("Configuration complete"), "{all}");
    assert_eq!(
        kubectl
            .ok(&["logs", &pod, "--tail=1"])
            .await
            .lines()
            .count(),
        1
    );
    let stamped = kubectl
        .ok(&["logs", &pod, "--timestamps", "--tail=1"])
        .await;
    assert!(
        stamped.starts_with("20") && stamped.contains("Z "),
        "{stamped}"
    );
    let previous = kubectl.run(&["logs", &pod, "--previous"]).await;
    assert!(!previous.status.success());
    assert!(String::from_utf8_lossy(&previous.stderr).contains("previous terminated container"));

    // Follow: lines keep arriving while the command runs, until it is interrupted.
    let mut follower = kubectl
        .command(&["logs", "-f", &pod, "--tail=0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(follower.stdout.take().unwrap()).lines();
    for _ in 0..2 {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("a new log line within 20 s")
            .unwrap()
            .expect("the stream stays open");
        assert!(line.contains("HTTP/1.1"), "{line}");
    }
    assert!(follower.try_wait().unwrap().is_none(), "still following");
    follower.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn failing_images_crash_loop_and_missing_ones_wait_for_the_pull() {
    let kubectl = simulated().await;
    kubectl
        .ok(&["run", "crasher", "--image=example/fail-on-start"])
        .await;
    kubectl
        .ok(&["run", "absent", "--image=missing/app:1"])
        .await;
    let restarts = |pod: &Value| pod["status"]["containerStatuses"][0]["restartCount"].as_i64();
    let first = eventually(WAIT, "CrashLoopBackOff", || async {
        let table = kubectl.ok(&["get", "pod", "crasher"]).await;
        let pod = kubectl.json(&["get", "pod", "crasher"]).await;
        table
            .contains("CrashLoopBackOff")
            .then(|| restarts(&pod))
            .flatten()
    })
    .await;
    assert!(first >= 1);
    eventually(WAIT, "a rising restart count", || async {
        let pod = kubectl.json(&["get", "pod", "crasher"]).await;
        (restarts(&pod)? > first).then_some(())
    })
    .await;
    let previous = kubectl.ok(&["logs", "crasher", "--previous"]).await;
    assert!(previous.contains("panic:"), "{previous}");

    eventually(WAIT, "ImagePullBackOff", || async {
        let table = kubectl.ok(&["get", "pod", "absent"]).await;
        table.contains("ImagePullBackOff").then_some(())
    })
    .await;
    let described = kubectl.ok(&["describe", "pod", "absent"]).await;
    assert!(described.contains("Failed to pull image"), "{described}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pod_no_node_can_hold_stays_pending_with_a_failed_scheduling_event() {
    let kubectl = simulated().await;
    kubectl
        .ok(&[
            "run",
            "huge",
            "--image=nginx",
            "--overrides",
            r#"{"spec":{"containers":[{"name":"huge","image":"nginx","resources":{"requests":{"cpu":"64"}}}]}}"#,
        ])
        .await;
    let event = eventually(WAIT, "a FailedScheduling event", || async {
        let events = items(
            &kubectl,
            &[
                "get",
                "events",
                "--field-selector",
                "involvedObject.name=huge",
            ],
        )
        .await;
        events
            .into_iter()
            .find(|e| e["reason"] == "FailedScheduling")
    })
    .await;
    let message = event["message"].as_str().unwrap();
    assert!(message.contains("3 Insufficient cpu"), "{message}");
    let pod = kubectl.json(&["get", "pod", "huge"]).await;
    assert_eq!(pod["status"]["phase"], "Pending");
    assert!(pod["spec"]["nodeName"].is_null());
    let scheduled = pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "PodScheduled")
        .unwrap();
    assert_eq!(scheduled["status"], "False");
    assert_eq!(scheduled["reason"], "Unschedulable");
}

const WORKLOADS: &str = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: postgres, image: "postgres:16", ports: [{name: pg, containerPort: 5432}]}]
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  selector: {app: db}
  ports: [{port: 5432, targetPort: pg}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "busybox:1.36"}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec:
  completions: 3
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: "busybox:1.36"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: tick, image: "busybox:1.36"}]
"#;

#[tokio::test(flavor = "multi_thread")]
async fn statefulsets_daemonsets_jobs_cronjobs_and_endpoints() {
    let kubectl = simulated().await;
    kubectl.apply_stdin(&["apply"], WORKLOADS).await;

    let pods = running_pods(&kubectl, "app=db", 3).await;
    assert_eq!(names(&pods), ["db-0", "db-1", "db-2"]);
    let endpoints = eventually(WAIT, "three db endpoints", || async {
        let endpoints = kubectl.json(&["get", "endpoints", "db"]).await;
        let addresses = endpoints["subsets"][0]["addresses"].as_array()?.len();
        (addresses == 3).then_some(endpoints)
    })
    .await;
    assert_eq!(endpoints["subsets"][0]["ports"][0]["port"], 5432);

    let agents = running_pods(&kubectl, "app=agent", 3).await;
    let mut nodes: Vec<&str> = agents
        .iter()
        .filter_map(|p| p["spec"]["nodeName"].as_str())
        .collect();
    nodes.sort();
    assert_eq!(nodes, ["node-1", "node-2", "node-3"]);

    // Each template a DaemonSet ran is a ControllerRevision, so kubectl can undo a rollout.
    kubectl
        .ok(&["set", "image", "daemonset/agent", "agent=busybox:1.37"])
        .await;
    let status = kubectl
        .ok(&["rollout", "status", "daemonset/agent", "--timeout=60s"])
        .await;
    assert!(status.contains("successfully rolled out"), "{status}");
    let history = kubectl.ok(&["rollout", "history", "daemonset/agent"]).await;
    let revisions: Vec<&str> = history
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| word.parse::<u32>().is_ok())
        .collect();
    assert_eq!(revisions, ["1", "2"], "{history}");
    let undone = kubectl.ok(&["rollout", "undo", "daemonset/agent"]).await;
    assert!(undone.contains("rolled back"), "{undone}");
    eventually(WAIT, "the agents back on busybox:1.36", || async {
        let agents = items(&kubectl, &["get", "pods", "-l", "app=agent"]).await;
        (agents.len() == 3
            && agents.iter().all(|pod| {
                pod["spec"]["containers"][0]["image"] == "busybox:1.36"
                    && pod["status"]["phase"] == "Running"
            }))
        .then_some(())
    })
    .await;
    let revisions = items(&kubectl, &["get", "controllerrevisions", "-l", "app=agent"]).await;
    let mut numbers: Vec<i64> = revisions
        .iter()
        .filter_map(|revision| revision["revision"].as_i64())
        .collect();
    numbers.sort();
    // The first template came back as revision 3; no third revision was made.
    assert_eq!(numbers, [2, 3]);

    kubectl
        .ok(&[
            "wait",
            "--for=condition=Complete",
            "job/batch",
            "--timeout=60s",
        ])
        .await;
    let job = kubectl.json(&["get", "job", "batch"]).await;
    assert_eq!(job["status"]["succeeded"], 3);

    // The schedule fires within a minute.
    let job = eventually(
        Duration::from_secs(90),
        "a job from the cronjob",
        || async {
            let jobs = items(&kubectl, &["get", "jobs"]).await;
            jobs.into_iter().find(|j| {
                j["metadata"]["name"]
                    .as_str()
                    .is_some_and(|name| name.starts_with("tick-"))
            })
        },
    )
    .await;
    assert_eq!(job["metadata"]["ownerReferences"][0]["kind"], "CronJob");
    eventually(WAIT, "the cronjob's last schedule time", || async {
        let cronjob = kubectl.json(&["get", "cronjob", "tick"]).await;
        cronjob["status"]["lastScheduleTime"].as_str().map(drop)
    })
    .await;

    kubectl
        .ok(&["scale", "statefulset/db", "--replicas=1"])
        .await;
    let pods = running_pods(&kubectl, "app=db", 1).await;
    assert_eq!(names(&pods), ["db-0"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_that_stops_reporting_turns_not_ready_and_recovers() {
    let kubectl = simulated().await;
    kubectl
        .ok(&[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=3",
        ])
        .await;
    let pods = running_pods(&kubectl, "app=web", 3).await;
    let node = pods[0]["spec"]["nodeName"].as_str().unwrap().to_owned();
    let annotation = format!("{NOT_READY_ANNOTATION}=true");
    kubectl.ok(&["annotate", "node", &node, &annotation]).await;
    let table = eventually(WAIT, "the node NotReady", || async {
        let table = kubectl.ok(&["get", "node", &node]).await;
        table.contains("NotReady").then_some(table)
    })
    .await;
    assert!(table.contains(&node));
    eventually(
        WAIT,
        "its pods not ready and the deployment short",
        || async {
            let deployment = kubectl.json(&["get", "deployment", "web"]).await;
            (deployment["status"]["availableReplicas"] == 2).then_some(())
        },
    )
    .await;
    let tainted = kubectl.json(&["get", "node", &node]).await;
    assert!(
        tainted["spec"]["taints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["key"] == "node.kubernetes.io/unreachable" && t["effect"] == "NoExecute")
    );

    let removal = format!("{NOT_READY_ANNOTATION}-");
    kubectl.ok(&["annotate", "node", &node, &removal]).await;
    eventually(WAIT, "the node Ready and all pods available", || async {
        let deployment = kubectl.json(&["get", "deployment", "web"]).await;
        let node = kubectl.json(&["get", "node", &node]).await;
        let untainted = node["spec"]["taints"].is_null();
        (deployment["status"]["availableReplicas"] == 3 && untainted).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulation_carries_on_after_a_restart() {
    let dir = tempfile::TempDir::new().unwrap();
    let sandbox = TestSandbox::start_with(dir, Some(SimulationConfig::default()), false).await;
    let kubectl = Kubectl::over(sandbox);
    kubectl
        .ok(&[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=4",
        ])
        .await;
    kubectl.ok(&["run", "crasher", "--image=fail"]).await;
    let before = names(&running_pods(&kubectl, "app=web", 4).await);
    let restarts_before = eventually(WAIT, "a first restart", || async {
        let pod = kubectl.json(&["get", "pod", "crasher"]).await;
        pod["status"]["containerStatuses"][0]["restartCount"]
            .as_i64()
            .filter(|r| *r >= 1)
    })
    .await;

    let Kubectl { sandbox } = kubectl;
    let TestSandbox { sandbox, dir, .. } = sandbox;
    sandbox.shutdown().await;
    let kubectl =
        Kubectl::over(TestSandbox::start_with(dir, Some(SimulationConfig::default()), false).await);

    let after = names(&running_pods(&kubectl, "app=web", 4).await);
    assert_eq!(before, after, "the same pods, none added or lost");
    kubectl
        .ok(&["scale", "deployment/web", "--replicas=6"])
        .await;
    let scaled = names(&running_pods(&kubectl, "app=web", 6).await);
    assert!(before.iter().all(|name| scaled.contains(name)));
    eventually(WAIT, "the crash loop going on", || async {
        let pod = kubectl.json(&["get", "pod", "crasher"]).await;
        let restarts = pod["status"]["containerStatuses"][0]["restartCount"].as_i64()?;
        (restarts > restarts_before).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_sandbox_is_seeded_once_with_running_workloads() {
    let dir = tempfile::TempDir::new().unwrap();
    let five_nodes = SimulationConfig { nodes: 5 };
    let kubectl = Kubectl::over(TestSandbox::start_with(dir, Some(five_nodes.clone()), true).await);
    assert_eq!(items(&kubectl, &["get", "nodes"]).await.len(), 5);
    for (namespace, deployment) in [("kube-system", "coredns"), ("demo", "web"), ("demo", "api")] {
        let waited = kubectl
            .ok(&[
                "wait",
                "-n",
                namespace,
                "--for=condition=Available",
                &format!("deployment/{deployment}"),
                "--timeout=60s",
            ])
            .await;
        assert!(waited.contains("condition met"), "{waited}");
    }
    let secrets = kubectl.ok(&["get", "secrets", "-n", "demo"]).await;
    assert!(secrets.contains("db-credentials"), "{secrets}");

    // Removed by the user, the demo stays removed after a restart.
    kubectl
        .ok(&["delete", "namespace", "demo", "--wait=true"])
        .await;
    let Kubectl { sandbox } = kubectl;
    let TestSandbox { sandbox, dir, .. } = sandbox;
    sandbox.shutdown().await;
    let kubectl = Kubectl::over(TestSandbox::start_with(dir, Some(five_nodes), true).await);
    let missing = kubectl.run(&["get", "namespace", "demo"]).await;
    assert!(!missing.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_simulation_or_seed_the_cluster_is_bare() {
    let kubectl = Kubectl::start().await;
    assert!(items(&kubectl, &["get", "nodes"]).await.is_empty());
    assert!(
        items(&kubectl, &["get", "deployments", "-A"])
            .await
            .is_empty()
    );
}
