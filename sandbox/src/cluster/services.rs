//! Service defaults and cluster IP allocation, as a real API server applies them on create.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::Ipv4Addr;

use serde_json::{Value, json};

use super::Cluster;
use crate::api::{self, ApiError, Cause};
use crate::catalog::ResourceType;
use crate::store::Scope;

/// The service network: 10.96.0.0/16, of which `.0.1` is the `kubernetes` service's.
const SERVICE_NETWORK: [u8; 2] = [10, 96];
const FIRST_FREE: u32 = 10;
const NETWORK_SIZE: u32 = 1 << 16;

impl Cluster {
    /// Fills a new Service's defaults and gives it a cluster IP unless it is headless or external.
    pub(super) fn admit_service(
        &self,
        resource_type: &ResourceType,
        service: &mut Value,
    ) -> Result<(), ApiError> {
        let spec = &mut service["spec"];
        if !spec.is_object() {
            *spec = json!({});
        }
        let service_type = spec["type"].as_str().unwrap_or("ClusterIP").to_owned();
        spec["type"] = json!(service_type);
        if let Some(ports) = spec["ports"].as_array_mut() {
            for port in ports.iter_mut() {
                if port["protocol"].is_null() {
                    port["protocol"] = json!("TCP");
                }
                if port["targetPort"].is_null() {
                    port["targetPort"] = port["port"].clone();
                }
            }
        }
        if service_type == "ExternalName" {
            return Ok(());
        }
        if spec["sessionAffinity"].is_null() {
            spec["sessionAffinity"] = json!("None");
        }
        let requested = spec["clusterIP"].as_str().unwrap_or_default().to_owned();
        let cluster_ip = match requested.as_str() {
            "None" => requested,
            "" => self.free_cluster_ip(service)?,
            ip => {
                let parsed: Ipv4Addr = ip.parse().map_err(|_| {
                    ApiError::invalid(
                        resource_type,
                        api::meta_str(service, "name").unwrap_or_default(),
                        vec![Cause {
                            reason: "FieldValueInvalid",
                            field: "spec.clusterIP".into(),
                            message: format!("Invalid value: {ip:?}: must be a valid IP address"),
                        }],
                    )
                })?;
                parsed.to_string()
            }
        };
        let spec = &mut service["spec"];
        spec["clusterIP"] = json!(cluster_ip);
        spec["clusterIPs"] = json!([cluster_ip]);
        spec["ipFamilies"] = json!(["IPv4"]);
        spec["ipFamilyPolicy"] = json!("SingleStack");
        spec["internalTrafficPolicy"] = json!("Cluster");
        Ok(())
    }

    /// An unused address, starting from one derived from the service's name.
    fn free_cluster_ip(&self, service: &Value) -> Result<String, ApiError> {
        let page = self.store.list(
            &Scope {
                group: String::new(),
                plural: "services".into(),
                namespace: None,
            },
            None,
            None,
            |_| true,
        );
        let used: BTreeSet<String> = page
            .items
            .iter()
            .filter_map(|s| s["spec"]["clusterIP"].as_str().map(str::to_owned))
            .collect();
        let mut hasher = DefaultHasher::new();
        (
            api::meta_str(service, "namespace"),
            api::meta_str(service, "name"),
        )
            .hash(&mut hasher);
        let span = NETWORK_SIZE - FIRST_FREE - 1;
        let start = (hasher.finish() % u64::from(span)) as u32;
        (0..span)
            .map(|offset| address(FIRST_FREE + (start + offset) % span))
            .find(|ip| !used.contains(ip))
            .ok_or_else(|| ApiError::Internal("the service network has no free address".into()))
    }
}

/// The address at `offset` in the service network.
pub(super) fn address(offset: u32) -> String {
    let [a, b] = SERVICE_NETWORK;
    Ipv4Addr::new(a, b, (offset >> 8) as u8, (offset & 0xff) as u8).to_string()
}
