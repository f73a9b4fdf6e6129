//! The pool: every repository the host keeps, and the charts a release is installed from.

use orbital_chart::Chart;
use orbital_template::compare_versions;

use crate::builtin::builtin_repository;
use crate::repository::{PackagedChart, Repository, RepositoryError};

/// Why a chart could not be found in the pool.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PoolError {
    /// No repository has that name.
    #[error("the App Store has no repository {0:?}")]
    NoRepository(String),
    /// The repository has no such chart, or not that version.
    #[error("the repository {repo:?} has no chart {chart:?}{}", version_text(.version))]
    NoChart {
        /// The repository.
        repo: String,
        /// The chart.
        chart: String,
        /// The version asked for, if any.
        version: String,
    },
    /// The chart's archive does not load.
    #[error("the chart {0:?} in the pool does not load: {1}")]
    Broken(String, String),
}

fn version_text(version: &str) -> String {
    if version.is_empty() {
        String::new()
    } else {
        format!(" at version {version}")
    }
}

/// The App Store's repositories.
#[derive(Clone, Debug)]
pub struct Pool {
    repositories: Vec<Repository>,
}

impl Pool {
    /// The pool of the built-in repository alone.
    pub fn builtin() -> Result<Pool, RepositoryError> {
        Ok(Pool {
            repositories: vec![builtin_repository()?],
        })
    }

    /// The repositories.
    pub fn repositories(&self) -> &[Repository] {
        &self.repositories
    }

    /// The repository `name`.
    pub fn repository(&self, name: &str) -> Option<&Repository> {
        self.repositories.iter().find(|repo| repo.name == name)
    }

    /// The chart `chart` of repository `repo` at `version`, or its newest version when
    /// `version` is empty.
    pub fn chart(&self, repo: &str, chart: &str, version: &str) -> Result<Chart, PoolError> {
        let repository = self
            .repository(repo)
            .ok_or_else(|| PoolError::NoRepository(repo.to_owned()))?;
        let found = repository
            .charts
            .iter()
            .filter(|packaged| packaged.metadata.name == chart)
            .filter(|packaged| version.is_empty() || packaged.metadata.version == version)
            .max_by(newest)
            .ok_or_else(|| PoolError::NoChart {
                repo: repo.to_owned(),
                chart: chart.to_owned(),
                version: version.to_owned(),
            })?;
        Chart::from_archive(&found.archive)
            .map_err(|error| PoolError::Broken(chart.to_owned(), error.to_string()))
    }
}

fn newest(a: &&PackagedChart, b: &&PackagedChart) -> std::cmp::Ordering {
    compare_versions(&a.metadata.version, &b.metadata.version)
        .unwrap_or_else(|| a.metadata.version.cmp(&b.metadata.version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_found_by_repository_name_and_version() {
        let pool = Pool::builtin().unwrap();
        assert_eq!(pool.chart("builtin", "cache", "").unwrap().name(), "cache");
        assert_eq!(
            pool.chart("builtin", "cache", "1.0.0")
                .unwrap()
                .metadata
                .version,
            "1.0.0"
        );
        assert_eq!(
            pool.chart("builtin", "cache", "9.9.9")
                .unwrap_err()
                .to_string(),
            "the repository \"builtin\" has no chart \"cache\" at version 9.9.9"
        );
        assert_eq!(
            pool.chart("elsewhere", "cache", "").unwrap_err(),
            PoolError::NoRepository("elsewhere".to_owned())
        );
    }
}
