//! A Helm repository's `index.yaml`: each chart version's metadata, where its archive is and
//! its SHA-256 digest, newest version first.

use orbital_template::{Map, Value, compare_versions, to_yaml};

use crate::catalogue::Catalogue;
use crate::repository::PackagedChart;
use crate::storage::{map, text};

/// The `index.yaml` of `charts`, each archive named relative to the repository's address
/// (`charts/NAME-VERSION.tgz`), as of `generated` (RFC 3339).
pub fn index_yaml(charts: &[PackagedChart], generated: &str) -> String {
    let entries = Map::default();
    for chart in charts {
        let metadata = &chart.metadata;
        let version = metadata.json();
        if let Value::Map(fields) = &version {
            fields.insert(
                "urls".to_owned(),
                Value::List(vec![Value::Str(chart.file_name())]),
            );
            fields.insert("created".to_owned(), Value::Str(generated.to_owned()));
            fields.insert("digest".to_owned(), Value::Str(chart.digest.clone()));
        }
        let mut versions = match entries.get(&metadata.name) {
            Some(Value::List(versions)) => versions,
            _ => Vec::new(),
        };
        versions.push(version);
        versions.sort_by(newer_first);
        entries.insert(metadata.name.clone(), Value::List(versions));
    }
    index_document(entries, generated)
}

/// An `index.yaml` of `entries` (chart name → versions).
fn index_document(entries: Map, generated: &str) -> String {
    let index = Map::new(
        [
            ("apiVersion".to_owned(), Value::Str("v1".to_owned())),
            ("entries".to_owned(), Value::Map(entries)),
            ("generated".to_owned(), Value::Str(generated.to_owned())),
        ]
        .into_iter()
        .collect(),
    );
    format!("{}\n", to_yaml(&Value::Map(index)))
}

/// The name of the archive of version `version` of chart `name`, as `helm package` names it.
pub fn served_file_name(name: &str, version: &str) -> String {
    format!("{name}-{version}.tgz")
}

/// The `index.yaml` of another site's repository as the host serves it: what its catalogue
/// kept of each version, every archive named relative to the host's address, so that Helm
/// fetches it through the host (which holds the site's credentials, if any).
pub fn catalogue_index_yaml(catalogue: &Catalogue, generated: &str) -> String {
    let texts = |values: &[String]| Value::List(values.iter().map(|v| text(v)).collect());
    let entries = Map::default();
    for app in catalogue.apps.values() {
        let versions = app
            .versions
            .iter()
            .map(|version| {
                let mut fields = vec![
                    ("apiVersion", text(&version.api_version)),
                    ("name", text(&app.name)),
                    ("version", text(&version.version)),
                    ("appVersion", text(&version.app_version)),
                    ("description", text(&version.description)),
                    ("icon", text(&app.icon)),
                    ("home", text(&app.home)),
                    ("keywords", texts(&app.keywords)),
                    ("created", text(&version.created)),
                    ("digest", text(&version.digest)),
                ];
                fields.retain(|(_, value)| match value {
                    Value::Str(text) => !text.is_empty(),
                    Value::List(items) => !items.is_empty(),
                    _ => true,
                });
                if !app.maintainers.is_empty() {
                    let people = app
                        .maintainers
                        .iter()
                        .map(|name| map([("name", text(name))]));
                    fields.push(("maintainers", Value::List(people.collect())));
                }
                if version.deprecated {
                    fields.push(("deprecated", Value::Bool(true)));
                }
                let file = served_file_name(&app.name, &version.version);
                fields.push(("urls", Value::List(vec![text(&format!("charts/{file}"))])));
                map(fields)
            })
            .collect();
        entries.insert(app.name.clone(), Value::List(versions));
    }
    index_document(entries, generated)
}

fn version_of(entry: &Value) -> String {
    match entry {
        Value::Map(fields) => match fields.get("version") {
            Some(Value::Str(version)) => version,
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// Orders two index entries by semantic version, the newest first (by text when either is
/// not a version).
fn newer_first(a: &Value, b: &Value) -> std::cmp::Ordering {
    let (a, b) = (version_of(a), version_of(b));
    compare_versions(&b, &a).unwrap_or_else(|| b.cmp(&a))
}

#[cfg(test)]
mod tests {
    use orbital_chart::ChartFile;

    use super::*;

    fn chart(version: &str) -> PackagedChart {
        PackagedChart::from_files(vec![ChartFile {
            name: "Chart.yaml".to_owned(),
            data: format!("apiVersion: v2\nname: web\nversion: {version}\n").into_bytes(),
        }])
        .unwrap()
    }

    #[test]
    fn versions_are_listed_newest_first_with_their_archive_and_digest() {
        let charts = [chart("1.2.0"), chart("1.10.0"), chart("1.10.0-rc.1")];
        let index = index_yaml(&charts, "2026-12-07T00:00:00Z");
        let versions: Vec<&str> = index
            .lines()
            .filter_map(|line| line.strip_prefix("    version: "))
            .collect();
        assert_eq!(versions, ["1.10.0", "1.10.0-rc.1", "1.2.0"]);
        assert!(index.contains("  - charts/web-1.10.0.tgz\n"), "{index}");
        assert!(index.contains(&format!("digest: {}", charts[0].digest)));
    }

    #[test]
    fn another_sites_index_is_served_with_archives_at_the_host() {
        let catalogue = Catalogue::from_index(
            "apiVersion: v1\nentries:\n  redis:\n  - {name: redis, version: 1.0.0, urls: [https://cdn.example.com/r.tgz]}\n  - {apiVersion: v2, name: redis, version: 2.0.0, deprecated: true, urls: [redis-2.0.0.tgz], digest: abc, maintainers: [{name: Ann}]}\n",
        )
        .unwrap();
        let index = catalogue_index_yaml(&catalogue, "2026-12-07T00:00:00Z");
        let read = Catalogue::from_index(&index).unwrap();
        let versions = &read.apps["redis"].versions;
        assert_eq!(versions[0].version, "2.0.0");
        assert_eq!(versions[0].api_version, "v2");
        assert_eq!(versions[0].url, "charts/redis-2.0.0.tgz");
        assert_eq!(versions[0].digest, "abc");
        assert!(versions[0].deprecated);
        assert_eq!(versions[1].api_version, "v1");
        assert_eq!(versions[1].url, "charts/redis-1.0.0.tgz");
        assert_eq!(read.apps["redis"].maintainers, ["Ann"]);
    }
}
