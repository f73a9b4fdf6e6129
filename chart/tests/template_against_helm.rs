//! Whole charts rendered by this crate and by the real Helm 3 (installed by `scripts/setup
//! --for-tests`) with the same arguments: the output of `helm template` must come out byte for
//! byte, and a failing render must fail with Helm's message. The charts in `tests/charts` use
//! what charts from public repositories use: helpers and `include`, `tpl` in values, `.Files`,
//! hooks and tests, CRDs, subcharts with globals, aliases, conditions, tags and imported
//! values, a library chart, and values files whose `null`s delete defaults.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use orbital_chart::{TemplateRequest, helm_template};

fn charts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charts")
}

/// Helm 3 as `scripts/setup --for-tests` installs it, else `ORBITAL_HELM`, else `helm` on PATH.
fn helm_binary() -> PathBuf {
    let installed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/test-tools/bin/helm");
    std::env::var_os("ORBITAL_HELM")
        .map(PathBuf::from)
        .or_else(|| installed.exists().then_some(installed))
        .unwrap_or_else(|| PathBuf::from("helm"))
}

/// `helm template`'s arguments for `request`.
fn helm_args(request: &TemplateRequest) -> Vec<String> {
    let mut args = vec!["template".to_owned()];
    args.extend(request.release_name.clone());
    args.push(request.chart.display().to_string());
    let mut flag = |name: &str, value: &str| {
        args.push(name.to_owned());
        args.push(value.to_owned());
    };
    if let Some(namespace) = &request.namespace {
        flag("--namespace", namespace);
    }
    for file in &request.value_files {
        flag("--values", &file.display().to_string());
    }
    for text in &request.set {
        flag("--set", text);
    }
    for text in &request.set_string {
        flag("--set-string", text);
    }
    for text in &request.set_json {
        flag("--set-json", text);
    }
    if let Some(version) = &request.kube_version {
        flag("--kube-version", version);
    }
    for version in &request.api_versions {
        flag("--api-versions", version);
    }
    for (set, name) in [
        (request.include_crds, "--include-crds"),
        (request.skip_tests, "--skip-tests"),
        (request.is_upgrade, "--is-upgrade"),
        (request.no_hooks, "--no-hooks"),
    ] {
        if set {
            args.push(name.to_owned());
        }
    }
    args
}

/// What Helm prints: its output, or the error after `Error: `.
fn helm(request: &TemplateRequest) -> Result<String, String> {
    let output = Command::new(helm_binary())
        .args(helm_args(request))
        .env("HELM_NAMESPACE", "")
        .env("KUBECONFIG", "/nonexistent")
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run helm: {error}; scripts/setup --for-tests installs it")
        });
    if output.status.success() {
        return Ok(String::from_utf8(output.stdout).unwrap());
    }
    let stderr = String::from_utf8(output.stderr).unwrap();
    let at = stderr
        .find("Error: ")
        .unwrap_or_else(|| panic!("helm failed without an error: {stderr}"));
    // The message as it was, less the line break the command line adds.
    let message = &stderr[at + "Error: ".len()..];
    Err(message.strip_suffix('\n').unwrap_or(message).to_owned())
}

fn ours(request: &TemplateRequest) -> Result<String, String> {
    helm_template(request).map_err(|error| error.to_string())
}

fn chart(name: &str) -> TemplateRequest {
    TemplateRequest {
        chart: charts().join(name),
        ..TemplateRequest::default()
    }
}

fn values(name: &str) -> PathBuf {
    charts().join("values").join(name)
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| (*text).to_owned()).collect()
}

