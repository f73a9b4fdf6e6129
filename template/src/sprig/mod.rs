//! Sprig's functions, as Helm gives them to templates, with Sprig's parameters and Sprig's
//! conversions (its numbers go through `cast`: strings are parsed, floats truncated, anything
//! else is 0).

mod convert;
mod defaults;
mod dicts;
mod lists;
mod numbers;
mod random;
mod regex;
mod semver;
mod strings;

pub use convert::to_json;
pub use semver::{compare_versions, is_semver, semver_admits};

use crate::funcs::{Functions, builtins};

/// Go's built-in functions with Sprig's over them, as Helm's templates see them.
pub fn sprig() -> Functions {
    let mut functions = builtins();
    for group in [
        strings::functions(),
        lists::functions(),
        dicts::functions(),
        numbers::functions(),
        random::functions(),
        regex::functions(),
        semver::functions(),
        defaults::functions(),
        convert::functions(),
    ] {
        functions.extend(group);
    }
    functions
}
