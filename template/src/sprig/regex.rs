//! Sprig's regular expressions. Go's syntax and Rust's `regex` are both RE2's; one difference
//! remains: here `\d`, `\w`, `\s` and `\b` know Unicode, where Go's know ASCII only.

use regex::{NoExpand, Regex};

use crate::funcs::{Add, CallError, Function, Functions, Param};
use crate::value::Value;

/// Go's `regexp.MustCompile`, whose panic the template reports.
fn compile(pattern: &str) -> Result<Regex, CallError> {
    Regex::new(pattern)
        .map_err(|error| CallError::Failed(format!("regexp: Compile({pattern:?}): {error}")))
}

/// At most `limit` of `found` (all when negative), as Go's `n` arguments count.
fn limited(found: Vec<String>, limit: i64) -> Value {
    let kept: Vec<Value> = match usize::try_from(limit) {
        Ok(limit) => found.into_iter().take(limit).map(Value::Str).collect(),
        Err(_) => found.into_iter().map(Value::Str).collect(),
    };
    Value::List(kept)
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
fn quote_meta(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn functions() -> Functions {
    use Param::{Int, Str};
    let mut functions = Functions::new();
    functions.add(
        "regexMatch",
        Function::new(&[Str, Str], None, |args| {
            Ok(Value::Bool(
                Regex::new(args[0].text()).is_ok_and(|regex| regex.is_match(args[1].text())),
            ))
        }),
    );
    functions.add(
        "regexFind",
        Function::new(&[Str, Str], None, |args| {
            let regex = compile(args[0].text())?;
            Ok(Value::Str(
                regex
                    .find(args[1].text())
                    .map(|found| found.as_str().to_owned())
                    .unwrap_or_default(),
            ))
        }),
    );
    functions.add(
        "regexFindAll",
        Function::new(&[Str, Str, Int], None, |args| {
            let regex = compile(args[0].text())?;
            let found = regex
                .find_iter(args[1].text())
                .map(|found| found.as_str().to_owned())
                .collect();
            Ok(limited(found, args[2].int()))
        }),
    );
    functions.add(
        "regexReplaceAll",
        Function::new(&[Str, Str, Str], None, |args| {
            let regex = compile(args[0].text())?;
            Ok(Value::Str(
                regex
                    .replace_all(args[1].text(), args[2].text())
                    .into_owned(),
            ))
        }),
    );
    functions.add(
        "regexReplaceAllLiteral",
        Function::new(&[Str, Str, Str], None, |args| {
            let regex = compile(args[0].text())?;
            Ok(Value::Str(
                regex
                    .replace_all(args[1].text(), NoExpand(args[2].text()))
                    .into_owned(),
            ))
        }),
    );
    functions.add(
        "regexSplit",
        Function::new(&[Str, Str, Int], None, |args| {
            let regex = compile(args[0].text())?;
            let limit = args[2].int();
            if limit == 0 {
                return Ok(Value::Nil);
            }
            let parts: Vec<String> = match usize::try_from(limit) {
                Ok(limit) => regex
                    .splitn(args[1].text(), limit)
                    .map(str::to_owned)
                    .collect(),
                Err(_) => regex.split(args[1].text()).map(str::to_owned).collect(),
            };
            Ok(limited(parts, -1))
        }),
    );
    functions.add(
        "regexQuoteMeta",
        Function::new(&[Str], None, |args| {
            Ok(Value::Str(quote_meta(args[0].text())))
        }),
    );
    functions
}