/// The cases: each a request both renderers are given.
fn cases() -> Vec<(&'static str, TemplateRequest)> {
    vec![
        ("web with its defaults", chart("web")),
        (
            "web with a values file, every --set form and cluster facts",
            TemplateRequest {
                release_name: Some("shop-web".to_owned()),
                namespace: Some("shop".to_owned()),
                value_files: vec![values("web-overrides.yaml")],
                set: strings(&[
                    "ingress.enabled=true,ingress.className=nginx,replicaCount=3",
                    "extraEnv[0].name=LEVEL,extraEnv[0].value=debug",
                    "podLabels.version=2,podLabels.canary=true",
                ]),
                set_string: strings(&["image.tag=1.28,podLabels.build=0042"]),
                set_json: strings(&[
                    r#"tolerations=[{"key":"dedicated","operator":"Exists","effect":"NoSchedule"}]"#,
                    r#"affinity={"nodeAffinity":null}"#,
                ]),
                kube_version: Some("1.29.4".to_owned()),
                api_versions: strings(&["networking.k8s.io/v1/IngressClass"]),
                include_crds: true,
                is_upgrade: true,
                ..chart("web")
            },
        ),
        (
            "web without tests, autoscaled, with an old ingress API",
            TemplateRequest {
                release_name: Some("web".to_owned()),
                set: strings(&[
                    "autoscaling.enabled=true,ingress.enabled=true,image.digest=sha256:abc",
                    "fullnameOverride=front-end-with-a-name-longer-than-sixty-three-characters-in-all",
                ]),
                kube_version: Some("v1.24".to_owned()),
                skip_tests: true,
                ..chart("web")
            },
        ),
        (
            "web without hooks",
            TemplateRequest {
                no_hooks: true,
                ..chart("web")
            },
        ),
        (
            "an umbrella chart with its defaults",
            TemplateRequest {
                release_name: Some("shop".to_owned()),
                ..chart("umbrella")
            },
        ),
        (
            "an umbrella chart with subcharts switched and globals overridden",
            TemplateRequest {
                release_name: Some("shop".to_owned()),
                value_files: vec![values("umbrella-overrides.yaml")],
                set: strings(&[
                    "tags.monitoring=true,objects.enabled=true,metrics.enabled=true",
                    "objects.replicas=4,db.primary.persistence.size=50Gi",
                ]),
                include_crds: true,
                ..chart("umbrella")
            },
        ),
        (
            "an umbrella chart without its database",
            TemplateRequest {
                release_name: Some("shop".to_owned()),
                set: strings(&["db.enabled=false,tags.caching=false"]),
                include_crds: true,
                ..chart("umbrella")
            },
        ),
        (
            "a required value missing",
            TemplateRequest {
                set: strings(&["service.port=null"]),
                ..chart("web")
            },
        ),
        (
            "a Kubernetes version the chart does not support",
            TemplateRequest {
                kube_version: Some("1.22.9".to_owned()),
                ..chart("web")
            },
        ),
        (
            "an unreadable Kubernetes version",
            TemplateRequest {
                kube_version: Some("latest".to_owned()),
                ..chart("web")
            },
        ),
        (
            "a release name Kubernetes would refuse",
            TemplateRequest {
                release_name: Some("Shop_Web".to_owned()),
                ..chart("web")
            },
        ),
        (
            "a --set argument without a value",
            TemplateRequest {
                set: strings(&["replicaCount"]),
                ..chart("web")
            },
        ),
        (
            "values against the chart's schema",
            TemplateRequest {
                set: strings(&["image=null,service.type=Balancer"]),
                ..chart("web")
            },
        ),
        // One failing property per object: Helm's validator visits sibling properties in Go's
        // map order, which changes from run to run.
        (
            "values against a schema under a condition",
            TemplateRequest {
                set: strings(&["autoscaling.enabled=true,autoscaling.maxReplicas=1"]),
                ..chart("web")
            },
        ),
        (
            "values against a schema nested in a list",
            TemplateRequest {
                set: strings(&["extraEnv[0].value=1"]),
                ..chart("web")
            },
        ),
        (
            "values against a subchart's schema, under its alias",
            TemplateRequest {
                set: strings(&["sessions.replicas=10"]),
                ..chart("umbrella")
            },
        ),
        (
            "a chart in Helm 2's layout, its dependencies in requirements.yaml",
            chart("legacy"),
        ),
        (
            "a chart in Helm 2's layout with its dependencies switched",
            TemplateRequest {
                set: strings(&["backend.enabled=false,tags.extras=true"]),
                ..chart("legacy")
            },
        ),
        ("a library chart", chart("umbrella/charts/common")),
        ("dependencies missing", chart("missing-dependency")),
        ("an invalid chart version", chart("bad-version")),
        ("a function no one defines", chart("undefined-function")),
    ]
}

