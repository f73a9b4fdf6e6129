//! What one caller may do with the host's App Store, decided by their grants as the proxy
//! decides requests: anyone logged in lists the pool and reads an app's page; an install needs
//! the right to create each kind of object the chart makes, in the namespace asked for (and the
//! right to create namespaces for the namespace to be made); the releases shown are those in
//! namespaces whose Deployments the caller may list, and an uninstall needs the right to delete
//! them. The users of a member console, asking through it, reach only its own cluster.

use orbital_chart::merge_user_values;
use orbital_federation::{Principal, Scope};
use orbital_iam::{ResourceAccess, Verb};
use orbital_template::{Map, Value, to_yaml};
use orbital_types::appstore::{AppQuery, AppStoreError, InstallForm, ReleaseDetails, ReleaseRow};
use serde::{Deserialize, Serialize};

use crate::service::{AppStore, helm_release_row, user_values};

/// Who asks the host's App Store for something, and through which console.
#[derive(Clone, Debug)]
pub struct Requester {
    scope: Scope,
    /// The member cluster whose console asks on the caller's behalf: the only one reached.
    through_member: Option<String>,
}

/// A request a member console makes of its host's App Store for one of its users.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StoreCall {
    /// Nothing: whether the host's App Store answers this member console for this user.
    Check,
    /// The apps a query finds.
    Apps(AppQuery),
    /// One app's page.
    App {
        /// Its repository.
        repo: String,
        /// Its name.
        name: String,
    },
    /// An install (on the member's own cluster).
    Install(InstallForm),
    /// The releases on the member's cluster the user may see.
    Releases,
    /// One of them, with its values and history.
    Release {
        /// The release's id.
        id: String,
    },
    /// An upgrade of one of them.
    Upgrade {
        /// The release's id.
        id: String,
        /// The chart's version; the newest when empty.
        version: String,
        /// The values, as YAML.
        values: String,
    },
    /// A rollback of one of them.
    Rollback {
        /// The release's id.
        id: String,
        /// The revision to roll back to.
        revision: i64,
    },
    /// An uninstall of one of them.
    Uninstall {
        /// The release's id.
        id: String,
    },
}

impl Requester {
    /// The caller of `scope`, on this host console.
    pub fn here(scope: Scope) -> Self {
        Self {
            scope,
            through_member: None,
        }
    }

    /// The caller of `scope`, a user of the member console of `cluster` as that console vouches
    /// (it holds the host's credential for it): whatever their grants, only `cluster` is
    /// reached.
    pub fn through_member(scope: Scope, cluster: &str) -> Self {
        Self {
            scope,
            through_member: Some(cluster.to_owned()),
        }
    }

    /// The caller's scope.
    pub(crate) fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The member cluster whose console asks, if one does.
    pub(crate) fn member(&self) -> Option<&str> {
        self.through_member.as_deref()
    }

    /// The caller's name, as releases record who asked for them.
    fn name(&self) -> String {
        match self.scope.principal() {
            Principal::User(user) => user.name().to_owned(),
            Principal::Console => "console".to_owned(),
        }
    }

    /// Whether the caller can reach `cluster` at all through the console they ask from.
    fn reaches(&self, cluster: &str) -> bool {
        self.through_member
            .as_deref()
            .is_none_or(|own| own == cluster)
    }

    /// Whether the caller may do `access` on `cluster`: `Err` with what the refusal says.
    async fn may(&self, cluster: &str, access: ResourceAccess) -> Result<(), String> {
        if !self.reaches(cluster) {
            return Err(unknown_cluster(cluster));
        }
        self.scope.may(cluster, access).await
    }
}

/// What a caller is told of a cluster they cannot reach, as of one that does not exist.
fn unknown_cluster(cluster: &str) -> String {
    format!("no cluster named {cluster:?} is registered")
}

