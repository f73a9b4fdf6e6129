//! Render time of the App Store's built-in charts, of the test charts and of a large generated
//! chart (200 templates, each with loops, includes and `toYaml` over a big values file), by
//! this crate in-process and by `helm template` (a process each time, so its start-up counts)
//! in the same run, each output checked to be the same. Prints numbers; see BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use orbital_chart::{TemplateRequest, helm_template};

const ROUNDS: usize = 7;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn helm_binary() -> PathBuf {
    let installed = root().join("scripts/test-tools/bin/helm");
    std::env::var_os("ORBITAL_HELM")
        .map(PathBuf::from)
        .or_else(|| installed.exists().then_some(installed))
        .unwrap_or_else(|| PathBuf::from("helm"))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// A chart of `templates` files over a values file of `entries` services.
fn large_chart(dir: &Path, templates: usize, entries: usize) -> PathBuf {
    let chart = dir.join("large");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: large\nversion: 1.0.0\n",
    )
    .unwrap();
    let mut values = String::from("services:\n");
    for at in 0..entries {
        values.push_str(&format!(
            "  - name: svc-{at}\n    port: {}\n    labels: {{tier: t{}, team: team-{}}}\n    env: [{{name: A, value: \"{at}\"}}, {{name: B, value: x}}]\n",
            8000 + at,
            at % 5,
            at % 17
        ));
    }
    std::fs::write(chart.join("values.yaml"), values).unwrap();
    std::fs::write(
        chart.join("templates/_helpers.tpl"),
        "{{- define \"large.labels\" -}}\napp: {{ .name }}\n{{ toYaml .labels }}\n{{- end }}\n",
    )
    .unwrap();
    for at in 0..templates {
        std::fs::write(
            chart.join(format!("templates/t{at:03}.yaml")),
            format!(
                "{{{{- range $i, $svc := .Values.services }}}}\n{{{{- if eq (mod $i {templates}) {at} }}}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ $svc.name | trunc 63 }}}}-{at}\n  labels:\n    {{{{- include \"large.labels\" $svc | nindent 4 }}}}\ndata:\n  port: {{{{ $svc.port | quote }}}}\n  env: |\n    {{{{- toYaml $svc.env | nindent 4 }}}}\n{{{{- end }}}}\n{{{{- end }}}}\n"
            ),
        )
        .unwrap();
    }
    chart
}

fn measure(name: &str, request: &TemplateRequest, args: &[String]) {
    let ours: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            helm_template(request).unwrap();
            start.elapsed()
        })
        .collect();
    let theirs: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            let output = Command::new(helm_binary()).args(args).output().unwrap();
            assert!(output.status.success(), "{name}: {output:?}");
            start.elapsed()
        })
        .collect();
    // Both render the same bytes, or the times would not compare like with like.
    let output = Command::new(helm_binary()).args(args).output().unwrap();
    let rendered = helm_template(request).unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        rendered,
        "{name}"
    );
    let bytes = rendered.len();
    println!(
        "{name:<24} {bytes:>9} B   orbital {:>8.2} ms   helm template {:>8.2} ms",
        median(ours).as_secs_f64() * 1e3,
        median(theirs).as_secs_f64() * 1e3
    );
}

fn main() {
    println!("median of {ROUNDS} renders each; helm template is a process per render");
    let mut charts: Vec<(String, PathBuf, Vec<&str>)> = Vec::new();
    for name in ["web-server", "cache", "database", "demo-app"] {
        charts.push((
            name.to_owned(),
            root().join("appstore/charts").join(name),
            vec!["--set", "auth.password=given"],
        ));
    }
    let tests = root().join("chart/tests/charts");
    charts.push(("test chart web".to_owned(), tests.join("web"), vec![]));
    charts.push((
        "test chart umbrella".to_owned(),
        tests.join("umbrella"),
        vec![],
    ));
    let dir = tempfile::TempDir::new().unwrap();
    charts.push((
        "large (200 files)".to_owned(),
        large_chart(dir.path(), 200, 2_000),
        vec![],
    ));
    for (name, chart, sets) in charts {
        let request = TemplateRequest {
            release_name: Some("bench".to_owned()),
            chart: chart.clone(),
            set: sets.iter().skip(1).map(|s| (*s).to_owned()).collect(),
            ..TemplateRequest::default()
        };
        let mut args = vec![
            "template".to_owned(),
            "bench".to_owned(),
            chart.display().to_string(),
        ];
        args.extend(sets.iter().map(|s| (*s).to_owned()));
        measure(&name, &request, &args);
    }
}
