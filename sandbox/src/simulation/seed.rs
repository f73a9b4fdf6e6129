//! What a fresh sandbox holds so a newcomer sees a working cluster at once: the usual
//! `kube-system` workloads and a `demo` namespace with an application in it.

use serde_json::{Value, json};

use super::objects::Writer;
use crate::api::ApiError;
use crate::cluster::Cluster;
use crate::store::ObjectKey;

/// Marks `kube-system` once the seed is complete, so it is planted once, even across a crash.
const SEEDED_ANNOTATION: &str = "sandbox.orbital.dev/seeded";

/// Creates the seed objects that are missing, unless the cluster was seeded before.
pub async fn seed(cluster: &Cluster) -> Result<(), ApiError> {
    let writer = Writer::new(cluster, "orbital-sandbox");
    let kube_system = ObjectKey::new("", "namespaces", "", "kube-system");
    if writer
        .get(&kube_system)
        .is_some_and(|ns| ns["metadata"]["annotations"][SEEDED_ANNOTATION] == "true")
    {
        return Ok(());
    }
    for (group, plural, object) in objects() {
        let namespace = object["metadata"]["namespace"].as_str().map(str::to_owned);
        match writer
            .create(group, plural, namespace.as_deref(), object)
            .await
        {
            Ok(_) | Err(ApiError::AlreadyExists { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    writer
        .update("", "namespaces", None, "kube-system", None, |ns| {
            let mut ns = ns.clone();
            ns["metadata"]["annotations"][SEEDED_ANNOTATION] = json!("true");
            ns
        })
        .await?;
    Ok(())
}

fn deployment(
    namespace: &str,
    name: &str,
    replicas: u32,
    containers: Value,
    labels: Value,
) -> (&'static str, &'static str, Value) {
    let mut all_labels = labels.clone();
    all_labels["app.kubernetes.io/name"] = json!(name);
    let selector = json!({"app.kubernetes.io/name": name});
    (
        "apps",
        "deployments",
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": all_labels},
            "spec": {"replicas": replicas, "selector": {"matchLabels": selector},
                     "template": {"metadata": {"labels": all_labels}, "spec": {"containers": containers}}},
        }),
    )
}

fn service(
    namespace: &str,
    name: &str,
    port: u16,
    target: Value,
    extra: Value,
) -> (&'static str, &'static str, Value) {
    let mut spec = json!({"selector": {"app.kubernetes.io/name": name},
                          "ports": [{"name": "http", "port": port, "targetPort": target, "protocol": "TCP"}]});
    json_patch::merge(&mut spec, &extra);
    (
        "",
        "services",
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": name}},
            "spec": spec,
        }),
    )
}

