//! Copies of the host's users, grants and workspaces on a member: those that concern it, so
//! that the member's own console authenticates and authorizes from them while the host is
//! down. The host is the source; a copy is marked, and a copy the host no longer has is removed.

use std::collections::{BTreeMap, BTreeSet};

use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::core::DynamicObject;
use serde_json::{Value, json};

use crate::crd::{self, GROUP, IamKind, VERSION};
use crate::directory::{Directory, DirectoryError};
use crate::grant::{Grant, GrantScope, GrantSpec};
use crate::password::HASHED_ANNOTATION;
use crate::workspace::WorkspaceSpec;

/// The label marking an object on a member as a copy kept by its host.
pub const COPY_LABEL: &str = "iam.orbital.dev/copy";

/// What one pass over one member changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Copies made or brought up to date.
    pub written: usize,
    /// Copies removed.
    pub removed: usize,
}

/// Keeps members' copies of what concerns them. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Copier {
    directory: Directory,
}

/// The objects one member should hold, by kind and name: `spec`, and for users the
/// annotations that say the password is a hash.
type Wanted = BTreeMap<(IamKind, String), Value>;

impl Copier {
    /// Copies from the host's `directory`.
    pub fn new(directory: Directory) -> Self {
        Self { directory }
    }

    /// What the member `cluster` should hold: every grant that reaches it (platform grants,
    /// grants on it, on its projects, and on workspaces placed on it), those workspaces, and
    /// the users those grants are for.
    fn wanted(&self, cluster: &str) -> Wanted {
        let policy = self.directory.policy();
        let mut wanted = Wanted::new();
        let mut users = BTreeSet::new();
        for (name, object) in self.directory.grant_objects() {
            let Ok(spec) = serde_json::from_value::<GrantSpec>(object["spec"].clone()) else {
                continue;
            };
            let Ok(grant) = Grant::try_from(&spec) else {
                continue;
            };
            let reaches = match &grant.scope {
                GrantScope::Platform => true,
                GrantScope::Cluster(c) | GrantScope::Project { cluster: c, .. } => c == cluster,
                GrantScope::Workspace(w) => policy.workspace(w).is_some_and(|w| w.is_on(cluster)),
            };
            if reaches {
                users.insert(grant.user.clone());
                wanted.insert((IamKind::Grant, name), json!({"spec": object["spec"]}));
            }
        }
        for workspace in policy.workspaces().filter(|w| w.is_on(cluster)) {
            let spec: &WorkspaceSpec = &workspace.spec;
            wanted.insert(
                (IamKind::Workspace, workspace.name.clone()),
                json!({"spec": spec}),
            );
        }
        for (name, object) in self.directory.user_objects() {
            if !users.contains(&name) {
                continue;
            }
            // Only a hash leaves the host: a password still in plain text is copied once the
            // host has hashed it.
            if object["metadata"]["annotations"][HASHED_ANNOTATION] != "true" {
                continue;
            }
            wanted.insert((IamKind::User, name), json!({"spec": object["spec"]}));
        }
        wanted
    }

    /// Brings the copies on the member `cluster`, reached with `client`, in line with the
    /// host: the types installed, missing or changed copies written, stale ones removed.
    /// Objects of the member's own (not marked as copies) are replaced only where the host
    /// has one of the same name.
    pub async fn copy_to(
        &self,
        cluster: &str,
        client: &kube::Client,
    ) -> Result<CopyReport, DirectoryError> {
        crd::install(client).await?;
        let wanted = self.wanted(cluster);
        let mut report = CopyReport::default();
        for kind in IamKind::ALL {
            let api: Api<DynamicObject> = Api::all_with(client.clone(), &kind.resource());
            let present = api.list(&ListParams::default()).await?;
            let mut seen = BTreeSet::new();
            for object in present.items {
                let name = object.metadata.name.clone().unwrap_or_default();
                let is_copy = object
                    .metadata
                    .labels
                    .as_ref()
                    .is_some_and(|labels| labels.contains_key(COPY_LABEL));
                match wanted.get(&(kind, name.clone())) {
                    Some(want) => {
                        seen.insert(name.clone());
                        if !is_copy || object.data["spec"] != want["spec"] {
                            let version = object.metadata.resource_version.clone();
                            let copy = copy_of(kind, &name, want, version)?;
                            api.replace(&name, &PostParams::default(), &copy).await?;
                            report.written += 1;
                        }
                    }
                    None if is_copy => match api.delete(&name, &DeleteParams::default()).await {
                        Ok(_) => report.removed += 1,
                        Err(kube::Error::Api(status)) if status.code == 404 => {}
                        Err(error) => return Err(error.into()),
                    },
                    None => {}
                }
            }
            let missing = wanted
                .iter()
                .filter(|((of, name), _)| *of == kind && !seen.contains(name));
            for ((_, name), want) in missing {
                let copy = copy_of(kind, name, want, None)?;
                match api.create(&PostParams::default(), &copy).await {
                    Ok(_) => report.written += 1,
                    // Made meanwhile: the next pass compares it.
                    Err(kube::Error::Api(status)) if status.code == 409 => {}
                    Err(error) => return Err(error.into()),
                }
            }
        }
        Ok(report)
    }
}

/// The copy of the host's `kind` object `name`, with `want`'s spec.
fn copy_of(
    kind: IamKind,
    name: &str,
    want: &Value,
    resource_version: Option<String>,
) -> Result<DynamicObject, serde_json::Error> {
    let mut metadata = json!({"name": name, "labels": {COPY_LABEL: "true"}});
    if kind == IamKind::User {
        metadata["annotations"] = json!({HASHED_ANNOTATION: "true"});
    }
    if let Some(version) = resource_version {
        metadata["resourceVersion"] = Value::from(version);
    }
    serde_json::from_value(json!({
        "apiVersion": format!("{GROUP}/{VERSION}"),
        "kind": kind.kind(),
        "metadata": metadata,
        "spec": want["spec"],
    }))
}
