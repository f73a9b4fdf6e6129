//! The cluster registry: `Cluster` objects and kubeconfig Secrets in the host cluster.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use serde_json::{Value, json};

use orbital_types::{Cluster, ClusterStatus};

use crate::cluster::{self, GROUP, IDENTITY_ANNOTATION, KIND, PLURAL, SYSTEM_NAMESPACE, VERSION};

/// The key of the kubeconfig in a member's Secret.
const KUBECONFIG_KEY: &str = "kubeconfig";
/// How long a freshly installed CRD may take to be served.
const CRD_READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the registry could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The host cluster refused or failed the request.
    #[error("the host cluster failed the request: {0}")]
    Host(#[from] kube::Error),
    /// A stored object could not be read.
    #[error("a stored object is malformed: {0}")]
    Malformed(#[from] serde_json::Error),
    /// The `Cluster` type was installed but is not served.
    #[error(
        "the Cluster resource type is not served by the host cluster {0:?} after installing it"
    )]
    NotServed(Duration),
    /// No cluster has that name.
    #[error("no cluster named {0:?} is registered")]
    Unknown(String),
    /// Another cluster has the name (it was recorded first).
    #[error("a cluster named {0:?} is already registered")]
    Taken(String),
    /// This replica was already linked to its peers.
    #[error("this replica already relays to its peers")]
    AlreadyLinked,
}

/// The registry in the host cluster. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Registry {
    host: kube::Client,
    clusters: Api<DynamicObject>,
    secrets: Api<Secret>,
}

fn resource() -> ApiResource {
    ApiResource {
        group: GROUP.to_owned(),
        version: VERSION.to_owned(),
        api_version: format!("{GROUP}/{VERSION}"),
        kind: KIND.to_owned(),
        plural: PLURAL.to_owned(),
    }
}

fn secret_name(cluster: &str) -> String {
    format!("{cluster}-kubeconfig")
}

fn is_not_found(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 404)
}

fn is_conflict(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 409)
}

/// A reference to the `Cluster` object `owner`, so that what it owns goes when it goes.
fn owned_by(owner: &DynamicObject) -> OwnerReference {
    OwnerReference {
        api_version: format!("{GROUP}/{VERSION}"),
        kind: KIND.to_owned(),
        name: owner.metadata.name.clone().unwrap_or_default(),
        uid: owner.metadata.uid.clone().unwrap_or_default(),
        ..OwnerReference::default()
    }
}

/// A Secret in the console's namespace about the member `cluster`, holding `value` under
/// `key`; owned by `owner` (its `Cluster` object), it goes when that goes.
pub(crate) fn member_secret(
    name: String,
    cluster: &str,
    owner: Option<OwnerReference>,
    key: &str,
    value: Vec<u8>,
) -> Secret {
    Secret {
        metadata: kube::api::ObjectMeta {
            name: Some(name),
            namespace: Some(SYSTEM_NAMESPACE.to_owned()),
            labels: Some(BTreeMap::from([(
                "cluster.orbital.dev/name".to_owned(),
                cluster.to_owned(),
            )])),
            owner_references: owner.map(|owner| vec![owner]),
            ..Default::default()
        },
        type_: Some("Opaque".to_owned()),
        data: Some(BTreeMap::from([(key.to_owned(), ByteString(value))])),
        ..Default::default()
    }
}

/// The Secret holding `kubeconfig` for the member `owner`, owned by its `Cluster` object so
/// that it goes when the object goes.
fn kubeconfig_secret(owner: &DynamicObject, kubeconfig: &str) -> Secret {
    let name = owner.metadata.name.clone().unwrap_or_default();
    member_secret(
        secret_name(&name),
        &name,
        Some(owned_by(owner)),
        KUBECONFIG_KEY,
        kubeconfig.as_bytes().to_vec(),
    )
}

impl Registry {
    /// The registry kept in the cluster `host` reaches.
    pub fn new(host: kube::Client) -> Self {
        Self {
            clusters: Api::all_with(host.clone(), &resource()),
            secrets: Api::namespaced(host.clone(), SYSTEM_NAMESPACE),
            host,
        }
    }

