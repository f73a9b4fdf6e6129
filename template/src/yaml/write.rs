//! YAML as Helm's `toYaml` writes it: the value goes through JSON and back (so integral
//! numbers become integers), and out through the go-yaml v2 emitter, whose choices this
//! follows to the byte — map keys in its natural order, sequences in a mapping not indented,
//! strings plain where they would read back as the same string, else single- or
//! double-quoted, several lines as a literal block, and long lines folded at 80 columns.

use super::resolve::{Plain, resolve};
use crate::format::shortest;
use crate::value::Value;

/// A node of the document: what the emitter is given.
enum Node {
    /// A scalar and the style the encoder asks for.
    Scalar(String, Style),
    Sequence(Vec<Node>),
    Mapping(Vec<(Node, Node)>),
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// `value` as `toYaml` writes it, without the final line break.
pub fn to_yaml(value: &Value) -> String {
    let mut emitter = Emitter::default();
    emitter.node(&node(value), false, false);
    emitter.write_indent();
    let out = emitter.out;
    out.strip_suffix('\n').map(str::to_owned).unwrap_or(out)
}

/// The node go-yaml is given after the value went through JSON and back.
fn node(value: &Value) -> Node {
    match value {
        Value::Nil => Node::Scalar("null".to_owned(), Style::Plain),
        Value::Object(object) => node(&object.data()),
        Value::Bool(value) => Node::Scalar(value.to_string(), Style::Plain),
        Value::Int(value) | Value::Int64(value) => Node::Scalar(value.to_string(), Style::Plain),
        Value::Float(value) => Node::Scalar(number(*value), Style::Plain),
        Value::Str(text) => Node::Scalar(text.clone(), string_style(text)),
        Value::List(items) => Node::Sequence(items.iter().map(node).collect()),
        Value::Map(entries) => {
            let entries = entries.snapshot();
            let mut keys: Vec<&String> = entries.keys().collect();
            keys.sort_by(|a, b| natural_order(a, b));
            Node::Mapping(
                keys.into_iter()
                    .map(|key| {
                        (
                            Node::Scalar(key.clone(), string_style(key)),
                            node(&entries[key]),
                        )
                    })
                    .collect(),
            )
        }
    }
}

/// A float after JSON and back: JSON writes an integral one below 1e21 as its shortest
/// digits (zeros after them), which go-yaml reads back as an integer where one fits;
/// anything else is Go's shortest form.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e21 {
        let written = format!("{value}");
        if written.parse::<i64>().is_ok() || written.parse::<u64>().is_ok() {
            return written;
        }
    }
    shortest(value)
}

