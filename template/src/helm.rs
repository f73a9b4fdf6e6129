//! What Helm adds to Go's templates and Sprig: `include`, `tpl`, `toYaml`, `required` and
//! `fail`, and
//! the way Helm words a template's failure.

use crate::error::TemplateError;
use crate::funcs::{Add, Call, CallError, Function, Functions, Param};
use crate::sprig::sprig;
use crate::value::{Map, Value};
use crate::yaml::{YamlError, read_yaml, to_yaml};

/// Helm marks the messages of `required` and `fail` with these, to find them again in the
/// error Go builds around them.
const START: &str = "HELM_ERR_START";
const END: &str = "HELM_ERR_END";

fn marked(message: &str) -> CallError {
    CallError::Failed(format!("{START}{message}{END}"))
}

/// Functions Helm's templates have that this engine does not: a template calling one fails
/// when parsed, naming it as unsupported rather than unknown.
pub(crate) const NOT_SUPPORTED: &[&str] = &[
    "abbrevboth",
    "add1f",
    "addf",
    "ago",
    "b32dec",
    "b32enc",
    "base",
    "bcrypt",
    "biggest",
    "buildCustomCert",
    "camelcase",
    "clean",
    "date",
    "dateInZone",
    "dateModify",
    "date_in_zone",
    "date_modify",
    "decryptAES",
    "deepEqual",
    "derivePassword",
    "dir",
    "divf",
    "duration",
    "durationRound",
    "encryptAES",
    "ext",
    "fromToml",
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "hello",
    "htmlDate",
    "htmlDateInZone",
    "htpasswd",
    "initials",
    "isAbs",
    "kebabcase",
    "maxf",
    "minf",
    "mulf",
    "mustDateModify",
    "mustDeepCopy",
    "mustFromJson",
    "mustMerge",
    "mustMergeOverwrite",
    "mustRegexFind",
    "mustRegexFindAll",
    "mustRegexMatch",
    "mustRegexReplaceAll",
    "mustRegexReplaceAllLiteral",
    "mustRegexSplit",
    "mustToDate",
    "mustToJson",
    "mustToPrettyJson",
    "mustToRawJson",
    "must_date_modify",
    "now",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "randBytes",
    "semver",
    "sha512sum",
    "shuffle",
    "snakecase",
    "subf",
    "swapcase",
    "toDate",
    "toDecimal",
    "toPrettyJson",
    "toRawJson",
    "toToml",
    "toYamlPretty",
    "trimall",
    "typeIsLike",
    "unixEpoch",
    "untitle",
    "urlJoin",
    "urlParse",
    "wrap",
    "wrapWith",
];

/// The functions Helm's templates have: Go's, Sprig's, and Helm's own.
pub fn helm() -> Functions {
    use Param::{Any, Str};
    let mut functions = sprig();
    functions.add("include", Function::running(&[Str, Any], Call::Include));
    functions.add(
        "toYaml",
        Function::new(&[Any], None, |args| Ok(Value::Str(to_yaml(&args[0])))),
    );
    functions.add("tpl", Function::running(&[Str, Any], Call::Tpl));
    // `helm template` has no cluster to look in, and looks no names up.
    functions.add(
        "lookup",
        Function::new(&[Str, Str, Str, Str], None, |_| {
            Ok(Value::Map(Map::default()))
        }),
    );
    functions.add(
        "getHostByName",
        Function::new(&[Str], None, |_| Ok(Value::Str(String::new()))),
    );
    functions.add(
        "fromJson",
        Function::new(&[Str], None, |args| from_json(&args[0], false)),
    );
    functions.add(
        "fromYaml",
        Function::new(&[Str], None, |args| from_yaml(&args[0], false)),
    );
    functions.add(
        "fromYamlArray",
        Function::new(&[Str], None, |args| from_yaml(&args[0], true)),
    );
    functions.add(
        "fromJsonArray",
        Function::new(&[Str], None, |args| from_json(&args[0], true)),
    );
    functions.add(
        "required",
        Function::new(&[Str, Any], None, |args| {
            let warning = args[0].text();
            match &args[1] {
                Value::Nil => Err(marked(warning)),
                Value::Str(text) if text.is_empty() => Err(marked(warning)),
                value => Ok(value.clone()),
            }
        }),
    );
    functions.add(
        "fail",
        Function::new(&[Str], None, |args| {
            let message = args[0].text();
            Err(marked(message))
        }),
    );
    functions
}

