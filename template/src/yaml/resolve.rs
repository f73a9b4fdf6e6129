//! How go-yaml v2 reads a plain (unquoted) scalar: as a bool, null, integer, float,
//! timestamp or string. The reader follows it to decode; the writer, to know which strings
//! must be quoted to read back as strings.

/// What a plain scalar is.
#[derive(Debug, PartialEq)]
pub(crate) enum Plain {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    /// A date or date and time, which Helm's values keep as the text.
    Timestamp,
    Str,
}

/// go-yaml v2's `resolve` for an untagged plain scalar.
pub(crate) fn resolve(text: &str) -> Plain {
    let Some(first) = text.chars().next() else {
        return Plain::Null;
    };
    let hinted = matches!(first, '+' | '-' | '0'..='9' | '.') || "yYnNtTfFoO~".contains(first);
    if !hinted {
        return Plain::Str;
    }
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Plain::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Plain::Bool(false);
        }
        "~" | "null" | "Null" | "NULL" => return Plain::Null,
        ".nan" | ".NaN" | ".NAN" => return Plain::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Plain::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Plain::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match first {
        '.' => match text.parse::<f64>() {
            Ok(value) if yaml_float(text) => Plain::Float(value),
            _ => Plain::Str,
        },
        '+' | '-' | '0'..='9' => {
            if timestamp(text) {
                return Plain::Timestamp;
            }
            let plain = text.replace('_', "");
            if let Some(value) = go_int(&plain) {
                return value;
            }
            if yaml_float(&plain)
                && let Ok(value) = plain.parse::<f64>()
            {
                return Plain::Float(value);
            }
            Plain::Str
        }
        _ => Plain::Str,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, else `ParseUint(s, 0, 64)`: base prefixes, a leading
/// `0` for octal, a sign for the signed form only.
fn go_int(text: &str) -> Option<Plain> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = unsigned.to_ascii_lowercase();
    let (radix, body) = if let Some(hex) = lower.strip_prefix("0x") {
        (16, hex)
    } else if let Some(octal) = lower.strip_prefix("0o") {
        (8, octal)
    } else if let Some(bits) = lower.strip_prefix("0b") {
        (2, bits)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if body.is_empty() || body.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if negative {
        // i64::MIN's magnitude is one past i64::MAX.
        let value = 0i64.checked_sub_unsigned(magnitude)?;
        return Some(Plain::Int(value));
    }
    match i64::try_from(magnitude) {
        Ok(value) => Some(Plain::Int(value)),
        Err(_) if !text.starts_with('+') => Some(Plain::Uint(magnitude)),
        Err(_) => None,
    }
}

/// go-yaml's float pattern, `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn yaml_float(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent
        .is_none_or(|exponent| digits(exponent.strip_prefix(['+', '-']).unwrap_or(exponent)));
    mantissa_ok && exponent_ok
}

/// Whether go-yaml reads `text` as a timestamp: a date (`2006-1-2`), with a time after a
/// `T`, `t` or space.
fn timestamp(text: &str) -> bool {
    let year_digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if year_digits != 4 || text.as_bytes().get(4) != Some(&b'-') {
        return false;
    }
    let (date, time) = match text.find(['T', 't', ' ']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let fields: Vec<&str> = date.split('-').collect();
    let [year, month, day] = fields.as_slice() else {
        return false;
    };
    let number = |part: &str, max_len: usize| -> Option<u32> {
        (!part.is_empty() && part.len() <= max_len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(year, 4), number(month, 2), number(day, 2))
    else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    let Some(time) = time else { return true };
    // `15:4:5`, a fraction, then `Z` or an offset (required after `T`, absent after a space).
    let clock_end = time.find(['Z', 'z', '+', '-']).unwrap_or(time.len());
    let (clock, zone) = time.split_at(clock_end);
    let clock = clock.split_once('.').map_or(clock, |(whole, fraction)| {
        if fraction.bytes().all(|b| b.is_ascii_digit()) {
            whole
        } else {
            "x"
        }
    });
    let parts: Vec<&str> = clock.split(':').collect();
    let clock_ok = parts.len() == 3 && parts.iter().all(|part| number(part, 2).is_some());
    clock_ok && (zone.is_empty() || zone == "Z" || zone.len() == 6)
}