/// The values of the install on each of `clusters`: `shared` (YAML) with that cluster's entry
/// of `overrides` (YAML: cluster name → values) over it, merged as Helm merges values files
/// given one after another. An entry for a cluster not chosen is refused, as a likely typo.
pub fn values_per_cluster(
    shared: &str,
    overrides: &str,
    clusters: &[String],
) -> Result<Vec<(String, String)>, AppStoreError> {
    let shared = user_values(shared)?;
    let overrides = user_values(overrides)
        .map_err(|error| AppStoreError::Invalid(format!("the per-cluster values: {error}")))?;
    if let Some(stranger) = overrides
        .snapshot()
        .into_keys()
        .find(|cluster| !clusters.contains(cluster))
    {
        return Err(AppStoreError::Invalid(format!(
            "the per-cluster values name {stranger:?}, which is not one of the clusters chosen"
        )));
    }
    clusters
        .iter()
        .map(|cluster| {
            let own = match overrides.get(cluster) {
                Some(Value::Map(own)) => own,
                Some(Value::Nil) | None => Map::default(),
                Some(_) => {
                    return Err(AppStoreError::Invalid(format!(
                        "the per-cluster values of {cluster:?} must be a map of keys"
                    )));
                }
            };
            let merged = merge_user_values(&[Value::Map(shared.clone()), Value::Map(own)]);
            Ok((cluster.clone(), to_yaml(&Value::Map(merged))))
        })
        .collect()
}

/// `verb` on the Deployments of `namespace`: what decides who sees and removes a release.
fn workloads(verb: Verb, namespace: &str) -> ResourceAccess {
    ResourceAccess::new(verb, Some(namespace), "apps", "deployments")
}

impl AppStore {
    /// Checks `form` and whether `requester` may create every kind of object its chart makes
    /// there (and namespaces); whether they may create namespaces.
    async fn authorize(
        &self,
        requester: &Requester,
        form: &InstallForm,
    ) -> Result<bool, AppStoreError> {
        if !requester.reaches(&form.cluster) {
            return Err(AppStoreError::NotFound(unknown_cluster(&form.cluster)));
        }
        let planned = self.plan(form).await?;
        let kinds = requester
            .scope
            .kinds(&form.cluster)
            .await
            .map_err(|error| AppStoreError::NotFound(error.to_string()))?;
        for object in &planned {
            let (group, _) = object
                .api_version
                .rsplit_once('/')
                .unwrap_or(("", &object.api_version));
            let access = match kinds
                .iter()
                .find(|kind| kind.group == group && kind.kind == object.kind)
            {
                Some(kind) => ResourceAccess::new(
                    Verb::Create,
                    kind.namespaced.then_some(form.namespace.as_str()),
                    &kind.group,
                    &kind.resource,
                ),
                // A kind the cluster does not serve yet comes with a definition the chart makes.
                None => ResourceAccess::new(
                    Verb::Create,
                    None,
                    "apiextensions.k8s.io",
                    "customresourcedefinitions",
                ),
            };
            requester
                .may(&form.cluster, access)
                .await
                .map_err(AppStoreError::Forbidden)?;
        }
        Ok(requester
            .may(
                &form.cluster,
                ResourceAccess::new(Verb::Create, None, "", "namespaces"),
            )
            .await
            .is_ok())
    }

    /// Installs what `form` asks for, if `requester` may create every kind of object it makes
    /// there; returns the release's id once recorded (the reconciler carries it out).
    pub async fn install_as(
        &self,
        requester: &Requester,
        form: &InstallForm,
    ) -> Result<String, AppStoreError> {
        let form = &self.with_settings(form).await?;
        let create_namespace = self.authorize(requester, form).await?;
        let caller = requester.name();
        let id = self
            .request_install(form, create_namespace, &caller)
            .await?;
        tracing::info!(caller, release = id, through_member = ?requester.through_member, "asked for an install");
        Ok(id)
    }

    /// The release `id` with its values and history, if `requester` may see it.
    pub async fn release_as(
        &self,
        requester: &Requester,
        id: &str,
    ) -> Result<ReleaseDetails, AppStoreError> {
        let unknown = || AppStoreError::NotFound(format!("there is no release {id:?}"));
        let details = self.release_details(id).await?.ok_or_else(unknown)?;
        requester
            .may(
                &details.row.cluster,
                workloads(Verb::List, &details.row.namespace),
            )
            .await
            .map_err(|_| unknown())?;
        Ok(details)
    }

