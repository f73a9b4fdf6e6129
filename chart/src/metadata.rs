//! `Chart.yaml`: a chart's metadata, read as Helm reads it (YAML turned into JSON, then into
//! Go's `chart.Metadata`, so a number where text is wanted becomes text — `appVersion: 1.10`
//! is `"1.1"`) and checked as Helm checks it.

use orbital_template::{Map, Value, float32_text, is_semver, read_yaml};

/// A chart's `Chart.yaml`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    /// `name`.
    pub name: String,
    /// `home`.
    pub home: String,
    /// `sources`.
    pub sources: Vec<String>,
    /// `version`, a semantic version.
    pub version: String,
    /// `description`.
    pub description: String,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// `maintainers`.
    pub maintainers: Vec<Maintainer>,
    /// `icon`, a URL.
    pub icon: String,
    /// `apiVersion`: `v1` (Helm 2's charts) or `v2`; `v1` when missing.
    pub api_version: String,
    /// `condition` (Helm 2).
    pub condition: String,
    /// `tags` (Helm 2).
    pub tags: String,
    /// `appVersion`.
    pub app_version: String,
    /// `deprecated`.
    pub deprecated: bool,
    /// `annotations`.
    pub annotations: Vec<(String, String)>,
    /// `kubeVersion`: the Kubernetes versions the chart supports, a semver range.
    pub kube_version: String,
    /// `dependencies`: the subcharts it needs.
    pub dependencies: Vec<Dependency>,
    /// `type`: `application` (or empty) or `library`.
    pub chart_type: String,
}

/// One of `maintainers`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Maintainer {
    /// `name`.
    pub name: String,
    /// `email`.
    pub email: String,
    /// `url`.
    pub url: String,
}

/// One of `dependencies`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dependency {
    /// `name`: the subchart's own name.
    pub name: String,
    /// `version`: a semver range the subchart's version must meet.
    pub version: String,
    /// `repository`.
    pub repository: String,
    /// `condition`: values paths, comma-separated; the first that is a boolean enables it.
    pub condition: String,
    /// `tags`: names under `tags:` in the values that enable or disable it.
    pub tags: Vec<String>,
    /// `enabled`: what conditions and tags decided.
    pub enabled: bool,
    /// `import-values`: values the parent takes from it (a name under `exports`, or a map of
    /// `child` and `parent` paths).
    pub import_values: Vec<Value>,
    /// `alias`: the name it is known by in the parent.
    pub alias: String,
}

fn text(value: &str) -> Value {
    Value::Str(value.to_owned())
}

fn texts(values: &[String]) -> Value {
    Value::List(values.iter().map(|value| text(value)).collect())
}

/// A Go struct's JSON fields, those tagged `omitempty` left out when empty.
fn json_fields(fields: Vec<(&str, Value, bool)>) -> Value {
    Value::Map(Map::new(
        fields
            .into_iter()
            .filter(|(_, value, omit_empty)| !omit_empty || value.truthy())
            .map(|(key, value, _)| (key.to_owned(), value))
            .collect(),
    ))
}

impl Metadata {
    /// The metadata as Helm writes it in JSON (and so in a repository's `index.yaml`).
    pub fn json(&self) -> Value {
        json_fields(vec![
            ("name", text(&self.name), true),
            ("home", text(&self.home), true),
            ("sources", texts(&self.sources), true),
            ("version", text(&self.version), true),
            ("description", text(&self.description), true),
            ("keywords", texts(&self.keywords), true),
            (
                "maintainers",
                Value::List(self.maintainers.iter().map(Maintainer::json).collect()),
                true,
            ),
            ("icon", text(&self.icon), true),
            ("apiVersion", text(&self.api_version), true),
            ("condition", text(&self.condition), true),
            ("tags", text(&self.tags), true),
            ("appVersion", text(&self.app_version), true),
            ("deprecated", Value::Bool(self.deprecated), true),
            (
                "annotations",
                Value::Map(Map::new(
                    self.annotations
                        .iter()
                        .map(|(key, value)| (key.clone(), text(value)))
                        .collect(),
                )),
                true,
            ),
            ("kubeVersion", text(&self.kube_version), true),
            (
                "dependencies",
                Value::List(self.dependencies.iter().map(Dependency::json).collect()),
                true,
            ),
            ("type", text(&self.chart_type), true),
        ])
    }
}

impl Maintainer {
    /// The maintainer as Helm writes it in JSON.
    pub fn json(&self) -> Value {
        json_fields(vec![
            ("name", text(&self.name), true),
            ("email", text(&self.email), true),
            ("url", text(&self.url), true),
        ])
    }
}

impl Dependency {
    /// The dependency as Helm writes it in JSON.
    pub fn json(&self) -> Value {
        json_fields(vec![
            ("name", text(&self.name), false),
            ("version", text(&self.version), true),
            ("repository", text(&self.repository), false),
            ("condition", text(&self.condition), true),
            ("tags", texts(&self.tags), true),
            ("enabled", Value::Bool(self.enabled), true),
            (
                "import-values",
                Value::List(self.import_values.clone()),
                true,
            ),
            ("alias", text(&self.alias), true),
        ])
    }
}

