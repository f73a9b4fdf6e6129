//! The pool: every repository the host keeps — its own (the built-in one), served from memory,
//! and those of other sites (`Repo` objects), whose catalogues are synced and whose archives
//! are fetched when a release needs them — and the charts releases are installed from.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use hyper::body::Bytes;
use orbital_chart::Chart;
use orbital_template::compare_versions;

use crate::builtin::builtin_repository;
use crate::catalogue::{AppVersion, Catalogue};
use crate::index::{catalogue_index_yaml, served_file_name};
use crate::remote::{Credentials, archive_url, fetch};
use crate::repository::{PackagedChart, Repository, RepositoryError, sha256_hex};
use crate::uploads::UPLOADS;

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
    /// Its index as the host serves it, written when first asked for.
    served_index: Arc<OnceLock<String>>,
}

impl RemoteRepository {
    /// The repository at `url` as synced into `catalogue`.
    pub fn new(url: String, credentials: Option<Credentials>, catalogue: Catalogue) -> Self {
        Self {
            url,
            credentials,
            catalogue: Arc::new(catalogue),
            served_index: Arc::default(),
        }
    }

    /// The archive of `version`, fetched from the site and checked against its digest.
    async fn fetch(&self, chart: &str, version: &AppVersion) -> Result<Bytes, PoolError> {
        let broken = |why: String| PoolError::Broken(chart.to_owned(), why);
        let archive = fetch(
            &archive_url(&self.url, &version.url),
            self.credentials.as_ref(),
        )
        .await
        .map_err(|error| broken(error.to_string()))?;
        if !version.digest.is_empty() {
            let digest = sha256_hex(&archive);
            if digest != version.digest {
                return Err(broken(format!(
                    "its archive's digest is {digest}, the index says {}",
                    version.digest
                )));
            }
        }
        Ok(archive)
    }
}

/// The address segment of the App Store's page of installed apps.
const INSTALLED_PAGE: &str = "installed";

/// How many archives of other sites the pool keeps once fetched.
const KEPT_ARCHIVES: usize = 16;

/// Archives of other sites fetched lately, by digest, newest last: an install reads its chart
/// for its settings, for its plan and again to carry it out, and Helm clients pull the same
/// archives through the host; each would fetch it from the site again.
#[derive(Debug, Default)]
struct FetchedArchives(Mutex<VecDeque<(String, Bytes)>>);

impl FetchedArchives {
    fn get(&self, digest: &str) -> Option<Bytes> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.iter()
            .find(|(kept, _)| kept == digest)
            .map(|(_, archive)| archive.clone())
    }

    fn keep(&self, digest: &str, archive: Bytes) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|(kept, _)| kept != digest);
        if kept.len() == KEPT_ARCHIVES {
            kept.pop_front();
        }
        kept.push_back((digest.to_owned(), archive));
    }
}

/// The repository of uploaded charts holding `charts`.
fn uploads_repository(charts: Vec<PackagedChart>) -> Arc<Repository> {
    Arc::new(Repository {
        name: UPLOADS.to_owned(),
        charts,
    })
}

/// The App Store's repositories.
#[derive(Debug)]
pub struct Pool {
    builtin: Arc<Repository>,
    uploads: RwLock<Arc<Repository>>,
    remote: RwLock<BTreeMap<String, RemoteRepository>>,
    fetched: FetchedArchives,
}

impl Pool {
    /// The pool of the built-in repository and an empty repository of uploads.
    pub fn builtin() -> Result<Pool, RepositoryError> {
        Ok(Pool {
            builtin: Arc::new(builtin_repository()?),
            uploads: RwLock::new(uploads_repository(Vec::new())),
            remote: RwLock::default(),
            fetched: FetchedArchives::default(),
        })
    }

    /// The repositories the host keeps itself: the built-in one and the uploads.
    pub fn local(&self) -> [Arc<Repository>; 2] {
        [Arc::clone(&self.builtin), self.uploads()]
    }

    /// The repository `name` the host keeps itself.
    pub fn repository(&self, name: &str) -> Option<Arc<Repository>> {
        self.local().into_iter().find(|repo| repo.name == name)
    }

