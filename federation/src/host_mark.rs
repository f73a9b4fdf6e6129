//! The mark a host leaves on each member it manages: the ConfigMap `orbital-system/orbital-host`
//! on the member, naming the host cluster's identity and console address, so that a second host
//! cannot take a member over unnoticed.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, PostParams};
use serde_json::json;

use crate::cluster::SYSTEM_NAMESPACE;

/// The ConfigMap's name.
pub const MARK_NAME: &str = "orbital-host";
const IDENTITY_KEY: &str = "hostIdentity";
const URL_KEY: &str = "hostURL";
const NAME_KEY: &str = "clusterName";

/// The host that manages a member, as recorded on the member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostMark {
    /// The identity of the host cluster (the UID of its `kube-system` namespace).
    pub identity: String,
    /// Where the host console is, if it was told.
    pub url: String,
    /// The name the member has on that host.
    pub cluster_name: String,
}

fn is_status(error: &kube::Error, code: u16) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == code)
}

/// The mark on the cluster `member` reaches, if any.
pub(crate) async fn read(member: &kube::Client) -> Result<Option<HostMark>, kube::Error> {
    let maps: Api<ConfigMap> = Api::namespaced(member.clone(), SYSTEM_NAMESPACE);
    Ok(maps.get_opt(MARK_NAME).await?.map(|map| {
        let data = map.data.unwrap_or_default();
        let field = |key: &str| data.get(key).cloned().unwrap_or_default();
        HostMark {
            identity: field(IDENTITY_KEY),
            url: field(URL_KEY),
            cluster_name: field(NAME_KEY),
        }
    }))
}

/// Makes the console's namespace on the cluster `member` reaches, unless it is there.
pub(crate) async fn ensure_system_namespace(member: &kube::Client) -> Result<(), kube::Error> {
    let namespaces: Api<Namespace> = Api::all(member.clone());
    let namespace: Namespace =
        serde_json::from_value(json!({"metadata": {"name": SYSTEM_NAMESPACE}}))
            .map_err(kube::Error::SerdeError)?;
    match namespaces.create(&PostParams::default(), &namespace).await {
        Ok(_) => Ok(()),
        Err(error) if is_status(&error, 409) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Records `mark` on the cluster `member` reaches, replacing an earlier one.
pub(crate) async fn write(member: &kube::Client, mark: &HostMark) -> Result<(), kube::Error> {
    ensure_system_namespace(member).await?;
    let maps: Api<ConfigMap> = Api::namespaced(member.clone(), SYSTEM_NAMESPACE);
    let mut map = ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(MARK_NAME.to_owned()),
            namespace: Some(SYSTEM_NAMESPACE.to_owned()),
            ..Default::default()
        },
        data: Some(BTreeMap::from([
            (IDENTITY_KEY.to_owned(), mark.identity.clone()),
            (URL_KEY.to_owned(), mark.url.clone()),
            (NAME_KEY.to_owned(), mark.cluster_name.clone()),
        ])),
        ..Default::default()
    };
    match maps.create(&PostParams::default(), &map).await {
        Ok(_) => Ok(()),
        Err(error) if is_status(&error, 409) => {
            let current = maps.get(MARK_NAME).await?;
            map.metadata.resource_version = current.metadata.resource_version;
            maps.replace(MARK_NAME, &PostParams::default(), &map)
                .await?;
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Removes the mark from the cluster `member` reaches, if it names the host `identity`.
pub(crate) async fn clear(member: &kube::Client, identity: &str) -> Result<(), kube::Error> {
    if read(member)
        .await?
        .is_none_or(|mark| mark.identity != identity)
    {
        return Ok(());
    }
    let maps: Api<ConfigMap> = Api::namespaced(member.clone(), SYSTEM_NAMESPACE);
    match maps.delete(MARK_NAME, &DeleteParams::default()).await {
        Ok(_) => Ok(()),
        Err(error) if is_status(&error, 404) => Ok(()),
        Err(error) => Err(error),
    }
}