/// A field of `Chart.yaml` that does not hold what Helm's Go type for it holds.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("json: cannot unmarshal {found} into Go struct field {field} of type {wanted}")]
pub struct FieldError {
    found: &'static str,
    field: String,
    wanted: &'static str,
}

impl Metadata {
    /// Reads `Chart.yaml`'s text; the message is Helm's after "cannot load Chart.yaml: ".
    pub fn read(text: &str) -> Result<Metadata, String> {
        let value = read_yaml(text).map_err(|error| error.to_string())?;
        let fields = match value {
            Value::Map(fields) => fields,
            Value::Nil => Map::default(),
            other => {
                return Err(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type chart.Metadata",
                    json_kind(&other)
                ));
            }
        };
        Metadata::from_fields(&Fields::new(&fields, "Metadata"))
            .map_err(|error| format!("error unmarshaling JSON: while decoding JSON: {error}"))
    }

    /// Reads Helm 2's `requirements.yaml` over this metadata, as Helm 3 still does: its
    /// `dependencies` replace these. The message is Helm's after "cannot load requirements.yaml: ".
    pub fn read_requirements(&mut self, text: &str) -> Result<(), String> {
        let read = Metadata::read(text)?;
        if !read.dependencies.is_empty() {
            self.dependencies = read.dependencies;
        }
        Ok(())
    }

    fn from_fields(fields: &Fields) -> Result<Metadata, FieldError> {
        let maintainers = fields
            .list("maintainers")?
            .iter()
            .map(|entry| {
                let entry = Fields::of(entry, "Metadata.maintainers", "chart.Maintainer")?;
                Ok(Maintainer {
                    name: entry.text("name")?,
                    email: entry.text("email")?,
                    url: entry.text("url")?,
                })
            })
            .collect::<Result<_, FieldError>>()?;
        let dependencies = fields
            .list("dependencies")?
            .iter()
            .map(|entry| {
                let entry = Fields::of(entry, "Metadata.dependencies", "chart.Dependency")?;
                Ok(Dependency {
                    name: entry.text("name")?,
                    version: entry.text("version")?,
                    repository: entry.text("repository")?,
                    condition: entry.text("condition")?,
                    tags: entry.texts("tags")?,
                    enabled: entry.flag("enabled")?,
                    import_values: entry.list("import-values")?,
                    alias: entry.text("alias")?,
                })
            })
            .collect::<Result<_, FieldError>>()?;
        let mut api_version = fields.text("apiVersion")?;
        if api_version.is_empty() {
            api_version = "v1".to_owned();
        }
        Ok(Metadata {
            name: fields.text("name")?,
            home: fields.text("home")?,
            sources: fields.texts("sources")?,
            version: fields.text("version")?,
            description: fields.text("description")?,
            keywords: fields.texts("keywords")?,
            maintainers,
            icon: fields.text("icon")?,
            api_version,
            condition: fields.text("condition")?,
            tags: fields.text("tags")?,
            app_version: fields.text("appVersion")?,
            deprecated: fields.flag("deprecated")?,
            annotations: fields.texts_by_key("annotations")?,
            kube_version: fields.text("kubeVersion")?,
            dependencies,
            chart_type: fields.text("type")?,
        })
    }

    /// Helm's checks of a loaded chart's metadata, which also clean its text fields (white
    /// space becomes a space, unprintable characters go). The message is Helm's.
    pub fn validate(&mut self) -> Result<(), String> {
        for field in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *field = sanitized(field);
        }
        for field in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *field = sanitized(field);
        }
        let invalid = |message: String| Err(format!("validation: {message}"));
        if self.api_version.is_empty() {
            return invalid("chart.metadata.apiVersion is required".to_owned());
        }
        if self.name.is_empty() {
            return invalid("chart.metadata.name is required".to_owned());
        }
        if self.name.contains('/') || self.name == "." || self.name == ".." {
            return invalid(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return invalid("chart.metadata.version is required".to_owned());
        }
        if !is_semver(&self.version) {
            return invalid(format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return invalid("chart.metadata.type must be application or library".to_owned());
        }
        for maintainer in &mut self.maintainers {
            for field in [
                &mut maintainer.name,
                &mut maintainer.email,
                &mut maintainer.url,
            ] {
                *field = sanitized(field);
            }
        }
        let mut keys = Vec::new();
        for dependency in &mut self.dependencies {
            for field in [
                &mut dependency.name,
                &mut dependency.version,
                &mut dependency.repository,
                &mut dependency.condition,
            ] {
                *field = sanitized(field);
            }
            for tag in &mut dependency.tags {
                *tag = sanitized(tag);
            }
            if !dependency.alias.is_empty()
                && !dependency
                    .alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return invalid(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    dependency.name
                ));
            }
            let key = if dependency.alias.is_empty() {
                &dependency.name
            } else {
                &dependency.alias
            };
            if keys.contains(key) {
                return invalid(format!(
                    "more than one dependency with name or alias {key:?}"
                ));
            }
            keys.push(key.clone());
        }
        Ok(())
    }

    /// Whether this is a library chart: only its `_` templates are used, by other charts.
    pub fn is_library(&self) -> bool {
        self.chart_type.eq_ignore_ascii_case("library")
    }
}

