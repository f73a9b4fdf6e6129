//! A chart rendered for a release, as `helm install` (and `helm template`, its dry run) renders
//! it: values combined, subcharts enabled, templates run, and the output sorted into
//! manifests, hooks and notes.

use std::sync::Arc;

use orbital_template::{Map, Value, semver_admits};

use crate::error::ChartError;
use crate::load::Chart;
use crate::manifests::{Sorted, sort_manifests};
use crate::objects::{Capabilities, DEFAULT_API_VERSIONS, DEFAULT_KUBE_VERSION, KubeVersion};
use crate::render::{Lookup, render_templates};
use crate::schema::validate;
use crate::values::coalesce;
use crate::{dependencies::process_dependencies, load::ChartFile};

/// What a release gives its templates as `.Release`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReleaseOptions {
    /// `.Release.Name`.
    pub name: String,
    /// `.Release.Namespace`.
    pub namespace: String,
    /// `.Release.Revision`.
    pub revision: i64,
    /// `.Release.IsUpgrade` (and not `.Release.IsInstall`).
    pub is_upgrade: bool,
}

/// The cluster a render assumes, as `.Capabilities`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterCapabilities {
    /// `.Capabilities.KubeVersion`.
    pub kube_version: KubeVersion,
    /// `.Capabilities.APIVersions`.
    pub api_versions: Vec<String>,
}

impl Default for ClusterCapabilities {
    /// What `helm template` assumes without a cluster.
    fn default() -> Self {
        ClusterCapabilities {
            kube_version: KubeVersion::parse(DEFAULT_KUBE_VERSION).unwrap_or(KubeVersion {
                version: DEFAULT_KUBE_VERSION.to_owned(),
                major: "1".to_owned(),
                minor: "32".to_owned(),
            }),
            api_versions: DEFAULT_API_VERSIONS
                .iter()
                .map(|version| (*version).to_owned())
                .collect(),
        }
    }
}

/// A chart rendered for a release.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// The manifests and hooks, in install order.
    pub sorted: Sorted,
    /// The chart's `NOTES.txt`, rendered.
    pub notes: String,
    /// The CRDs of the chart and its subcharts (`crds/`), each named by its full path.
    pub crds: Vec<ChartFile>,
}

/// The rule a release name must follow, and Helm's words when it does not.
const RELEASE_NAME_RULE: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// Checks a release name as Helm does (at most 53 characters of DNS-label text).
pub fn validate_release_name(name: &str) -> Result<(), ChartError> {
    let refused = |reason: String| ChartError::Refused(format!("release name {name:?}: {reason}"));
    if name.is_empty() {
        return Err(refused("no name provided".to_owned()));
    }
    let valid = regex::Regex::new(RELEASE_NAME_RULE).is_ok_and(|rule| rule.is_match(name));
    if name.len() > 53 || !valid {
        return Err(refused(format!(
            "invalid release name, must match regex {RELEASE_NAME_RULE} and the length must not be longer than 53"
        )));
    }
    Ok(())
}

/// Renders `chart` for a release with the user's `values` (already merged from files and
/// `--set` arguments), as an install does.
pub fn render_release(
    chart: Chart,
    values: &Map,
    release: &ReleaseOptions,
    capabilities: &ClusterCapabilities,
) -> Result<Rendered, ChartError> {
    prepare_release(chart, values, release, capabilities)?.render()
}

/// A chart whose values are ready for a release: checked to be installable, its subcharts
/// enabled and its values coalesced, but not yet rendered.
#[derive(Clone, Debug)]
pub struct PreparedRelease {
    chart: Chart,
    top: Map,
    kube_version: String,
}