    /// Whether the host cluster answers and serves the `Cluster` type.
    pub async fn check(&self) -> Result<(), RegistryError> {
        self.clusters.list(&ListParams::default().limit(1)).await?;
        Ok(())
    }

    /// Installs what the registry needs on the host, if missing: the `Cluster` CRD and the
    /// namespace for kubeconfigs. Returns once the type is served.
    pub async fn install(&self) -> Result<(), RegistryError> {
        let definitions: Api<CustomResourceDefinition> = Api::all(self.host.clone());
        let definition: CustomResourceDefinition = serde_json::from_value(cluster::definition())?;
        match definitions
            .create(&PostParams::default(), &definition)
            .await
        {
            Ok(_) => {}
            Err(error) if is_conflict(&error) => {}
            Err(error) => return Err(error.into()),
        }
        let namespaces: Api<Namespace> = Api::all(self.host.clone());
        let namespace: Namespace =
            serde_json::from_value(json!({"metadata": {"name": SYSTEM_NAMESPACE}}))?;
        match namespaces.create(&PostParams::default(), &namespace).await {
            Ok(_) => {}
            Err(error) if is_conflict(&error) => {}
            Err(error) => return Err(error.into()),
        }
        let deadline = tokio::time::Instant::now() + CRD_READY_TIMEOUT;
        loop {
            match self.clusters.list(&ListParams::default().limit(1)).await {
                Ok(_) => return Ok(()),
                Err(error) if is_not_found(&error) && tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) if is_not_found(&error) => {
                    return Err(RegistryError::NotServed(CRD_READY_TIMEOUT));
                }
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// Every registered cluster, by name.
    pub async fn list(&self) -> Result<Vec<Cluster>, RegistryError> {
        let list = self.clusters.list(&ListParams::default()).await?;
        list.items
            .iter()
            .map(|object| Ok(cluster::from_object(&serde_json::to_value(object)?)))
            .collect()
    }

    /// The cluster `name`, if registered.
    pub async fn get(&self, name: &str) -> Result<Option<Cluster>, RegistryError> {
        match self.clusters.get_opt(name).await? {
            Some(object) => Ok(Some(cluster::from_object(&serde_json::to_value(&object)?))),
            None => Ok(None),
        }
    }

    /// The stored `Cluster` object `name`, or `Unknown`.
    async fn stored(&self, name: &str) -> Result<DynamicObject, RegistryError> {
        self.clusters
            .get_opt(name)
            .await?
            .ok_or_else(|| RegistryError::Unknown(name.to_owned()))
    }

    /// A reference to the `Cluster` object `name`, for what should go when it goes.
    pub(crate) async fn owner(&self, name: &str) -> Result<OwnerReference, RegistryError> {
        Ok(owned_by(&self.stored(name).await?))
    }

    /// The Secret `name` of the console's namespace, if it exists.
    pub(crate) async fn secret(&self, name: &str) -> Result<Option<Secret>, RegistryError> {
        Ok(self.secrets.get_opt(name).await?)
    }

    /// Creates the `Cluster` object of `cluster` with `connection` as its `spec.connection`,
    /// only if no other has the name (`Taken` otherwise).
    async fn create_object(
        &self,
        cluster: &Cluster,
        connection: Value,
    ) -> Result<DynamicObject, RegistryError> {
        let object = json!({
            "apiVersion": format!("{GROUP}/{VERSION}"), "kind": KIND,
            "metadata": {"name": cluster.name, "labels": cluster.labels,
                         "annotations": {IDENTITY_ANNOTATION: cluster.identity}},
            "spec": {"connection": connection,
                     "provider": cluster.provider, "description": cluster.description},
        });
        let object: DynamicObject = serde_json::from_value(object)?;
        match self.clusters.create(&PostParams::default(), &object).await {
            Ok(created) => Ok(created),
            Err(error) if is_conflict(&error) => Err(RegistryError::Taken(cluster.name.clone())),
            Err(error) => Err(error.into()),
        }
    }

    /// Records a new member: the `Cluster` object first, created only if no other has the name
    /// (`Taken` otherwise), then its kubeconfig Secret, owned by that object. Of two joins racing
    /// for one name, only the one whose object was created writes a Secret.
    pub async fn create(&self, cluster: &Cluster, kubeconfig: &str) -> Result<(), RegistryError> {
        let connection = json!({"type": cluster.connection.as_str(), "kubeconfigSecret": {
            "namespace": SYSTEM_NAMESPACE, "name": secret_name(&cluster.name)}});
        let created = self.create_object(cluster, connection).await?;
        // Left by a member of that name removed while the console was down: this join owns
        // the name now.
        self.put_secret(kubeconfig_secret(&created, kubeconfig))
            .await
    }

    /// Records a new member reached through an agent, whose token is kept in the Secret
    /// `token_secret`; answers who owns that Secret when the console makes it.
    pub async fn create_agent(
        &self,
        cluster: &Cluster,
        token_secret: &str,
    ) -> Result<OwnerReference, RegistryError> {
        let connection = json!({"type": cluster.connection.as_str(), "tokenSecret": {
            "namespace": SYSTEM_NAMESPACE, "name": token_secret}});
        let created = self.create_object(cluster, connection).await?;
        Ok(owned_by(&created))
    }

    /// The kubeconfig stored for `name`.
    pub async fn kubeconfig(&self, name: &str) -> Result<Option<String>, RegistryError> {
        let Some(secret) = self.secrets.get_opt(&secret_name(name)).await? else {
            return Ok(None);
        };
        Ok(secret
            .data
            .and_then(|mut data| data.remove(KUBECONFIG_KEY))
            .map(|bytes| String::from_utf8_lossy(&bytes.0).into_owned()))
    }

    /// Replaces the kubeconfig of the registered member `name` (rotation).
    pub async fn write_kubeconfig(
        &self,
        name: &str,
        kubeconfig: &str,
    ) -> Result<(), RegistryError> {
        let owner = self.stored(name).await?;
        self.put_secret(kubeconfig_secret(&owner, kubeconfig)).await
    }

    /// Writes `secret` in the console's namespace, replacing the version there if any.
    pub async fn put_secret(&self, mut secret: Secret) -> Result<(), RegistryError> {
        let name = secret.metadata.name.clone().unwrap_or_default();
        match self.secrets.get_opt(&name).await? {
            Some(current) => {
                // Replacing the version read: a concurrent change makes this fail, not vanish.
                secret.metadata.resource_version = current.metadata.resource_version;
                self.secrets
                    .replace(&name, &PostParams::default(), &secret)
                    .await?;
            }
            None => {
                self.secrets.create(&PostParams::default(), &secret).await?;
            }
        }
        Ok(())
    }

    /// Changes a member's labels, provider and description.
    pub async fn update_details(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
        provider: &str,
        description: &str,
    ) -> Result<(), RegistryError> {
        let current = self.stored(name).await?;
        // Labels are replaced as a whole: those missing from `labels` are removed.
        let mut label_patch: serde_json::Map<String, Value> = current
            .metadata
            .labels
            .unwrap_or_default()
            .into_keys()
            .map(|key| (key, Value::Null))
            .collect();
        for (key, value) in labels {
            label_patch.insert(key.clone(), json!(value));
        }
        let patch = json!({"metadata": {"labels": label_patch},
                           "spec": {"provider": provider, "description": description}});
        self.clusters
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        Ok(())
    }

    /// Records what the health loop saw, in one write.
    pub async fn set_status(
        &self,
        name: &str,
        status: &ClusterStatus,
    ) -> Result<(), RegistryError> {
        let patch = json!({"status": cluster::to_object_status(status)});
        match self
            .clusters
            .patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => Ok(()),
            Err(error) if is_not_found(&error) => Err(RegistryError::Unknown(name.to_owned())),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes a member: its `Cluster` object and its kubeconfig. Nothing is asked of the
    /// member itself, so an unreachable one can be removed too.
    pub async fn remove(&self, name: &str) -> Result<(), RegistryError> {
        match self.clusters.delete(name, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(error) if is_not_found(&error) => {
                return Err(RegistryError::Unknown(name.to_owned()));
            }
            Err(error) => return Err(error.into()),
        }
        match self
            .secrets
            .delete(&secret_name(name), &DeleteParams::default())
            .await
        {
            Ok(_) => Ok(()),
            Err(error) if is_not_found(&error) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}
