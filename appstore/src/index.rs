//! A Helm repository's `index.yaml`: each chart version's metadata, where its archive is and
//! its SHA-256 digest, newest version first.

use orbital_template::{Map, Value, compare_versions, to_yaml};

use crate::repository::PackagedChart;

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
}