/// Helm's `sanitizeString`.
fn sanitized(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// How Go's JSON decoder names the kind of a value it cannot put in a field.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
        Value::Str(_) => "string",
        Value::List(_) => "array",
        _ => "object",
    }
}

/// The fields of one YAML map, read into Go's types as `sigs.k8s.io/yaml` reads them: keys
/// matched as Go's JSON decoder matches them (exactly, else ignoring case).
struct Fields {
    fields: Map,
    owner: String,
}

impl Fields {
    fn new(fields: &Map, owner: &str) -> Fields {
        Fields {
            fields: fields.clone(),
            owner: owner.to_owned(),
        }
    }

    fn of(value: &Value, owner: &str, go_type: &'static str) -> Result<Fields, FieldError> {
        match value {
            Value::Map(fields) => Ok(Fields::new(fields, owner)),
            Value::Nil => Ok(Fields::new(&Map::default(), owner)),
            other => Err(FieldError {
                found: json_kind(other),
                field: owner.to_owned(),
                wanted: go_type,
            }),
        }
    }

    fn get(&self, key: &str) -> Value {
        self.fields.get(key).unwrap_or_else(|| {
            self.fields
                .snapshot()
                .into_iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(key))
                .map_or(Value::Nil, |(_, value)| value)
        })
    }

    fn refused(&self, key: &str, found: &Value, wanted: &'static str) -> FieldError {
        FieldError {
            found: json_kind(found),
            field: format!("{}.{key}", self.owner),
            wanted,
        }
    }

    fn text(&self, key: &str) -> Result<String, FieldError> {
        let value = self.get(key);
        scalar_text(&value).ok_or_else(|| self.refused(key, &value, "string"))
    }

    fn flag(&self, key: &str) -> Result<bool, FieldError> {
        match self.get(key) {
            Value::Nil => Ok(false),
            Value::Bool(flag) => Ok(flag),
            other => Err(self.refused(key, &other, "bool")),
        }
    }

    fn list(&self, key: &str) -> Result<Vec<Value>, FieldError> {
        match self.get(key) {
            Value::Nil => Ok(Vec::new()),
            Value::List(items) => Ok(items),
            other => Err(self.refused(key, &other, "[]interface {}")),
        }
    }

    fn texts(&self, key: &str) -> Result<Vec<String>, FieldError> {
        self.list(key)?
            .iter()
            .map(|item| scalar_text(item).ok_or_else(|| self.refused(key, item, "string")))
            .collect()
    }

    fn texts_by_key(&self, key: &str) -> Result<Vec<(String, String)>, FieldError> {
        match self.get(key) {
            Value::Nil => Ok(Vec::new()),
            Value::Map(entries) => entries
                .snapshot()
                .into_iter()
                .map(|(name, value)| {
                    scalar_text(&value)
                        .map(|text| (name, text))
                        .ok_or_else(|| self.refused(key, &value, "string"))
                })
                .collect(),
            other => Err(self.refused(key, &other, "map[string]string")),
        }
    }
}

/// A scalar where Go wants a string, as `sigs.k8s.io/yaml` converts it: numbers written as
/// `float32`s are, booleans as `true`/`false`, null as nothing.
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Nil => Some(String::new()),
        Value::Str(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Int(number) | Value::Int64(number) => Some(number.to_string()),
        // YAML's integers reach here as float64s; go-yaml had them as integers.
        Value::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 =>
        {
            #[allow(clippy::cast_possible_truncation)]
            Some((*number as i64).to_string())
        }
        Value::Float(number) => Some(float32_text(*number)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_where_text_is_wanted_become_text_as_helm_reads_them() {
        let metadata =
            Metadata::read("apiVersion: v2\nname: web\nversion: 1\nappVersion: 1.10\n").unwrap();
        assert_eq!(metadata.version, "1");
        assert_eq!(metadata.app_version, "1.1");
        assert_eq!(
            Metadata::read("name: [a]").unwrap_err(),
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field Metadata.name of type string"
        );
    }

    #[test]
    fn validation_fails_in_helms_words() {
        let mut metadata = Metadata::read("name: web\nversion: one\n").unwrap();
        assert_eq!(metadata.api_version, "v1");
        assert_eq!(
            metadata.validate().unwrap_err(),
            "validation: chart.metadata.version \"one\" is invalid"
        );
        let mut metadata = Metadata::read(
            "apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n- {name: a}\n- {name: b, alias: a}\n",
        )
        .unwrap();
        assert_eq!(
            metadata.validate().unwrap_err(),
            "validation: more than one dependency with name or alias \"a\""
        );
    }
}
