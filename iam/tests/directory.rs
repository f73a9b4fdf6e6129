//! The directory against a sandbox cluster: types installed, passwords hashed as soon as they
//! are written, the first admin, and the policy following grants and workspaces.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use kube::api::{Patch, PatchParams, PostParams};
use orbital_iam::crd::IamKind;
use orbital_iam::password::HASHED_ANNOTATION;
use orbital_iam::{ADMIN_USER, Directory};
use serde_json::json;
use tempfile::TempDir;

use common::{api, cluster, eventually, object};

#[tokio::test]
async fn a_plain_text_password_is_replaced_by_its_hash_before_it_logs_anyone_in() {
    let dir = TempDir::new().unwrap();
    let (_sandbox, client) = cluster(&dir).await;
    let directory = Directory::start(client.clone()).await.unwrap();
    let users = api(&client, IamKind::User);
    users
        .create(
            &PostParams::default(),
            &object(
                IamKind::User,
                "ann",
                json!({"email": "ann@example.com", "password": "s3cret-pass"}),
            ),
        )
        .await
        .unwrap();
    let stored = eventually("the password to be hashed", || async {
        let user = users.get("ann").await.unwrap();
        let password = user.data["spec"]["password"].as_str().unwrap().to_owned();
        password.starts_with("$argon2id$").then_some(user)
    })
    .await;
    assert_eq!(
        stored.metadata.annotations.unwrap()[HASHED_ANNOTATION],
        "true"
    );
    let account = eventually("the hashed user to be seen", || async {
        directory
            .account("ann")
            .filter(|account| account.check_password("s3cret-pass"))
    })
    .await;
    assert!(!account.check_password("s3cret-pas"));
    assert_eq!(account.email, "ann@example.com");
    assert!(
        !format!("{account:?}").contains("argon2"),
        "the hash is not shown"
    );

    // Applied again in plain text (as `kubectl apply` of the same file does): hashed again,
    // and the old password is gone.
    let before = account.credential();
    users
        .patch(
            "ann",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"password": "n3w-pass-word"}})),
        )
        .await
        .unwrap();
    let changed = eventually("the new password to be hashed", || async {
        directory
            .account("ann")
            .filter(|account| account.check_password("n3w-pass-word"))
    })
    .await;
    assert!(!changed.check_password("s3cret-pass"));
    assert_ne!(changed.credential(), before);
}

#[tokio::test]
async fn the_first_admin_is_made_once_and_the_policy_follows_grants_and_workspaces() {
    let dir = TempDir::new().unwrap();
    let (_sandbox, client) = cluster(&dir).await;
    let directory = Directory::start(client.clone()).await.unwrap();
    assert!(directory.ensure_admin("first-password").await.unwrap());
    assert!(
        !directory.ensure_admin("other-password").await.unwrap(),
        "an existing admin is left alone"
    );
    let admin = eventually("the admin to be seen", || async {
        directory.account(ADMIN_USER)
    })
    .await;
    assert!(admin.check_password("first-password"));
    assert!(!admin.check_password("other-password"));
    eventually("the admin's grant", || async {
        directory
            .policy()
            .is_platform_admin(ADMIN_USER)
            .then_some(())
    })
    .await;

    api(&client, IamKind::Workspace)
        .create(
            &PostParams::default(),
            &object(
                IamKind::Workspace,
                "team",
                json!({"clusters": ["member-1"]}),
            ),
        )
        .await
        .unwrap();
    let grants = api(&client, IamKind::Grant);
    grants
        .create(
            &PostParams::default(),
            &object(
                IamKind::Grant,
                "ann-team",
                json!({"user": "ann", "role": "workspace-viewer", "workspace": "team"}),
            ),
        )
        .await
        .unwrap();
    // A grant that does not say what it means gives nothing.
    grants
        .create(
            &PostParams::default(),
            &object(
                IamKind::Grant,
                "ann-bad",
                json!({"user": "ann", "role": "cluster-admin"}),
            ),
        )
        .await
        .unwrap();
    eventually("the workspace grant", || async {
        directory
            .policy()
            .sees_cluster("ann", "member-1")
            .then_some(())
    })
    .await;
    let policy = directory.policy();
    assert_eq!(policy.grants_of("ann").len(), 1);
    assert!(!policy.sees_cluster("ann", "member-2"));

    grants
        .delete("ann-team", &Default::default())
        .await
        .unwrap();
    eventually("the grant to be gone", || async {
        (!directory.policy().sees_cluster("ann", "member-1")).then_some(())
    })
    .await;

    // A second directory over the same cluster (a restart, or another replica) sees the same.
    let again = Directory::start(client).await.unwrap();
    assert!(again.policy().is_platform_admin(ADMIN_USER));
    assert!(
        again
            .account(ADMIN_USER)
            .unwrap()
            .check_password("first-password")
    );
}
