//! Sprig's string functions.

use super::convert::strval;
use super::lists::strings_of;
use crate::format::quote;
use crate::funcs::{Add, CallError, Function, Functions, Param};
use crate::value::{Map, Value};

/// `strings.Title`: the first letter of every word upper-cased.
fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let starts = previous.is_none_or(separates);
        if starts {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    out
}

/// Go's `isSeparator` for `strings.Title`.
fn separates(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

fn trunc(count: i64, text: &str) -> String {
    let length = i64::try_from(text.len()).unwrap_or(i64::MAX);
    let cut = |at: i64| usize::try_from(at).unwrap_or(0);
    if count < 0 && length + count > 0 {
        return text.get(cut(length + count)..).unwrap_or(text).to_owned();
    }
    if count >= 0 && length > count {
        return text.get(..cut(count)).unwrap_or(text).to_owned();
    }
    text.to_owned()
}

fn substr(start: i64, end: i64, text: &str) -> Result<String, CallError> {
    let length = i64::try_from(text.len()).unwrap_or(i64::MAX);
    let range = if start < 0 {
        0..end
    } else if end < 0 || end > length {
        start..length
    } else {
        start..end
    };
    let bytes = usize::try_from(range.start)
        .ok()
        .zip(usize::try_from(range.end).ok());
    bytes
        .and_then(|(from, to)| text.get(from..to))
        .map(str::to_owned)
        .ok_or_else(|| {
            CallError::Failed(format!(
                "runtime error: slice bounds out of range [{}:{}]",
                range.start, range.end
            ))
        })
}

fn indent(spaces: i64, text: &str) -> String {
    let pad = " ".repeat(usize::try_from(spaces).unwrap_or(0));
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// Sprig's `split` and `splitn` answer: the parts keyed `_0`, `_1`, ….
fn numbered<'a>(parts: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Map(Map::new(
        parts
            .into_iter()
            .enumerate()
            .map(|(at, part)| (format!("_{at}"), Value::Str(part.to_owned())))
            .collect(),
    ))
}

fn string(body: impl Fn(&str) -> String + Send + Sync + 'static) -> Function {
    Function::new(&[Param::Str], None, move |args| {
        Ok(Value::Str(body(args[0].text())))
    })
}

fn string_pair(body: impl Fn(&str, &str) -> Value + Send + Sync + 'static) -> Function {
    Function::new(&[Param::Str, Param::Str], None, move |args| {
        Ok(body(args[0].text(), args[1].text()))
    })
}

fn non_nil(args: &[Value]) -> impl Iterator<Item = &Value> {
    args.iter().filter(|value| !matches!(value, Value::Nil))
}

