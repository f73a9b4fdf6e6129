//! What templates find beside `.Values`: `.Chart`, `.Capabilities` and `.Files`, with the Go
//! fields, methods and printing Helm's types give them.

use std::sync::Arc;

use base64::Engine as _;
use orbital_template::{CallError, Function, Map, Object, Param, Value, to_yaml};

use crate::load::ChartFile;
use crate::metadata::{Dependency, Maintainer, Metadata};
use crate::pattern::{Pattern, Syntax};

/// The version of Helm whose rendering this crate reproduces, as `.Capabilities.HelmVersion`.
pub const HELM_VERSION: &str = "v3.17.1";

/// The Kubernetes version `helm template` assumes without `--kube-version`.
pub const DEFAULT_KUBE_VERSION: &str = "v1.32.0";

/// The API versions `helm template` assumes, in its order, before `--api-versions` adds more.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

fn text(value: &str) -> Value {
    Value::Str(value.to_owned())
}

fn texts(values: &[String]) -> Value {
    Value::List(values.iter().map(|value| text(value)).collect())
}

fn map(entries: impl IntoIterator<Item = (&'static str, Value)>) -> Map {
    Map::new(
        entries
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
    )
}

/// `.Chart`: the chart's metadata, and whether it is the chart being installed.
#[derive(Debug)]
pub(crate) struct ChartObject {
    pub(crate) metadata: Metadata,
    /// `None` for the embedded `chart.Metadata` itself (`.Chart.Metadata`).
    pub(crate) is_root: Option<bool>,
}

impl ChartObject {
    fn annotations(&self) -> Value {
        Value::Map(Map::new(
            self.metadata
                .annotations
                .iter()
                .map(|(key, value)| (key.clone(), text(value)))
                .collect(),
        ))
    }

    fn maintainers(&self) -> Value {
        Value::List(
            self.metadata
                .maintainers
                .iter()
                .map(|maintainer| Value::Object(Arc::new(MaintainerObject(maintainer.clone()))))
                .collect(),
        )
    }

    fn dependencies(&self) -> Value {
        Value::List(
            self.metadata
                .dependencies
                .iter()
                .map(|dependency| Value::Object(Arc::new(DependencyObject(dependency.clone()))))
                .collect(),
        )
    }

    fn metadata_print(&self) -> String {
        let m = &self.metadata;
        let fields = [
            m.name.clone(),
            m.home.clone(),
            texts(&m.sources).print(),
            m.version.clone(),
            m.description.clone(),
            texts(&m.keywords).print(),
            self.maintainers().print(),
            m.icon.clone(),
            m.api_version.clone(),
            m.condition.clone(),
            m.tags.clone(),
            m.app_version.clone(),
            m.deprecated.to_string(),
            self.annotations().print(),
            m.kube_version.clone(),
            self.dependencies().print(),
            m.chart_type.clone(),
        ];
        format!("{{{}}}", fields.join(" "))
    }
}

impl Object for ChartObject {
    fn go_type(&self) -> &'static str {
        if self.is_root.is_some() {
            "struct { chart.Metadata; IsRoot bool }"
        } else {
            "chart.Metadata"
        }
    }

    fn field(&self, name: &str) -> Option<Value> {
        let m = &self.metadata;
        Some(match name {
            "Name" => text(&m.name),
            "Home" => text(&m.home),
            "Sources" => texts(&m.sources),
            "Version" => text(&m.version),
            "Description" => text(&m.description),
            "Keywords" => texts(&m.keywords),
            "Maintainers" => self.maintainers(),
            "Icon" => text(&m.icon),
            "APIVersion" => text(&m.api_version),
            "Condition" => text(&m.condition),
            "Tags" => text(&m.tags),
            "AppVersion" => text(&m.app_version),
            "Deprecated" => Value::Bool(m.deprecated),
            "Annotations" => self.annotations(),
            "KubeVersion" => text(&m.kube_version),
            "Dependencies" => self.dependencies(),
            "Type" => text(&m.chart_type),
            "IsRoot" => Value::Bool(self.is_root?),
            "Metadata" if self.is_root.is_some() => Value::Object(Arc::new(ChartObject {
                metadata: m.clone(),
                is_root: None,
            })),
            _ => return None,
        })
    }

    fn method(&self, _: &str) -> Option<Function> {
        None
    }

    fn data(&self) -> Value {
        let data = self.metadata.json();
        if let (Value::Map(fields), Some(is_root)) = (&data, self.is_root) {
            fields.insert("IsRoot".to_owned(), Value::Bool(is_root));
        }
        data
    }

    fn print(&self) -> String {
        match self.is_root {
            Some(is_root) => format!("{{{} {is_root}}}", self.metadata_print()),
            None => self.metadata_print(),
        }
    }
}