    /// Upgrades the release `id` to the chart at `version` (the newest when empty) with
    /// `values` (YAML), if `requester` may see it and may create everything that makes.
    pub async fn upgrade_as(
        &self,
        requester: &Requester,
        id: &str,
        version: &str,
        values: &str,
    ) -> Result<(), AppStoreError> {
        let row = self.release_as(requester, id).await?.row;
        let form = InstallForm {
            repo: row.repo,
            chart: row.chart,
            version: version.to_owned(),
            cluster: row.cluster,
            namespace: row.namespace,
            release_name: row.release_name,
            values: values.to_owned(),
            ..InstallForm::default()
        };
        self.authorize(requester, &form).await?;
        self.change(id, version, values).await?;
        tracing::info!(caller = requester.name(), release = id, version, through_member = ?requester.through_member, "asked for an upgrade");
        Ok(())
    }

    /// Rolls the release `id` back to revision `revision`: an upgrade to the chart version and
    /// values it was installed with, as a new revision (as Helm rolls back).
    pub async fn rollback_as(
        &self,
        requester: &Requester,
        id: &str,
        revision: i64,
    ) -> Result<(), AppStoreError> {
        self.release_as(requester, id).await?;
        let (version, values) = self.revision_asked(id, revision).await?.ok_or_else(|| {
            AppStoreError::NotFound(format!(
                "the release {id:?} has no revision {revision} to roll back to"
            ))
        })?;
        self.upgrade_as(requester, id, &version, &values).await
    }

    /// The releases in the namespaces whose workloads `requester` may list: the App Store's,
    /// and those Helm itself made on the clusters the requester sees.
    pub async fn releases_as(
        &self,
        requester: &Requester,
    ) -> Result<Vec<ReleaseRow>, AppStoreError> {
        let recorded = self.releases().await?;
        let clusters: Vec<String> = match &requester.through_member {
            Some(own) => vec![own.clone()],
            None => requester
                .scope
                .clusters()
                .await
                .map(|clusters| clusters.into_iter().map(|cluster| cluster.name).collect())
                .unwrap_or_default(),
        };
        let by_helm = self
            .helm_releases(&clusters)
            .await
            .into_iter()
            .filter(|(cluster, release)| {
                !recorded.iter().any(|row| {
                    row.cluster == *cluster
                        && row.namespace == release.namespace
                        && row.release_name == release.name
                })
            })
            .map(|(cluster, release)| helm_release_row(&cluster, release))
            .collect::<Vec<_>>();
        let mut shown = Vec::new();
        for row in recorded.into_iter().chain(by_helm) {
            if requester
                .may(&row.cluster, workloads(Verb::List, &row.namespace))
                .await
                .is_ok()
            {
                shown.push(row);
            }
        }
        shown.sort_by(|a, b| {
            (&a.cluster, &a.namespace, &a.release_name).cmp(&(
                &b.cluster,
                &b.namespace,
                &b.release_name,
            ))
        });
        Ok(shown)
    }

    /// Uninstalls the release `id`, if `requester` may delete the workloads of its namespace
    /// (one they may not see is unknown to them).
    pub async fn uninstall_as(&self, requester: &Requester, id: &str) -> Result<(), AppStoreError> {
        let unknown = || AppStoreError::NotFound(format!("there is no release {id:?}"));
        let row = self.release(id).await?.ok_or_else(unknown)?;
        requester
            .may(&row.cluster, workloads(Verb::List, &row.namespace))
            .await
            .map_err(|_| unknown())?;
        requester
            .may(&row.cluster, workloads(Verb::Delete, &row.namespace))
            .await
            .map_err(AppStoreError::Forbidden)?;
        self.uninstall(id).await?;
        tracing::info!(caller = requester.name(), release = id, through_member = ?requester.through_member, "asked for an uninstall");
        Ok(())
    }

