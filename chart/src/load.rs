//! Loading a chart as Helm loads it: from a directory (minus what `.helmignore` names) or a
//! gzipped tar archive, its files sorted into metadata, values, templates, subcharts and the
//! rest, which templates read through `.Files`.

use std::io::Read;
use std::path::Path;

use orbital_template::{Map, Value, read_yaml};

use crate::error::ChartError;
use crate::metadata::Metadata;
use crate::pattern::{Pattern, Syntax};

/// The largest chart archive, unpacked, and the largest file in one, as Helm limits them.
const MAX_CHART_SIZE: u64 = 100 * 1024 * 1024;
const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// A file of a chart: its path inside the chart, with `/` between names, and its bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartFile {
    /// The path inside the chart, as `templates/deployment.yaml`.
    pub name: String,
    /// The contents.
    pub data: Vec<u8>,
}

/// A loaded chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// `Chart.yaml`.
    pub metadata: Metadata,
    /// `values.yaml`, as Helm reads it.
    pub values: Map,
    /// `values.yaml` as written, comments and all (what `helm show values` prints).
    pub values_yaml: String,
    /// `values.schema.json`, if there is one.
    pub schema: Option<Vec<u8>>,
    /// Everything under `templates/`.
    pub templates: Vec<ChartFile>,
    /// Every other file but the subcharts' (what `.Files` reads, `crds/` included).
    pub files: Vec<ChartFile>,
    /// The subcharts under `charts/`.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The chart's name (its alias, once dependencies are processed).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Loads the chart at `path`: a directory, or a `.tgz` archive.
    pub fn load(path: &Path) -> Result<Chart, ChartError> {
        let found = std::fs::metadata(path).map_err(|error| read_error(path, &error))?;
        if found.is_dir() {
            Chart::from_files(read_directory(path)?)
        } else {
            let archive = std::fs::read(path).map_err(|error| read_error(path, &error))?;
            Chart::from_archive(&archive)
        }
    }

    /// Loads a chart from a gzipped tar archive, as `helm package` writes them.
    pub fn from_archive(archive: &[u8]) -> Result<Chart, ChartError> {
        Chart::from_files(unpack(archive)?)
    }

    /// Sorts a chart's files, named relative to its top directory, into a chart (Helm's
    /// `LoadFiles`).
    pub fn from_files(files: Vec<ChartFile>) -> Result<Chart, ChartError> {
        let loading =
            |what: &str, error: String| ChartError::Load(format!("cannot load {what}: {error}"));
        let mut metadata = None;
        if let Some(file) = files.iter().find(|file| file.name == "Chart.yaml") {
            metadata = Some(
                Metadata::read(&text(&file.data)).map_err(|error| loading("Chart.yaml", error))?,
            );
        }
        let mut values = Map::default();
        let mut values_yaml = String::new();
        let mut schema = None;
        let mut templates = Vec::new();
        let mut others = Vec::new();
        let mut subcharts: Vec<(String, Vec<ChartFile>)> = Vec::new();
        for file in files {
            match file.name.as_str() {
                "Chart.yaml" => {}
                "values.yaml" => {
                    values_yaml = text(&file.data);
                    values = match read_yaml(&values_yaml) {
                        Ok(Value::Map(read)) => read,
                        Ok(Value::Nil) => Map::default(),
                        Ok(_) => {
                            return Err(loading(
                                "values.yaml",
                                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}".to_owned(),
                            ));
                        }
                        Err(error) => return Err(loading("values.yaml", error.to_string())),
                    };
                }
                "values.schema.json" => schema = Some(file.data),
                // The lock of the subcharts' versions: nothing a render reads.
                "Chart.lock" => {}
                // Helm 2's layout, which Helm 3 still reads: the dependencies over `Chart.yaml`'s,
                // and for an `apiVersion: v1` chart both files among its `.Files`.
                "requirements.yaml" | "requirements.lock" => {
                    if let (Some(metadata), "requirements.yaml") =
                        (&mut metadata, file.name.as_str())
                    {
                        metadata
                            .read_requirements(&text(&file.data))
                            .map_err(|error| loading("requirements.yaml", error))?;
                    }
                    if metadata.as_ref().is_some_and(|m| m.api_version == "v1") {
                        others.push(file);
                    }
                }
                name if name.starts_with("templates/") => templates.push(file),
                name if name.starts_with("charts/") && !name.ends_with(".prov") => {
                    let inner = &name["charts/".len()..];
                    let subchart = inner.split('/').next().unwrap_or_default().to_owned();
                    let file = ChartFile {
                        name: inner.to_owned(),
                        data: file.data,
                    };
                    match subcharts.iter_mut().find(|(name, _)| *name == subchart) {
                        Some((_, files)) => files.push(file),
                        None => subcharts.push((subchart, vec![file])),
                    }
                }
                _ => others.push(file),
            }
        }
        let mut metadata =
            metadata.ok_or_else(|| ChartError::Load("Chart.yaml file is missing".to_owned()))?;
        metadata.validate().map_err(ChartError::Load)?;
        let parent = metadata.name.clone();
        let mut dependencies = Vec::new();
        for (name, files) in subcharts {
            if name.starts_with('_') || name.starts_with('.') {
                continue;
            }
            let wrap = |error: ChartError| {
                ChartError::Load(format!(
                    "error unpacking subchart {name} in {parent}: {error}"
                ))
            };
            let subchart = if name.ends_with(".tgz") {
                let Some(archive) = files.iter().find(|file| file.name == name) else {
                    return Err(ChartError::Load(format!(
                        "error unpacking subchart tar in {parent}: expected {name}, got {}",
                        files.first().map_or("", |file| file.name.as_str())
                    )));
                };
                Chart::from_archive(&archive.data).map_err(wrap)?
            } else {
                let inner = files
                    .into_iter()
                    .filter_map(|file| {
                        let (_, rest) = file.name.split_once('/')?;
                        Some(ChartFile {
                            name: rest.to_owned(),
                            data: file.data,
                        })
                    })
                    .collect();
                Chart::from_files(inner).map_err(wrap)?
            };
            dependencies.push(subchart);
        }
        Ok(Chart {
            metadata,
            values,
            values_yaml,
            schema,
            templates,
            files: others,
            dependencies,
        })
    }
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn read_error(path: &Path, error: &std::io::Error) -> ChartError {
    ChartError::Read(format!("{}: {error}", path.display()))
}