/// One of `.Chart.Maintainers`.
#[derive(Debug)]
struct MaintainerObject(Maintainer);

impl Object for MaintainerObject {
    fn go_type(&self) -> &'static str {
        "*chart.Maintainer"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(text(match name {
            "Name" => &self.0.name,
            "Email" => &self.0.email,
            "URL" => &self.0.url,
            _ => return None,
        }))
    }
    fn method(&self, _: &str) -> Option<Function> {
        None
    }
    fn data(&self) -> Value {
        self.0.json()
    }
    fn print(&self) -> String {
        format!("&{{{} {} {}}}", self.0.name, self.0.email, self.0.url)
    }
}

/// One of `.Chart.Dependencies`.
#[derive(Debug)]
struct DependencyObject(Dependency);

impl Object for DependencyObject {
    fn go_type(&self) -> &'static str {
        "*chart.Dependency"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let d = &self.0;
        Some(match name {
            "Name" => text(&d.name),
            "Version" => text(&d.version),
            "Repository" => text(&d.repository),
            "Condition" => text(&d.condition),
            "Tags" => texts(&d.tags),
            "Enabled" => Value::Bool(d.enabled),
            "ImportValues" => Value::List(d.import_values.clone()),
            "Alias" => text(&d.alias),
            _ => return None,
        })
    }
    fn method(&self, _: &str) -> Option<Function> {
        None
    }
    fn data(&self) -> Value {
        self.0.json()
    }
    fn print(&self) -> String {
        let d = &self.0;
        format!(
            "&{{{} {} {} {} {} {} {} {}}}",
            d.name,
            d.version,
            d.repository,
            d.condition,
            texts(&d.tags).print(),
            d.enabled,
            Value::List(d.import_values.clone()).print(),
            d.alias
        )
    }
}

/// `.Capabilities`: the Kubernetes version and API versions a render assumes.
#[derive(Debug)]
pub(crate) struct Capabilities {
    pub(crate) kube_version: KubeVersion,
    pub(crate) api_versions: Vec<String>,
}

impl Object for Capabilities {
    fn go_type(&self) -> &'static str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "KubeVersion" => Value::Object(Arc::new(self.kube_version.clone())),
            "APIVersions" => Value::Object(Arc::new(VersionSet(self.api_versions.clone()))),
            "HelmVersion" => Value::Object(Arc::new(HelmVersion)),
            _ => return None,
        })
    }
    fn method(&self, _: &str) -> Option<Function> {
        None
    }
    fn data(&self) -> Value {
        Value::Map(map([
            ("KubeVersion", self.kube_version.data()),
            ("APIVersions", texts(&self.api_versions)),
            ("HelmVersion", HelmVersion.data()),
        ]))
    }
    fn print(&self) -> String {
        format!(
            "&{{{{{} {} {}}} {} {}}}",
            self.kube_version.version,
            self.kube_version.major,
            self.kube_version.minor,
            texts(&self.api_versions).print(),
            HelmVersion.print()
        )
    }
}

/// `.Capabilities.KubeVersion`.
#[derive(Clone, Debug, PartialEq)]
pub struct KubeVersion {
    /// `v1.32.0`.
    pub version: String,
    /// `1`.
    pub major: String,
    /// `32`.
    pub minor: String,
}

