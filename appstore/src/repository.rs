//! A repository of charts the host keeps, as served to Helm: its index and its archives.

use orbital_chart::{Chart, ChartError, ChartFile, Metadata};
use sha2::{Digest, Sha256};

use crate::index::{index_yaml, served_file_name};
use crate::package::{PackageError, package};

/// A chart of a repository: its metadata, its archive and the archive's digest.
#[derive(Clone, Debug)]
pub struct PackagedChart {
    /// `Chart.yaml`.
    pub metadata: Metadata,
    /// The chart as `helm package` writes it.
    pub archive: Vec<u8>,
    /// The archive's SHA-256, in hex.
    pub digest: String,
}

impl PackagedChart {
    /// Packages a chart from its files (named inside the chart), checking it loads as Helm
    /// loads it.
    pub fn from_files(files: Vec<ChartFile>) -> Result<PackagedChart, RepositoryError> {
        let chart = Chart::from_files(files.clone())?;
        let archive = package(chart.name(), &files)?;
        Ok(PackagedChart::new(chart.metadata, archive))
    }

    /// A chart from an archive as uploaded (`helm package`'s output), checked to load.
    pub fn from_archive(archive: Vec<u8>) -> Result<PackagedChart, RepositoryError> {
        let chart = Chart::from_archive(&archive)?;
        Ok(PackagedChart::new(chart.metadata, archive))
    }

    fn new(metadata: Metadata, archive: Vec<u8>) -> PackagedChart {
        let digest = sha256_hex(&archive);
        PackagedChart {
            metadata,
            archive,
            digest,
        }
    }

    /// Whether this is version `version` of chart `name`.
    pub fn is(&self, name: &str, version: &str) -> bool {
        self.metadata.name == name && self.metadata.version == version
    }

    /// The archive's file name, `NAME-VERSION.tgz`, under `charts/` in the repository.
    pub fn file_name(&self) -> String {
        format!(
            "charts/{}",
            served_file_name(&self.metadata.name, &self.metadata.version)
        )
    }
}

/// The SHA-256 of `bytes`, in lower-case hex, as Helm's indexes write digests.
pub(crate) fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Why a repository could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// A chart is not a chart Helm would load.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A chart could not be packaged.
    #[error(transparent)]
    Package(#[from] PackageError),
}

/// A repository of charts.
#[derive(Clone, Debug)]
pub struct Repository {
    /// Its name, in the address `/appstore/repos/{name}`.
    pub name: String,
    /// Its charts, every version.
    pub charts: Vec<PackagedChart>,
}

impl Repository {
    /// The repository's `index.yaml`, as of `generated` (RFC 3339).
    pub fn index_yaml(&self, generated: &str) -> String {
        index_yaml(&self.charts, generated)
    }

    /// The archive at `path` (`charts/NAME-VERSION.tgz`), if the repository has it.
    pub fn archive(&self, path: &str) -> Option<&[u8]> {
        self.charts
            .iter()
            .find(|chart| chart.file_name() == path)
            .map(|chart| chart.archive.as_slice())
    }
}
