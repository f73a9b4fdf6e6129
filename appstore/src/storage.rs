//! Helm's own record of a release, as Helm 3 keeps it in the release's namespace: a Secret
//! `sh.helm.release.v1.NAME.vREVISION` of type `helm.sh/release.v1`, labelled with the
//! release's name, status and revision, holding the release as gzipped JSON in base64. A release
//! Orbital installs is recorded so, so that `helm list`, `helm history`, `helm get`,
//! `helm upgrade`, `helm rollback` and `helm uninstall` see an ordinary release.

use std::io::{Read, Write};

use base64::Engine as _;
use orbital_chart::{Chart, Hook, HookEvent, Manifest};
use orbital_template::{Map, Value, to_json};

/// The label every release record carries, and Helm looks them up by.
pub const OWNER_LABEL: (&str, &str) = ("owner", "helm");

/// A release's status, as Helm names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseStatus {
    /// Its objects are applied and ready: the current revision.
    Deployed,
    /// An older revision an upgrade replaced.
    Superseded,
    /// Its install or upgrade failed.
    Failed,
    /// Being installed.
    PendingInstall,
    /// Being upgraded.
    PendingUpgrade,
    /// Being removed.
    Uninstalling,
}

impl ReleaseStatus {
    /// Helm's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseStatus::Deployed => "deployed",
            ReleaseStatus::Superseded => "superseded",
            ReleaseStatus::Failed => "failed",
            ReleaseStatus::PendingInstall => "pending-install",
            ReleaseStatus::PendingUpgrade => "pending-upgrade",
            ReleaseStatus::Uninstalling => "uninstalling",
        }
    }
}

/// One revision of a release, as Helm records it.
#[derive(Clone, Debug)]
pub struct ReleaseRecord {
    /// The release's name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The revision, from 1.
    pub revision: i64,
    /// Its status.
    pub status: ReleaseStatus,
    /// When its first revision was deployed (RFC 3339).
    pub first_deployed: String,
    /// When this revision was deployed (RFC 3339).
    pub last_deployed: String,
    /// What happened, in Helm's words ("Install complete", "Upgrade complete").
    pub description: String,
    /// The rendered `NOTES.txt`.
    pub notes: String,
    /// The chart it was made from.
    pub chart: Chart,
    /// The values the user gave (`helm get values`).
    pub config: Map,
    /// The manifests, as `helm get manifest` prints them.
    pub manifest: String,
    /// The hooks.
    pub hooks: Vec<Hook>,
}

/// The manifest text Helm records for `manifests`: each under its `# Source:` line.
pub fn manifest_text(manifests: &[Manifest]) -> String {
    manifests
        .iter()
        .map(|manifest| format!("---\n# Source: {}\n{}\n", manifest.source, manifest.content))
        .collect()
}

/// A text value.
pub(crate) fn text(value: &str) -> Value {
    Value::Str(value.to_owned())
}

/// A map value of `entries`.
pub(crate) fn map<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    Value::Map(Map::new(
        entries
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
    ))
}

fn base64(data: &[u8]) -> Value {
    text(&base64::engine::general_purpose::STANDARD.encode(data))
}

fn event_name(event: HookEvent) -> &'static str {
    match event {
        HookEvent::PreInstall => "pre-install",
        HookEvent::PostInstall => "post-install",
        HookEvent::PreDelete => "pre-delete",
        HookEvent::PostDelete => "post-delete",
        HookEvent::PreUpgrade => "pre-upgrade",
        HookEvent::PostUpgrade => "post-upgrade",
        HookEvent::PreRollback => "pre-rollback",
        HookEvent::PostRollback => "post-rollback",
        HookEvent::Test => "test",
    }
}

/// Go's zero time, which Helm writes for a release never deleted.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

impl ReleaseRecord {
    /// The name of the Secret this revision is kept in.
    pub fn secret_name(&self) -> String {
        format!("sh.helm.release.v1.{}.v{}", self.name, self.revision)
    }

