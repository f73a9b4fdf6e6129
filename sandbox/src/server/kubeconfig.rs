//! The kubeconfig with which clients reach a sandbox.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

/// How to reach and authenticate to a sandbox.
#[derive(Clone, Debug)]
pub struct Kubeconfig {
    /// The cluster and context name.
    pub name: String,
    /// `https://host:port`.
    pub server: String,
    /// The CA certificate (PEM) that signs the serving certificate.
    pub ca_pem: String,
    /// The bearer token.
    pub token: String,
}

impl Kubeconfig {
    /// The kubeconfig as YAML, with one cluster, user and context, the context current.
    pub fn to_yaml(&self) -> String {
        let user = format!("{}-admin", self.name);
        let config = json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{
                "name": self.name,
                "cluster": {
                    "server": self.server,
                    "certificate-authority-data": STANDARD.encode(&self.ca_pem),
                },
            }],
            "users": [{"name": user, "user": {"token": self.token}}],
            "contexts": [{"name": self.name, "context": {"cluster": self.name, "user": user}}],
            "current-context": self.name,
            "preferences": {},
        });
        serde_yaml_ng::to_string(&config).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_names_server_ca_and_token() {
        let kubeconfig = Kubeconfig {
            name: "host".into(),
            server: "https://127.0.0.1:6443".into(),
            ca_pem: "PEM".into(),
            token: "secret".into(),
        };
        let parsed: serde_json::Value = serde_yaml_ng::from_str(&kubeconfig.to_yaml()).unwrap();
        assert_eq!(parsed["current-context"], "host");
        assert_eq!(
            parsed["clusters"][0]["cluster"]["server"],
            "https://127.0.0.1:6443"
        );
        assert_eq!(
            parsed["clusters"][0]["cluster"]["certificate-authority-data"],
            "UEVN"
        );
        assert_eq!(parsed["users"][0]["user"]["token"], "secret");
    }
}
