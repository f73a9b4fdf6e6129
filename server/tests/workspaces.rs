//! Tenancy as the console's forms and tools use it, through the binary: a platform admin makes
//! a user, a workspace placed on a member, a project in it and a grant; the user sees only
//! that, is refused what their role does not give, and reaches it with a downloaded
//! kubeconfig or a personal token.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

fn kubectl_with(console: &Console, kubeconfig: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--kubeconfig", kubeconfig];
    all.extend_from_slice(args);
    kubectl(console, &all)
}

#[test]
fn a_workspace_viewer_made_through_the_console_sees_only_their_workspace() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);
    let made = [
        (
            "users/create",
            "name=wendy&email=w%40example.com&display_name=Wendy&password=wendy-pass-1",
        ),
        (
            "workspaces/create",
            "name=team&clusters=member-1&description=The+team",
        ),
        (
            "projects/create",
            "workspace=team&cluster=member-1&namespace=team-a",
        ),
        (
            "members/grant",
            "user=wendy&role=workspace-viewer&workspace=team",
        ),
    ];
    for (endpoint, form) in made {
        let (status, body) = admin.call(endpoint, form);
        assert_eq!(status, 200, "{endpoint}: {body}");
    }
    let (status, body) = admin.call(
        "workspaces/create",
        "name=elsewhere&clusters=nowhere&description=",
    );
    assert_eq!(
        status, 422,
        "a workspace on a cluster that does not exist: {body}"
    );

    let wendy = Browser::login(&console, "wendy", "wendy-pass-1");
    let (status, body) = wendy.call("workspaces/list", "");
    assert_eq!(status, 200);
    let workspaces: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(workspaces.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(workspaces[0]["name"], "team");
    let (status, body) = wendy.call("workspaces/get", "name=team");
    assert_eq!(status, 200);
    assert!(body.contains("team-a"), "the project is listed: {body}");
    let (status, body) = wendy.call("me/permissions", "");
    assert_eq!(status, 200);
    let permissions: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(permissions["platform_admin"], false);
    assert_eq!(
        permissions["administered_workspaces"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    for (endpoint, form) in [
        (
            "projects/create",
            "workspace=team&cluster=member-1&namespace=forced",
        ),
        ("users/list", ""),
        (
            "users/create",
            "name=mallory&email=&display_name=&password=mallory-pass",
        ),
        (
            "members/grant",
            "user=wendy&role=workspace-admin&workspace=team",
        ),
        ("projects/delete", "cluster=member-1&namespace=team-a"),
        ("clusters/remove", "name=member-1&confirm=member-1"),
    ] {
        let (status, body) = wendy.call(endpoint, form);
        assert_eq!(status, 403, "{endpoint} is refused: {body}");
    }

    let (status, kubeconfig) = wendy.post("/kubeconfig", "");
    assert_eq!(status, 200, "{kubeconfig}");
    let config: serde_json::Value = serde_json::from_str(&kubeconfig).unwrap();
    let contexts: Vec<&str> = config["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        contexts,
        ["member-1"],
        "one context per cluster she may see"
    );
    let path = console.data().join("wendy.kubeconfig");
    std::fs::write(&path, &kubeconfig).unwrap();
    let path = path.to_string_lossy().into_owned();
    let pods = kubectl_with(&console, &path, &["get", "pods", "-n", "team-a"]);
    assert!(
        pods.status.success(),
        "{}",
        String::from_utf8_lossy(&pods.stderr)
    );
    for forbidden in [
        &["get", "pods", "-n", "demo"][..],
        &["get", "secrets", "-n", "team-a"],
        &["delete", "namespace", "team-a"],
    ] {
        let refused = kubectl_with(&console, &path, forbidden);
        assert!(!refused.status.success(), "{forbidden:?}");
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("Forbidden"),
            "{forbidden:?}: {}",
            String::from_utf8_lossy(&refused.stderr)
        );
    }

    let (status, body) = wendy.call("me/tokens/create", "name=ci&days=1");
    assert_eq!(status, 200, "{body}");
    let made: serde_json::Value = serde_json::from_str(&body).unwrap();
    let token = made["token"].as_str().unwrap();
    let pods = kubectl_as(
        &console,
        token,
        "member-1",
        &["get", "pods", "-n", "team-a"],
    );
    assert!(
        pods.status.success(),
        "{}",
        String::from_utf8_lossy(&pods.stderr)
    );
    let (_, listed) = wendy.call("me/tokens", "");
    assert!(!listed.contains(token), "a listing never shows a token");
    assert!(
        listed.contains("\"kubeconfig\""),
        "the kubeconfig's token is listed: {listed}"
    );
    let id = made["summary"]["id"].as_str().unwrap();
    let (status, _) = wendy.call("me/tokens/revoke", &format!("id={id}"));
    assert_eq!(status, 200);
    let revoked = kubectl_as(
        &console,
        token,
        "member-1",
        &["get", "pods", "-n", "team-a"],
    );
    assert!(!revoked.status.success(), "a revoked token opens nothing");

    let (status, body) = wendy.call(
        "me/change-password",
        "current=wrong-pass-1&password=wendy-pass-2&confirm=wendy-pass-2",
    );
    assert_eq!(status, 422, "the current password must be given: {body}");
    let (status, body) = wendy.call(
        "me/change-password",
        "current=wendy-pass-1&password=wendy-pass-2&confirm=wendy-pass-2",
    );
    assert_eq!(status, 200, "{body}");
    let (status, _) = wendy.call("workspaces/list", "");
    assert_eq!(
        status, 401,
        "a changed password ends the session it was changed in"
    );
    let wendy = Browser::login(&console, "wendy", "wendy-pass-2");
    assert_eq!(wendy.call("workspaces/list", "").0, 200);

    let audit = std::fs::read_to_string(console.data().join("audit.log")).unwrap();
    let events: Vec<serde_json::Value> = audit
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let created_project = events
        .iter()
        .find(|e| e["objectRef"]["resource"] == "namespaces" && e["verb"] == "create")
        .expect("the project's creation is audited");
    assert_eq!(created_project["objectRef"]["name"], "team-a");
    assert_eq!(
        created_project["annotations"]["orbital.dev/cluster"],
        "member-1"
    );
    assert!(
        events.iter().any(|e| e["user"]["username"] == "wendy"
            && e["objectRef"]["resource"] == "users"
            && e["responseStatus"]["code"] == 403),
        "a refused change is audited too"
    );
}

#[test]
fn a_form_sent_without_script_is_answered_on_the_page_it_came_from() {
    let console = start_console(free_address(), &["--tls-self-signed"]);
    wait_ready_tls(&console);
    let admin = Browser::login(&console, "admin", ADMIN_PASSWORD);

    let form = "name=xavier&email=&display_name=&password=xavier-pass-1";
    let (status, location) = admin.submit("/api/users/create", form, "/users");
    let back = format!("https://{}/users", console.addr);
    assert_eq!(status, 302);
    assert_eq!(
        location.trim_end_matches('?'),
        back,
        "the browser is sent back to its page"
    );
    let (status, page) = admin.page("/users");
    assert_eq!(status, 200);
    assert!(
        page.contains("Created xavier."),
        "the page tells what was done"
    );
    let (_, again) = admin.page("/users");
    assert!(!again.contains("Created xavier."), "only once");

    // Refused: the page it is sent back to says why.
    let (status, location) = admin.submit("/api/users/create", form, "/users");
    assert_eq!(status, 302);
    assert!(location.contains("__err="), "{location}");
    let path = location.split_once(&console.addr.to_string()).unwrap().1;
    let (_, page) = admin.page(path);
    assert!(page.contains("already"), "the refusal is shown");
    assert!(!page.contains("Created xavier."));

    // A new token is a secret: never kept for the page (its form shows it from script).
    let (status, location) = admin.submit("/api/me/tokens/create", "name=ci&days=3", "/account");
    assert_eq!(status, 302);
    assert!(!location.contains("__err="), "{location}");
    let (_, page) = admin.page("/account");
    assert!(page.contains("<td>ci</td>"), "the token was made");
    assert!(!page.contains("data-testid=\"new-token\""), "and not kept");
}
