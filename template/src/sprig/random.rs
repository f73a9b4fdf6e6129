//! Sprig's random values: `randAlphaNum` and its kin (generated passwords are what charts use
//! them for, so they come from a generator fit for secrets, seeded by the operating system),
//! `randInt` and `uuidv4`. Their output differs on every render, as in Helm.

use rand::Rng;

use crate::funcs::{Add, CallError, Function, Functions, Param};
use crate::value::Value;

const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";

/// `count` characters drawn from `alphabet`; none for a negative count, as Sprig gives.
fn random_text(count: i64, alphabet: &[u8]) -> Result<Value, CallError> {
    let count = usize::try_from(count).unwrap_or(0);
    let mut rng = rand::rng();
    Ok(Value::Str(
        (0..count)
            .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
            .collect(),
    ))
}

pub(super) fn functions() -> Functions {
    let mut functions = Functions::new();
    let alphabets: [(&str, String); 4] = [
        ("randAlphaNum", format!("{LETTERS}{DIGITS}")),
        ("randAlpha", LETTERS.to_owned()),
        ("randNumeric", DIGITS.to_owned()),
        ("randAscii", (b' '..=b'~').map(char::from).collect()),
    ];
    for (name, alphabet) in alphabets {
        functions.add(
            name,
            Function::new(&[Param::Int], None, move |args| {
                random_text(args[0].int(), alphabet.as_bytes())
            }),
        );
    }
    functions.add(
        "randInt",
        Function::new(&[Param::Int, Param::Int], None, |args| {
            let (min, max) = (args[0].int(), args[1].int());
            if max <= min {
                return Err(CallError::Failed("invalid argument to Intn".to_owned()));
            }
            Ok(Value::Int(rand::rng().random_range(min..max)))
        }),
    );
    functions.add(
        "uuidv4",
        Function::new(&[], None, |_| {
            let mut bytes: [u8; 16] = rand::rng().random();
            bytes[6] = (bytes[6] & 0x0f) | 0x40;
            bytes[8] = (bytes[8] & 0x3f) | 0x80;
            let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
            Ok(Value::Str(format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            )))
        }),
    );
    functions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[Value]) -> Result<Value, CallError> {
        let functions = functions();
        match &functions[name].call {
            crate::funcs::Call::Plain(body) => body(args),
            _ => unreachable!("random functions are plain"),
        }
    }

    #[test]
    fn random_text_has_the_length_and_alphabet_asked_for() {
        let Value::Str(password) = call("randAlphaNum", &[Value::Int(24)]).unwrap() else {
            panic!("text expected")
        };
        assert_eq!(password.len(), 24);
        assert!(password.chars().all(|c| c.is_ascii_alphanumeric()));
        let Value::Str(digits) = call("randNumeric", &[Value::Int(8)]).unwrap() else {
            panic!("text expected")
        };
        assert!(digits.chars().all(|c| c.is_ascii_digit()));
        assert_ne!(
            call("randAlphaNum", &[Value::Int(24)]).unwrap(),
            call("randAlphaNum", &[Value::Int(24)]).unwrap()
        );
        let Value::Str(uuid) = call("uuidv4", &[]).unwrap() else {
            panic!("text expected")
        };
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        let Value::Int(n) = call("randInt", &[Value::Int(5), Value::Int(7)]).unwrap() else {
            panic!("an int expected")
        };
        assert!((5..7).contains(&n));
    }
}