    /// Whether `name` is taken by a repository the host keeps itself.
    pub fn is_local(&self, name: &str) -> bool {
        self.repository(name).is_some()
    }

    /// Why a repository of another site may not be named `name`, if it may not: the host's
    /// own repositories' names are taken, and so is the name of the App Store's page of
    /// installed apps (`/appstore/installed/{id}`), which would hide a repository's apps'
    /// pages (`/appstore/{repo}/{chart}`).
    pub fn reserved(&self, name: &str) -> Option<String> {
        if self.is_local(name) {
            return Some(format!(
                "{name:?} is the name of a repository the host keeps itself; choose another"
            ));
        }
        (name == INSTALLED_PAGE).then(|| {
            format!("{name:?} is taken by the App Store's page of installed apps; choose another")
        })
    }

    /// The repository of uploaded charts, as of now.
    pub fn uploads(&self) -> Arc<Repository> {
        Arc::clone(&self.uploads.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Makes `charts` the repository of uploaded charts.
    pub fn set_uploads(&self, charts: Vec<PackagedChart>) {
        *self.uploads.write().unwrap_or_else(PoisonError::into_inner) = uploads_repository(charts);
    }

    /// Puts `chart` into the repository of uploaded charts, over the same version if there.
    pub fn add_upload(&self, chart: PackagedChart) {
        let mut uploads = self.uploads.write().unwrap_or_else(PoisonError::into_inner);
        let mut charts: Vec<PackagedChart> = uploads
            .charts
            .iter()
            .filter(|kept| !kept.is(&chart.metadata.name, &chart.metadata.version))
            .cloned()
            .collect();
        charts.push(chart);
        *uploads = uploads_repository(charts);
    }

    /// Takes version `version` of chart `name` out of the repository of uploaded charts.
    pub fn remove_upload(&self, name: &str, version: &str) {
        let mut uploads = self.uploads.write().unwrap_or_else(PoisonError::into_inner);
        let charts = uploads
            .charts
            .iter()
            .filter(|kept| !kept.is(name, version))
            .cloned()
            .collect();
        *uploads = uploads_repository(charts);
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
        let archive = self.fetch(&remote, chart, found).await?;
        Chart::from_archive(&archive).map_err(|error| broken(error.to_string()))
    }

    /// The `index.yaml` of repository `repo` as the host serves it to Helm (every archive at
    /// `charts/NAME-VERSION.tgz` under the host's address), as of `generated`.
    pub fn index_yaml(&self, repo: &str, generated: &str) -> Option<String> {
        if let Some(local) = self.repository(repo) {
            return Some(local.index_yaml(generated));
        }
        let remote = self.remote(repo)?;
        Some(
            remote
                .served_index
                .get_or_init(|| catalogue_index_yaml(&remote.catalogue, generated))
                .clone(),
        )
    }

    /// The archive `file` (`NAME-VERSION.tgz`) of repository `repo`: the host's own, or one of
    /// another site's, fetched from it and checked against its digest.
    pub async fn archive(&self, repo: &str, file: &str) -> Result<Bytes, PoolError> {
        let no_archive = || PoolError::NoChart {
            repo: repo.to_owned(),
            chart: file.to_owned(),
            version: String::new(),
        };
        if let Some(local) = self.repository(repo) {
            return local
                .archive(&format!("charts/{file}"))
                .map(Bytes::copy_from_slice)
                .ok_or_else(no_archive);
        }
        let remote = self
            .remote(repo)
            .ok_or_else(|| PoolError::NoRepository(repo.to_owned()))?;
        let (app, version) = remote
            .catalogue
            .apps
            .values()
            .find_map(|app| {
                let version = app
                    .versions
                    .iter()
                    .find(|version| served_file_name(&app.name, &version.version) == file)?;
                Some((app, version))
            })
            .ok_or_else(no_archive)?;
        self.fetch(&remote, &app.name, version).await
    }

    /// The archive of `version` of `chart` from `remote`: kept from an earlier fetch when its
    /// index gives its digest, else fetched (and then kept).
    async fn fetch(
        &self,
        remote: &RemoteRepository,
        chart: &str,
        version: &AppVersion,
    ) -> Result<Bytes, PoolError> {
        if version.digest.is_empty() {
            return remote.fetch(chart, version).await;
        }
        if let Some(archive) = self.fetched.get(&version.digest) {
            return Ok(archive);
        }
        let archive = remote.fetch(chart, version).await?;
        self.fetched.keep(&version.digest, archive.clone());
        Ok(archive)
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

    #[test]
    fn the_host_repositories_and_the_installed_apps_page_keep_their_names() {
        let pool = Pool::builtin().unwrap();
        for taken in ["builtin", UPLOADS, INSTALLED_PAGE] {
            assert!(pool.reserved(taken).is_some(), "{taken}");
        }
        assert_eq!(pool.reserved("partner"), None);
    }

    #[tokio::test]
    async fn uploads_join_and_leave_the_repository_of_uploads() {
        let pool = Pool::builtin().unwrap();
        assert!(pool.is_local(UPLOADS));
        assert!(pool.uploads().charts.is_empty());
        let chart = |version: &str| {
            PackagedChart::from_files(vec![orbital_chart::ChartFile {
                name: "Chart.yaml".to_owned(),
                data: format!("apiVersion: v2\nname: mine\nversion: {version}\n").into_bytes(),
            }])
            .unwrap()
        };
        let newest = async || {
            pool.chart(UPLOADS, "mine", "")
                .await
                .unwrap()
                .metadata
                .version
        };
        pool.add_upload(chart("1.0.0"));
        pool.add_upload(chart("1.1.0"));
        pool.add_upload(chart("1.0.0"));
        let versions: Vec<String> = pool
            .uploads()
            .charts
            .iter()
            .map(|chart| chart.metadata.version.clone())
            .collect();
        assert_eq!(versions, ["1.1.0", "1.0.0"]);
        assert_eq!(newest().await, "1.1.0");
        assert!(pool.archive(UPLOADS, "mine-1.0.0.tgz").await.is_ok());
        pool.remove_upload("mine", "1.1.0");
        assert_eq!(newest().await, "1.0.0");
        assert!(pool.archive(UPLOADS, "mine-1.1.0.tgz").await.is_err());
    }

    #[tokio::test]
    async fn another_sites_archive_is_fetched_once_when_its_digest_is_known() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let packaged = PackagedChart::from_files(vec![orbital_chart::ChartFile {
            name: "Chart.yaml".to_owned(),
            data: b"apiVersion: v2\nname: mine\nversion: 1.0.0\n".to_vec(),
        }])
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let site = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let served = Arc::clone(&requests);
        let archive = packaged.archive.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut request = Vec::new();
                let mut buffer = [0; 1024];
                while !request.windows(4).any(|end| end == b"\r\n\r\n") {
                    let read = stream.read(&mut buffer).await.unwrap();
                    request.extend_from_slice(&buffer[..read]);
                }
                served.fetch_add(1, Ordering::SeqCst);
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    archive.len()
                );
                stream.write_all(head.as_bytes()).await.unwrap();
                stream.write_all(&archive).await.unwrap();
            }
        });
        let index = format!(
            "apiVersion: v1\nentries:\n  mine:\n  - {{apiVersion: v2, name: mine, version: 1.0.0, urls: [mine-1.0.0.tgz], digest: {}}}\n  - {{apiVersion: v2, name: mine, version: 0.9.0, urls: [mine-1.0.0.tgz]}}\n",
            packaged.digest
        );
        let catalogue = Catalogue::from_index(&index).unwrap();
        let pool = Pool::builtin().unwrap();
        pool.set_remote("partner", RemoteRepository::new(site, None, catalogue));

        for _ in 0..2 {
            assert_eq!(
                pool.chart("partner", "mine", "1.0.0").await.unwrap().name(),
                "mine"
            );
        }
        let pulled = pool.archive("partner", "mine-1.0.0.tgz").await.unwrap();
        assert_eq!(pulled, packaged.archive);
        assert_eq!(requests.load(Ordering::SeqCst), 1);
        // Without a digest to check it by, an archive is not kept.
        pool.chart("partner", "mine", "0.9.0").await.unwrap();
        pool.chart("partner", "mine", "0.9.0").await.unwrap();
        assert_eq!(requests.load(Ordering::SeqCst), 3);
    }
}
