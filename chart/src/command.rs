//! `helm template`, reproduced: the same arguments, the same output byte for byte, and the same
//! words on failure. `orbital chart template` is this.

use std::path::{Path, PathBuf};

use orbital_template::{Map, Value, read_yaml};

use crate::error::ChartError;
use crate::install::{ClusterCapabilities, ReleaseOptions, Rendered, prepare_release};
use crate::load::Chart;
use crate::manifests::HookEvent;
use crate::objects::KubeVersion;
use crate::set::{SetKind, apply_set};
use crate::values::merge_user_values;

/// What `helm template` is given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TemplateRequest {
    /// The release name; `release-name` when not given.
    pub release_name: Option<String>,
    /// The chart: a directory or a `.tgz` archive.
    pub chart: PathBuf,
    /// `-n/--namespace`; `default` when not given.
    pub namespace: Option<String>,
    /// `-f/--values`, in order.
    pub value_files: Vec<PathBuf>,
    /// `--set`, in order.
    pub set: Vec<String>,
    /// `--set-string`, in order.
    pub set_string: Vec<String>,
    /// `--set-json`, in order.
    pub set_json: Vec<String>,
    /// `--kube-version`.
    pub kube_version: Option<String>,
    /// `-a/--api-versions`, added to the defaults.
    pub api_versions: Vec<String>,
    /// `--include-crds`.
    pub include_crds: bool,
    /// `--skip-tests`.
    pub skip_tests: bool,
    /// `--is-upgrade`.
    pub is_upgrade: bool,
    /// `--no-hooks`.
    pub no_hooks: bool,
}

/// What `helm template` prints for `request`; on failure, the error it prints after `Error: `.
pub fn helm_template(request: &TemplateRequest) -> Result<String, ChartError> {
    let mut capabilities = ClusterCapabilities::default();
    if let Some(version) = &request.kube_version {
        capabilities.kube_version = KubeVersion::parse(version).map_err(|error| {
            ChartError::Refused(format!("invalid kube version '{version}': {error}"))
        })?;
    }
    capabilities
        .api_versions
        .extend(request.api_versions.iter().cloned());
    let values = user_values(request)?;
    let chart = Chart::load(&request.chart)?;
    let release = ReleaseOptions {
        name: request
            .release_name
            .clone()
            .unwrap_or_else(|| "release-name".to_owned()),
        namespace: request
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_owned()),
        revision: 1,
        is_upgrade: request.is_upgrade,
    };
    let prepared = prepare_release(chart, &values, &release, &capabilities)?;
    // Helm has a release in hand once its values are ready, and then adds this to its errors.
    let rendered = prepared.render().map_err(|error| {
        ChartError::Release(format!(
            "{error}\n\nUse --debug flag to render out invalid YAML"
        ))
    })?;
    Ok(printed(&rendered, request))
}

/// The user's values: the files, then `--set-json`, `--set` and `--set-string` over them, in
/// the order Helm reads them.
fn user_values(request: &TemplateRequest) -> Result<Map, ChartError> {
    let mut files = Vec::new();
    for path in &request.value_files {
        files.push(read_values_file(path)?);
    }
    let values = merge_user_values(&files);
    for text in &request.set_json {
        apply_set(&values, text, SetKind::Json)
            .map_err(|_| ChartError::Values(format!("failed parsing --set-json data {text}")))?;
    }
    for (texts, flag, kind) in [
        (&request.set, "--set", SetKind::Typed),
        (&request.set_string, "--set-string", SetKind::Text),
    ] {
        for text in texts {
            apply_set(&values, text, kind).map_err(|error| {
                ChartError::Values(format!("failed parsing {flag} data: {error}"))
            })?;
        }
    }
    Ok(values)
}

fn read_values_file(path: &Path) -> Result<Value, ChartError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        let reason = match error.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => error.to_string(),
        };
        ChartError::Read(format!("open {}: {reason}", path.display()))
    })?;
    read_yaml(&text).map_err(|error| {
        ChartError::Values(format!(
            "failed to parse {}: error converting YAML to JSON: {error}",
            path.display()
        ))
    })
}

/// `helm template`'s output: CRDs if asked for, the manifests, then the hooks.
fn printed(rendered: &Rendered, request: &TemplateRequest) -> String {
    let mut manifest = String::new();
    if request.include_crds {
        for crd in &rendered.crds {
            manifest.push_str(&format!(
                "---\n# Source: {}\n{}\n",
                crd.name,
                String::from_utf8_lossy(&crd.data)
            ));
        }
    }
    for found in &rendered.sorted.manifests {
        manifest.push_str(&format!(
            "---\n# Source: {}\n{}\n",
            found.source, found.content
        ));
    }
    let mut out = format!("{}\n", manifest.trim());
    if !request.no_hooks {
        for hook in &rendered.sorted.hooks {
            if request.skip_tests && hook.events.contains(&HookEvent::Test) {
                continue;
            }
            out.push_str(&format!(
                "---\n# Source: {}\n{}\n",
                hook.manifest.source, hook.manifest.content
            ));
        }
    }
    out
}
