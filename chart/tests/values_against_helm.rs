//! The values a chart renders with, judged by the real Helm 3 (installed by `scripts/setup
//! --for-tests`): a chart's defaults, two user values files and `--set`-style arguments go
//! through `helm template` and through this crate, and `toJson .Values` (and the Go type of a
//! value set with `--set`) must come out the same.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use orbital_chart::{Chart, ChartFile, SetKind, apply_set, coalesce, merge_user_values};
use orbital_template::{Map, Templates, Value, helm, read_yaml};

const DEFAULTS: &str = r#"
name: web
replicas: 1
image: {repository: nginx, tag: "1.27", pullPolicy: IfNotPresent}
resources: {limits: {cpu: 100m}, requests: {cpu: 50m, memory: 64Mi}}
ports: [80, 443]
deleteMe: present
nested: {deleteMe: present, keep: kept}
scalarThenMap: plain
mapThenScalar: {a: 1}
nullDefault: null
listOfMaps: [{a: 1}]
"#;

const FIRST: &str = r#"
replicas: 3
image: {tag: "1.28"}
resources: {limits: {memory: 128Mi}}
ports: [8080]
extra: {from: first}
scalarThenMap: {oops: 1}
"#;

const SECOND: &str = r#"
image: {pullPolicy: Always}
resources: {limits: {cpu: null}}
deleteMe: null
nested: {deleteMe: null}
mapThenScalar: scalar
extra: {also: second}
newNull: null
listOfMaps: [{b: 2}]
"#;

const TEMPLATE: &str = "BEGIN>{{ toJson .Values }}|{{ typeOf .Values.replicas }}<END\n";

/// `--set`-style arguments, each with its flag, in the order Helm applies the flags.
const SETS: &[(SetKind, &str)] = &[
    (SetKind::Json, r#"j={"x":[1,2.5]},jn="#),
    (
        SetKind::Typed,
        "replicas=5,image.tag=9,l={a,b,c},x[1]=y,n=007,t=TRUE,z=null,e=",
    ),
    (
        SetKind::Typed,
        r"p.q.r=1,k\.dot=v,i[0][1]=z,esc=a\,b,o[0].b=1",
    ),
    (SetKind::Text, "s=12,b=true"),
];

fn flag(kind: SetKind) -> &'static str {
    match kind {
        SetKind::Json => "--set-json",
        SetKind::Typed => "--set",
        SetKind::Text => "--set-string",
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Helm 3 as `scripts/setup --for-tests` installs it, else `ORBITAL_HELM`, else `helm` on PATH.
fn helm_binary() -> PathBuf {
    let installed = root().join("scripts/test-tools/bin/helm");
    std::env::var_os("ORBITAL_HELM")
        .map(PathBuf::from)
        .or_else(|| installed.exists().then_some(installed))
        .unwrap_or_else(|| PathBuf::from("helm"))
}

fn between_markers(text: &str) -> &str {
    let start = text.find("BEGIN>").expect("begin marker") + "BEGIN>".len();
    let end = text[start..].find("<END").expect("end marker") + start;
    &text[start..end]
}

/// A chart called `judge` with no templates yet, in `dir`.
fn empty_chart(dir: &Path) -> PathBuf {
    let chart = dir.join("judge");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: judge\nversion: 0.1.0\n",
    )
    .unwrap();
    chart
}

fn helm_values() -> String {
    let dir = tempfile::TempDir::new().unwrap();
    let chart = empty_chart(dir.path());
    std::fs::write(chart.join("values.yaml"), DEFAULTS).unwrap();
    std::fs::write(chart.join("templates/values.yaml"), TEMPLATE).unwrap();
    // YAML that does not parse makes `helm template --debug` print each file as rendered.
    std::fs::write(chart.join("templates/zz-raw.yaml"), "raw: [\n").unwrap();
    let (first, second) = (
        dir.path().join("first.yaml"),
        dir.path().join("second.yaml"),
    );
    std::fs::write(&first, FIRST).unwrap();
    std::fs::write(&second, SECOND).unwrap();
    let output = Command::new(helm_binary())
        .args(["template", "judge"])
        .arg(&chart)
        .arg("-f")
        .arg(&first)
        .arg("-f")
        .arg(&second)
        .args(SETS.iter().flat_map(|(kind, text)| [flag(*kind), text]))
        .arg("--debug")
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run helm: {error}; scripts/setup --for-tests installs it")
        });
    between_markers(&String::from_utf8(output.stdout).unwrap()).to_owned()
}

fn our_values() -> String {
    let chart = Chart::from_files(vec![
        ChartFile {
            name: "Chart.yaml".to_owned(),
            data: b"apiVersion: v2\nname: judge\nversion: 0.1.0\n".to_vec(),
        },
        ChartFile {
            name: "values.yaml".to_owned(),
            data: DEFAULTS.as_bytes().to_vec(),
        },
    ])
    .unwrap();
    let user = merge_user_values(&[read_yaml(FIRST).unwrap(), read_yaml(SECOND).unwrap()]);
    for (kind, text) in SETS {
        apply_set(&user, text, *kind).unwrap();
    }
    let values = coalesce(&chart, &user).unwrap();
    let mut templates = Templates::with_functions(helm());
    templates
        .add("judge/templates/values.yaml", TEMPLATE)
        .unwrap();
    let dot = Map::default();
    dot.insert("Values".to_owned(), Value::Map(values));
    let rendered = templates
        .render("judge/templates/values.yaml", &Value::Map(dot))
        .unwrap();
    between_markers(&rendered).to_owned()
}

#[test]
fn values_files_set_arguments_and_defaults_combine_as_helm_combines_them() {
    assert_eq!(our_values(), helm_values());
}

/// `--set` arguments Helm refuses, with the words it refuses them in.
const REFUSED: &[&[&str]] = &[
    &["a=1", "a.b=2"],
    &["a[0]=1", "a.b=2"],
    &["a=1", "a[0]=2"],
    &["a["],
    &["a"],
    &["a,"],
    &["l={a,b"],
    &["a[-1]=x"],
    &["a[x]=1"],
    &["a[0]x=1"],
];

#[test]
fn set_arguments_helm_refuses_are_refused_in_its_words() {
    let mut differences = Vec::new();
    for arguments in REFUSED {
        let dir = tempfile::TempDir::new().unwrap();
        let chart = empty_chart(dir.path());
        let output = Command::new(helm_binary())
            .args(["template", "judge"])
            .arg(&chart)
            .args(arguments.iter().flat_map(|argument| ["--set", argument]))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let theirs = stderr
            .lines()
            .find(|line| line.starts_with("Error: "))
            .unwrap_or_default()
            .to_owned();
        let user = Map::default();
        let ours = arguments
            .iter()
            .find_map(|argument| apply_set(&user, argument, SetKind::Typed).err())
            .map(|error| format!("Error: failed parsing --set data: {error}"))
            .unwrap_or_else(|| "accepted".to_owned());
        if theirs != ours {
            differences.push(format!("{arguments:?}\n  helm: {theirs}\n  ours: {ours}"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