#[test]
fn every_chart_renders_as_helm_template_renders_it() {
    let mut differences = Vec::new();
    for (case, request) in cases() {
        let (theirs, ours) = (helm(&request), ours(&request));
        if theirs != ours {
            differences.push(format!(
                "{case} (helm {}):\n{}",
                helm_args(&request).join(" "),
                first_difference(
                    &theirs.unwrap_or_else(|e| format!("Error: {e}")),
                    &ours.unwrap_or_else(|e| format!("Error: {e}"))
                )
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
}

/// The App Store's own charts, each with its defaults and with values of its own (a password
/// given wherever the chart would generate one, as a generated one differs on every render).
fn bundled_cases() -> Vec<(String, TemplateRequest)> {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../appstore/charts");
    let mut names: Vec<String> = std::fs::read_dir(&bundled)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 4, "the bundled charts: {names:?}");
    let mut cases = Vec::new();
    for name in names {
        let request = TemplateRequest {
            release_name: Some("demo".to_owned()),
            chart: bundled.join(&name),
            set: strings(&["auth.password=given"]),
            ..TemplateRequest::default()
        };
        cases.push((format!("{name} with its defaults"), request.clone()));
        cases.push((
            format!("{name} with values of its own"),
            TemplateRequest {
                namespace: Some("apps".to_owned()),
                set: strings(&[
                    "auth.password=given,replicaCount=3,ingress.enabled=true,ingress.tls=true",
                    "persistence.enabled=true,persistence.storageClass=fast,proxyTo=api:8080",
                    "settings.work_mem=8MB,initScripts.a\\.sql=create table t(),env.EXTRA=x",
                ]),
                set_string: strings(&["image.tag=latest"]),
                is_upgrade: true,
                ..request
            },
        ));
    }
    cases
}

#[test]
fn every_bundled_chart_renders_as_helm_template_renders_it() {
    let mut differences = Vec::new();
    for (case, request) in bundled_cases() {
        let theirs = helm(&request);
        assert!(theirs.is_ok(), "{case}: {theirs:?}");
        if theirs != ours(&request) {
            differences.push(format!(
                "{case}:\n{}",
                first_difference(
                    &theirs.unwrap_or_default(),
                    &ours(&request).unwrap_or_else(|e| format!("Error: {e}"))
                )
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
}

#[test]
fn a_packed_chart_renders_as_its_directory_does() {
    let dir = tempfile::TempDir::new().unwrap();
    let archive = dir.path().join("umbrella-0.3.0.tgz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(charts())
        .arg("umbrella")
        .status()
        .unwrap();
    assert!(status.success());
    let request = TemplateRequest {
        release_name: Some("shop".to_owned()),
        chart: archive,
        include_crds: true,
        ..TemplateRequest::default()
    };
    let packed = ours(&request).unwrap();
    assert_eq!(helm(&request).unwrap(), packed);
    assert_eq!(
        packed,
        ours(&TemplateRequest {
            chart: charts().join("umbrella"),
            ..request
        })
        .unwrap()
    );
}

/// The lines around where two outputs part.
fn first_difference(theirs: &str, ours: &str) -> String {
    let (theirs_lines, ours_lines): (Vec<&str>, Vec<&str>) =
        (theirs.lines().collect(), ours.lines().collect());
    let at = theirs_lines
        .iter()
        .zip(&ours_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(theirs_lines.len().min(ours_lines.len()));
    let around =
        |lines: &[&str]| lines[at.saturating_sub(3)..(at + 4).min(lines.len())].join("\n    ");
    format!(
        "  at line {}\n  helm:\n    {}\n  ours:\n    {}",
        at + 1,
        around(&theirs_lines),
        around(&ours_lines)
    )
}
