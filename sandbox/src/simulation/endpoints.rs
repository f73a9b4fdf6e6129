//! The endpoints controller: each Service with a selector gets an `Endpoints` object listing
//! the addresses of the pods it selects, ready ones apart from the rest.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::driver::Controller;
use super::objects::{Writer, is_deleting, is_ready, is_terminal, key_of, map_selects};
use super::pods::name_of;
use crate::api::ApiError;
use crate::cluster::Cluster;
use crate::store::{Event, EventType, ObjectKey};

/// The endpoints controller.
pub(super) struct EndpointsController {
    writer: Writer,
}

impl EndpointsController {
    pub(super) fn new(writer: Writer) -> Self {
        Self { writer }
    }
}

/// The port a service port reaches on `pod`: its `targetPort` number, or the container port
/// of that name; `None` when the pod has no such named port.
fn target_port(service_port: &Value, pod: &Value) -> Option<i64> {
    match &service_port["targetPort"] {
        Value::Number(number) => number.as_i64(),
        Value::String(name) => pod["spec"]["containers"]
            .as_array()?
            .iter()
            .flat_map(|c| c["ports"].as_array().into_iter().flatten())
            .find(|p| p["name"] == name.as_str())
            .and_then(|p| p["containerPort"].as_i64()),
        _ => service_port["port"].as_i64(),
    }
}