impl KubeVersion {
    /// Reads a version as `--kube-version` takes it (`1.30`, `v1.30.2`); the message is
    /// Helm's.
    pub fn parse(text: &str) -> Result<KubeVersion, String> {
        let (major, minor, patch) =
            semver_core(text).ok_or_else(|| "Invalid Semantic Version".to_owned())?;
        Ok(KubeVersion {
            version: format!("v{major}.{minor}.{patch}{}", semver_rest(text)),
            major: major.to_string(),
            minor: minor.to_string(),
        })
    }
}

/// The numbers of a version as Masterminds semver reads it loosely: an optional `v`, one to
/// three numbers.
fn semver_core(text: &str) -> Option<(u64, u64, u64)> {
    let core = text.strip_prefix('v').unwrap_or(text);
    let core = core.split(['-', '+']).next()?;
    let mut numbers = core.split('.').map(|part| part.parse::<u64>().ok());
    let major = numbers.next()??;
    let minor = numbers.next().unwrap_or(Some(0))?;
    let patch = numbers.next().unwrap_or(Some(0))?;
    numbers.next().is_none().then_some((major, minor, patch))
}

/// A version's prerelease and build parts, as written.
fn semver_rest(text: &str) -> &str {
    text.find(['-', '+']).map_or("", |at| &text[at..])
}

impl Object for KubeVersion {
    fn go_type(&self) -> &'static str {
        "chartutil.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(text(match name {
            "Version" => &self.version,
            "Major" => &self.major,
            "Minor" => &self.minor,
            _ => return None,
        }))
    }
    fn method(&self, name: &str) -> Option<Function> {
        let version = self.version.clone();
        matches!(name, "String" | "GitVersion")
            .then(|| Function::new(&[], None, move |_| Ok(text(&version))))
    }
    fn data(&self) -> Value {
        Value::Map(map([
            ("Version", text(&self.version)),
            ("Major", text(&self.major)),
            ("Minor", text(&self.minor)),
        ]))
    }
    fn print(&self) -> String {
        self.version.clone()
    }
}

/// `.Capabilities.APIVersions`.
#[derive(Debug)]
struct VersionSet(Vec<String>);

impl Object for VersionSet {
    fn go_type(&self) -> &'static str {
        "chartutil.VersionSet"
    }
    fn field(&self, _: &str) -> Option<Value> {
        None
    }
    fn method(&self, name: &str) -> Option<Function> {
        let versions = self.0.clone();
        (name == "Has").then(|| {
            Function::new(&[Param::Str], None, move |args| {
                let wanted = match &args[0] {
                    Value::Str(wanted) => wanted.as_str(),
                    _ => "",
                };
                Ok(Value::Bool(
                    versions.iter().any(|version| version == wanted),
                ))
            })
        })
    }
    fn data(&self) -> Value {
        texts(&self.0)
    }
    fn print(&self) -> String {
        texts(&self.0).print()
    }
    fn collection(&self) -> Option<Value> {
        Some(texts(&self.0))
    }
}

/// `.Capabilities.HelmVersion`: the Helm release whose rendering this reproduces; no build of
/// it, so its commit and Go version are empty.
#[derive(Debug)]
struct HelmVersion;

impl Object for HelmVersion {
    fn go_type(&self) -> &'static str {
        "version.BuildInfo"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(text(HELM_VERSION)),
            "GitCommit" | "GitTreeState" | "GoVersion" => Some(text("")),
            _ => None,
        }
    }
    fn method(&self, _: &str) -> Option<Function> {
        None
    }
    fn data(&self) -> Value {
        Value::Map(map([("version", text(HELM_VERSION))]))
    }
    fn print(&self) -> String {
        format!("{{{HELM_VERSION}   }}")
    }
}

/// `.Files`: the chart's files other than its templates, values and subcharts.
#[derive(Debug)]
pub(crate) struct Files(pub(crate) Vec<ChartFile>);

impl Files {
    fn get(&self, name: &str) -> Option<&ChartFile> {
        self.0.iter().find(|file| file.name == name)
    }