fn objects() -> Vec<(&'static str, &'static str, Value)> {
    let requests = |cpu: &str, memory: &str| json!({"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}});
    vec![
        (
            "",
            "configmaps",
            json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "coredns", "namespace": "kube-system"},
                "data": {"Corefile": ".:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n    }\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n}\n"},
            }),
        ),
        deployment(
            "kube-system",
            "coredns",
            2,
            json!([{
                "name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.3",
                "args": ["-conf", "/etc/coredns/Corefile"],
                "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"}, {"name": "metrics", "containerPort": 9153}],
                "resources": requests("100m", "70Mi"),
            }]),
            json!({"k8s-app": "kube-dns"}),
        ),
        (
            "",
            "services",
            json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "kube-dns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
                "spec": {"clusterIP": "10.96.0.10", "selector": {"k8s-app": "kube-dns"},
                         "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                                   {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}]},
            }),
        ),
        (
            "apps",
            "daemonsets",
            json!({
                "apiVersion": "apps/v1", "kind": "DaemonSet",
                "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"k8s-app": "kube-proxy"}},
                "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
                         "template": {"metadata": {"labels": {"k8s-app": "kube-proxy"}},
                                      "spec": {"hostNetwork": true, "nodeSelector": {"kubernetes.io/os": "linux"},
                                               "containers": [{"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.32.0",
                                                               "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf"]}]}}},
            }),
        ),
        deployment(
            "kube-system",
            "metrics-server",
            1,
            json!([{
                "name": "metrics-server", "image": "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
                "ports": [{"name": "https", "containerPort": 10250}], "resources": requests("100m", "200Mi"),
            }]),
            json!({"k8s-app": "metrics-server"}),
        ),
        (
            "",
            "namespaces",
            json!({"apiVersion": "v1", "kind": "Namespace",
                                  "metadata": {"name": "demo", "labels": {"team": "platform"}}}),
        ),
        (
            "",
            "configmaps",
            json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "web-config", "namespace": "demo"},
                "data": {"default.conf": "server {\n    listen 80;\n    location / {\n        root /usr/share/nginx/html;\n    }\n    location /api/ {\n        proxy_pass http://api:8080/;\n    }\n}\n"},
            }),
        ),
        (
            "",
            "configmaps",
            json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "api-settings", "namespace": "demo"},
                "data": {"LOG_LEVEL": "info", "DATABASE_HOST": "db", "CACHE_HOST": "cache"},
            }),
        ),
        (
            "",
            "secrets",
            json!({
                "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": "db-credentials", "namespace": "demo"},
                "data": {"username": "ZGVtbw==", "password": "c2FuZGJveC1vbmx5"},
            }),
        ),
        deployment(
            "demo",
            "web",
            3,
            json!([{
                "name": "nginx", "image": "nginx:1.27", "ports": [{"name": "http", "containerPort": 80}],
                "resources": requests("100m", "64Mi"),
            }]),
            json!({"app.kubernetes.io/part-of": "shop", "tier": "frontend"}),
        ),
        service("demo", "web", 80, json!("http"), json!({})),
        deployment(
            "demo",
            "api",
            2,
            json!([{
                "name": "api", "image": "ghcr.io/orbital-demo/shop-api:2.3.1", "ports": [{"name": "http", "containerPort": 8080}],
                "envFrom": [{"configMapRef": {"name": "api-settings"}}], "resources": requests("250m", "256Mi"),
            }]),
            json!({"app.kubernetes.io/part-of": "shop", "tier": "backend"}),
        ),
        service("demo", "api", 8080, json!("http"), json!({})),
        deployment(
            "demo",
            "cache",
            1,
            json!([{
                "name": "redis", "image": "redis:7.4", "ports": [{"name": "redis", "containerPort": 6379}],
                "resources": requests("100m", "128Mi"),
            }]),
            json!({"app.kubernetes.io/part-of": "shop", "tier": "backend"}),
        ),
        service("demo", "cache", 6379, json!(6379), json!({})),
        (
            "apps",
            "statefulsets",
            json!({
                "apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "db", "namespace": "demo", "labels": {"app.kubernetes.io/name": "db", "app.kubernetes.io/part-of": "shop"}},
                "spec": {"serviceName": "db", "replicas": 2, "selector": {"matchLabels": {"app.kubernetes.io/name": "db"}},
                         "template": {"metadata": {"labels": {"app.kubernetes.io/name": "db", "app.kubernetes.io/part-of": "shop"}},
                                      "spec": {"containers": [{"name": "postgres", "image": "postgres:16",
                                                               "ports": [{"name": "postgres", "containerPort": 5432}],
                                                               "env": [{"name": "POSTGRES_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db-credentials", "key": "password"}}}],
                                                               "resources": requests("250m", "512Mi")}]}}},
            }),
        ),
        service(
            "demo",
            "db",
            5432,
            json!(5432),
            json!({"clusterIP": "None"}),
        ),
        (
            "batch",
            "cronjobs",
            json!({
                "apiVersion": "batch/v1", "kind": "CronJob",
                "metadata": {"name": "nightly-report", "namespace": "demo"},
                "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": {"spec": {
                    "restartPolicy": "OnFailure",
                    "containers": [{"name": "report", "image": "busybox:1.36", "command": ["sh", "-c", "echo building report"]}]}}}}},
            }),
        ),
    ]
}
