//! Changing users, grants, workspaces and tokens through a caller's tenancy scope, against a
//! sandbox: what a platform admin may do, what others are refused, and that the changes take.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use orbital_iam::credentials::{CredentialKind, Credentials};
use orbital_iam::{ADMIN_USER, Directory, NewUser, Role, Tenancy, TenancyError};
use orbital_types::tenancy::{MemberTarget, Project};
use tempfile::TempDir;

use common::cluster;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn no_projects() -> HashMap<(String, String), String> {
    HashMap::new()
}

fn user(name: &str, password: &str) -> NewUser {
    NewUser {
        name: name.into(),
        email: format!("{name}@example.com"),
        display_name: name.to_uppercase(),
        password: password.into(),
    }
}

async fn tenancy(client: &kube::Client) -> (Tenancy, Directory) {
    let directory = Directory::start(client.clone()).await.unwrap();
    directory.ensure_admin("admin-password").await.unwrap();
    let tenancy = Tenancy::new(directory.clone(), Credentials::new(client.clone()), true);
    common::eventually("the first admin and their grant", || {
        let admin = directory.policy().is_platform_admin(ADMIN_USER)
            && directory.account(ADMIN_USER).is_some();
        async move { admin.then_some(()) }
    })
    .await;
    (tenancy, directory)
}

#[tokio::test]
async fn a_platform_admin_manages_users_and_nobody_else_may() {
    let dir = TempDir::new().unwrap();
    let (_sandbox, client) = cluster(&dir).await;
    let (tenancy, directory) = tenancy(&client).await;
    let admin = tenancy.scope(ADMIN_USER);
    admin
        .create_user(&user("ann", "ann-password"))
        .await
        .unwrap();
    let listed = admin.users().unwrap();
    let ann = listed.iter().find(|u| u.name == "ann").unwrap();
    assert_eq!(
        (ann.email.as_str(), ann.disabled),
        ("ann@example.com", false)
    );
    assert!(
        !serde_json::to_string(&listed).unwrap().contains("argon2"),
        "a listing carries no hash"
    );
    assert!(
        directory
            .account("ann")
            .unwrap()
            .check_password("ann-password")
    );
    assert!(matches!(
        admin.create_user(&user("ann", "other-password")).await,
        Err(TenancyError::Exists(_))
    ));
    assert!(matches!(
        admin.create_user(&user("Bad_Name", "long-enough")).await,
        Err(TenancyError::Invalid(_))
    ));
    assert!(matches!(
        admin.create_user(&user("bob", "short")).await,
        Err(TenancyError::Invalid(_))
    ));

    let ann_scope = tenancy.scope("ann");
    assert!(!ann_scope.permissions().platform_admin);
    assert!(matches!(ann_scope.users(), Err(TenancyError::Forbidden(_))));
    assert!(matches!(
        ann_scope.create_user(&user("eve", "eve-password")).await,
        Err(TenancyError::Forbidden(_))
    ));
    assert!(matches!(
        ann_scope.set_disabled(ADMIN_USER, true).await,
        Err(TenancyError::Forbidden(_))
    ));

    admin.set_disabled("ann", true).await.unwrap();
    assert!(directory.account("ann").unwrap().disabled);
    assert!(matches!(
        admin.set_disabled(ADMIN_USER, true).await,
        Err(TenancyError::Invalid(_))
    ));
    let before = directory.account("ann").unwrap().credential();
    admin
        .reset_password("ann", "new-ann-password")
        .await
        .unwrap();
    let after = directory.account("ann").unwrap();
    assert_ne!(after.credential(), before, "the reset ends old sessions");
    assert!(after.check_password("new-ann-password"));

    admin
        .grant(
            "ann",
            Role::ClusterViewer,
            &MemberTarget::Cluster("host".into()),
            &no_projects(),
        )
        .await
        .unwrap();
    admin.delete_user("ann").await.unwrap();
    assert!(directory.account("ann").is_none());
    assert!(
        directory.policy().grants_of("ann").is_empty(),
        "a deleted user's grants go with them"
    );
}