/// The first half of [`render_release`]: everything Helm does before it has a release in
/// hand (so a failure here is not one of the release's manifests).
pub fn prepare_release(
    mut chart: Chart,
    values: &Map,
    release: &ReleaseOptions,
    capabilities: &ClusterCapabilities,
) -> Result<PreparedRelease, ChartError> {
    if !matches!(chart.metadata.chart_type.as_str(), "" | "application") {
        return Err(ChartError::Refused(format!(
            "{} charts are not installable",
            chart.metadata.chart_type
        )));
    }
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|requirement| {
            !chart
                .dependencies
                .iter()
                .any(|subchart| subchart.name() == requirement.name)
        })
        .map(|requirement| requirement.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(ChartError::Refused(format!(
            "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        )));
    }
    validate_release_name(&release.name)?;
    process_dependencies(&mut chart, values)?;
    let coalesced = coalesce(&chart, values)?;
    let mut failures = String::new();
    check_schemas(&chart, &coalesced, &mut failures)?;
    if !failures.is_empty() {
        return Err(ChartError::Values(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{failures}"
        )));
    }
    let top = Map::new(
        [
            ("Values".to_owned(), Value::Map(coalesced)),
            ("Release".to_owned(), release_value(release)),
            (
                "Capabilities".to_owned(),
                Value::Object(Arc::new(Capabilities {
                    kube_version: capabilities.kube_version.clone(),
                    api_versions: capabilities.api_versions.clone(),
                })),
            ),
        ]
        .into_iter()
        .collect(),
    );
    Ok(PreparedRelease {
        chart,
        top,
        kube_version: capabilities.kube_version.version.clone(),
    })
}

impl PreparedRelease {
    /// The second half of [`render_release`]: the chart's Kubernetes versions checked, its
    /// templates run, and their output sorted.
    pub fn render(self) -> Result<Rendered, ChartError> {
        self.render_with_lookup(None)
    }

    /// [`PreparedRelease::render`] with `lookup` answering the templates' `lookup` calls from
    /// the cluster the release goes to, as `helm install` and `helm upgrade` do.
    pub fn render_with_lookup(self, lookup: Option<&Lookup>) -> Result<Rendered, ChartError> {
        let PreparedRelease {
            chart,
            top,
            kube_version,
        } = self;
        if !chart.metadata.kube_version.is_empty()
            && !semver_admits(&chart.metadata.kube_version, &kube_version)
        {
            return Err(ChartError::Refused(format!(
                "chart requires kubeVersion: {} which is incompatible with Kubernetes {kube_version}",
                chart.metadata.kube_version
            )));
        }
        let mut files = render_templates(&chart, &top, lookup)?;
        let notes_name = format!("{}/templates/NOTES.txt", chart.name());
        let notes = files.remove(&notes_name).unwrap_or_default();
        files.retain(|name, _| !name.ends_with("NOTES.txt"));
        let sorted = sort_manifests(&files)?;
        let mut crds = Vec::new();
        collect_crds(&chart, chart.name(), &mut crds);
        Ok(Rendered {
            sorted,
            notes,
            crds,
        })
    }
}

fn release_value(release: &ReleaseOptions) -> Value {
    Value::Map(Map::new(
        [
            ("Name", Value::Str(release.name.clone())),
            ("Namespace", Value::Str(release.namespace.clone())),
            ("IsUpgrade", Value::Bool(release.is_upgrade)),
            ("IsInstall", Value::Bool(!release.is_upgrade)),
            ("Revision", Value::Int(release.revision)),
            ("Service", Value::Str("Helm".to_owned())),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect(),
    ))
}

/// Each chart's values checked against its `values.schema.json`, the failures told by chart.
fn check_schemas(chart: &Chart, values: &Map, failures: &mut String) -> Result<(), ChartError> {
    if let Some(schema) = &chart.schema {
        let errors = validate(schema, values)?;
        if !errors.is_empty() {
            failures.push_str(&format!("{}:\n{}", chart.name(), errors.concat()));
        }
    }
    for subchart in &chart.dependencies {
        let own = match values.get(subchart.name()) {
            Some(Value::Map(own)) => own,
            _ => Map::default(),
        };
        check_schemas(subchart, &own, failures)?;
    }
    Ok(())
}

/// Helm's `CRDObjects`: the chart's `crds/*.yaml|yml|json`, then its subcharts'.
fn collect_crds(chart: &Chart, full_path: &str, crds: &mut Vec<ChartFile>) {
    for file in &chart.files {
        let extension = file
            .name
            .rsplit_once('.')
            .map(|(_, extension)| extension.to_ascii_lowercase());
        if file.name.starts_with("crds/")
            && matches!(extension.as_deref(), Some("yaml" | "yml" | "json"))
        {
            crds.push(ChartFile {
                name: format!("{full_path}/{}", file.name),
                data: file.data.clone(),
            });
        }
    }
    for subchart in &chart.dependencies {
        collect_crds(
            subchart,
            &format!("{full_path}/charts/{}", subchart.name()),
            crds,
        );
    }
}
