//! The pool: every repository the host keeps — its own (the built-in one), served from memory,
//! and those of other sites (`Repo` objects), whose catalogues are synced and whose archives
//! are fetched when a release needs them — and the charts releases are installed from.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use orbital_chart::Chart;
use orbital_template::compare_versions;
use sha2::{Digest, Sha256};

use crate::builtin::builtin_repository;
use crate::catalogue::Catalogue;
use crate::remote::{Credentials, archive_url, fetch};
use crate::repository::{PackagedChart, Repository, RepositoryError};

/// Why a chart could not be had from the pool.
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
    /// The chart's archive could not be fetched, or does not load.
    #[error("the chart {0:?} cannot be had: {1}")]
    Broken(String, String),
}

fn version_text(version: &str) -> String {
    if version.is_empty() {
        String::new()
    } else {
        format!(" at version {version}")
    }
}

/// A repository of another site, as last synced.
#[derive(Clone, Debug)]
pub struct RemoteRepository {
    /// Its address.
    pub url: String,
    /// Its credentials, if it wants them.
    pub credentials: Option<Credentials>,
    /// What it offers.
    pub catalogue: Arc<Catalogue>,
}

/// The App Store's repositories.
#[derive(Debug)]
pub struct Pool {
    local: Vec<Repository>,
    remote: RwLock<BTreeMap<String, RemoteRepository>>,
}

impl Pool {
    /// The pool of the built-in repository alone.
    pub fn builtin() -> Result<Pool, RepositoryError> {
        Ok(Pool {
            local: vec![builtin_repository()?],
            remote: RwLock::default(),
        })
    }

    /// The repositories the host keeps itself.
    pub fn local(&self) -> &[Repository] {
        &self.local
    }

    /// The repository `name` the host keeps itself.
    pub fn repository(&self, name: &str) -> Option<&Repository> {
        self.local.iter().find(|repo| repo.name == name)
    }

    /// Whether `name` is taken by a repository the host keeps itself.
    pub fn is_local(&self, name: &str) -> bool {
        self.repository(name).is_some()
    }

    /// Puts a synced repository of another site into the pool, over its previous sync.
    pub fn set_remote(&self, name: &str, repository: RemoteRepository) {
        self.remote
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), repository);
    }

    /// Takes a repository of another site out of the pool.
    pub fn remove_remote(&self, name: &str) {
        self.remote
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name);
    }

    /// Every repository of another site, as last synced, by name.
    pub fn remotes(&self) -> Vec<(String, RemoteRepository)> {
        self.remote
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(name, repository)| (name.clone(), repository.clone()))
            .collect()
    }

    /// A repository of another site, as last synced.
    pub fn remote(&self, name: &str) -> Option<RemoteRepository> {
        self.remote
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    /// The chart `chart` of repository `repo` at `version`, or its newest version when
    /// `version` is empty; an archive of another site is fetched and checked against its
    /// digest.
    pub async fn chart(&self, repo: &str, chart: &str, version: &str) -> Result<Chart, PoolError> {
        let no_chart = || PoolError::NoChart {
            repo: repo.to_owned(),
            chart: chart.to_owned(),
            version: version.to_owned(),
        };
        let broken = |why: String| PoolError::Broken(chart.to_owned(), why);
        if let Some(repository) = self.repository(repo) {
            let found = repository
                .charts
                .iter()
                .filter(|packaged| packaged.metadata.name == chart)
                .filter(|packaged| version.is_empty() || packaged.metadata.version == version)
                .max_by(newest)
                .ok_or_else(no_chart)?;
            return Chart::from_archive(&found.archive).map_err(|error| broken(error.to_string()));
        }
        let remote = self
            .remote(repo)
            .ok_or_else(|| PoolError::NoRepository(repo.to_owned()))?;
        let app = remote.catalogue.apps.get(chart).ok_or_else(no_chart)?;
        let found = app
            .versions
            .iter()
            .find(|listed| version.is_empty() || listed.version == version)
            .ok_or_else(no_chart)?;
        let archive = fetch(
            &archive_url(&remote.url, &found.url),
            remote.credentials.as_ref(),
        )
        .await
        .map_err(|error| broken(error.to_string()))?;
        if !found.digest.is_empty() {
            let digest: String = Sha256::digest(&archive)
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            if digest != found.digest {
                return Err(broken(format!(
                    "its archive's digest is {digest}, the index says {}",
                    found.digest
                )));
            }
        }
        Chart::from_archive(&archive).map_err(|error| broken(error.to_string()))
    }
}

fn newest(a: &&PackagedChart, b: &&PackagedChart) -> std::cmp::Ordering {
    compare_versions(&a.metadata.version, &b.metadata.version)
        .unwrap_or_else(|| a.metadata.version.cmp(&b.metadata.version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn charts_are_found_by_repository_name_and_version() {
        let pool = Pool::builtin().unwrap();
        assert_eq!(
            pool.chart("builtin", "cache", "").await.unwrap().name(),
            "cache"
        );
        assert_eq!(
            pool.chart("builtin", "cache", "1.0.0")
                .await
                .unwrap()
                .metadata
                .version,
            "1.0.0"
        );
        assert_eq!(
            pool.chart("builtin", "cache", "9.9.9")
                .await
                .unwrap_err()
                .to_string(),
            "the repository \"builtin\" has no chart \"cache\" at version 9.9.9"
        );
        assert_eq!(
            pool.chart("elsewhere", "cache", "").await.unwrap_err(),
            PoolError::NoRepository("elsewhere".to_owned())
        );
    }
}