/// The style go-yaml's encoder asks for a string: a literal block for several lines, plain
/// where it would read back as the same string, else double-quoted.
fn string_style(text: &str) -> Style {
    if text.contains('\n') {
        Style::Literal
    } else if matches!(resolve(text), Plain::Str) && !base60_float(text) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// go-yaml's sexagesimal float, `[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?`.
fn base60_float(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (main, fraction) = match body.split_once('.') {
        Some((main, fraction)) => (main, Some(fraction)),
        None => (body, None),
    };
    let mut parts = main.split(':');
    let Some(head) = parts.next() else {
        return false;
    };
    let head_ok = head.starts_with(|c: char| c.is_ascii_digit())
        && head.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let rest: Vec<&str> = parts.collect();
    let rest_ok = !rest.is_empty()
        && rest.iter().all(|part| {
            let bytes = part.as_bytes();
            match bytes {
                [digit] => digit.is_ascii_digit(),
                [tens, digit] => (b'0'..=b'5').contains(tens) && digit.is_ascii_digit(),
                _ => false,
            }
        });
    let fraction_ok =
        fraction.is_none_or(|fraction| fraction.bytes().all(|b| b.is_ascii_digit() || b == b'_'));
    head_ok && rest_ok && fraction_ok
}

/// go-yaml v2's order of map keys: letters after other characters, runs of digits by value.
fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut at = 0;
    while at < ar.len() && at < br.len() {
        if ar[at] == br[at] {
            at += 1;
            continue;
        }
        let (al, bl) = (ar[at].is_alphabetic(), br[at].is_alphabetic());
        if al && bl {
            return ar[at].cmp(&br[at]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[at] == '0' || br[at] == '0' {
            let mut back = at;
            while back > 0 && ar[back - 1].is_ascii_digit() {
                back -= 1;
                if ar[back] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let (an, ai) = digits_value(&ar, at, an);
        let (bn, bi) = digits_value(&br, at, bn);
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[at].cmp(&br[at]);
    }
    ar.len().cmp(&br.len())
}

/// The run of digits in `chars` from `at`, read onto `start`, and where it ends.
fn digits_value(chars: &[char], at: usize, start: i64) -> (i64, usize) {
    let mut value = start;
    let mut end = at;
    while let Some(digit) = chars.get(end).and_then(|c| c.to_digit(10)) {
        value = value.wrapping_mul(10).wrapping_add(i64::from(digit));
        end += 1;
    }
    (value, end)
}

/// What the emitter learns of a scalar before writing it.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn printable(c: char) -> bool {
    let code = c as u32;
    c == '\n'
        || (0x20..=0x7e).contains(&code)
        || (0xa0..=0xd7ff).contains(&code)
        || ((0xe000..=0xfffd).contains(&code) && code != 0xfeff)
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    for (at, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = chars
            .get(at + 1)
            .is_none_or(|next| *next == ' ' || *next == '\t');
        if at == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !printable(c) {
            special = true;
        }
        let last = at + 1 == chars.len();
        if c == ' ' {
            leading_space |= at == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= at == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = c == ' ' || c == '\t' || is_break(c);
    }
    let mut analysis = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        analysis.block_plain_allowed = false;
    }
    if trailing_space {
        analysis.block_allowed = false;
    }
    if break_space {
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
    }
    if space_break || special {
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
        analysis.block_allowed = false;
    }
    if line_breaks || block_indicators {
        analysis.block_plain_allowed = false;
    }
    analysis
}

/// The go-yaml v2 emitter's state, for block style with flow only for empty collections.
struct Emitter {
    out: String,
    column: usize,
    indent: isize,
    indents: Vec<isize>,
    whitespace: bool,
    indention: bool,
    mapping_context: bool,
    simple_key_context: bool,
}

impl Default for Emitter {
    fn default() -> Self {
        Self {
            out: String::new(),
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
            mapping_context: false,
            simple_key_context: false,
        }
    }
}

const BEST_INDENT: isize = 2;
const BEST_WIDTH: usize = 80;

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn decrease_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = usize::try_from(self.indent.max(0)).unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn node(&mut self, node: &Node, mapping: bool, simple_key: bool) {
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match node {
            Node::Scalar(text, style) => self.scalar(text, *style),
            Node::Sequence(items) if items.is_empty() => {
                self.write_indicator("[", true, true, false);
                self.write_indicator("]", false, false, false);
            }
            Node::Mapping(entries) if entries.is_empty() => {
                self.write_indicator("{", true, true, false);
                self.write_indicator("}", false, false, false);
            }
            Node::Sequence(items) => {
                let indentless = self.mapping_context && !self.indention;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(item, false, false);
                }
                self.decrease_indent();
            }
            Node::Mapping(entries) => {
                self.increase_indent(false, false);
                for (key, value) in entries {
                    self.write_indent();
                    if simple_key_fits(key) {
                        self.node(key, true, true);
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.node(key, true, false);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(value, true, false);
                }
                self.decrease_indent();
            }
        }
    }

    fn scalar(&mut self, text: &str, requested: Style) {
        let analysis = analyze(text);
        let mut style = requested;
        if self.simple_key_context && analysis.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain
            && (!analysis.block_plain_allowed || (text.is_empty() && self.simple_key_context))
        {
            style = Style::SingleQuoted;
        }
        if style == Style::SingleQuoted && !analysis.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!analysis.block_allowed || self.simple_key_context) {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false);
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.plain(text, allow_breaks),
            Style::SingleQuoted => self.single_quoted(text, allow_breaks),
            Style::DoubleQuoted => self.double_quoted(text, allow_breaks),
            Style::Literal => self.literal(text),
        }
        self.decrease_indent();
    }

    fn plain(&mut self, text: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        self.folded(text, allow_breaks, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn single_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        self.folded(text, allow_breaks, true);
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// The text of a plain or single-quoted scalar, folded at a space past the width; quoted,
    /// a quote is doubled and the first and last spaces never fold.
    fn folded(&mut self, text: &str, allow_breaks: bool, quoted: bool) {
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (at, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let inside = !quoted || (at > 0 && at + 1 < chars.len());
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && inside
                    && chars.get(at + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.put_break();
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if quoted && c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
    }

    fn double_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (at, &c) in chars.iter().enumerate() {
            if !printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let code = c as u32;
                let escape = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match escape {
                    Some(letter) => self.put(letter),
                    None => {
                        let (letter, digits) = if code <= 0xff {
                            ('x', 2)
                        } else if code <= 0xffff {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        for c in format!("{code:0digits$X}").chars() {
                            self.put(c);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && at > 0
                    && at + 1 < chars.len()
                {
                    self.write_indent();
                    if chars.get(at + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        if chars.first().is_some_and(|c| *c == ' ' || is_break(*c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let chomp = match chars.as_slice() {
            [] => Some("-"),
            [.., last] if !is_break(*last) => Some("-"),
            [_] => Some("+"),
            [.., before, _] if is_break(*before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.put_break();
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// Whether a key can be written as `key:`: a scalar of one line, at most 128 bytes, or an
/// empty collection.
fn simple_key_fits(key: &Node) -> bool {
    match key {
        Node::Scalar(text, _) => !analyze(text).multiline && text.len() <= 128,
        Node::Sequence(items) => items.is_empty(),
        Node::Mapping(entries) => entries.is_empty(),
    }
}
