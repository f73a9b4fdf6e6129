//! The protobuf field numbers of the built-in kinds kubectl creates from its own generators,
//! with their JSON names. Only fields those generators and common manifests set are listed.

/// How a field's value is encoded and turned into JSON.
pub enum FieldType {
    /// A string; omitted when empty.
    Str,
    /// Bytes, written as base64.
    Bytes,
    /// An integer; omitted when zero (a non-pointer field).
    Int,
    /// An integer kept even when zero (a pointer field, such as `replicas`).
    KeptInt,
    /// A boolean; omitted when false.
    Bool,
    /// A boolean kept even when false.
    KeptBool,
    /// `meta.v1.Time`, written as RFC 3339.
    Time,
    /// `resource.Quantity`, written as its string.
    Quantity,
    /// `intstr.IntOrString`.
    IntOrString,
    /// A map from strings to values of this type.
    Map(&'static FieldType),
    /// A nested message.
    Message(&'static [Field]),
    /// A message whose fields JSON writes into the enclosing object (a Go embedded struct).
    Inline(&'static [Field]),
}

/// One field of a message.
pub struct Field {
    /// The protobuf field number.
    pub number: u32,
    /// The JSON name.
    pub name: &'static str,
    /// The value type.
    pub field_type: FieldType,
    /// Whether the field repeats (a JSON list).
    pub repeated: bool,
}

use FieldType::*;

const fn f(number: u32, name: &'static str, field_type: FieldType) -> Field {
    Field {
        number,
        name,
        field_type,
        repeated: false,
    }
}

const fn list(number: u32, name: &'static str, field_type: FieldType) -> Field {
    Field {
        number,
        name,
        field_type,
        repeated: true,
    }
}

const STRINGS: FieldType = Str;
const QUANTITIES: FieldType = Quantity;
const BYTES: FieldType = Bytes;

const OWNER_REFERENCE: &[Field] = &[
    f(1, "kind", Str),
    f(3, "name", Str),
    f(4, "uid", Str),
    f(5, "apiVersion", Str),
    f(6, "controller", KeptBool),
    f(7, "blockOwnerDeletion", KeptBool),
];

const OBJECT_META: &[Field] = &[
    f(1, "name", Str),
    f(2, "generateName", Str),
    f(3, "namespace", Str),
    f(5, "uid", Str),
    f(6, "resourceVersion", Str),
    f(7, "generation", Int),
    f(8, "creationTimestamp", Time),
    f(9, "deletionTimestamp", Time),
    f(10, "deletionGracePeriodSeconds", KeptInt),
    f(11, "labels", Map(&STRINGS)),
    f(12, "annotations", Map(&STRINGS)),
    list(13, "ownerReferences", Message(OWNER_REFERENCE)),
    list(14, "finalizers", Str),
];

const LABEL_SELECTOR_REQUIREMENT: &[Field] = &[
    f(1, "key", Str),
    f(2, "operator", Str),
    list(3, "values", Str),
];

const LABEL_SELECTOR: &[Field] = &[
    f(1, "matchLabels", Map(&STRINGS)),
    list(2, "matchExpressions", Message(LABEL_SELECTOR_REQUIREMENT)),
];

const LOCAL_OBJECT_REFERENCE: &[Field] = &[f(1, "name", Str)];

const OBJECT_REFERENCE: &[Field] = &[
    f(1, "kind", Str),
    f(2, "namespace", Str),
    f(3, "name", Str),
    f(4, "uid", Str),
    f(5, "apiVersion", Str),
    f(6, "resourceVersion", Str),
    f(7, "fieldPath", Str),
];

const CONTAINER_PORT: &[Field] = &[
    f(1, "name", Str),
    f(2, "hostPort", Int),
    f(3, "containerPort", Int),
    f(4, "protocol", Str),
    f(5, "hostIP", Str),
];

const ENV_VAR: &[Field] = &[f(1, "name", Str), f(2, "value", Str)];

const RESOURCE_REQUIREMENTS: &[Field] = &[
    f(1, "limits", Map(&QUANTITIES)),
    f(2, "requests", Map(&QUANTITIES)),
];

const CONTAINER: &[Field] = &[
    f(1, "name", Str),
    f(2, "image", Str),
    list(3, "command", Str),
    list(4, "args", Str),
    f(5, "workingDir", Str),
    list(6, "ports", Message(CONTAINER_PORT)),
    list(7, "env", Message(ENV_VAR)),
    f(8, "resources", Message(RESOURCE_REQUIREMENTS)),
    f(13, "terminationMessagePath", Str),
    f(14, "imagePullPolicy", Str),
    f(16, "stdin", Bool),
    f(17, "stdinOnce", Bool),
    f(18, "tty", Bool),
    f(20, "terminationMessagePolicy", Str),
];

const POD_SPEC: &[Field] = &[
    list(2, "containers", Message(CONTAINER)),
    f(3, "restartPolicy", Str),
    f(4, "terminationGracePeriodSeconds", KeptInt),
    f(5, "activeDeadlineSeconds", KeptInt),
    f(6, "dnsPolicy", Str),
    f(7, "nodeSelector", Map(&STRINGS)),
    f(8, "serviceAccountName", Str),
    f(9, "serviceAccount", Str),
    f(10, "nodeName", Str),
    f(11, "hostNetwork", Bool),
    list(15, "imagePullSecrets", Message(LOCAL_OBJECT_REFERENCE)),
    f(16, "hostname", Str),
    f(17, "subdomain", Str),
    f(19, "schedulerName", Str),
    list(20, "initContainers", Message(CONTAINER)),
    f(21, "automountServiceAccountToken", KeptBool),
    f(24, "priorityClassName", Str),
    f(25, "priority", KeptInt),
    f(30, "enableServiceLinks", KeptBool),
];

const POD_TEMPLATE_SPEC: &[Field] = &[
    f(1, "metadata", Message(OBJECT_META)),
    f(2, "spec", Message(POD_SPEC)),
];

const ROLLING_UPDATE: &[Field] = &[
    f(1, "maxUnavailable", IntOrString),
    f(2, "maxSurge", IntOrString),
];

const DEPLOYMENT_STRATEGY: &[Field] = &[
    f(1, "type", Str),
    f(2, "rollingUpdate", Message(ROLLING_UPDATE)),
];

const DEPLOYMENT_SPEC: &[Field] = &[
    f(1, "replicas", KeptInt),
    f(2, "selector", Message(LABEL_SELECTOR)),
    f(3, "template", Message(POD_TEMPLATE_SPEC)),
    f(4, "strategy", Message(DEPLOYMENT_STRATEGY)),
    f(5, "minReadySeconds", Int),
    f(6, "revisionHistoryLimit", KeptInt),
    f(7, "paused", Bool),
    f(9, "progressDeadlineSeconds", KeptInt),
];

const JOB_SPEC: &[Field] = &[
    f(1, "parallelism", KeptInt),
    f(2, "completions", KeptInt),
    f(3, "activeDeadlineSeconds", KeptInt),
    f(4, "selector", Message(LABEL_SELECTOR)),
    f(5, "manualSelector", KeptBool),
    f(6, "template", Message(POD_TEMPLATE_SPEC)),
    f(7, "backoffLimit", KeptInt),
    f(8, "ttlSecondsAfterFinished", KeptInt),
    f(9, "completionMode", Str),
    f(10, "suspend", KeptBool),
];

const JOB_TEMPLATE_SPEC: &[Field] = &[
    f(1, "metadata", Message(OBJECT_META)),
    f(2, "spec", Message(JOB_SPEC)),
];

const CRON_JOB_SPEC: &[Field] = &[
    f(1, "schedule", Str),
    f(2, "startingDeadlineSeconds", KeptInt),
    f(3, "concurrencyPolicy", Str),
    f(4, "suspend", KeptBool),
    f(5, "jobTemplate", Message(JOB_TEMPLATE_SPEC)),
    f(6, "successfulJobsHistoryLimit", KeptInt),
    f(7, "failedJobsHistoryLimit", KeptInt),
    f(8, "timeZone", Str),
];

const SERVICE_PORT: &[Field] = &[
    f(1, "name", Str),
    f(2, "protocol", Str),
    f(3, "port", KeptInt),
    f(4, "targetPort", IntOrString),
    f(5, "nodePort", Int),
    f(6, "appProtocol", Str),
];

const SERVICE_SPEC: &[Field] = &[
    list(1, "ports", Message(SERVICE_PORT)),
    f(2, "selector", Map(&STRINGS)),
    f(3, "clusterIP", Str),
    f(4, "type", Str),
    list(5, "externalIPs", Str),
    f(7, "sessionAffinity", Str),
    f(10, "externalName", Str),
    list(18, "clusterIPs", Str),
];

const POLICY_RULE: &[Field] = &[
    list(1, "verbs", Str),
    list(2, "apiGroups", Str),
    list(3, "resources", Str),
    list(4, "resourceNames", Str),
    list(5, "nonResourceURLs", Str),
];

const ROLE_REF: &[Field] = &[f(1, "apiGroup", Str), f(2, "kind", Str), f(3, "name", Str)];

const SUBJECT: &[Field] = &[
    f(1, "kind", Str),
    f(2, "apiGroup", Str),
    f(3, "name", Str),
    f(4, "namespace", Str),
];

const NAMESPACE_SPEC: &[Field] = &[list(1, "finalizers", Str)];

const RESOURCE_QUOTA_SPEC: &[Field] = &[f(1, "hard", Map(&QUANTITIES)), list(2, "scopes", Str)];

const SERVICE_BACKEND_PORT: &[Field] = &[f(1, "name", Str), f(2, "number", Int)];

const INGRESS_SERVICE_BACKEND: &[Field] = &[
    f(1, "name", Str),
    f(2, "port", Message(SERVICE_BACKEND_PORT)),
];

const INGRESS_BACKEND: &[Field] = &[f(4, "service", Message(INGRESS_SERVICE_BACKEND))];

const HTTP_INGRESS_PATH: &[Field] = &[
    f(1, "path", Str),
    f(2, "backend", Message(INGRESS_BACKEND)),
    f(3, "pathType", Str),
];

const HTTP_INGRESS_RULE_VALUE: &[Field] = &[list(1, "paths", Message(HTTP_INGRESS_PATH))];

const INGRESS_RULE_VALUE: &[Field] = &[f(1, "http", Message(HTTP_INGRESS_RULE_VALUE))];

const INGRESS_RULE: &[Field] = &[
    f(1, "host", Str),
    f(2, "ingressRuleValue", Inline(INGRESS_RULE_VALUE)),
];

const INGRESS_TLS: &[Field] = &[list(1, "hosts", Str), f(2, "secretName", Str)];

const INGRESS_SPEC: &[Field] = &[
    f(1, "defaultBackend", Message(INGRESS_BACKEND)),
    list(2, "tls", Message(INGRESS_TLS)),
    list(3, "rules", Message(INGRESS_RULE)),
    f(4, "ingressClassName", Str),
];

const RESOURCE_ATTRIBUTES: &[Field] = &[
    f(1, "namespace", Str),
    f(2, "verb", Str),
    f(3, "group", Str),
    f(4, "version", Str),
    f(5, "resource", Str),
    f(6, "subresource", Str),
    f(7, "name", Str),
];

const NON_RESOURCE_ATTRIBUTES: &[Field] = &[f(1, "path", Str), f(2, "verb", Str)];

const SELF_SUBJECT_ACCESS_REVIEW_SPEC: &[Field] = &[
    f(1, "resourceAttributes", Message(RESOURCE_ATTRIBUTES)),
    f(2, "nonResourceAttributes", Message(NON_RESOURCE_ATTRIBUTES)),
];

const METADATA: Field = f(1, "metadata", Message(OBJECT_META));

/// The top-level fields of `kind`, if the sandbox reads it from protobuf.
pub fn object(kind: &str) -> Option<&'static [Field]> {
    const NAMESPACE: &[Field] = &[METADATA, f(2, "spec", Message(NAMESPACE_SPEC))];
    const CONFIG_MAP: &[Field] = &[
        METADATA,
        f(2, "data", Map(&STRINGS)),
        f(3, "binaryData", Map(&BYTES)),
        f(4, "immutable", KeptBool),
    ];
    const SECRET: &[Field] = &[
        METADATA,
        f(2, "data", Map(&BYTES)),
        f(3, "type", Str),
        f(4, "stringData", Map(&STRINGS)),
        f(5, "immutable", KeptBool),
    ];
    const SERVICE_ACCOUNT: &[Field] = &[
        METADATA,
        list(2, "secrets", Message(OBJECT_REFERENCE)),
        list(3, "imagePullSecrets", Message(LOCAL_OBJECT_REFERENCE)),
        f(4, "automountServiceAccountToken", KeptBool),
    ];
    const POD: &[Field] = &[METADATA, f(2, "spec", Message(POD_SPEC))];
    const SERVICE: &[Field] = &[METADATA, f(2, "spec", Message(SERVICE_SPEC))];
    const DEPLOYMENT: &[Field] = &[METADATA, f(2, "spec", Message(DEPLOYMENT_SPEC))];
    const JOB: &[Field] = &[METADATA, f(2, "spec", Message(JOB_SPEC))];
    const CRON_JOB: &[Field] = &[METADATA, f(2, "spec", Message(CRON_JOB_SPEC))];
    const ROLE: &[Field] = &[METADATA, list(2, "rules", Message(POLICY_RULE))];
    const BINDING: &[Field] = &[
        METADATA,
        list(2, "subjects", Message(SUBJECT)),
        f(3, "roleRef", Message(ROLE_REF)),
    ];
    const RESOURCE_QUOTA: &[Field] = &[METADATA, f(2, "spec", Message(RESOURCE_QUOTA_SPEC))];
    const INGRESS: &[Field] = &[METADATA, f(2, "spec", Message(INGRESS_SPEC))];
    const SELF_SUBJECT_ACCESS_REVIEW: &[Field] = &[
        METADATA,
        f(2, "spec", Message(SELF_SUBJECT_ACCESS_REVIEW_SPEC)),
    ];
    // Not an object, but sent as one: client-go encodes a DELETE's options as protobuf too.
    const PRECONDITIONS: &[Field] = &[f(1, "uid", Str), f(2, "resourceVersion", Str)];
    const DELETE_OPTIONS: &[Field] = &[
        f(1, "gracePeriodSeconds", KeptInt),
        f(2, "preconditions", Message(PRECONDITIONS)),
        f(3, "orphanDependents", KeptBool),
        f(4, "propagationPolicy", Str),
        list(5, "dryRun", Str),
    ];
    Some(match kind {
        "DeleteOptions" => DELETE_OPTIONS,
        "Namespace" => NAMESPACE,
        "ConfigMap" => CONFIG_MAP,
        "Secret" => SECRET,
        "ServiceAccount" => SERVICE_ACCOUNT,
        "Pod" => POD,
        "Service" => SERVICE,
        "Deployment" => DEPLOYMENT,
        "Job" => JOB,
        "CronJob" => CRON_JOB,
        "Role" | "ClusterRole" => ROLE,
        "RoleBinding" | "ClusterRoleBinding" => BINDING,
        "ResourceQuota" => RESOURCE_QUOTA,
        "Ingress" => INGRESS,
        "SelfSubjectAccessReview" => SELF_SUBJECT_ACCESS_REVIEW,
        _ => return None,
    })
}
