//! `semverCompare`, with the Masterminds semver v3 rules Sprig uses: loose versions (`v1.2`
//! is 1.2.0), x-ranges and missing parts, `~` and `^`, hyphen ranges, `,` or spaces for and,
//! `||` for or, and prereleases that only constraints naming a prerelease admit (`>=1.19-0`).

use std::cmp::Ordering;
use std::sync::LazyLock;

use regex::Regex;

use crate::funcs::{Add, CallError, Function, Functions, Param};
use crate::value::Value;

const OPERATORS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
const CONSTRAINT_VERSION: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const VERSION: &str = r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$";

/// The patterns Masterminds semver reads with, compiled once.
struct Patterns {
    version: Regex,
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

static PATTERNS: LazyLock<Option<Patterns>> = LazyLock::new(|| {
    let compile = |pattern: String| Regex::new(&pattern).ok();
    Some(Patterns {
        version: compile(VERSION.to_owned())?,
        constraint: compile(format!(r"^\s*({OPERATORS})\s*({CONSTRAINT_VERSION})\s*$"))?,
        range: compile(format!(
            r"\s*({CONSTRAINT_VERSION})\s+-\s+({CONSTRAINT_VERSION})\s*"
        ))?,
        find: compile(format!(r"({OPERATORS})\s*({CONSTRAINT_VERSION})"))?,
        valid: compile(format!(
            r"^(\s*({OPERATORS})\s*({CONSTRAINT_VERSION})\s*)((?:\s+|,\s*)({OPERATORS})\s*({CONSTRAINT_VERSION})\s*)*$"
        ))?,
    })
});

fn patterns() -> Result<&'static Patterns, CallError> {
    PATTERNS
        .as_ref()
        .ok_or_else(|| CallError::Failed("semver patterns did not compile".to_owned()))
}

/// A version: numbers, prerelease and build metadata.
#[derive(Clone, Debug, PartialEq)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

impl Version {
    /// `NewVersion`: loose, so `v1`, `1.2` are versions.
    fn parse(text: &str) -> Result<Self, CallError> {
        let invalid = || CallError::Failed("Invalid Semantic Version".to_owned());
        let found = patterns()?.version.captures(text).ok_or_else(invalid)?;
        let number = |at: usize| -> Result<u64, CallError> {
            found.get(at).map_or(Ok(0), |part| {
                part.as_str()
                    .trim_start_matches('.')
                    .parse()
                    .map_err(|error| {
                        CallError::Failed(format!("Error parsing version segment: {error}"))
                    })
            })
        };
        let pre = found.get(5).map_or("", |part| part.as_str()).to_owned();
        for part in pre.split('.').filter(|_| !pre.is_empty()) {
            if part.bytes().all(|b| b.is_ascii_digit()) && part.len() > 1 && part.starts_with('0') {
                return Err(CallError::Failed(
                    "Version segment starts with 0".to_owned(),
                ));
            }
        }
        Ok(Self {
            major: number(1)?,
            minor: number(2)?,
            patch: number(3)?,
            pre,
        })
    }

    fn compare(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &other.pre),
            })
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for at in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(at).copied().unwrap_or(""),
            b.get(at).copied().unwrap_or(""),
        );
        let order = compare_pre_part(x, y);
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_empty() {
        return Ordering::Less;
    }
    if b.is_empty() {
        return Ordering::Greater;
    }
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Err(_), Err(_)) => a.cmp(b),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(x), Ok(y)) => x.cmp(&y),
    }
}

