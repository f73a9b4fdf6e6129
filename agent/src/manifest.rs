//! What a member needs to run its agent, as the host shows it once after joining it: the
//! `orbital agent` command, and a Kubernetes manifest that runs the agent in the member cluster.

use serde_json::{Value, json};

/// The agent's image: this version of Orbital's.
pub const IMAGE: &str = concat!("orbital:", env!("CARGO_PKG_VERSION"));
/// The namespace the manifest runs the agent in.
pub const NAMESPACE: &str = "orbital-agent";
/// Where the manifest mounts the token (and the host's CA, when it has its own).
const MOUNT: &str = "/etc/orbital-agent";

/// How to run the agent of one member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instructions {
    /// Shell commands that write the token (and CA) to files and run `orbital agent` with
    /// the member's kubeconfig.
    pub command: String,
    /// The objects that run the agent in the member cluster, as YAML documents.
    pub manifest: String,
}

/// `text` as one shell word.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// How to run the agent of `cluster` dialling the host at `host_url` with `token`, trusting
/// `ca_pem` when the host's certificate is issued by a CA of its own.
pub fn instructions(
    host_url: &str,
    cluster: &str,
    token: &str,
    ca_pem: Option<&str>,
) -> Instructions {
    let mut command = format!("printf '%s' {} > orbital-agent-token\n", quoted(token));
    if let Some(pem) = ca_pem {
        command.push_str(&format!(
            "printf '%s' {} > orbital-host-ca.crt\n",
            quoted(pem)
        ));
    }
    command.push_str(&format!(
        "orbital agent --host-url {} --cluster {} --token-file orbital-agent-token",
        quoted(host_url),
        quoted(cluster)
    ));
    if ca_pem.is_some() {
        command.push_str(" --ca-file orbital-host-ca.crt");
    }
    command.push_str(" --kubeconfig ~/.kube/config\n");
    let documents = objects(host_url, cluster, token, ca_pem);
    let manifest = documents
        .iter()
        .map(|object| serde_yaml_ng::to_string(object).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("---\n");
    Instructions { command, manifest }
}

/// The objects that run the agent: its namespace, service account, the right to act on the
/// whole cluster (the host decides who may do what, on its side), the token and the agent.
fn objects(host_url: &str, cluster: &str, token: &str, ca_pem: Option<&str>) -> Vec<Value> {
    let labels = json!({"app.kubernetes.io/name": "orbital-agent"});
    let metadata = json!({"name": "orbital-agent", "namespace": NAMESPACE, "labels": labels});
    let mut files = json!({"token": token});
    let mut args = vec![
        "agent".to_owned(),
        "--host-url".to_owned(),
        host_url.to_owned(),
        "--cluster".to_owned(),
        cluster.to_owned(),
        "--token-file".to_owned(),
        format!("{MOUNT}/token"),
    ];
    if let Some(pem) = ca_pem {
        files["host-ca.crt"] = json!(pem);
        args.extend(["--ca-file".to_owned(), format!("{MOUNT}/host-ca.crt")]);
    }
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata}),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "orbital-agent", "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"kind": "ServiceAccount", "name": "orbital-agent", "namespace": NAMESPACE}],
        }),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": metadata, "type": "Opaque", "stringData": files}),
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata,
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "serviceAccountName": "orbital-agent",
                        "securityContext": {"runAsNonRoot": true, "runAsUser": 65532,
                                            "seccompProfile": {"type": "RuntimeDefault"}},
                        "containers": [{
                            "name": "agent",
                            "image": IMAGE,
                            "args": args,
                            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"},
                                          "limits": {"cpu": "500m", "memory": "256Mi"}},
                            "securityContext": {"allowPrivilegeEscalation": false,
                                                "readOnlyRootFilesystem": true,
                                                "capabilities": {"drop": ["ALL"]}},
                            "volumeMounts": [{"name": "token", "mountPath": MOUNT, "readOnly": true}],
                        }],
                        "volumes": [{"name": "token", "secret": {"secretName": "orbital-agent"}}],
                    },
                },
            },
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documents(manifest: &str) -> Vec<Value> {
        use serde::Deserialize;
        serde_yaml_ng::Deserializer::from_str(manifest)
            .map(|document| Value::deserialize(document).unwrap())
            .collect()
    }

    #[test]
    fn the_manifest_runs_the_agent_with_the_token_mounted() {
        let made = instructions("https://console.example.com", "edge-1", "t0ken", None);
        let objects = documents(&made.manifest);
        let kinds: Vec<&str> = objects
            .iter()
            .map(|o| o["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "Namespace",
                "ServiceAccount",
                "ClusterRoleBinding",
                "Secret",
                "Deployment"
            ]
        );
        assert_eq!(objects[3]["stringData"]["token"], "t0ken");
        let container = &objects[4]["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(
            container["args"],
            json!([
                "agent",
                "--host-url",
                "https://console.example.com",
                "--cluster",
                "edge-1",
                "--token-file",
                "/etc/orbital-agent/token"
            ])
        );
        assert!(container["resources"]["limits"]["memory"].is_string());
        assert!(!made.command.contains("--ca-file"));
    }

    #[test]
    fn a_host_with_its_own_ca_is_trusted_through_it() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        let made = instructions("https://10.0.0.1:3000", "edge-1", "t0ken", Some(pem));
        let objects = documents(&made.manifest);
        assert_eq!(objects[3]["stringData"]["host-ca.crt"], pem);
        let args = &objects[4]["spec"]["template"]["spec"]["containers"][0]["args"];
        assert_eq!(args[7], "--ca-file");
        assert!(made.command.contains("--ca-file orbital-host-ca.crt"));
    }

    #[test]
    fn the_command_quotes_what_it_is_given() {
        let made = instructions("https://h", "edge-1", "it's", None);
        assert!(
            made.command
                .starts_with(r"printf '%s' 'it'\''s' > orbital-agent-token")
        );
    }
}