/// The `subsets` of a service's endpoints over `pods`: pods grouped by the ports they expose.
pub(super) fn subsets(service: &Value, pods: &[&Value]) -> Vec<Value> {
    let ports: Vec<Value> = service["spec"]["ports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut subsets: BTreeMap<String, Value> = BTreeMap::new();
    for pod in pods {
        let Some(ip) = pod["status"]["podIP"].as_str() else {
            continue;
        };
        let resolved: Option<Vec<Value>> = ports
            .iter()
            .map(|port| {
                let mut endpoint_port = json!({"port": target_port(port, pod)?,
                                               "protocol": port["protocol"].as_str().unwrap_or("TCP")});
                if let Some(name) = port["name"].as_str() {
                    endpoint_port["name"] = json!(name);
                }
                Some(endpoint_port)
            })
            .collect();
        let Some(resolved) = resolved else {
            continue;
        };
        let (name, namespace) = name_of(pod);
        let mut address = json!({"ip": ip, "targetRef": {"kind": "Pod", "name": name, "namespace": namespace,
                                                          "uid": pod["metadata"]["uid"]}});
        if let Some(node) = pod["spec"]["nodeName"].as_str() {
            address["nodeName"] = json!(node);
        }
        let subset = subsets
            .entry(json!(resolved).to_string())
            .or_insert_with(|| json!({"ports": resolved}));
        let field = if is_ready(pod) {
            "addresses"
        } else {
            "notReadyAddresses"
        };
        match subset[field].as_array_mut() {
            Some(addresses) => addresses.push(address),
            None => subset[field] = json!([address]),
        }
    }
    subsets.into_values().collect()
}

impl Controller for EndpointsController {
    const NAME: &'static str = "endpoints-controller";

    fn all_keys(&mut self, _cluster: &Cluster) -> Vec<ObjectKey> {
        self.writer.keys("", "services", |_| true)
    }

    fn keys_for(&mut self, _cluster: &Cluster, event: &Event) -> Vec<ObjectKey> {
        if !event.key.group.is_empty() {
            return Vec::new();
        }
        match event.key.plural.as_str() {
            "services" => vec![event.key.clone()],
            "pods" if matters(event) => {
                let labels = [Some(&event.object), event.previous.as_ref()];
                self.writer
                    .list("", "services", Some(&event.key.namespace), |service| {
                        labels.iter().flatten().any(|pod| {
                            map_selects(&service["spec"]["selector"], &pod["metadata"]["labels"])
                        })
                    })
                    .iter()
                    .map(|service| key_of("", "services", service))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    async fn reconcile(
        &mut self,
        _cluster: &Cluster,
        key: &ObjectKey,
    ) -> Result<Option<Duration>, ApiError> {
        let namespace = key.namespace.as_str();
        let endpoints_key = ObjectKey::new("", "endpoints", namespace, &key.name);
        let existing = self.writer.get(&endpoints_key);
        let Some(service) = self.writer.get(key).filter(|s| !is_deleting(s)) else {
            if existing.is_some_and(|e| {
                e["metadata"]["labels"]["endpoints.kubernetes.io/managed-by"]
                    == "endpoint-controller"
            }) {
                self.writer
                    .delete("", "endpoints", Some(namespace), &key.name)
                    .await?;
            }
            return Ok(None);
        };
        let selector = &service["spec"]["selector"];
        if selector.as_object().is_none_or(|s| s.is_empty()) {
            return Ok(None);
        }
        let pods = self.writer.list("", "pods", Some(namespace), |pod| {
            map_selects(selector, &pod["metadata"]["labels"])
                && !is_terminal(pod)
                && !is_deleting(pod)
        });
        let pods: Vec<&Value> = pods.iter().map(|p| &**p).collect();
        let subsets = subsets(&service, &pods);
        let mut labels = service["metadata"]["labels"].clone();
        if !labels.is_object() {
            labels = json!({});
        }
        labels["endpoints.kubernetes.io/managed-by"] = json!("endpoint-controller");
        match existing {
            None => {
                let endpoints = json!({"apiVersion": "v1", "kind": "Endpoints",
                                       "metadata": {"name": key.name, "namespace": namespace, "labels": labels},
                                       "subsets": subsets});
                match self
                    .writer
                    .create("", "endpoints", Some(namespace), endpoints)
                    .await
                {
                    Ok(_) | Err(ApiError::AlreadyExists { .. }) => {}
                    Err(error) => return Err(error),
                }
            }
            Some(current)
                if current["subsets"] != json!(subsets)
                    || current["metadata"]["labels"] != labels =>
            {
                self.writer
                    .update(
                        "",
                        "endpoints",
                        Some(namespace),
                        &key.name,
                        None,
                        move |endpoints| {
                            let mut endpoints = endpoints.clone();
                            endpoints["subsets"] = json!(subsets);
                            endpoints["metadata"]["labels"] = labels;
                            endpoints
                        },
                    )
                    .await?;
            }
            Some(_) => {}
        }
        Ok(None)
    }
}

/// Whether a change to a pod can change any endpoints (its labels, address or readiness).
pub(super) fn matters(event: &Event) -> bool {
    let Some(before) = &event.previous else {
        return true;
    };
    event.event_type == EventType::Deleted
        || before["metadata"]["labels"] != event.object["metadata"]["labels"]
        || before["status"]["podIP"] != event.object["status"]["podIP"]
        || is_ready(before) != is_ready(&event.object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_and_unready_pods_are_listed_apart_with_resolved_ports() {
        let service =
            json!({"spec": {"ports": [{"name": "http", "port": 80, "targetPort": "web"}]}});
        let pod = |name: &str, ip: &str, ready: &str| {
            json!({
                "metadata": {"name": name, "namespace": "demo", "uid": name},
                "spec": {"nodeName": "node-1", "containers": [{"ports": [{"name": "web", "containerPort": 8080}]}]},
                "status": {"podIP": ip, "conditions": [{"type": "Ready", "status": ready}]},
            })
        };
        let (a, b, pending) = (
            pod("a", "10.244.1.2", "True"),
            pod("b", "10.244.1.3", "False"),
            json!({"metadata": {"name": "c"}}),
        );
        let subsets = subsets(&service, &[&a, &b, &pending]);
        assert_eq!(subsets.len(), 1);
        assert_eq!(
            subsets[0]["ports"],
            json!([{"name": "http", "port": 8080, "protocol": "TCP"}])
        );
        assert_eq!(subsets[0]["addresses"][0]["ip"], "10.244.1.2");
        assert_eq!(subsets[0]["notReadyAddresses"][0]["ip"], "10.244.1.3");
    }
}
