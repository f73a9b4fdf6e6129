//! Resource quantities (`250m`, `2`, `128Mi`, `1G`) in base units: CPU in millicores, memory in
//! bytes. A quantity that cannot be read counts as zero, as a missing one does.

use serde_json::Value;

/// Decimal and binary suffixes with their factors; binary ones first so `Mi` is not read as `M`.
const SUFFIXES: &[(&str, f64)] = &[
    ("Ki", 1024.0),
    ("Mi", 1_048_576.0),
    ("Gi", 1_073_741_824.0),
    ("Ti", 1_099_511_627_776.0),
    ("Pi", 1_125_899_906_842_624.0),
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
    ("T", 1e12),
    ("P", 1e15),
];

/// A CPU quantity in millicores (`"250m"` → 250, `"2"` → 2000, `"0.5"` → 500).
pub fn millicores(quantity: &str) -> u64 {
    match quantity.strip_suffix('m') {
        Some(milli) => milli.parse().unwrap_or(0),
        None => scaled(quantity).map_or(0, |cores| (cores * 1000.0) as u64),
    }
}

/// A memory quantity in bytes (`"128Mi"`, `"1G"`, `"512"`).
pub fn bytes(quantity: &str) -> u64 {
    scaled(quantity).map_or(0, |bytes| bytes as u64)
}

/// A CPU quantity as an object holds it: a string, or a JSON number of (whole or fractional)
/// cores.
pub fn value_millicores(quantity: &Value) -> u64 {
    match quantity {
        Value::Number(cores) => cores.as_f64().map_or(0, |c| (c * 1000.0) as u64),
        other => millicores(other.as_str().unwrap_or_default()),
    }
}

/// A memory quantity as an object holds it: a string, or a JSON number of bytes.
pub fn value_bytes(quantity: &Value) -> u64 {
    match quantity {
        Value::Number(bytes) => bytes.as_f64().map_or(0, |b| b as u64),
        other => bytes(other.as_str().unwrap_or_default()),
    }
}

/// What a pod asks of its node, CPU in millicores and memory in bytes, as the scheduler
/// counts it: its containers' requests added up, or its largest init container's if that is
/// more (init containers run one at a time, before the others).
pub fn pod_requests(pod: &Value) -> (u64, u64) {
    let spec = &pod["spec"];
    let requested = |container: &Value| {
        let requests = &container["resources"]["requests"];
        let limits = &container["resources"]["limits"];
        // A limit without a request requests the limit, as the API server defaults it.
        let pick = |name: &str| {
            if requests.get(name).is_some() {
                &requests[name]
            } else {
                &limits[name]
            }
        };
        (value_millicores(pick("cpu")), value_bytes(pick("memory")))
    };
    let containers = |field: &str| spec[field].as_array().into_iter().flatten().map(requested);
    let (cpu, memory) =
        containers("containers").fold((0, 0), |(cpu, memory), (c, m)| (cpu + c, memory + m));
    containers("initContainers").fold((cpu, memory), |(cpu, memory), (c, m)| {
        (cpu.max(c), memory.max(m))
    })
}

/// The node a pod is bound to and what it asks of it ([`pod_requests`]), as a node's load counts
/// it; `None` for a pod not bound yet or finished (`Succeeded` or `Failed`).
pub fn pod_on_node(pod: &Value) -> Option<(&str, (u64, u64))> {
    let node = pod["spec"]["nodeName"]
        .as_str()
        .filter(|node| !node.is_empty())?;
    if matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    ) {
        return None;
    }
    Some((node, pod_requests(pod)))
}

fn scaled(quantity: &str) -> Option<f64> {
    let quantity = quantity.trim();
    let (number, factor) = SUFFIXES
        .iter()
        .find_map(|(suffix, factor)| quantity.strip_suffix(suffix).map(|n| (n, *factor)))
        .unwrap_or((quantity, 1.0));
    number
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n * factor)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn quantities_read_like_kubernetes() {
        assert_eq!(millicores("250m"), 250);
        assert_eq!(millicores("2"), 2000);
        assert_eq!(millicores("0.5"), 500);
        assert_eq!(millicores("1k"), 1_000_000);
        assert_eq!(bytes("128Mi"), 128 << 20);
        assert_eq!(bytes("16365604Ki"), 16_365_604 * 1024);
        assert_eq!(bytes("1G"), 1_000_000_000);
        assert_eq!(bytes("94580335255"), 94_580_335_255);
        assert_eq!(bytes("1Pi"), 1 << 50);
        assert_eq!(bytes("lots"), 0);
        assert_eq!(bytes("-1Gi"), 0);
        assert_eq!(bytes("inf"), 0, "not a quantity");
        assert_eq!(bytes("1e400Ki"), 0, "too large to be one");
        assert_eq!(millicores("NaN"), 0);
        assert_eq!(millicores(""), 0);
    }

    #[test]
    fn quantities_in_objects_may_be_numbers() {
        assert_eq!(value_millicores(&json!(1)), 1000);
        assert_eq!(value_millicores(&json!(0.25)), 250);
        assert_eq!(value_millicores(&json!("250m")), 250);
        assert_eq!(value_bytes(&json!(512)), 512);
        assert_eq!(value_bytes(&json!("128Mi")), 128 << 20);
        assert_eq!(value_bytes(&json!(null)), 0);
    }

    #[test]
    fn only_a_bound_unfinished_pod_loads_its_node() {
        let pod = |node: &str, phase: &str| {
            json!({"spec": {"nodeName": node, "containers": [
                       {"name": "c", "resources": {"requests": {"cpu": "250m", "memory": "1Mi"}}}]},
                   "status": {"phase": phase}})
        };
        assert_eq!(
            pod_on_node(&pod("node-1", "Running")),
            Some(("node-1", (250, 1 << 20)))
        );
        assert_eq!(pod_on_node(&pod("", "Pending")), None);
        assert_eq!(pod_on_node(&pod("node-1", "Succeeded")), None);
        assert_eq!(pod_on_node(&pod("node-1", "Failed")), None);
    }

    #[test]
    fn a_pod_requests_its_containers_or_its_largest_init_container() {
        let pod = json!({"spec": {"containers": [
            {"resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
            {"resources": {"limits": {"cpu": "1"}}},
            {"name": "asks-nothing"},
        ]}});
        assert_eq!(pod_requests(&pod), (1100, 64 << 20));
        let mut with_init = pod.clone();
        with_init["spec"]["initContainers"] = json!([
            {"resources": {"requests": {"cpu": "2", "memory": "1Mi"}}},
        ]);
        assert_eq!(pod_requests(&with_init), (2000, 64 << 20));
        assert_eq!(pod_requests(&json!({})), (0, 0));
    }
}