    /// The record as Helm's JSON (`release.Release`).
    pub fn json(&self) -> String {
        let files = |files: &[orbital_chart::ChartFile]| {
            Value::List(
                files
                    .iter()
                    .map(|file| map([("name", text(&file.name)), ("data", base64(&file.data))]))
                    .collect(),
            )
        };
        let chart = map([
            ("metadata", self.chart.metadata.json()),
            ("lock", Value::Nil),
            ("templates", files(&self.chart.templates)),
            ("values", Value::Map(self.chart.values.clone())),
            (
                "schema",
                self.chart.schema.as_deref().map_or(Value::Nil, base64),
            ),
            ("files", files(&self.chart.files)),
        ]);
        let hooks = self
            .hooks
            .iter()
            .map(|hook| {
                let mut fields = vec![
                    ("name", text(&hook.manifest.name)),
                    ("kind", text(&hook.manifest.kind)),
                    ("path", text(&hook.manifest.source)),
                    ("manifest", text(&hook.manifest.content)),
                    (
                        "events",
                        Value::List(hook.events.iter().map(|e| text(event_name(*e))).collect()),
                    ),
                    ("last_run", map([("phase", text(""))])),
                ];
                if hook.weight != 0 {
                    fields.push(("weight", Value::Int(hook.weight)));
                }
                if !hook.delete_policies.is_empty() {
                    fields.push((
                        "delete_policies",
                        Value::List(hook.delete_policies.iter().map(|p| text(p)).collect()),
                    ));
                }
                map(fields)
            })
            .collect();
        let record = map([
            ("name", text(&self.name)),
            (
                "info",
                map([
                    ("first_deployed", text(&self.first_deployed)),
                    ("last_deployed", text(&self.last_deployed)),
                    ("deleted", text(ZERO_TIME)),
                    ("description", text(&self.description)),
                    ("status", text(self.status.as_str())),
                    ("notes", text(&self.notes)),
                ]),
            ),
            ("chart", chart),
            ("config", Value::Map(self.config.clone())),
            ("manifest", text(&self.manifest)),
            ("hooks", Value::List(hooks)),
            ("version", Value::Int(self.revision)),
            ("namespace", text(&self.namespace)),
        ]);
        to_json(&record)
    }

    /// The Secret that keeps this revision, as JSON for the Kubernetes API.
    pub fn secret(&self) -> Result<serde_json::Value, std::io::Error> {
        let data = secret_data(&self.json())?;
        Ok(serde_json::json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": self.secret_name(),
                "namespace": self.namespace,
                "labels": {
                    "name": self.name,
                    OWNER_LABEL.0: OWNER_LABEL.1,
                    "status": self.status.as_str(),
                    "version": self.revision.to_string(),
                },
            },
            "type": "helm.sh/release.v1",
            "data": {"release": data},
        }))
    }
}

/// A record's JSON as its Secret's `data.release` holds it in the API: gzipped, in base64 (as
/// Helm stores it), in base64 again (as the API carries a Secret's bytes).
pub(crate) fn secret_data(json: &str) -> Result<String, std::io::Error> {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(json.as_bytes())?;
    Ok(engine.encode(engine.encode(gzip.finish()?)))
}

/// A release record read back from its Secret's `data.release` (as the API returns it, in
/// base64): Helm's JSON. Records written by Helm itself read the same way.
pub fn decode_record(data_release: &str) -> Option<serde_json::Value> {
    let engine = base64::engine::general_purpose::STANDARD;
    let inner = engine.decode(data_release.trim()).ok()?;
    let compressed = engine.decode(inner).ok()?;
    let mut json = Vec::new();
    if compressed.starts_with(&[0x1f, 0x8b, 0x08]) {
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut json)
            .ok()?;
    } else {
        json = compressed;
    }
    serde_json::from_slice(&json).ok()
}

#[cfg(test)]
mod tests {
    use orbital_chart::ChartFile;

    use super::*;

    #[test]
    fn a_record_round_trips_through_its_secret() {
        let chart = Chart::from_files(vec![ChartFile {
            name: "Chart.yaml".to_owned(),
            data: b"apiVersion: v2\nname: web\nversion: 1.0.0\n".to_vec(),
        }])
        .unwrap();
        let record = ReleaseRecord {
            name: "demo".to_owned(),
            namespace: "apps".to_owned(),
            revision: 2,
            status: ReleaseStatus::Deployed,
            first_deployed: "2026-12-07T00:00:00Z".to_owned(),
            last_deployed: "2026-12-07T01:00:00Z".to_owned(),
            description: "Upgrade complete".to_owned(),
            notes: String::new(),
            chart,
            config: Map::default(),
            manifest: "---\n# Source: web/templates/a.yaml\nkind: ConfigMap\n".to_owned(),
            hooks: Vec::new(),
        };
        let secret = record.secret().unwrap();
        assert_eq!(secret["metadata"]["name"], "sh.helm.release.v1.demo.v2");
        assert_eq!(secret["metadata"]["labels"]["status"], "deployed");
        let read = decode_record(secret["data"]["release"].as_str().unwrap()).unwrap();
        assert_eq!(read["version"], 2);
        assert_eq!(read["chart"]["metadata"]["name"], "web");
        assert_eq!(read["info"]["status"], "deployed");
        assert_eq!(read["manifest"], record.manifest.as_str());
    }
}
