//! Projects: the namespaces of a workspace on the clusters it is placed on, labelled
//! [`WORKSPACE_LABEL`]. Made, listed and deleted through the caller's [`Scope`].

use std::collections::HashMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use orbital_iam::{Access, Decision, ResourceAccess, Verb, WORKSPACE_LABEL};
use orbital_syntax::is_dns_label;
use orbital_types::Kind;
use orbital_types::tenancy::Project;

use crate::pool::PoolError;
use crate::principal::ClusterProjects;
use crate::scope::Scope;

/// How long a project just made may take to show in the console's namespace cache.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a project was not made or deleted.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The cluster does not exist for the caller.
    #[error("no cluster named {0:?} is registered")]
    UnknownCluster(String),
    /// The namespace is not a project.
    #[error("{namespace:?} on {cluster:?} is not a project")]
    NotAProject {
        /// The cluster.
        cluster: String,
        /// The namespace.
        namespace: String,
    },
    /// The caller may not; says what they lack.
    #[error("{0}")]
    Forbidden(String),
    /// The name cannot be a namespace.
    #[error(
        "{0:?} cannot name a project: use up to 63 lower-case letters, digits and '-', starting and ending with a letter or digit"
    )]
    InvalidName(String),
    /// A namespace of the name exists on the cluster.
    #[error("a namespace {namespace:?} exists on {cluster:?} already")]
    Exists {
        /// The cluster.
        cluster: String,
        /// The namespace.
        namespace: String,
    },
    /// The cluster cannot be reached.
    #[error("the cluster {cluster:?} cannot be reached: {reason}")]
    Unreachable {
        /// The cluster.
        cluster: String,
        /// Why.
        reason: String,
    },
    /// The cluster refused or failed the request.
    #[error("the cluster failed the request: {0}")]
    Cluster(#[from] kube::Error),
}

impl Scope {
    /// Which namespaces of `cluster` are projects of which workspace, read whatever the
    /// caller's grants; empty for a cluster out of scope or unreadable.
    pub async fn cluster_projects(&self, cluster: &str) -> ClusterProjects {
        if !self.principal().sees(cluster) {
            return ClusterProjects::default();
        }
        self.read_projects(cluster).await
    }

    pub(crate) async fn read_projects(&self, cluster: &str) -> ClusterProjects {
        let namespaces = self.objects(cluster, &Kind::NAMESPACES, false).await;
        let namespaces = match namespaces {
            Ok(namespaces) => namespaces,
            Err(error) => {
                tracing::warn!(cluster, "the projects of a cluster cannot be read: {error}");
                return ClusterProjects::default();
            }
        };
        let workspaces: HashMap<String, String> = namespaces
            .read()
            .iter()
            .filter_map(|(namespace, summary)| {
                let label = summary.label(WORKSPACE_LABEL)?;
                Some((namespace.name.to_string(), label.to_owned()))
            })
            .collect();
        ClusterProjects::new(cluster, workspaces)
    }

    /// The projects of `workspace` on those of `clusters` the caller sees.
    pub async fn projects_of(&self, workspace: &str, clusters: &[String]) -> Vec<Project> {
        let mut projects = Vec::new();
        for cluster in clusters {
            if !self.principal().sees(cluster) {
                continue;
            }
            projects.extend(
                self.read_projects(cluster)
                    .await
                    .namespaces_of(workspace)
                    .map(|namespace| Project {
                        cluster: cluster.clone(),
                        namespace,
                    }),
            );
        }
        projects.sort();
        projects
    }

    async fn client_of(&self, cluster: &str) -> Result<kube::Client, ProjectError> {
        if !self.principal().sees(cluster) {
            return Err(ProjectError::UnknownCluster(cluster.to_owned()));
        }
        self.reach()
            .client(cluster)
            .await
            .map_err(|error| match error {
                PoolError::Unknown(_) => ProjectError::UnknownCluster(cluster.to_owned()),
                error => ProjectError::Unreachable {
                    cluster: cluster.to_owned(),
                    reason: error.to_string(),
                },
            })
    }

    /// Makes the namespace `namespace` on `cluster` a new project of `workspace`, and returns
    /// once the console's cache shows it.
    pub async fn create_project(
        &self,
        cluster: &str,
        namespace: &str,
        workspace: &str,
    ) -> Result<Project, ProjectError> {
        if !is_dns_label(namespace) {
            return Err(ProjectError::InvalidName(namespace.to_owned()));
        }
        let client = self.client_of(cluster).await?;
        if !self.principal().may_create_project(cluster, workspace) {
            return Err(ProjectError::Forbidden(format!(
                "you may not create projects of the workspace {workspace:?} on {cluster:?}: that takes an admin of the workspace placed there"
            )));
        }
        let object = Namespace {
            metadata: ObjectMeta {
                name: Some(namespace.to_owned()),
                labels: Some([(WORKSPACE_LABEL.to_owned(), workspace.to_owned())].into()),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        let namespaces: Api<Namespace> = Api::all(client);
        match namespaces.create(&PostParams::default(), &object).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 409 => {
                return Err(ProjectError::Exists {
                    cluster: cluster.to_owned(),
                    namespace: namespace.to_owned(),
                });
            }
            Err(error) => return Err(error.into()),
        }
        tracing::info!(caller = %self.principal(), cluster, namespace, workspace, "created a project");
        let shown = async {
            while !self
                .read_projects(cluster)
                .await
                .namespaces_of(workspace)
                .any(|n| n == namespace)
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        if tokio::time::timeout(SETTLE_TIMEOUT, shown).await.is_err() {
            tracing::warn!(
                cluster,
                namespace,
                "a new project has not reached the cache yet"
            );
        }
        Ok(Project {
            cluster: cluster.to_owned(),
            namespace: namespace.to_owned(),
        })
    }

    /// Deletes the project `namespace` of `cluster`, with everything in it, if the caller may
    /// delete its namespace.
    pub async fn delete_project(&self, cluster: &str, namespace: &str) -> Result<(), ProjectError> {
        let client = self.client_of(cluster).await?;
        let projects = self.read_projects(cluster).await;
        if !projects.is_project(namespace) {
            return Err(ProjectError::NotAProject {
                cluster: cluster.to_owned(),
                namespace: namespace.to_owned(),
            });
        }
        let mut access = ResourceAccess::new(Verb::Delete, Some(namespace), "", "namespaces");
        access.name = Some(namespace.to_owned());
        match self
            .principal()
            .decide(cluster, &Access::Resource(access), &projects)
        {
            Decision::Allow => {}
            Decision::Hidden => return Err(ProjectError::UnknownCluster(cluster.to_owned())),
            Decision::Forbidden(message) => return Err(ProjectError::Forbidden(message)),
        }
        let namespaces: Api<Namespace> = Api::all(client);
        match namespaces.delete(namespace, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(error) => return Err(error.into()),
        }
        tracing::info!(caller = %self.principal(), cluster, namespace, "deleted a project");
        Ok(())
    }
}
