//! Why a chart could not be loaded or rendered, worded as Helm words it where Helm has words
//! for it, so a user who knows `helm template`'s errors knows ours.

use orbital_template::{TemplateError, helm_message};

use crate::set::SetError;

/// A chart that cannot be loaded, given values, or rendered.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// A file of the chart, or one the user named, could not be read.
    #[error("{0}")]
    Read(String),
    /// The chart's files do not make a chart: `Chart.yaml` missing or invalid, a broken archive.
    #[error("{0}")]
    Load(String),
    /// A values file or a `--set`-style argument could not be read.
    #[error("{0}")]
    Values(String),
    /// A template failed to parse or to run.
    #[error("{}", helm_message(.0))]
    Template(#[from] TemplateError),
    /// A rendered manifest is not YAML Kubernetes can read.
    #[error("{0}")]
    Manifest(String),
    /// The chart cannot be installed as asked: a library chart, missing dependencies, a
    /// Kubernetes version outside the chart's `kubeVersion`, a bad release name.
    #[error("{0}")]
    Refused(String),
    /// A release's render failed, as `helm template` words it (with its hint about `--debug`).
    #[error("{0}")]
    Release(String),
    /// The chart uses something this renderer does not do yet; it names it rather than
    /// render something Helm would not.
    #[error("{0} is not supported by Orbital's chart renderer")]
    Unsupported(String),
}

impl From<SetError> for ChartError {
    fn from(error: SetError) -> Self {
        ChartError::Values(error.to_string())
    }
}
