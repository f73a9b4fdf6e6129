//! The kubeconfig with which clients reach a sandbox.

use std::io;
use std::path::Path;

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
    /// Writes the kubeconfig to `path`, readable only by its owner (it holds the token).
    pub fn write(&self, path: &Path) -> io::Result<()> {
        orbital_tls::write_private(path, &self.to_yaml())
    }

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
        // JSON is valid YAML, and kubeconfig loaders read it as such.
        config.to_string()
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
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("kubeconfig");
        kubeconfig.write(&path).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            kubeconfig.to_yaml()
        );
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
