//! A repository's catalogue: its `index.yaml` read once into what the App Store shows and
//! installs from — each app with its versions, newest first — and nothing else of the index
//! kept, so that a repository of tens of thousands of versions costs memory in proportion to
//! what is shown, and no request parses the index again.

use std::collections::BTreeMap;

use orbital_template::{Value, compare_versions, read_yaml};

/// Why an index could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CatalogueError {
    /// Not YAML.
    #[error("the repository's index.yaml is not YAML: {0}")]
    Yaml(String),
    /// YAML, but not a Helm repository index.
    #[error("the repository's index.yaml has no entries: it is not a Helm repository index")]
    NotAnIndex,
}

/// One version of an app, as the index lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct AppVersion {
    /// The chart's `apiVersion` (`v1` when the index does not say, as Helm reads it).
    pub api_version: String,
    /// The chart's version.
    pub version: String,
    /// The version of the app it installs.
    pub app_version: String,
    /// What it is.
    pub description: String,
    /// Where its archive is: absolute, or relative to the repository's address.
    pub url: String,
    /// The archive's SHA-256, when the index gives it.
    pub digest: String,
    /// When it was published (RFC 3339), when the index says.
    pub created: String,
    /// Whether the chart is deprecated.
    pub deprecated: bool,
}

/// An app of a repository: what its newest version says of it, and every version.
#[derive(Clone, Debug, PartialEq)]
pub struct App {
    /// The chart's name.
    pub name: String,
    /// Its icon's address.
    pub icon: String,
    /// Its home page.
    pub home: String,
    /// Its keywords.
    pub keywords: Vec<String>,
    /// Its category (the `category` annotation several repositories use), if any.
    pub category: String,
    /// Its maintainers' names.
    pub maintainers: Vec<String>,
    /// Every version, newest first.
    pub versions: Vec<AppVersion>,
}

/// What a repository offers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalogue {
    /// The apps, by name.
    pub apps: BTreeMap<String, App>,
}

fn text(fields: &orbital_template::Map, key: &str) -> String {
    match fields.get(key) {
        Some(Value::Str(text)) => text,
        Some(Value::Float(number)) => Value::Float(number).print(),
        Some(Value::Bool(flag)) => flag.to_string(),
        _ => String::new(),
    }
}

fn texts(fields: &orbital_template::Map, key: &str) -> Vec<String> {
    match fields.get(key) {
        Some(Value::List(items)) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Str(text) => Some(text),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Catalogue {
    /// Reads a repository's `index.yaml`.
    pub fn from_index(index: &str) -> Result<Catalogue, CatalogueError> {
        let read = read_yaml(index).map_err(|error| CatalogueError::Yaml(error.to_string()))?;
        let Some(Value::Map(entries)) = (match read {
            Value::Map(top) => top.get("entries"),
            _ => None,
        }) else {
            return Err(CatalogueError::NotAnIndex);
        };
        let mut apps = BTreeMap::new();
        for (name, versions) in entries.snapshot() {
            let Value::List(versions) = versions else {
                continue;
            };
            let mut listed: Vec<(AppVersion, orbital_template::Map)> = versions
                .into_iter()
                .filter_map(|entry| match entry {
                    Value::Map(fields) => Some(fields),
                    _ => None,
                })
                .map(|fields| {
                    let url = texts(&fields, "urls")
                        .into_iter()
                        .next()
                        .unwrap_or_default();
                    let api_version = match text(&fields, "apiVersion") {
                        given if given.is_empty() => "v1".to_owned(),
                        given => given,
                    };
                    let version = AppVersion {
                        api_version,
                        version: text(&fields, "version"),
                        app_version: text(&fields, "appVersion"),
                        description: text(&fields, "description"),
                        url,
                        digest: text(&fields, "digest"),
                        created: text(&fields, "created"),
                        deprecated: matches!(fields.get("deprecated"), Some(Value::Bool(true))),
                    };
                    (version, fields)
                })
                .collect();
            listed.sort_by(|(a, _), (b, _)| {
                compare_versions(&b.version, &a.version)
                    .unwrap_or_else(|| b.version.cmp(&a.version))
            });
            let Some((_, newest)) = listed.first() else {
                continue;
            };
            let category = match newest.get("annotations") {
                Some(Value::Map(annotations)) => ["category", "orbital.dev/category"]
                    .iter()
                    .find_map(|key| match annotations.get(key) {
                        Some(Value::Str(category)) => Some(category),
                        _ => None,
                    })
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let maintainers = match newest.get("maintainers") {
                Some(Value::List(people)) => people
                    .into_iter()
                    .filter_map(|person| match person {
                        Value::Map(fields) => Some(text(&fields, "name")),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let app = App {
                name: name.clone(),
                icon: text(newest, "icon"),
                home: text(newest, "home"),
                keywords: texts(newest, "keywords"),
                category,
                maintainers,
                versions: listed.into_iter().map(|(version, _)| version).collect(),
            };
            apps.insert(name, app);
        }
        Ok(Catalogue { apps })
    }

    /// How many versions of all apps it lists.
    pub fn version_count(&self) -> usize {
        self.apps.values().map(|app| app.versions.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_becomes_apps_with_their_versions_newest_first() {
        let catalogue = Catalogue::from_index(
            r#"apiVersion: v1
entries:
  redis:
  - name: redis
    version: 19.0.2
    appVersion: "7.2"
    urls: [redis-19.0.2.tgz]
    digest: abc
  - name: redis
    version: 19.10.0
    appVersion: "7.4"
    description: A cache.
    icon: https://example.com/redis.png
    keywords: [cache]
    annotations: {category: Database}
    maintainers: [{name: Someone}]
    urls: [https://example.com/redis-19.10.0.tgz]
generated: "2024-01-01T00:00:00Z"
"#,
        )
        .unwrap();
        let redis = &catalogue.apps["redis"];
        let versions: Vec<&str> = redis.versions.iter().map(|v| v.version.as_str()).collect();
        assert_eq!(versions, ["19.10.0", "19.0.2"]);
        assert_eq!(redis.category, "Database");
        assert_eq!(redis.icon, "https://example.com/redis.png");
        assert_eq!(redis.maintainers, ["Someone"]);
        assert_eq!(redis.versions[1].url, "redis-19.0.2.tgz");
        assert_eq!(catalogue.version_count(), 2);
        assert_eq!(
            Catalogue::from_index("apiVersion: v1\n").unwrap_err(),
            CatalogueError::NotAnIndex
        );
    }
}
