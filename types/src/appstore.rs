//! The App Store as its pages show it: apps of the pool, one app's details, installs and
//! the releases they made.

use serde::{Deserialize, Serialize};

/// An app of the pool, as the App Store's list shows it (its newest version's facts).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSummary {
    /// The repository it is in.
    pub repo: String,
    /// The chart's name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Its icon's address, if any.
    pub icon: String,
    /// Its category, if its chart says.
    pub category: String,
    /// Its newest version.
    pub version: String,
    /// The version of the app that version installs.
    pub app_version: String,
    /// Its keywords.
    pub keywords: Vec<String>,
}

/// What the App Store's list is asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppQuery {
    /// Text to find in names, descriptions and keywords (any case).
    pub text: String,
    /// Only this category; every one when empty.
    pub category: String,
    /// Only this repository; every one when empty.
    pub repo: String,
}

/// The App Store's list: the apps found, and what there is to filter by.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppList {
    /// The apps the query found, by name.
    pub apps: Vec<AppSummary>,
    /// Every category of the pool.
    pub categories: Vec<String>,
    /// Every repository of the pool.
    pub repos: Vec<String>,
}

/// One version of an app.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppVersionRow {
    /// The chart's version.
    pub version: String,
    /// The app's version.
    pub app_version: String,
    /// When it was published, when known.
    pub created: String,
}

/// One app's page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppDetails {
    /// What the list shows of it.
    pub summary: AppSummary,
    /// Its home page.
    pub home: String,
    /// Its maintainers.
    pub maintainers: Vec<String>,
    /// Every version, newest first.
    pub versions: Vec<AppVersionRow>,
    /// The newest version's README, as Markdown text.
    pub readme: String,
    /// The newest version's default values, as its `values.yaml` has them.
    pub values: String,
    /// The settings its `values.schema.json` describes, for the install form.
    pub settings: Vec<SchemaSetting>,
}

/// One value a chart's `values.schema.json` describes, as the install form asks for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaSetting {
    /// Where it is in the values, its keys joined by dots (`persistence.size`).
    pub path: String,
    /// What the schema says of it (`description`, else `title`).
    pub help: String,
    /// What it takes.
    pub kind: SettingKind,
    /// The chart's default, as text; empty when it has none.
    pub default: String,
}

/// What a setting takes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SettingKind {
    /// Text.
    #[default]
    Text,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// True or false.
    Boolean,
    /// One of these.
    Choice(Vec<String>),
}

/// An install asked for in the App Store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallForm {
    /// The repository.
    pub repo: String,
    /// The chart.
    pub chart: String,
    /// The version; the newest when empty.
    pub version: String,
    /// The cluster to install on.
    pub cluster: String,
    /// The namespace (made when missing).
    pub namespace: String,
    /// The release's name.
    pub release_name: String,
    /// Values over the chart's defaults, as YAML.
    pub values: String,
    /// Settings of the form built from the chart's `values.schema.json` (path → text), over
    /// `values`; an empty text leaves a setting alone.
    #[serde(default)]
    pub settings: std::collections::BTreeMap<String, String>,
}

/// A release the App Store installed, or is installing, as the installed apps page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseRow {
    /// The `Release` object's name on the host; empty for a release Helm itself made, which
    /// the App Store shows but does not manage.
    pub id: String,
    /// The release's name on its cluster.
    pub release_name: String,
    /// Its cluster.
    pub cluster: String,
    /// Its namespace.
    pub namespace: String,
    /// The repository its chart came from.
    pub repo: String,
    /// The chart.
    pub chart: String,
    /// The chart's version installed (or asked for, until installed).
    pub version: String,
    /// Pending, Installing, Deployed, Failed, Upgrading or Uninstalling.
    pub phase: String,
    /// The revision deployed; 0 before the first.
    pub revision: i64,
    /// The chart's notes once deployed, or why it failed.
    pub message: String,
    /// Who asked for it.
    pub requested_by: String,
}

/// Why the App Store did not do what was asked. Travels between a member console and its host
/// as it is, so the member tells its user exactly what the host said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppStoreError {
    /// The App Store is not enabled where it has to be: on the host console.
    #[error("{0}")]
    NotEnabled(String),
    /// What was asked is not acceptable: a field of the form, values that are not YAML, a
    /// chart that does not render; the message says which and why.
    #[error("{0}")]
    Invalid(String),
    /// No such repository, app, version or release (or none the caller may see).
    #[error("{0}")]
    NotFound(String),
    /// The caller's grants do not allow it; the message says what is missing.
    #[error("{0}")]
    Forbidden(String),
    /// That release is installed already.
    #[error("{0}")]
    Exists(String),
    /// The host, or a cluster, failed the request.
    #[error("{0}")]
    Failed(String),
}

/// One revision of a release, as its page lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseRevision {
    /// The revision number.
    pub revision: i64,
    /// The chart's version it installed.
    pub chart_version: String,
    /// `deployed` for the current one, `superseded` for the others.
    pub status: String,
    /// When it was deployed (RFC 3339).
    pub deployed_at: String,
    /// Whether the App Store kept its values, so that it can be rolled back to.
    pub can_roll_back: bool,
}

/// A release's page: the release, the values it asks for, its history and the chart's versions
/// it can move to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseDetails {
    /// The release.
    pub row: ReleaseRow,
    /// Its values over the chart's defaults, as YAML.
    pub values: String,
    /// Its revisions, newest first.
    pub history: Vec<ReleaseRevision>,
    /// The chart's versions, newest first.
    pub versions: Vec<AppVersionRow>,
}

/// How the install on one of the clusters chosen went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterInstall {
    /// The cluster.
    pub cluster: String,
    /// The release's id once recorded, or why not.
    pub outcome: Result<String, AppStoreError>,
}

/// Who keeps a repository of the pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RepositoryKind {
    /// The host: the charts this project writes, built into the console.
    #[default]
    Builtin,
    /// The host: the charts its platform admins upload.
    Uploads,
    /// Another site, synced from its `index.yaml` (a `Repo` object on the host).
    Remote,
}

/// A repository of the pool, as the repositories' page lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryRow {
    /// Its name, in the App Store's addresses and `Release`s.
    pub name: String,
    /// Who keeps it.
    pub kind: RepositoryKind,
    /// Its address (another site's); empty for the host's own.
    pub url: String,
    /// Whether its address asks for credentials.
    pub with_credentials: bool,
    /// How often it is synced, as written (`10m`); empty for the host's own or the default.
    pub sync_interval: String,
    /// How many apps it holds.
    pub apps: usize,
    /// How many versions of them.
    pub versions: usize,
    /// When it was last synced (RFC 3339), for another site's.
    pub last_sync: String,
    /// Why the last sync failed, if it did.
    pub error: String,
    /// Its charts, for the host's uploads: name and version of each.
    pub charts: Vec<ChartRef>,
}

/// One version of one chart.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChartRef {
    /// The chart's name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A repository of another site to add to the pool.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryForm {
    /// Its name in the pool: lower-case letters, digits and '-'.
    pub name: String,
    /// The address of its `index.yaml`'s folder (http or https).
    pub url: String,
    /// How often to sync it (`90s`, `10m`, `1h`); 10 minutes when empty.
    pub sync_interval: String,
    /// The user name it asks for, if any.
    pub username: String,
    /// The password it asks for, if any.
    pub password: String,
}