/// A UTF-8 byte order mark, which Helm drops from the start of every file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn without_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(BOM) {
        data.drain(..BOM.len());
    }
    data
}

/// Every file under `top` that `.helmignore` (and Helm's default, dot files in `templates/`)
/// does not name, in walking order.
fn read_directory(top: &Path) -> Result<Vec<ChartFile>, ChartError> {
    let rules = match std::fs::read_to_string(top.join(".helmignore")) {
        Ok(text) => IgnoreRules::read(&text)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => IgnoreRules::default(),
        Err(error) => return Err(read_error(&top.join(".helmignore"), &error)),
    };
    let mut files = Vec::new();
    walk(top, "", &rules, &mut files)?;
    Ok(files)
}

fn walk(
    dir: &Path,
    prefix: &str,
    rules: &IgnoreRules,
    files: &mut Vec<ChartFile>,
) -> Result<(), ChartError> {
    let mut entries = std::fs::read_dir(dir)
        .map_err(|error| read_error(dir, &error))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| read_error(dir, &error))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        // Symbolic links are followed, as Helm follows them.
        let found = std::fs::metadata(&path).map_err(|error| read_error(&path, &error))?;
        if rules.ignores(&name, found.is_dir()) {
            continue;
        }
        if found.is_dir() {
            walk(&path, &format!("{name}/"), rules, files)?;
        } else if found.is_file() {
            let data = std::fs::read(&path)
                .map_err(|error| ChartError::Read(format!("error reading {name}: {error}")))?;
            files.push(ChartFile {
                name,
                data: without_bom(data),
            });
        } else {
            return Err(ChartError::Load(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                path.display()
            )));
        }
    }
    Ok(())
}

/// `.helmignore`'s rules, then Helm's default one.
#[derive(Debug)]
struct IgnoreRules(Vec<IgnoreRule>);

#[derive(Debug)]
struct IgnoreRule {
    pattern: Pattern,
    negate: bool,
    directories_only: bool,
    /// Matched against the base name only (a rule without `/`).
    base_name: bool,
}

impl Default for IgnoreRules {
    fn default() -> Self {
        let mut rules = IgnoreRules(Vec::new());
        rules.add("templates/.?*").unwrap_or_default();
        rules
    }
}

impl IgnoreRules {
    fn read(text: &str) -> Result<IgnoreRules, ChartError> {
        let mut rules = IgnoreRules(Vec::new());
        for line in text.lines() {
            rules.add(line)?;
        }
        rules.add("templates/.?*")?;
        Ok(rules)
    }

    fn add(&mut self, line: &str) -> Result<(), ChartError> {
        let mut rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(ChartError::Load(
                "double-star (**) syntax is not supported".to_owned(),
            ));
        }
        let negate = rule.starts_with('!');
        if negate {
            rule = &rule[1..];
        }
        let directories_only = rule.ends_with('/');
        rule = rule.trim_end_matches('/');
        let base_name = !rule.contains('/');
        let pattern = Pattern::new(rule.trim_start_matches('/'), Syntax::PathMatch)
            .ok_or_else(|| ChartError::Load("syntax error in pattern".to_owned()))?;
        self.0.push(IgnoreRule {
            pattern,
            negate,
            directories_only,
            base_name,
        });
        Ok(())
    }

    /// Helm's `Rules.Ignore`: the first rule that decides, decides.
    fn ignores(&self, name: &str, is_dir: bool) -> bool {
        for rule in &self.0 {
            let subject = if rule.base_name {
                name.rsplit('/').next().unwrap_or(name)
            } else {
                name
            };
            if rule.negate {
                if (rule.directories_only && !is_dir) || !rule.pattern.matches(subject) {
                    return true;
                }
                continue;
            }
            if rule.directories_only && !is_dir {
                continue;
            }
            if rule.pattern.matches(subject) {
                return true;
            }
        }
        false
    }
}

