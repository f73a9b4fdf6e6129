//! The authorizer's cost per request with 10,000 grants: 2,500 users with four grants each
//! (every kind of scope), 100 workspaces on 5 of 50 clusters each, 2,000 projects. Prints
//! numbers; see BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use orbital_iam::{
    Access, Grant, GrantScope, Policy, ResourceAccess, Role, Verb, Workspace, WorkspaceSpec,
};

const USERS: usize = 2_500;
const CLUSTERS: usize = 50;
const WORKSPACES: usize = 100;
const CALLS: usize = 200_000;

/// A small deterministic generator, so every run decides the same requests.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        ((self.0 >> 33) as usize) % n
    }
}

fn main() {
    let mut random = Lcg(7);
    let cluster = |i: usize| format!("cluster-{i}");
    let workspaces: Vec<Workspace> = (0..WORKSPACES)
        .map(|w| Workspace {
            name: format!("ws-{w}"),
            spec: WorkspaceSpec {
                clusters: (0..5).map(|c| cluster((w + c * 7) % CLUSTERS)).collect(),
                description: String::new(),
            },
        })
        .collect();
    let mut projects = HashMap::new();
    for c in 0..CLUSTERS {
        for n in 0..40 {
            projects.insert(
                (cluster(c), format!("ns-{n}")),
                format!("ws-{}", (c + n) % WORKSPACES),
            );
        }
    }
    let mut grants = Vec::new();
    for u in 0..USERS {
        let user = format!("user-{u}");
        let scopes = [
            (
                Role::ClusterViewer,
                GrantScope::Cluster(cluster(random.below(CLUSTERS))),
            ),
            (
                Role::WorkspaceAdmin,
                GrantScope::Workspace(format!("ws-{}", random.below(WORKSPACES))),
            ),
            (
                Role::ProjectOperator,
                GrantScope::Project {
                    cluster: cluster(random.below(CLUSTERS)),
                    namespace: format!("ns-{}", random.below(40)),
                },
            ),
            (Role::PlatformRegular, GrantScope::Platform),
        ];
        for (role, scope) in scopes {
            grants.push(Grant {
                user: user.clone(),
                role,
                scope,
            });
        }
    }
    let started = Instant::now();
    let policy = Policy::new(grants, workspaces);
    let built = started.elapsed();

    let verbs = [
        Verb::Get,
        Verb::List,
        Verb::Watch,
        Verb::Create,
        Verb::Delete,
    ];
    let resources = [
        ("", "pods"),
        ("", "secrets"),
        ("apps", "deployments"),
        ("", "nodes"),
    ];
    let requests: Vec<(String, String, Access)> = (0..10_000)
        .map(|_| {
            let (group, resource) = resources[random.below(resources.len())];
            let namespace = (resource != "nodes").then(|| format!("ns-{}", random.below(40)));
            let access = ResourceAccess::new(
                verbs[random.below(verbs.len())],
                namespace.as_deref(),
                group,
                resource,
            );
            (
                format!("user-{}", random.below(USERS)),
                cluster(random.below(CLUSTERS)),
                Access::Resource(access),
            )
        })
        .collect();
    let mut samples = Vec::with_capacity(CALLS);
    let mut allowed = 0;
    for call in 0..CALLS {
        let (user, cluster, access) = &requests[call % requests.len()];
        let started = Instant::now();
        let decision = black_box(policy.authorize(user, cluster, access, &projects));
        samples.push(started.elapsed());
        allowed += usize::from(decision == orbital_iam::Decision::Allow);
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64) * q) as usize];
    let ns = |d: Duration| d.as_nanos();
    println!(
        "policy of {} grants built in {:.1} ms; {CALLS} decisions ({} allowed): p50 {} ns, p99 {} ns, max {} ns",
        USERS * 4,
        built.as_secs_f64() * 1000.0,
        allowed,
        ns(at(0.50)),
        ns(at(0.99)),
        ns(samples[samples.len() - 1]),
    );
}