    /// Answers `call` for `requester`: the JSON of what it asks for.
    pub async fn answer(
        &self,
        requester: &Requester,
        call: StoreCall,
    ) -> Result<serde_json::Value, AppStoreError> {
        let json = |value: Result<serde_json::Value, serde_json::Error>| {
            value.map_err(|error| AppStoreError::Failed(error.to_string()))
        };
        match call {
            StoreCall::Check => Ok(serde_json::Value::Null),
            StoreCall::Apps(query) => json(serde_json::to_value(self.apps(&query))),
            StoreCall::App { repo, name } => {
                json(serde_json::to_value(self.app(&repo, &name).await?))
            }
            StoreCall::Install(form) => json(serde_json::to_value(
                self.install_as(requester, &form).await?,
            )),
            StoreCall::Releases => json(serde_json::to_value(self.releases_as(requester).await?)),
            StoreCall::Release { id } => {
                json(serde_json::to_value(self.release_as(requester, &id).await?))
            }
            StoreCall::Upgrade {
                id,
                version,
                values,
            } => json(serde_json::to_value(
                self.upgrade_as(requester, &id, &version, &values).await?,
            )),
            StoreCall::Rollback { id, revision } => json(serde_json::to_value(
                self.rollback_as(requester, &id, revision).await?,
            )),
            StoreCall::Uninstall { id } => json(serde_json::to_value(
                self.uninstall_as(requester, &id).await?,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use orbital_federation::Federation;

    use super::*;
    use crate::pool::Pool;

    /// A scope and an App Store whose clusters are never asked anything here.
    fn unreachable() -> (Scope, AppStore) {
        let config = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
        let client = kube::Client::try_from(config).unwrap();
        let scope = Federation::member("member-1", client.clone()).scope(Principal::Console);
        let store = AppStore::new(Arc::new(Pool::builtin().unwrap()), client);
        (scope, store)
    }

    #[test]
    fn each_cluster_gets_the_shared_values_with_its_own_over_them() {
        let clusters = ["member-1".to_owned(), "member-2".to_owned()];
        let values = values_per_cluster(
            "replicaCount: 1\nimage: {tag: a, pullPolicy: Always}\n",
            "member-2: {image: {tag: b}}\n",
            &clusters,
        )
        .unwrap();
        assert_eq!(
            values,
            [
                (
                    "member-1".to_owned(),
                    "image:\n  pullPolicy: Always\n  tag: a\nreplicaCount: 1".to_owned()
                ),
                (
                    "member-2".to_owned(),
                    "image:\n  pullPolicy: Always\n  tag: b\nreplicaCount: 1".to_owned()
                ),
            ]
        );
        assert!(matches!(
            values_per_cluster("", "member-9: {a: 1}", &clusters),
            Err(AppStoreError::Invalid(message)) if message.contains("member-9")
        ));
        assert!(matches!(
            values_per_cluster("", "member-1: [a]", &clusters),
            Err(AppStoreError::Invalid(_))
        ));
    }

    #[tokio::test]
    async fn a_member_consoles_users_reach_only_its_cluster() {
        let (scope, store) = unreachable();
        let here = Requester::here(scope.clone());
        let through = Requester::through_member(scope, "member-1");
        assert!(here.reaches("member-2"));
        assert!(through.reaches("member-1"));
        assert!(!through.reaches("member-2"));
        let form = InstallForm {
            repo: "builtin".to_owned(),
            chart: "web-server".to_owned(),
            cluster: "member-2".to_owned(),
            namespace: "demo".to_owned(),
            release_name: "web".to_owned(),
            ..InstallForm::default()
        };
        assert_eq!(
            store.install_as(&through, &form).await,
            Err(AppStoreError::NotFound(
                "no cluster named \"member-2\" is registered".to_owned()
            ))
        );
        assert_eq!(
            through.may("member-2", workloads(Verb::List, "demo")).await,
            Err("no cluster named \"member-2\" is registered".to_owned())
        );
    }
}
