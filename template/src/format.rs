//! Values written as Go's fmt package writes them: `%v` for printing, and `printf`'s verbs.

use crate::value::Value;

/// A printf verb this engine does not write; the caller names it in its error.
#[derive(Debug, PartialEq)]
pub(crate) struct UnsupportedVerb(pub String);

/// `value` as `%v` writes it.
pub(crate) fn plain(value: &Value) -> String {
    match value {
        Value::Nil => "<nil>".to_owned(),
        Value::Object(object) => object.print(),
        Value::Bool(value) => value.to_string(),
        Value::Int(value) | Value::Int64(value) => value.to_string(),
        Value::Float(value) => shortest(*value),
        Value::Str(value) => value.clone(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(plain).collect::<Vec<_>>().join(" ")
        ),
        Value::Map(entries) => format!(
            "map[{}]",
            entries
                .snapshot()
                .iter()
                .map(|(key, value)| format!("{key}:{}", plain(value)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// A float as Go's `%v` writes it: the shortest digits that read back the same, in exponent
/// form when the exponent is below -4 or at least 6 (so a million is `1e+06`, as every Helm
/// user finds out).
pub(crate) fn shortest(value: f64) -> String {
    shortest_of(value, decimal(value))
}

/// A float as Go's `strconv.FormatFloat(value, 'g', -1, 32)` writes it: the shortest digits
/// that read back as the same `float32`. It is how Helm's YAML reader turns a number into text
/// where a string is wanted (`appVersion: 1.10` is `"1.1"`).
pub fn float32_text(value: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let single = value as f32;
    let written = format!("{:e}", single.abs());
    let (mantissa, exponent) = written.split_once('e').unwrap_or((&written, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    shortest_of(
        f64::from(single),
        (single < 0.0, digits, exponent.parse().unwrap_or(0)),
    )
}

fn shortest_of(value: f64, (negative, digits, exponent): (bool, String, i32)) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let sign = if negative { "-" } else { "" };
    if !(-4..6).contains(&exponent) {
        let mantissa = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{exponent_sign}{:02}", exponent.abs());
    }
    let fixed = if exponent < 0 {
        format!(
            "0.{}{digits}",
            "0".repeat(usize::try_from(-exponent - 1).unwrap_or(0))
        )
    } else {
        let point = usize::try_from(exponent + 1).unwrap_or(0);
        if digits.len() <= point {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    format!("{sign}{fixed}")
}

/// A float's shortest decimal digits and the exponent of its first digit.
fn decimal(value: f64) -> (bool, String, i32) {
    let written = format!("{:e}", value.abs());
    let (mantissa, exponent) = written.split_once('e').unwrap_or((&written, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (value < 0.0, digits, exponent.parse().unwrap_or(0))
}

/// What `printf` writes for `format` and `args`, as Go's `fmt.Sprintf` does.
pub(crate) fn printf(format: &str, args: &[Value]) -> Result<String, UnsupportedVerb> {
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                _ => break,
            }
            chars.next();
        }
        spec.width = digits(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(digits(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        out.push_str(&spec.pad(verb, arg, format_one(verb, &spec, arg)?));
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|arg| match arg {
                Value::Nil => "<nil>".to_owned(),
                other => format!("{}={}", other.go_type(), plain(other)),
            })
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    Ok(out)
}

fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let mut value: Option<usize> = None;
    while let Some(digit) = chars.peek().and_then(|c| c.to_digit(10)) {
        value = Some(value.unwrap_or(0) * 10 + digit as usize);
        chars.next();
    }
    value
}

#[derive(Default)]
struct Spec {
    left: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

impl Spec {
    fn pad(&self, verb: char, arg: &Value, text: String) -> String {
        let Some(width) = self.width else { return text };
        let length = text.chars().count();
        if length >= width {
            return text;
        }
        let fill = width - length;
        if self.left {
            format!("{text}{}", " ".repeat(fill))
        } else if self.zero
            && matches!(arg, Value::Int(_) | Value::Float(_))
            && verb != 'v'
            && verb != 's'
        {
            let (sign, rest) = match text.strip_prefix(['-', '+']) {
                Some(rest) => (&text[..1], rest),
                None => ("", text.as_str()),
            };
            format!("{sign}{}{rest}", "0".repeat(fill))
        } else {
            format!("{}{text}", " ".repeat(fill))
        }
    }
}

/// A mismatched verb and argument, as Go writes it: `%!d(string=hello)`.
fn bad(verb: char, arg: &Value) -> String {
    match arg {
        Value::Nil => format!("%!{verb}(<nil>)"),
        other => format!("%!{verb}({}={})", other.go_type(), plain(other)),
    }
}

fn format_one(verb: char, spec: &Spec, arg: &Value) -> Result<String, UnsupportedVerb> {
    if spec.sharp || spec.space {
        return Err(UnsupportedVerb(format!("printf flag in %{verb}")));
    }
    let signed = |text: String, negative: bool| {
        if spec.plus && !negative {
            format!("+{text}")
        } else {
            text
        }
    };
    Ok(match (verb, arg) {
        ('v', Value::Float(value)) => signed(shortest(*value), *value < 0.0),
        ('v', Value::Int(value) | Value::Int64(value)) => signed(value.to_string(), *value < 0),
        ('v', other) => plain(other),
        ('s', Value::Str(text)) => match spec.precision {
            Some(precision) => text.chars().take(precision).collect(),
            None => text.clone(),
        },
        (
            's' | 'd' | 'q' | 't' | 'f' | 'e' | 'g' | 'x' | 'X' | 'o' | 'b' | 'c',
            Value::List(items),
        ) => {
            let parts = items
                .iter()
                .map(|item| format_one(verb, spec, item))
                .collect::<Result<Vec<_>, _>>()?;
            format!("[{}]", parts.join(" "))
        }
        ('d', Value::Int(value) | Value::Int64(value)) => signed(value.to_string(), *value < 0),
        ('t', Value::Bool(value)) => value.to_string(),
        ('q', Value::Str(text)) => quote(text),
        ('q' | 'c', Value::Int(value) | Value::Int64(value)) => {
            let c = u32::try_from(*value)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            if verb == 'c' {
                c.to_string()
            } else {
                format!("'{}'", escape(&c.to_string(), '\''))
            }
        }
        ('x' | 'X', Value::Int(value) | Value::Int64(value)) => {
            let text = if *value < 0 {
                format!("-{:x}", value.unsigned_abs())
            } else {
                format!("{value:x}")
            };
            if verb == 'X' {
                text.to_uppercase()
            } else {
                text
            }
        }
        ('x' | 'X', Value::Str(text)) => {
            let hex: String = text.bytes().map(|byte| format!("{byte:02x}")).collect();
            if verb == 'X' { hex.to_uppercase() } else { hex }
        }
        ('o', Value::Int(value) | Value::Int64(value)) => format!("{value:o}"),
        ('b', Value::Int(value) | Value::Int64(value)) => format!("{value:b}"),
        ('f' | 'F', Value::Float(value)) => signed(
            format!("{:.*}", spec.precision.unwrap_or(6), value),
            *value < 0.0,
        ),
        ('e' | 'E', Value::Float(value)) => {
            let text = exponent_form(*value, spec.precision.unwrap_or(6));
            signed(
                if verb == 'E' {
                    text.to_uppercase()
                } else {
                    text
                },
                *value < 0.0,
            )
        }
        ('g', Value::Float(value)) if spec.precision.is_none() => {
            signed(shortest(*value), *value < 0.0)
        }
        (
            's' | 'd' | 'q' | 't' | 'f' | 'F' | 'e' | 'E' | 'g' | 'x' | 'X' | 'o' | 'b' | 'c',
            Value::Map(_),
        ) => {
            return Err(UnsupportedVerb(format!("%{verb} of a map")));
        }
        ('s' | 'd' | 'q' | 't' | 'f' | 'F' | 'e' | 'E' | 'x' | 'X' | 'o' | 'b' | 'c', _) => {
            bad(verb, arg)
        }
        (other, _) => return Err(UnsupportedVerb(format!("%{other}"))),
    })
}

/// `value` in Go's `%e` form with `precision` digits after the point.
fn exponent_form(value: f64, precision: usize) -> String {
    let written = format!("{value:.precision$e}");
    let (mantissa, exponent) = written.split_once('e').unwrap_or((&written, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

/// A string in Go's double-quoted form, as `%q` and `strconv.Quote` write it.
pub(crate) fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text, '"'))
}

fn escape(text: &str, quote: char) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_them() {
        for (value, expected) in [
            (3.0, "3"),
            (0.5, "0.5"),
            (1_000_000.0, "1e+06"),
            (100_000.0, "100000"),
            (1_234_567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(shortest(value), expected, "{value}");
        }
    }

    #[test]
    fn mismatched_verbs_are_written_as_go_writes_them() {
        assert_eq!(
            printf("%d", &[Value::Float(3.0)]).unwrap(),
            "%!d(float64=3)"
        );
        assert_eq!(
            printf("%s %s", &[Value::Str("a".into())]).unwrap(),
            "a %!s(MISSING)"
        );
        assert_eq!(
            printf("%s", &[Value::Str("a".into()), Value::Int(1)]).unwrap(),
            "a%!(EXTRA int=1)"
        );
        assert_eq!(
            printf(
                "%05d|%-4s|%.2f",
                &[
                    Value::Int(42),
                    Value::Str("ab".into()),
                    Value::Float(1.23456)
                ]
            )
            .unwrap(),
            "00042|ab  |1.23"
        );
    }
}
