//! The host copies to each member the users, grants and workspaces that concern it; a member
//! console logs those users in from the copies while the host console is stopped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;

/// How long a change on the host may take to reach a member, as promised.
const COPY_DEADLINE: Duration = Duration::from_secs(30);

/// The `iam.orbital.dev` object `kind/name` on the embedded sandbox `cluster`, if it exists.
fn copy_on(console: &Console, cluster: &str, kind: &str, name: &str) -> Option<serde_json::Value> {
    let kubeconfig = console.sandbox_kubeconfig(cluster);
    let resource = format!("{kind}.iam.orbital.dev");
    let output = kubectl(
        console,
        &[
            "--kubeconfig",
            &kubeconfig,
            "get",
            &resource,
            name,
            "-o",
            "json",
        ],
    );
    output
        .status
        .success()
        .then(|| serde_json::from_slice(&output.stdout).unwrap())
}

fn call(addr: std::net::SocketAddr, cookie: &str, endpoint: &str, form: &str) {
    let answer = post_as(addr, cookie, &format!("/api/{endpoint}"), form);
    assert_eq!(answer.status, 200, "{endpoint}: {}", answer.body);
}

#[test]
fn a_member_keeps_copies_of_what_concerns_it_and_logs_users_in_from_them() {
    let addr = free_address();
    let mut console = start_console(addr, &[]);
    wait_ready(addr);
    let admin = login(addr, "admin", ADMIN_PASSWORD).unwrap();
    call(
        addr,
        &admin,
        "users/create",
        "name=carol&email=&display_name=Carol&password=carol-pass-1",
    );
    call(
        addr,
        &admin,
        "members/grant",
        "user=carol&role=project-viewer&cluster=member-1&namespace=demo",
    );
    call(
        addr,
        &admin,
        "members/grant",
        "user=carol&role=cluster-viewer&cluster=member-2",
    );
    call(
        addr,
        &admin,
        "users/create",
        "name=dave&email=&display_name=&password=dave-pass-1",
    );
    call(
        addr,
        &admin,
        "members/grant",
        "user=dave&role=cluster-viewer&cluster=member-1",
    );

    let carol = wait_until(COPY_DEADLINE, || {
        copy_on(&console, "member-1", "users", "carol")
    })
    .expect("carol is copied to member-1");
    let password = carol["spec"]["password"].as_str().unwrap();
    assert!(
        password.starts_with("$argon2id$"),
        "only the hash is copied: {password}"
    );
    let grants = |cluster: &str| {
        let kubeconfig = console.sandbox_kubeconfig(cluster);
        let output = kubectl(
            &console,
            &[
                "--kubeconfig",
                &kubeconfig,
                "get",
                "grants.iam.orbital.dev",
                "-o",
                "json",
            ],
        );
        let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|grant| {
                let spec = &grant["spec"];
                format!(
                    "{}:{}",
                    spec["user"].as_str().unwrap(),
                    spec["role"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    let on_member_1 = wait_until(COPY_DEADLINE, || {
        let grants = grants("member-1");
        grants
            .contains(&"dave:cluster-viewer".to_owned())
            .then_some(grants)
    })
    .expect("dave's grant is copied");
    assert!(
        on_member_1.contains(&"carol:project-viewer".to_owned()),
        "{on_member_1:?}"
    );
    assert!(
        on_member_1.contains(&"admin:platform-admin".to_owned()),
        "{on_member_1:?}"
    );
    assert!(
        !on_member_1.contains(&"carol:cluster-viewer".to_owned()),
        "a grant on member-2 stays off member-1: {on_member_1:?}"
    );

    let (_, body) = {
        let answer = post_as(
            addr,
            &admin,
            "/api/members/list",
            r#"{"target":{"Cluster":"member-1"}}"#,
        );
        (answer.status, answer.body)
    };
    let grant = serde_json::from_str::<serde_json::Value>(&body).unwrap()[0]["grant"]
        .as_str()
        .unwrap()
        .to_owned();
    call(
        addr,
        &admin,
        "members/revoke",
        &format!("grant={grant}&cluster=member-1"),
    );
    call(
        addr,
        &admin,
        "users/set-disabled",
        "name=dave&disabled=true",
    );
    let gone = wait_until(COPY_DEADLINE, || {
        let grants = grants("member-1");
        let disabled = copy_on(&console, "member-1", "users", "dave")
            .is_none_or(|dave| dave["spec"]["disabled"] == true);
        (!grants.contains(&"dave:cluster-viewer".to_owned()) && disabled).then_some(())
    });
    assert!(
        gone.is_some(),
        "a revoked grant and a disabled user reach the member within 30 s"
    );

    Command::new("kill")
        .args(["-TERM", &console.process.id().to_string()])
        .status()
        .unwrap();
    console.process.wait().unwrap();
    let member_addr = free_address();
    console.process = spawn_console(
        member_addr,
        &console.data(),
        &["--mode", "member", "--cluster-name", "member-1"],
    );
    wait_ready(member_addr);
    let carol = login(member_addr, "carol", "carol-pass-1").expect("carol logs in to the member");
    let demo = get_as(
        member_addr,
        &carol,
        "/clusters/member-1/api/v1/namespaces/demo/pods",
    );
    assert_eq!(demo.status, 200, "{}", demo.body);
    let system = get_as(
        member_addr,
        &carol,
        "/clusters/member-1/api/v1/namespaces/kube-system/pods",
    );
    assert_eq!(system.status, 403, "{}", system.body);
    let secrets = get_as(
        member_addr,
        &carol,
        "/clusters/member-1/api/v1/namespaces/demo/secrets",
    );
    assert_eq!(secrets.status, 403, "{}", secrets.body);
    assert!(
        login(member_addr, "dave", "dave-pass-1").is_err(),
        "a disabled user stays out"
    );
}