/// One constraint: an operator, a version, and which parts of it were missing or `x`.
struct Constraint {
    operator: String,
    version: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

fn is_x(part: &str) -> bool {
    matches!(part, "x" | "X" | "*")
}

impl Constraint {
    fn parse(text: &str) -> Result<Self, CallError> {
        let improper = || CallError::Failed(format!("improper constraint: {text}"));
        let found = patterns()?.constraint.captures(text).ok_or_else(improper)?;
        let part = |at: usize| found.get(at).map_or("", |part| part.as_str());
        let (major, minor, patch, pre) = (part(3), part(4), part(5), part(6));
        let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
        let version = if is_x(major) || major.is_empty() {
            dirty = true;
            format!("0.0.0{pre}")
        } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
            dirty = true;
            minor_dirty = true;
            format!("{major}.0.0{pre}")
        } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
            dirty = true;
            patch_dirty = true;
            format!("{major}{minor}.0{pre}")
        } else {
            part(2).to_owned()
        };
        let version = Version::parse(&version)
            .map_err(|_| CallError::Failed("constraint Parser Error".to_owned()))?;
        Ok(Self {
            operator: part(1).to_owned(),
            version,
            dirty,
            minor_dirty,
            patch_dirty,
        })
    }

    fn admits(&self, v: &Version) -> bool {
        let c = &self.version;
        if !v.pre.is_empty() && c.pre.is_empty() && self.operator != "!=" {
            return false;
        }
        match self.operator.as_str() {
            "" | "=" => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            "!=" => self.not_equal(v),
            ">" => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                match v.major.cmp(&c.major) {
                    Ordering::Greater => true,
                    Ordering::Less => false,
                    Ordering::Equal if self.minor_dirty => false,
                    Ordering::Equal if self.patch_dirty => v.minor > c.minor,
                    Ordering::Equal => v.compare(c) == Ordering::Greater,
                }
            }
            "<" => v.compare(c) == Ordering::Less,
            ">=" | "=>" => v.compare(c) != Ordering::Less,
            "<=" | "=<" => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            "~" | "~>" => self.tilde(v),
            _ => self.caret(v),
        }
    }

    fn not_equal(&self, v: &Version) -> bool {
        let c = &self.version;
        if self.dirty {
            if !v.pre.is_empty() && c.pre.is_empty() {
                return false;
            }
            if c.major != v.major {
                return true;
            }
            if c.minor != v.minor && !self.minor_dirty {
                return true;
            } else if self.minor_dirty {
                return false;
            } else if c.patch != v.patch && !self.patch_dirty {
                return true;
            } else if self.patch_dirty {
                return (!v.pre.is_empty() || !c.pre.is_empty())
                    && compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
            }
        }
        v.compare(c) != Ordering::Equal
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.version;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.minor_dirty)
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.version;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        c.patch == v.patch
    }
}

/// `NewConstraint(text)`: alternatives, each constraints that must all hold.
fn constraints(text: &str) -> Result<Vec<Vec<Constraint>>, CallError> {
    let patterns = patterns()?;
    // `1.2 - 1.4` is `>= 1.2, <= 1.4`.
    let mut rewritten = text.to_owned();
    for found in patterns.range.captures_iter(text) {
        let (whole, low, high) = (
            found.get(0).map_or("", |m| m.as_str()),
            found.get(1).map_or("", |m| m.as_str()),
            found.get(11).map_or("", |m| m.as_str()),
        );
        rewritten = rewritten.replacen(whole, &format!(">= {low}, <= {high} "), 1);
    }
    let mut groups = Vec::new();
    for alternative in rewritten.split("||") {
        if !patterns.valid.is_match(alternative) {
            return Err(CallError::Failed(format!(
                "improper constraint: {alternative}"
            )));
        }
        let found: Vec<&str> = patterns
            .find
            .find_iter(alternative)
            .map(|m| m.as_str())
            .collect();
        let parts = if found.is_empty() {
            vec![alternative]
        } else {
            found
        };
        groups.push(
            parts
                .into_iter()
                .map(Constraint::parse)
                .collect::<Result<Vec<_>, _>>()?,
        );
    }
    Ok(groups)
}

/// Whether `version` meets `constraint` (Masterminds semver v3's rules, as Helm checks a
/// dependency's version range or a chart's `kubeVersion`); either one unreadable is a no.
pub fn semver_admits(constraint: &str, version: &str) -> bool {
    let (Ok(groups), Ok(version)) = (constraints(constraint), Version::parse(version)) else {
        return false;
    };
    groups
        .iter()
        .any(|group| group.iter().all(|constraint| constraint.admits(&version)))
}

/// How two versions order by Masterminds semver v3's precedence (a prerelease before its
/// release); `None` when either is not a version.
pub fn compare_versions(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a).ok()?.compare(&Version::parse(b).ok()?))
}

/// Whether `text` is a version Masterminds semver v3 reads (as Helm checks a chart's).
pub fn is_semver(text: &str) -> bool {
    Version::parse(text).is_ok()
}

pub(super) fn functions() -> Functions {
    let mut functions = Functions::new();
    functions.add(
        "semverCompare",
        Function::new(&[Param::Str, Param::Str], None, |args| {
            let groups = constraints(args[0].text())?;
            let version = Version::parse(args[1].text())?;
            Ok(Value::Bool(groups.iter().any(|group| {
                group.iter().all(|constraint| constraint.admits(&version))
            })))
        }),
    );
    functions
}
