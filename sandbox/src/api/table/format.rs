//! Cell helpers: pod status, label and selector text, and kubectl's human durations.

use serde_json::{Value, json};

pub(super) fn pod_cells(o: &Value, name: Value, age: Value) -> Vec<Value> {
    let statuses = o["status"]["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let total = o["spec"]["containers"].as_array().map_or(0, Vec::len);
    let ready = statuses
        .iter()
        .filter(|s| s["ready"] == json!(true))
        .count();
    let restarts: i64 = statuses
        .iter()
        .filter_map(|s| s["restartCount"].as_i64())
        .sum();
    let mut reason = o["status"]["reason"]
        .as_str()
        .or(o["status"]["phase"].as_str())
        .unwrap_or("Pending")
        .to_owned();
    for status in statuses.iter().rev() {
        if let Some(waiting) = status["state"]["waiting"]["reason"].as_str() {
            reason = waiting.to_owned();
        } else if let Some(terminated) = status["state"]["terminated"]["reason"].as_str() {
            reason = terminated.to_owned();
        }
    }
    if o["metadata"]["deletionTimestamp"].is_string() {
        reason = "Terminating".to_owned();
    }
    let none = |value: Option<&str>| json!(value.filter(|v| !v.is_empty()).unwrap_or("<none>"));
    vec![
        name,
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts.to_string()),
        age,
        none(o["status"]["podIP"].as_str()),
        none(o["spec"]["nodeName"].as_str()),
        none(o["status"]["nominatedNodeName"].as_str()),
        json!("<none>"),
    ]
}

pub(super) fn lookup<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

pub(super) fn conditions(o: &Value) -> impl Iterator<Item = &Value> {
    o["status"]["conditions"].as_array().into_iter().flatten()
}

pub(super) fn labels(o: &Value) -> serde_json::Map<String, Value> {
    o["metadata"]["labels"]
        .as_object()
        .cloned()
        .unwrap_or_default()
}

pub(super) fn map_text(map: &Value) -> String {
    map.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

pub(super) fn match_labels(selector: &Value) -> String {
    map_text(&selector["matchLabels"])
}

pub(super) fn access_mode(mode: &str) -> &str {
    match mode {
        "ReadWriteOnce" => "RWO",
        "ReadOnlyMany" => "ROX",
        "ReadWriteMany" => "RWX",
        "ReadWriteOncePod" => "RWOP",
        other => other,
    }
}

/// The object's age, as `kubectl get` prints it.
pub(super) fn age(o: &Value) -> String {
    o["metadata"]["creationTimestamp"]
        .as_str()
        .map(human_age)
        .unwrap_or_else(|| "<unknown>".to_owned())
}

/// How long ago `timestamp` was, in kubectl's short human form (`5s`, `3m20s`, `4d`).
pub fn human_age(timestamp: &str) -> String {
    match timestamp.parse::<jiff::Timestamp>() {
        Ok(then) => human_duration(jiff::Timestamp::now().as_second() - then.as_second()),
        Err(_) => "<unknown>".to_owned(),
    }
}

pub(super) fn span(start: &str, end: &str) -> String {
    match (
        start.parse::<jiff::Timestamp>(),
        end.parse::<jiff::Timestamp>(),
    ) {
        (Ok(start), Ok(end)) => human_duration(end.as_second() - start.as_second()),
        _ => String::new(),
    }
}

/// Kubernetes' `HumanDuration`.
fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".to_owned();
    }
    let seconds = seconds.max(0);
    let (minutes, hours) = (seconds / 60, seconds / 3600);
    let days = hours / 24;
    match () {
        () if seconds < 120 => format!("{seconds}s"),
        () if minutes < 10 => two_units(minutes, "m", seconds % 60, "s"),
        () if minutes < 180 => format!("{minutes}m"),
        () if hours < 8 => two_units(hours, "h", minutes % 60, "m"),
        () if hours < 48 => format!("{hours}h"),
        () if hours < 24 * 8 => two_units(days, "d", hours % 24, "h"),
        () if hours < 24 * 365 * 2 => format!("{days}d"),
        () if hours < 24 * 365 * 8 => two_units(days / 365, "y", days % 365, "d"),
        () => format!("{}y", days / 365),
    }
}

/// `3m20s`, or `3m` when the smaller unit is zero.
fn two_units(major: i64, major_unit: &str, minor: i64, minor_unit: &str) -> String {
    if minor == 0 {
        format!("{major}{major_unit}")
    } else {
        format!("{major}{major_unit}{minor}{minor_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(200), "3m20s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(4 * 3600 + 60 * 5), "4h5m");
        assert_eq!(human_duration(30 * 3600), "30h");
        assert_eq!(human_duration(3 * 86400 + 3600), "3d1h");
        assert_eq!(human_duration(100 * 86400), "100d");
        assert_eq!(human_duration(-5), "<invalid>");
    }

    #[test]
    fn pod_status_prefers_container_reasons() {
        let pod = json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Running", "containerStatuses": [{"ready": false, "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}
        });
        let cells = pod_cells(&pod, json!("p"), json!("1s"));
        assert_eq!(cells[1], "0/1");
        assert_eq!(cells[2], "CrashLoopBackOff");
        assert_eq!(cells[3], "4");
    }
}
