//! How many writes the health loop makes on the host cluster for 10 idle members: the host
//! sandbox's resourceVersion counts every write, and nothing else writes to it here.
//! Prints numbers; see BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use orbital_federation::{Federation, JoinRequest, Principal, client_from_kubeconfig};
use orbital_sandbox::{Sandbox, SandboxConfig};

const MEMBERS: usize = 10;
const WARM_UP: Duration = Duration::from_secs(15);
const MEASURED: Duration = Duration::from_secs(60);

async fn sandbox(dir: &std::path::Path, name: &str) -> Sandbox {
    Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.join(name),
        name: name.into(),
        simulation: None,
        seed: false,
    })
    .await
    .unwrap()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::TempDir::new().unwrap();
    let host = sandbox(dir.path(), "host").await;
    let host_client = client_from_kubeconfig(&host.kubeconfig().to_yaml(), None)
        .await
        .unwrap();
    let federation = Federation::host(host_client, "http://127.0.0.1:3000")
        .await
        .unwrap();
    let scope = federation.scope(Principal::Console);
    let mut members = Vec::new();
    for index in 0..MEMBERS {
        let name = format!("member-{index}");
        let member = sandbox(dir.path(), &name).await;
        let request = JoinRequest {
            name,
            kubeconfig: member.kubeconfig().to_yaml(),
            ..JoinRequest::default()
        };
        scope.join(request).await.unwrap();
        members.push(member);
    }
    let monitor = federation
        .spawn_health(&orbital_lease::Leadership::alone())
        .unwrap();
    tokio::time::sleep(WARM_UP).await;
    let store = host.cluster().store();
    let before = store.resource_version();
    let started = Instant::now();
    tokio::time::sleep(MEASURED).await;
    let writes = store.resource_version() - before;
    let per_minute = writes as f64 * 60.0 / started.elapsed().as_secs_f64();
    println!(
        "{MEMBERS} idle members: {writes} host writes in {MEASURED:?}, {per_minute:.0} per minute"
    );
    monitor.abort();
}
