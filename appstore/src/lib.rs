//! The App Store's pool of applications: charts kept by the host — its built-in ones, written
//! by this project and served with no network access — packaged as `helm package` packages
//! them and listed in repositories that `helm repo add`, `helm search repo`, `helm pull` and
//! `helm install` read as they read any Helm repository — and installed on clusters as Helm
//! installs them, recorded in Helm's own storage so that `helm` sees ordinary releases.

mod access;
mod builtin;
mod catalogue;
mod crd;
mod index;
mod installer;
mod manage;
mod member;
mod package;
mod pool;
mod reconciler;
mod remote;
mod repos;
mod repository;
mod service;
mod settings;
mod storage;
mod uploads;

pub use access::{Requester, StoreCall, values_per_cluster};
pub use builtin::{BUILTIN, builtin_repository};
pub use catalogue::{App, AppVersion, Catalogue, CatalogueError};
pub use crd::{
    GROUP, RELEASE_KIND, RELEASE_PLURAL, REPO_KIND, REPO_PLURAL, VERSION, release_definition,
    repo_definition,
};
pub use index::{catalogue_index_yaml, index_yaml, served_file_name};
pub use installer::{
    InstallError, InstallRequest, Installed, Installer, ReleaseSummary, values_from_json,
};
pub use member::{ConsoleAppStore, HostAppStore, MAX_CALL, MEMBER_PATH, USER_HEADER};
pub use package::{PackageError, package};
pub use pool::{Pool, PoolError, RemoteRepository};
pub use reconciler::{
    ClusterClients, FINALIZER, Phase, ReleaseError, ensure_definition, reconcile_releases,
    release_resource,
};
pub use remote::{Credentials, FetchError, archive_url, fetch};
pub use repos::{
    CREDENTIALS_NAMESPACE, SYNC_REQUESTED, ensure_repo_definition, parse_interval, repo_resource,
    sync, sync_repos,
};
pub use repository::{PackagedChart, Repository, RepositoryError};
pub use service::{AppStore, REQUESTED_BY};
pub use storage::{OWNER_LABEL, ReleaseRecord, ReleaseStatus, decode_record, manifest_text};
pub use uploads::{MAX_UPLOAD, UPLOADED_LABEL, UPLOADS, UploadError};
