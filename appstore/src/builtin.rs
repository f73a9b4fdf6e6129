//! The built-in repository: charts this project writes (in `appstore/charts/`), built into the
//! binary so that the host serves them with no network access.

use orbital_chart::ChartFile;

use crate::repository::{PackagedChart, Repository, RepositoryError};

/// The name of the built-in repository.
pub const BUILTIN: &str = "builtin";

/// Every file of the built-in charts, by path under `appstore/charts/`.
const FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/builtin_files.rs"));

/// The built-in repository, its charts packaged.
pub fn builtin_repository() -> Result<Repository, RepositoryError> {
    let mut by_chart: Vec<(&str, Vec<ChartFile>)> = Vec::new();
    for (path, data) in FILES {
        let Some((chart, name)) = path.split_once('/') else {
            continue;
        };
        let file = ChartFile {
            name: name.to_owned(),
            data: data.to_vec(),
        };
        match by_chart.iter_mut().find(|(found, _)| *found == chart) {
            Some((_, files)) => files.push(file),
            None => by_chart.push((chart, vec![file])),
        }
    }
    let charts = by_chart
        .into_iter()
        .map(|(_, files)| PackagedChart::from_files(files))
        .collect::<Result<_, _>>()?;
    Ok(Repository {
        name: BUILTIN.to_owned(),
        charts,
    })
}

#[cfg(test)]
mod tests {
    use orbital_chart::{Chart, ClusterCapabilities, ReleaseOptions, render_release};
    use orbital_template::{Map, Value, read_yaml};

    use super::*;

    #[test]
    fn the_builtin_charts_package_list_and_render() {
        let repository = builtin_repository().unwrap();
        let names: Vec<&str> = repository
            .charts
            .iter()
            .map(|chart| chart.metadata.name.as_str())
            .collect();
        assert_eq!(names, ["cache", "database", "demo-app", "web-server"]);
        let index = read_yaml(&repository.index_yaml("2026-12-07T00:00:00Z")).unwrap();
        let Value::Map(index) = index else {
            panic!("the index is a map")
        };
        let Some(Value::Map(entries)) = index.get("entries") else {
            panic!("the index has entries")
        };
        assert_eq!(entries.len(), 4);
        for chart in &repository.charts {
            let archive = repository.archive(&chart.file_name()).unwrap();
            let rendered = render_release(
                Chart::from_archive(archive).unwrap(),
                &Map::default(),
                &ReleaseOptions {
                    name: "demo".to_owned(),
                    namespace: "apps".to_owned(),
                    revision: 1,
                    is_upgrade: false,
                },
                &ClusterCapabilities::default(),
            )
            .unwrap();
            assert!(
                !rendered.sorted.manifests.is_empty(),
                "{}",
                chart.metadata.name
            );
            assert!(!rendered.notes.is_empty(), "{}", chart.metadata.name);
        }
    }
}