#[tokio::test]
async fn grants_follow_who_may_give_them_and_workspaces_are_placed() {
    let dir = TempDir::new().unwrap();
    let (_sandbox, client) = cluster(&dir).await;
    let (tenancy, directory) = tenancy(&client).await;
    let admin = tenancy.scope(ADMIN_USER);
    for name in ["ann", "bob"] {
        admin
            .create_user(&user(name, "long-password"))
            .await
            .unwrap();
    }
    assert!(matches!(
        admin.create_workspace("team", &[], "").await,
        Err(TenancyError::Invalid(_))
    ));
    admin
        .create_workspace("team", &["member-1".to_owned()], "The team")
        .await
        .unwrap();
    let team = MemberTarget::Workspace("team".into());
    admin
        .grant("ann", Role::WorkspaceAdmin, &team, &no_projects())
        .await
        .unwrap();
    let ann = tenancy.scope("ann");
    assert_eq!(ann.permissions().administered_workspaces, ["team"]);
    assert_eq!(ann.workspaces().len(), 1);
    assert!(tenancy.scope("bob").workspaces().is_empty());

    let project = MemberTarget::Project(Project {
        cluster: "member-1".into(),
        namespace: "team-a".into(),
    });
    let labelled: HashMap<(String, String), String> =
        HashMap::from([(("member-1".into(), "team-a".into()), "team".into())]);
    assert!(
        matches!(
            ann.grant("bob", Role::ProjectViewer, &project, &no_projects())
                .await,
            Err(TenancyError::Forbidden(_))
        ),
        "a namespace that is not the workspace's project"
    );
    let member = ann
        .grant("bob", Role::ProjectViewer, &project, &labelled)
        .await
        .unwrap();
    assert!(matches!(
        ann.grant("bob", Role::ProjectViewer, &project, &labelled)
            .await,
        Err(TenancyError::Exists(_))
    ));
    assert!(
        matches!(
            ann.grant("bob", Role::WorkspaceViewer, &team, &labelled)
                .await,
            Err(TenancyError::Forbidden(_))
        ),
        "workspace roles are given by platform admins"
    );
    assert!(
        matches!(
            ann.grant("bob", Role::ProjectViewer, &team, &labelled)
                .await,
            Err(TenancyError::Invalid(_))
        ),
        "a project role is not granted on a workspace"
    );
    let members = ann.members(&project, &labelled).unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(
        (members[0].user.as_str(), members[0].role),
        ("bob", Role::ProjectViewer)
    );
    assert!(tenancy.scope("bob").members(&team, &labelled).is_err());
    assert!(
        tenancy.scope("bob").members(&project, &labelled).is_ok(),
        "who may read a project sees its members"
    );
    ann.revoke(&member.grant, &labelled).await.unwrap();
    assert!(directory.policy().grants_of("bob").is_empty());

    assert!(matches!(
        ann.delete_workspace("team").await,
        Err(TenancyError::Forbidden(_))
    ));
    admin.delete_workspace("team").await.unwrap();
    assert!(directory.policy().workspace("team").is_none());
    assert!(
        directory.policy().grants_of("ann").is_empty(),
        "the grants on a deleted workspace go with it"
    );
    let own = admin
        .members(&MemberTarget::Platform, &no_projects())
        .unwrap();
    assert!(
        matches!(
            admin.revoke(&own[0].grant, &no_projects()).await,
            Err(TenancyError::Invalid(_))
        ),
        "no admin revokes their own platform-admin grant"
    );
}

#[tokio::test]
async fn tokens_are_shown_once_listed_revoked_and_end_with_the_password() {
    let dir = TempDir::new().unwrap();
    let (_sandbox, client) = cluster(&dir).await;
    let (tenancy, directory) = tenancy(&client).await;
    let credentials = Credentials::new(client.clone());
    let admin = tenancy.scope(ADMIN_USER);
    admin
        .create_user(&user("ann", "ann-password"))
        .await
        .unwrap();
    let ann = tenancy.scope("ann");
    assert!(matches!(
        ann.create_token(" ", DAY).await,
        Err(TenancyError::Invalid(_))
    ));
    assert!(matches!(
        ann.create_token("ci", DAY * 400).await,
        Err(TenancyError::Invalid(_))
    ));
    let made = ann.create_token("ci", DAY * 7).await.unwrap();
    let stored = credentials
        .get(CredentialKind::Token, &made.token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.user, "ann");
    assert_eq!(
        stored.credential(),
        directory.account("ann").unwrap().credential()
    );
    let listed = ann.tokens().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "ci");
    assert!(
        !serde_json::to_string(&listed)
            .unwrap()
            .contains(&made.token)
    );
    assert!(
        admin.tokens().await.unwrap().is_empty(),
        "only one's own tokens"
    );
    assert!(matches!(
        admin.revoke_token(&listed[0].id).await,
        Err(TenancyError::NotFound(_))
    ));

    assert!(matches!(
        ann.change_password("wrong-password", "next-password").await,
        Err(TenancyError::Invalid(_))
    ));
    ann.change_password("ann-password", "next-password")
        .await
        .unwrap();
    assert!(
        directory
            .account("ann")
            .unwrap()
            .check_password("next-password")
    );
    assert_ne!(
        stored.credential(),
        directory.account("ann").unwrap().credential(),
        "a token issued before the change no longer matches"
    );

    ann.revoke_token(&listed[0].id).await.unwrap();
    assert!(
        credentials
            .get(CredentialKind::Token, &made.token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(ann.tokens().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_member_console_changes_nothing_of_what_its_host_keeps() {
    let dir = TempDir::new().unwrap();
    let (_sandbox, client) = cluster(&dir).await;
    let directory = Directory::start(client.clone()).await.unwrap();
    directory.ensure_admin("admin-password").await.unwrap();
    common::eventually("the admin in the directory", || {
        let known = directory.account(ADMIN_USER).is_some();
        async move { known.then_some(()) }
    })
    .await;
    let member = Tenancy::new(directory, Credentials::new(client.clone()), false);
    let admin = member.scope(ADMIN_USER);
    assert!(!admin.permissions().managed_here);
    assert!(matches!(
        admin.create_user(&user("ann", "long-password")).await,
        Err(TenancyError::ManagedByHost)
    ));
    assert!(matches!(
        admin
            .change_password("admin-password", "other-password")
            .await,
        Err(TenancyError::ManagedByHost)
    ));
    assert!(
        admin.create_token("tool", DAY).await.is_ok(),
        "tokens are the member's own"
    );
}