pub(super) fn functions() -> Functions {
    use Param::{Any, Int, Str};
    let mut functions = Functions::new();
    functions.add("upper", string(str::to_uppercase));
    functions.add("lower", string(str::to_lowercase));
    functions.add("title", string(title));
    functions.add("trim", string(|text| text.trim().to_owned()));
    functions.add(
        "nospace",
        string(|text| text.chars().filter(|c| !c.is_whitespace()).collect()),
    );
    functions.add("b64enc", string(|text| base64(text.as_bytes())));
    functions.add(
        "b64dec",
        Function::new(&[Str], None, |args| {
            use base64::Engine;
            // Go returns its decoder's error as the text; its wording is not reproduced, so
            // such a call fails instead of rendering something else.
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(args[0].text())
                .map_err(|_| {
                    CallError::Unsupported("b64dec of text that is not base64".to_owned())
                })?;
            Ok(Value::Str(String::from_utf8_lossy(&bytes).into_owned()))
        }),
    );
    functions.add(
        "sha1sum",
        string(|text| {
            use sha1::Digest;
            hex(&sha1::Sha1::digest(text.as_bytes()))
        }),
    );
    functions.add(
        "adler32sum",
        string(|text| adler32(text.as_bytes()).to_string()),
    );
    functions.add(
        "abbrev",
        Function::new(&[Int, Str], None, |args| {
            Ok(Value::Str(abbreviate(args[0].int(), args[1].text())))
        }),
    );
    functions.add(
        "plural",
        Function::new(&[Str, Str, Int], None, |args| {
            Ok(args[if args[2].int() == 1 { 0 } else { 1 }].clone())
        }),
    );
    functions.add(
        "toStrings",
        Function::new(&[Any], None, |args| {
            Ok(Value::List(
                strings_of(&args[0]).into_iter().map(Value::Str).collect(),
            ))
        }),
    );
    functions.add(
        "splitn",
        Function::new(&[Str, Int, Str], None, |args| {
            let (separator, text) = (args[0].text(), args[2].text());
            let parts: Vec<&str> = match usize::try_from(args[1].int()) {
                Ok(0) => Vec::new(),
                Ok(limit) => text.splitn(limit, separator).collect(),
                Err(_) => text.split(separator).collect(),
            };
            Ok(numbered(parts))
        }),
    );
    functions.add(
        "split",
        string_pair(|separator, text| numbered(text.split(separator))),
    );
    functions.add("sha256sum", string(|text| sha256_hex(text.as_bytes())));
    functions.add(
        "trimAll",
        string_pair(|cutset, text| {
            Value::Str(text.trim_matches(|c| cutset.contains(c)).to_owned())
        }),
    );
    functions.add(
        "trimPrefix",
        string_pair(|prefix, text| {
            Value::Str(text.strip_prefix(prefix).unwrap_or(text).to_owned())
        }),
    );
    functions.add(
        "trimSuffix",
        string_pair(|suffix, text| {
            Value::Str(text.strip_suffix(suffix).unwrap_or(text).to_owned())
        }),
    );
    functions.add(
        "contains",
        string_pair(|part, text| Value::Bool(text.contains(part))),
    );
    functions.add(
        "hasPrefix",
        string_pair(|part, text| Value::Bool(text.starts_with(part))),
    );
    functions.add(
        "hasSuffix",
        string_pair(|part, text| Value::Bool(text.ends_with(part))),
    );
    functions.add(
        "splitList",
        string_pair(|separator, text| {
            Value::List(
                text.split(separator)
                    .map(|part| Value::Str(part.to_owned()))
                    .collect(),
            )
        }),
    );
    functions.add(
        "replace",
        Function::new(&[Str, Str, Str], None, |args| {
            Ok(Value::Str(
                args[2].text().replace(args[0].text(), args[1].text()),
            ))
        }),
    );
    functions.add(
        "trunc",
        Function::new(&[Int, Str], None, |args| {
            Ok(Value::Str(trunc(args[0].int(), args[1].text())))
        }),
    );
    functions.add(
        "substr",
        Function::new(&[Int, Int, Str], None, |args| {
            substr(args[0].int(), args[1].int(), args[2].text()).map(Value::Str)
        }),
    );
    functions.add(
        "repeat",
        Function::new(&[Int, Str], None, |args| {
            let count = usize::try_from(args[0].int())
                .map_err(|_| CallError::Failed("strings: negative Repeat count".to_owned()))?;
            Ok(Value::Str(args[1].text().repeat(count)))
        }),
    );
    functions.add(
        "indent",
        Function::new(&[Int, Str], None, |args| {
            Ok(Value::Str(indent(args[0].int(), args[1].text())))
        }),
    );
    functions.add(
        "nindent",
        Function::new(&[Int, Str], None, |args| {
            Ok(Value::Str(format!(
                "\n{}",
                indent(args[0].int(), args[1].text())
            )))
        }),
    );
    functions.add(
        "quote",
        Function::new(&[], Some(Any), |args| {
            let quoted: Vec<String> = non_nil(args).map(|value| quote(&strval(value))).collect();
            Ok(Value::Str(quoted.join(" ")))
        }),
    );
    functions.add(
        "squote",
        Function::new(&[], Some(Any), |args| {
            let quoted: Vec<String> = non_nil(args)
                .map(|value| format!("'{}'", strval(value)))
                .collect();
            Ok(Value::Str(quoted.join(" ")))
        }),
    );
    functions.add(
        "cat",
        Function::new(&[], Some(Any), |args| {
            let parts: Vec<String> = non_nil(args).map(strval).collect();
            Ok(Value::Str(parts.join(" ")))
        }),
    );
    functions.add(
        "join",
        Function::new(&[Str, Any], None, |args| {
            Ok(Value::Str(strings_of(&args[1]).join(args[0].text())))
        }),
    );
    functions
}

/// Standard base64 with padding, as Go's `base64.StdEncoding` writes it.
fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// SHA-256 of `bytes` in lower-case hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Adler-32, as Go's `hash/adler32` sums.
fn adler32(bytes: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    for byte in bytes {
        a = (a + u32::from(*byte)) % MOD;
        b = (b + a) % MOD;
    }
    (b << 16) | a
}

/// goutils' `Abbreviate`: cut to `width` bytes ending in `...`, unless it fits or the width
/// is under 4.
fn abbreviate(width: i64, text: &str) -> String {
    let width = usize::try_from(width).unwrap_or(0);
    if width < 4 || text.len() <= width {
        return text.to_owned();
    }
    format!("{}...", text.get(..width - 3).unwrap_or(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_encodings_are_the_standard_ones() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            base64(b"any carnal pleasure"),
            "YW55IGNhcm5hbCBwbGVhc3VyZQ=="
        );
    }

    #[test]
    fn trunc_counts_from_either_end() {
        assert_eq!(trunc(3, "abcdef"), "abc");
        assert_eq!(trunc(-2, "abcdef"), "ef");
        assert_eq!(trunc(10, "abc"), "abc");
    }
}