/// Helm's `fromJson` (a map) and `fromJsonArray` (a list). Text that is not JSON fails: Go's
/// wording of the syntax error is not reproduced.
fn from_json(text: &Value, array: bool) -> Result<Value, CallError> {
    let parsed: serde_json::Value = serde_json::from_str(text.text())
        .map_err(|_| CallError::Unsupported("fromJson of text that is not JSON".to_owned()))?;
    Ok(shaped(Value::from(parsed), array, ""))
}

/// Helm's `fromYaml` (a map) and `fromYamlArray` (a list), reading as Helm reads values. Text
/// that is not YAML fails: Go's wording of the syntax error is not reproduced.
fn from_yaml(text: &Value, array: bool) -> Result<Value, CallError> {
    let value = read_yaml(text.text()).map_err(|error| match error {
        YamlError::Syntax(_) => {
            CallError::Unsupported("fromYaml of text that is not YAML".to_owned())
        }
        YamlError::Refused(message) => CallError::Unsupported(format!("fromYaml of {message}")),
    })?;
    Ok(shaped(
        value,
        array,
        "error unmarshaling JSON: while decoding JSON: ",
    ))
}

/// A decoded value as Go's JSON decoder leaves a map (or, `array`, a list) it is decoded
/// into: the value itself, empty for null, or, for another kind, the map or list holding
/// Go's complaint after `prefix`.
fn shaped(value: Value, array: bool, prefix: &str) -> Value {
    let kind = match &value {
        Value::Object(object) => return shaped(object.data(), array, prefix),
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Str(_) => "string",
        Value::Bool(_) => "bool",
        Value::Nil => {
            return if array {
                Value::List(Vec::new())
            } else {
                Value::Map(Map::default())
            };
        }
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
    };
    if kind == if array { "array" } else { "object" } {
        return value;
    }
    let go_type = if array {
        "[]interface {}"
    } else {
        "map[string]interface {}"
    };
    let complaint = Value::Str(format!(
        "{prefix}json: cannot unmarshal {kind} into Go value of type {go_type}"
    ));
    if array {
        Value::List(vec![complaint])
    } else {
        Value::Map(Map::new(
            [("Error".to_owned(), complaint)].into_iter().collect(),
        ))
    }
}

/// `error` as Helm reports it: a parse error as `parse error at (file:line): message`, a
/// `required` or `fail` as `execution error at (file:line:column): message`, any other
/// failure as Go wrote it.
pub fn helm_message(error: &TemplateError) -> String {
    let text = error.to_string();
    match error {
        TemplateError::Parse { .. } => {
            let tokens: Vec<&str> = text.split(": ").collect();
            match (tokens.get(1), tokens.last()) {
                (Some(location), Some(message)) if tokens.len() > 1 => {
                    format!("parse error at ({location}): {message}")
                }
                _ => text,
            }
        }
        TemplateError::Execute { .. } => {
            let tokens: Vec<&str> = text.splitn(3, ": ").collect();
            let [_, location, rest] = tokens.as_slice() else {
                return text;
            };
            match (rest.find(START), rest.rfind(END)) {
                (Some(start), Some(end)) if start + START.len() <= end => {
                    format!(
                        "execution error at ({location}): {}",
                        &rest[start + START.len()..end]
                    )
                }
                _ => text,
            }
        }
        _ => text,
    }
}