/// The files of a chart archive, named without its top directory (Helm's `LoadArchiveFiles`).
fn unpack(archive: &[u8]) -> Result<Vec<ChartFile>, ChartError> {
    let broken = |error: std::io::Error| ChartError::Load(error.to_string());
    let mut reader = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let mut files = Vec::new();
    let mut total = 0u64;
    for entry in reader.entries().map_err(broken)? {
        let mut entry = entry.map_err(broken)?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let delimiter = if raw.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw.split(delimiter).collect();
        let name = parts[1..].join("/");
        if name.starts_with('/') {
            return Err(ChartError::Load(
                "chart illegally contains absolute paths".to_owned(),
            ));
        }
        let name = clean(&name);
        if name == "." {
            return Err(ChartError::Load(format!(
                "chart illegally contains content outside the base directory: {raw:?}"
            )));
        }
        if name.starts_with("..") {
            return Err(ChartError::Load(
                "chart illegally references parent directory".to_owned(),
            ));
        }
        if parts[0] == "Chart.yaml" {
            return Err(ChartError::Load(
                "chart yaml not in base directory".to_owned(),
            ));
        }
        let size = entry.header().size().map_err(broken)?;
        if size > MAX_FILE_SIZE {
            return Err(ChartError::Load(format!(
                "decompressed chart file {name:?} is larger than the maximum file size {MAX_FILE_SIZE}"
            )));
        }
        total += size;
        if total > MAX_CHART_SIZE {
            return Err(ChartError::Load(format!(
                "decompressed chart is larger than the maximum size {MAX_CHART_SIZE}"
            )));
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(broken)?;
        files.push(ChartFile {
            name,
            data: without_bom(data),
        });
    }
    if files.is_empty() {
        return Err(ChartError::Load("no files in chart archive".to_owned()));
    }
    Ok(files)
}

/// Go's `path.Clean` of a relative path.
fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, data: &str) -> ChartFile {
        ChartFile {
            name: name.to_owned(),
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn files_are_sorted_into_the_parts_of_a_chart_and_its_subcharts() {
        let chart = Chart::from_files(vec![
            file("Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n"),
            file("values.yaml", "replicas: 2\n"),
            file("templates/a.yaml", "a"),
            file("crds/c.yaml", "c"),
            file("charts/db/Chart.yaml", "name: db\nversion: 2.0.0\n"),
            file("charts/db/templates/b.yaml", "b"),
            file("charts/_skipped/Chart.yaml", "name: x\nversion: 1.0.0\n"),
        ])
        .unwrap();
        assert_eq!(chart.name(), "web");
        assert_eq!(chart.values.get("replicas"), Some(Value::Float(2.0)));
        assert_eq!(chart.values_yaml, "replicas: 2\n");
        assert_eq!(chart.templates, vec![file("templates/a.yaml", "a")]);
        assert_eq!(chart.files, vec![file("crds/c.yaml", "c")]);
        assert_eq!(chart.dependencies.len(), 1);
        assert_eq!(chart.dependencies[0].name(), "db");
        assert_eq!(chart.dependencies[0].templates[0].name, "templates/b.yaml");
        let error =
            Chart::from_files(vec![file("charts/db/Chart.yaml", "version: 1.0.0")]).unwrap_err();
        assert_eq!(error.to_string(), "Chart.yaml file is missing");
    }

    #[test]
    fn helmignore_rules_decide_in_order_and_dot_files_in_templates_are_ignored() {
        let rules = IgnoreRules::read("# comment\n*.bak\n/secret.txt\nlogs/\n").unwrap();
        assert!(rules.ignores("x/y.bak", false));
        assert!(rules.ignores("secret.txt", false));
        assert!(!rules.ignores("x/secret.txt", false));
        assert!(rules.ignores("logs", true));
        assert!(!rules.ignores("logs", false));
        assert!(rules.ignores("templates/.hidden", false));
        assert!(!rules.ignores("templates/shown.yaml", false));
        assert!(IgnoreRules::read("a/**/b").is_err());
    }

    #[test]
    fn an_archive_loses_its_top_directory_and_may_not_escape_it() {
        let mut packed = Vec::new();
        {
            let encoder =
                flate2::write::GzEncoder::new(&mut packed, flate2::Compression::default());
            let mut builder = tar::Builder::new(encoder);
            for (name, data) in [
                (
                    "web/Chart.yaml",
                    "apiVersion: v2\nname: web\nversion: 1.0.0\n",
                ),
                ("web/templates/a.yaml", "\u{feff}a"),
            ] {
                let mut header = tar::Header::new_gnu();
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                builder
                    .append_data(&mut header, name, data.as_bytes())
                    .unwrap();
            }
            builder.into_inner().unwrap().finish().unwrap();
        }
        let chart = Chart::from_archive(&packed).unwrap();
        assert_eq!(chart.templates, vec![file("templates/a.yaml", "a")]);
        assert_eq!(clean("a/../../b"), "../b");
        assert!(Chart::from_archive(b"not gzip").is_err());
    }
}
