//! The App Store's pool of applications: charts kept by the host — its built-in ones, written
//! by this project and served with no network access — packaged as `helm package` packages
//! them and listed in repositories that `helm repo add`, `helm search repo`, `helm pull` and
//! `helm install` read as they read any Helm repository.

mod builtin;
mod index;
mod package;
mod repository;

pub use builtin::{BUILTIN, builtin_repository};
pub use index::index_yaml;
pub use package::{PackageError, package};
pub use repository::{PackagedChart, Repository, RepositoryError};