    /// The files by base name, each written by `write`, as YAML (for `AsConfig`/`AsSecrets`).
    fn by_base_name(&self, write: impl Fn(&[u8]) -> String) -> String {
        let entries = Map::default();
        for file in &self.0 {
            let base = file.name.rsplit('/').next().unwrap_or(&file.name);
            entries.insert(base.to_owned(), Value::Str(write(&file.data)));
        }
        to_yaml(&Value::Map(entries))
    }
}

fn bytes(data: &[u8]) -> Value {
    Value::List(
        data.iter()
            .map(|byte| Value::Int(i64::from(*byte)))
            .collect(),
    )
}

impl Object for Files {
    fn go_type(&self) -> &'static str {
        "engine.files"
    }
    fn field(&self, _: &str) -> Option<Value> {
        None
    }
    fn method(&self, name: &str) -> Option<Function> {
        let files = self.0.clone();
        let found = move |args: &[Value]| -> Option<ChartFile> {
            let Value::Str(wanted) = &args[0] else {
                return None;
            };
            Files(files.clone()).get(wanted).cloned()
        };
        Some(match name {
            "Get" => Function::new(&[Param::Str], None, move |args| {
                Ok(Value::Str(found(args).map_or_else(String::new, |file| {
                    String::from_utf8_lossy(&file.data).into_owned()
                })))
            }),
            "GetBytes" => Function::new(&[Param::Str], None, move |args| {
                Ok(found(args).map_or_else(|| bytes(&[]), |file| bytes(&file.data)))
            }),
            "Lines" => Function::new(&[Param::Str], None, move |args| {
                let Some(file) = found(args) else {
                    return Ok(Value::List(Vec::new()));
                };
                let contents = String::from_utf8_lossy(&file.data);
                let contents = contents.strip_suffix('\n').unwrap_or(&contents);
                Ok(Value::List(contents.split('\n').map(text).collect()))
            }),
            "Glob" => {
                let files = self.0.clone();
                Function::new(&[Param::Str], None, move |args| {
                    let pattern = match &args[0] {
                        Value::Str(pattern) => pattern.as_str(),
                        _ => "**",
                    };
                    let pattern = Pattern::new(pattern, Syntax::Glob)
                        .or_else(|| Pattern::new("**", Syntax::Glob))
                        .ok_or_else(|| CallError::Failed("bad pattern".to_owned()))?;
                    let matched = files
                        .iter()
                        .filter(|file| pattern.matches(&file.name))
                        .cloned()
                        .collect();
                    Ok(Value::Object(Arc::new(Files(matched))))
                })
            }
            "AsConfig" => {
                let files = Files(self.0.clone());
                Function::new(&[], None, move |_| {
                    Ok(Value::Str(files.by_base_name(|data| {
                        String::from_utf8_lossy(data).into_owned()
                    })))
                })
            }
            "AsSecrets" => {
                let files = Files(self.0.clone());
                Function::new(&[], None, move |_| {
                    Ok(Value::Str(files.by_base_name(|data| {
                        base64::engine::general_purpose::STANDARD.encode(data)
                    })))
                })
            }
            _ => return None,
        })
    }
    fn data(&self) -> Value {
        Value::Map(Map::new(
            self.0
                .iter()
                .map(|file| {
                    (
                        file.name.clone(),
                        Value::Str(base64::engine::general_purpose::STANDARD.encode(&file.data)),
                    )
                })
                .collect(),
        ))
    }
    fn print(&self) -> String {
        self.collection()
            .map_or_else(String::new, |items| items.print())
    }
    fn collection(&self) -> Option<Value> {
        Some(Value::Map(Map::new(
            self.0
                .iter()
                .map(|file| (file.name.clone(), bytes(&file.data)))
                .collect(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kube_version_is_read_as_helm_reads_it() {
        assert_eq!(
            KubeVersion::parse("1.30").unwrap(),
            KubeVersion {
                version: "v1.30.0".to_owned(),
                major: "1".to_owned(),
                minor: "30".to_owned()
            }
        );
        assert_eq!(KubeVersion::parse("v1.29.3").unwrap().version, "v1.29.3");
        assert!(KubeVersion::parse("one").is_err());
    }
}
