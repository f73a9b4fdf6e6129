//! The `iam.orbital.dev` resource types, as CustomResourceDefinitions the console installs on
//! its cluster when they are missing.

use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject};
use serde_json::{Value, json};

use crate::credentials::SYSTEM_NAMESPACE;
use crate::directory::DirectoryError;
use crate::objects::create_unless_exists;

/// The API group of users, grants and workspaces.
pub const GROUP: &str = "iam.orbital.dev";
/// The served version.
pub const VERSION: &str = "v1alpha1";

/// How long a freshly installed type may take to be served.
const SERVED_TIMEOUT: Duration = Duration::from_secs(30);

/// One of the three types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IamKind {
    /// `User`.
    User,
    /// `Grant`.
    Grant,
    /// `Workspace`.
    Workspace,
}

impl IamKind {
    /// The three.
    pub const ALL: [IamKind; 3] = [IamKind::User, IamKind::Grant, IamKind::Workspace];

    /// The kind's name in objects.
    pub fn kind(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Grant => "Grant",
            Self::Workspace => "Workspace",
        }
    }

    /// The plural name, as in API paths.
    pub fn plural(self) -> &'static str {
        match self {
            Self::User => "users",
            Self::Grant => "grants",
            Self::Workspace => "workspaces",
        }
    }

    /// The API resource, for dynamic clients.
    pub fn resource(self) -> ApiResource {
        ApiResource {
            group: GROUP.to_owned(),
            version: VERSION.to_owned(),
            api_version: format!("{GROUP}/{VERSION}"),
            kind: self.kind().to_owned(),
            plural: self.plural().to_owned(),
        }
    }

    fn columns(self) -> Value {
        match self {
            Self::User => json!([
                {"name": "Email", "type": "string", "jsonPath": ".spec.email"},
                {"name": "Display Name", "type": "string", "jsonPath": ".spec.displayName"},
                {"name": "Disabled", "type": "boolean", "jsonPath": ".spec.disabled"},
                {"name": "Last Login", "type": "string", "jsonPath": ".status.lastLoginTime"},
            ]),
            Self::Grant => json!([
                {"name": "User", "type": "string", "jsonPath": ".spec.user"},
                {"name": "Role", "type": "string", "jsonPath": ".spec.role"},
                {"name": "Cluster", "type": "string", "jsonPath": ".spec.cluster"},
                {"name": "Workspace", "type": "string", "jsonPath": ".spec.workspace"},
                {"name": "Namespace", "type": "string", "jsonPath": ".spec.namespace"},
            ]),
            Self::Workspace => json!([
                {"name": "Clusters", "type": "string", "jsonPath": ".spec.clusters"},
                {"name": "Description", "type": "string", "jsonPath": ".spec.description"},
            ]),
        }
    }

    /// The CustomResourceDefinition of the type.
    pub fn definition(self) -> Value {
        let plural = self.plural();
        let kind = self.kind();
        let mut version = json!({
            "name": VERSION, "served": true, "storage": true,
            "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
            "additionalPrinterColumns": self.columns(),
        });
        if self == Self::User {
            version["subresources"] = json!({"status": {}});
        }
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": format!("{plural}.{GROUP}")},
            "spec": {
                "group": GROUP,
                "scope": "Cluster",
                "names": {"plural": plural, "singular": kind.to_lowercase(), "kind": kind,
                          "listKind": format!("{kind}List")},
                "versions": [version],
            },
        })
    }
}

/// Installs the three types on the cluster `client` reaches, if missing, and the namespace for
/// credentials, and returns once the types are served.
pub async fn install(client: &kube::Client) -> Result<(), DirectoryError> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let namespace: Namespace =
        serde_json::from_value(json!({"metadata": {"name": SYSTEM_NAMESPACE}}))?;
    create_unless_exists(&namespaces, &namespace).await?;
    let definitions: Api<CustomResourceDefinition> = Api::all(client.clone());
    for kind in IamKind::ALL {
        let definition: CustomResourceDefinition = serde_json::from_value(kind.definition())?;
        create_unless_exists(&definitions, &definition).await?;
    }
    let deadline = tokio::time::Instant::now() + SERVED_TIMEOUT;
    for kind in IamKind::ALL {
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &kind.resource());
        loop {
            match api.list(&ListParams::default().limit(1)).await {
                Ok(_) => break,
                Err(kube::Error::Api(status))
                    if status.code == 404 && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(kube::Error::Api(status)) if status.code == 404 => {
                    return Err(DirectoryError::NotServed(kind.kind()));
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
    Ok(())
}
