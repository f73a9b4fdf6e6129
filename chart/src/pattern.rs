//! The two kinds of file-name pattern charts use: Go's `filepath.Match` (in `.helmignore`) and
//! the glob library behind `.Files.Glob` (which adds `**` and `{a,b}`). Both are turned into
//! one regular expression; `/` separates names and only `**` crosses it.

use regex::Regex;

/// Which pattern language a pattern is written in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Syntax {
    /// Go's `filepath.Match`: `*`, `?`, `[a-z]`, `[^a-z]`, `\` escaping.
    PathMatch,
    /// `.Files.Glob`: those, with `**` for any names, `[!a-z]` too, and `{a,b}` alternatives.
    Glob,
}

/// A compiled pattern.
#[derive(Debug)]
pub(crate) struct Pattern(Regex);

impl Pattern {
    /// Compiles `pattern`; `None` when it is malformed (an unclosed `[` or `{`, a trailing `\`).
    pub(crate) fn new(pattern: &str, syntax: Syntax) -> Option<Pattern> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut out = String::from("^");
        let mut at = 0;
        let mut alternatives = 0usize;
        while let Some(&c) = chars.get(at) {
            at += 1;
            match c {
                '*' if syntax == Syntax::Glob && chars.get(at) == Some(&'*') => {
                    at += 1;
                    out.push_str(".*");
                }
                '*' => out.push_str("[^/]*"),
                '?' => out.push_str("[^/]"),
                '\\' => {
                    let escaped = chars.get(at)?;
                    at += 1;
                    out.push_str(&regex::escape(&escaped.to_string()));
                }
                '[' => {
                    let mut class = String::from("[");
                    if matches!(chars.get(at), Some('^'))
                        || (syntax == Syntax::Glob && chars.get(at) == Some(&'!'))
                    {
                        at += 1;
                        class.push('^');
                    }
                    let mut members = 0;
                    loop {
                        let member = *chars.get(at)?;
                        at += 1;
                        if member == ']' && members > 0 {
                            break;
                        }
                        members += 1;
                        let member = if member == '\\' {
                            let escaped = *chars.get(at)?;
                            at += 1;
                            escaped
                        } else {
                            member
                        };
                        if member == '-' && members > 1 && chars.get(at) != Some(&']') {
                            class.push('-');
                        } else {
                            class.push_str(&regex::escape(&member.to_string()));
                        }
                    }
                    // A class never matches the separator.
                    if class.starts_with("[^") {
                        class.push('/');
                    }
                    class.push(']');
                    out.push_str(&class);
                }
                '{' if syntax == Syntax::Glob => {
                    alternatives += 1;
                    out.push_str("(?:");
                }
                ',' if syntax == Syntax::Glob && alternatives > 0 => out.push('|'),
                '}' if syntax == Syntax::Glob && alternatives > 0 => {
                    alternatives -= 1;
                    out.push(')');
                }
                other => out.push_str(&regex::escape(&other.to_string())),
            }
        }
        if alternatives > 0 {
            return None;
        }
        out.push('$');
        Regex::new(&out).ok().map(Pattern)
    }

    /// Whether `name` (a slash-separated path) matches the whole pattern.
    pub(crate) fn matches(&self, name: &str) -> bool {
        self.0.is_match(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, syntax: Syntax, name: &str) -> bool {
        Pattern::new(pattern, syntax).unwrap().matches(name)
    }

    #[test]
    fn a_star_stays_within_a_name_and_a_double_star_crosses_names() {
        assert!(matches("conf/*.yaml", Syntax::PathMatch, "conf/a.yaml"));
        assert!(!matches("conf/*.yaml", Syntax::PathMatch, "conf/x/a.yaml"));
        assert!(matches("conf/**.yaml", Syntax::Glob, "conf/x/a.yaml"));
        assert!(matches("files/{a,b}.txt", Syntax::Glob, "files/b.txt"));
        assert!(!matches("files/[!a].txt", Syntax::Glob, "files/a.txt"));
        assert!(matches("files/[^a].txt", Syntax::PathMatch, "files/b.txt"));
        assert!(matches("a-[0-9]?", Syntax::PathMatch, "a-1x"));
        assert!(Pattern::new("a[", Syntax::PathMatch).is_none());
        assert!(Pattern::new("{a,b", Syntax::Glob).is_none());
    }
}
