//! The repository of uploaded charts, `uploads`, kept by the host: each archive is kept in a
//! ConfigMap in `orbital-system` on the host cluster (so that it outlives a restart and every
//! replica serves it), and each replica follows those ConfigMaps into its pool.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::StreamExt;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use orbital_iam::credentials::SYSTEM_NAMESPACE;

use crate::pool::Pool;
use crate::repository::{PackagedChart, RepositoryError, sha256_hex};

/// The name of the repository of uploaded charts.
pub const UPLOADS: &str = "uploads";
/// The label of the ConfigMaps that hold uploaded charts.
pub const UPLOADED_LABEL: &str = "appstore.orbital.dev/uploaded-chart";
/// The largest archive taken: what a ConfigMap holds, less room for its other fields.
pub const MAX_UPLOAD: usize = 1_000_000;
/// The key of the archive in its ConfigMap.
const ARCHIVE_KEY: &str = "chart.tgz";

/// Why an upload was not taken.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The archive is larger than a ConfigMap holds.
    #[error("the archive is {0} bytes; at most {MAX_UPLOAD} are taken")]
    TooLarge(usize),
    /// The archive is not a chart Helm would load.
    #[error("the archive is not a chart: {0}")]
    NotAChart(#[from] RepositoryError),
    /// That version of that chart is there already.
    #[error(
        "{name} {version} is already in the repository {UPLOADS:?}; replace it (?force) or upload another version"
    )]
    Exists {
        /// The chart.
        name: String,
        /// Its version.
        version: String,
    },
    /// That version of that chart is not there.
    #[error("the repository {UPLOADS:?} has no {name} {version}")]
    Missing {
        /// The chart.
        name: String,
        /// Its version.
        version: String,
    },
    /// The host cluster failed the request.
    #[error("the host cluster failed: {0}")]
    Host(#[from] kube::Error),
}

/// The uploaded charts kept on the host cluster.
#[derive(Clone)]
pub(crate) struct Uploads {
    kept: Api<ConfigMap>,
}

impl Uploads {
    /// The uploads kept on the cluster `host` reaches.
    pub(crate) fn new(host: kube::Client) -> Self {
        Self {
            kept: Api::namespaced(host, SYSTEM_NAMESPACE),
        }
    }

    /// Checks `archive` is a chart and keeps it, over the same version when `replace`.
    pub(crate) async fn keep(
        &self,
        archive: Vec<u8>,
        replace: bool,
    ) -> Result<PackagedChart, UploadError> {
        if archive.len() > MAX_UPLOAD {
            return Err(UploadError::TooLarge(archive.len()));
        }
        let chart = PackagedChart::from_archive(archive)?;
        let (name, version) = (&chart.metadata.name, &chart.metadata.version);
        let object = ConfigMap {
            metadata: ObjectMeta {
                name: Some(object_name(name, version)),
                labels: Some([(UPLOADED_LABEL.to_owned(), "true".to_owned())].into()),
                annotations: Some(
                    [
                        ("appstore.orbital.dev/chart".to_owned(), name.clone()),
                        ("appstore.orbital.dev/version".to_owned(), version.clone()),
                    ]
                    .into(),
                ),
                ..ObjectMeta::default()
            },
            binary_data: Some([(ARCHIVE_KEY.to_owned(), ByteString(chart.archive.clone()))].into()),
            ..ConfigMap::default()
        };
        match self.kept.create(&PostParams::default(), &object).await {
            Ok(_) => Ok(chart),
            Err(kube::Error::Api(status)) if status.code == 409 && replace => {
                let current = self.kept.get(&object_name(name, version)).await?;
                let replacement = ConfigMap {
                    metadata: ObjectMeta {
                        resource_version: current.metadata.resource_version,
                        ..object.metadata
                    },
                    ..object
                };
                self.kept
                    .replace(
                        &object_name(name, version),
                        &PostParams::default(),
                        &replacement,
                    )
                    .await?;
                Ok(chart)
            }
            Err(kube::Error::Api(status)) if status.code == 409 => Err(UploadError::Exists {
                name: name.clone(),
                version: version.clone(),
            }),
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes version `version` of chart `name`.
    pub(crate) async fn delete(&self, name: &str, version: &str) -> Result<(), UploadError> {
        match self
            .kept
            .delete(&object_name(name, version), &DeleteParams::default())
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Err(UploadError::Missing {
                name: name.to_owned(),
                version: version.to_owned(),
            }),
            Err(error) => Err(error.into()),
        }
    }
}

/// The ConfigMap of version `version` of chart `name`: a digest of both, as versions may hold
/// characters an object's name may not (`+`).
fn object_name(name: &str, version: &str) -> String {
    let digest = sha256_hex(format!("{name}\n{version}"));
    format!("uploaded-chart-{}", &digest[..32])
}

/// The chart a ConfigMap holds, if it holds one that loads.
fn chart_of(object: &ConfigMap) -> Option<PackagedChart> {
    let archive = object.binary_data.as_ref()?.get(ARCHIVE_KEY)?;
    match PackagedChart::from_archive(archive.0.clone()) {
        Ok(chart) => Some(chart),
        Err(error) => {
            let name = object.metadata.name.as_deref().unwrap_or_default();
            tracing::warn!("the uploaded chart in ConfigMap {name} does not load: {error}");
            None
        }
    }
}

/// Keeps the pool's repository of uploads as the host cluster holds it, until dropped.
pub(crate) async fn follow_uploads(host: kube::Client, pool: Arc<Pool>) {
    let kept: Api<ConfigMap> = Api::namespaced(host, SYSTEM_NAMESPACE);
    let config = watcher::Config::default().labels(&format!("{UPLOADED_LABEL}=true"));
    let mut events = watcher::watcher(kept, config).default_backoff().boxed();
    let mut charts: BTreeMap<String, PackagedChart> = BTreeMap::new();
    let mut listing: BTreeMap<String, PackagedChart> = BTreeMap::new();
    while let Some(event) = events.next().await {
        match event {
            Ok(Event::Init) => listing.clear(),
            Ok(Event::InitApply(object)) => {
                if let Some(chart) = chart_of(&object) {
                    listing.insert(object.metadata.name.unwrap_or_default(), chart);
                }
            }
            Ok(Event::InitDone) => {
                charts = std::mem::take(&mut listing);
                pool.set_uploads(charts.values().cloned().collect());
            }
            Ok(Event::Apply(object)) => {
                let name = object.metadata.name.clone().unwrap_or_default();
                match chart_of(&object) {
                    Some(chart) => charts.insert(name, chart),
                    None => charts.remove(&name),
                };
                pool.set_uploads(charts.values().cloned().collect());
            }
            Ok(Event::Delete(object)) => {
                charts.remove(&object.metadata.name.unwrap_or_default());
                pool.set_uploads(charts.values().cloned().collect());
            }
            Err(error) => tracing::warn!("cannot follow the App Store's uploaded charts: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_version_has_its_own_object_with_a_valid_name() {
        let a = object_name("web", "1.0.0+build.1");
        assert_ne!(a, object_name("web", "1.0.1"));
        assert_ne!(a, object_name("web-1", ".0.0+build.1"));
        assert!(a.len() <= 63);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
    }
}
