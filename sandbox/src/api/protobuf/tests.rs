use serde_json::json;

use super::*;

fn varint(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn bytes_field(number: u32, bytes: &[u8]) -> Vec<u8> {
    let mut out = varint(u64::from(number) << 3 | 2);
    out.extend(varint(bytes.len() as u64));
    out.extend(bytes);
    out
}

fn varint_field(number: u32, value: u64) -> Vec<u8> {
    let mut out = varint(u64::from(number) << 3);
    out.extend(varint(value));
    out
}

fn map_entry(number: u32, key: &str, value: &[u8]) -> Vec<u8> {
    let mut entry = bytes_field(1, key.as_bytes());
    entry.extend(bytes_field(2, value));
    bytes_field(number, &entry)
}

fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
    let mut type_meta = bytes_field(1, api_version.as_bytes());
    type_meta.extend(bytes_field(2, kind.as_bytes()));
    let mut body = MAGIC.to_vec();
    body.extend(bytes_field(1, &type_meta));
    body.extend(bytes_field(2, raw));
    body.extend(bytes_field(3, b""));
    body.extend(bytes_field(4, b""));
    body
}

/// What `kubectl create deployment web --image=nginx --replicas=0` sends, field by field.
fn deployment() -> Vec<u8> {
    let mut metadata = bytes_field(1, b"web");
    metadata.extend(bytes_field(2, b""));
    metadata.extend(map_entry(11, "app", b"web"));
    metadata.extend(bytes_field(8, b""));
    let mut container = bytes_field(1, b"nginx");
    container.extend(bytes_field(2, b"nginx"));
    container.extend(bytes_field(8, b""));
    container.extend(varint_field(16, 0));
    let mut pod_spec = bytes_field(2, &container);
    pod_spec.extend(bytes_field(3, b""));
    let mut template_metadata = map_entry(11, "app", b"web");
    template_metadata.extend(bytes_field(8, b""));
    let mut template = bytes_field(1, &template_metadata);
    template.extend(bytes_field(2, &pod_spec));
    let mut spec = varint_field(1, 0);
    spec.extend(bytes_field(2, &map_entry(1, "app", b"web")));
    spec.extend(bytes_field(3, &template));
    spec.extend(bytes_field(4, b""));
    let mut deployment = bytes_field(1, &metadata);
    deployment.extend(bytes_field(2, &spec));
    let mut status = varint_field(1, 0);
    status.extend(bytes_field(6, b""));
    deployment.extend(bytes_field(3, &status));
    envelope("apps/v1", "Deployment", &deployment)
}

#[test]
fn decodes_what_kubectl_sends_for_a_deployment() {
    let object = decode(&deployment()).unwrap();
    assert_eq!(
        object,
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}
                },
                "strategy": {}
            }
        })
    );
}

#[test]
fn secret_data_becomes_base64_and_ports_keep_their_numbers() {
    let mut secret = bytes_field(1, &bytes_field(1, b"token"));
    secret.extend(map_entry(2, "key", b"\x00\x01hi"));
    secret.extend(bytes_field(3, b"Opaque"));
    let object = decode(&envelope("v1", "Secret", &secret)).unwrap();
    assert_eq!(object["data"]["key"], "AAFoaQ==");
    assert_eq!(object["type"], "Opaque");

    let mut target = varint_field(1, 0);
    target.extend(varint_field(2, 8080));
    let mut port = bytes_field(1, b"http");
    port.extend(varint_field(3, 80));
    port.extend(bytes_field(4, &target));
    let service = bytes_field(2, &bytes_field(1, &port));
    let object = decode(&envelope("v1", "Service", &service)).unwrap();
    assert_eq!(
        object["spec"]["ports"],
        json!([{"name": "http", "port": 80, "targetPort": 8080}])
    );
}

#[test]
fn delete_options_are_read_as_client_go_sends_them() {
    let mut options = varint_field(1, 0);
    options.extend(bytes_field(4, b"Background"));
    options.extend(bytes_field(5, b"All"));
    let object = decode(&envelope("v1", "DeleteOptions", &options)).unwrap();
    assert_eq!(object["gracePeriodSeconds"], 0);
    assert_eq!(object["propagationPolicy"], "Background");
    assert_eq!(object["dryRun"], json!(["All"]));
}

#[test]
fn refuses_what_it_cannot_read_faithfully() {
    let unknown_field = bytes_field(1, &bytes_field(99, b"x"));
    assert!(matches!(
        decode(&envelope("v1", "ConfigMap", &unknown_field)),
        Err(ApiError::UnsupportedMediaType(_))
    ));
    assert!(matches!(
        decode(&envelope("v1", "Widget", b"")),
        Err(ApiError::UnsupportedMediaType(_))
    ));
    assert!(matches!(
        decode(b"not protobuf"),
        Err(ApiError::BadRequest(_))
    ));
    let truncated = &deployment()[..40];
    assert!(matches!(decode(truncated), Err(ApiError::BadRequest(_))));
}
