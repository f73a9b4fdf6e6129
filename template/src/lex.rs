//! The lexer: a template's text cut into text and the tokens of its actions, each with the line
//! it starts on, trim markers (`{{- `, ` -}}`) applied to the text beside them.

use crate::error::TemplateError;

/// One token of a template.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Token {
    /// Text outside actions.
    Text(String),
    /// `{{`.
    Open,
    /// `}}`.
    Close,
    /// A bare word: a function name or a keyword.
    Word(String),
    /// `.name`, one step of a field chain (after an operand, or alone for a field of dot).
    Field(String),
    /// `$name`, or `$` alone.
    Variable(String),
    /// `.` alone.
    Dot,
    /// A quoted or raw string, unescaped.
    Str(String),
    /// A character constant such as `'a'`, as its code point.
    Char(char),
    /// A number as written.
    Number(String),
    /// `|`.
    Pipe,
    /// `(`.
    LeftParen,
    /// `)`.
    RightParen,
    /// `:=`.
    Declare,
    /// `=`.
    Assign,
    /// `,`.
    Comma,
}

/// A token, the line (from 1) it starts on, and whether white space came before it (a field
/// right after an operand, as in `$x.a` or `(f).a`, is a step of that operand).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Lexeme {
    pub token: Token,
    pub line: usize,
    pub spaced: bool,
    /// Where the token starts and ends in the source, as byte offsets.
    pub start: usize,
    pub end: usize,
}

const OPEN: &str = "{{";
const CLOSE: &str = "}}";

/// Cuts `source` (the template named `name`) into lexemes.
pub(crate) fn lex(name: &str, source: &str) -> Result<Vec<Lexeme>, TemplateError> {
    let mut lexer = Lexer {
        name,
        source,
        at: 0,
        line: 1,
        spaced: true,
        start: 0,
        out: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.out)
}

struct Lexer<'a> {
    name: &'a str,
    source: &'a str,
    at: usize,
    line: usize,
    spaced: bool,
    /// Where the token being lexed starts.
    start: usize,
    out: Vec<Lexeme>,
}

impl<'a> Lexer<'a> {
    fn error(&self, line: usize, message: impl Into<String>) -> TemplateError {
        TemplateError::parse(self.name, line, message)
    }

    fn rest(&self) -> &'a str {
        &self.source[self.at..]
    }

    fn push(&mut self, token: Token, line: usize) {
        let spaced = std::mem::replace(&mut self.spaced, false);
        self.out.push(Lexeme {
            token,
            line,
            spaced,
            start: self.start,
            end: self.at,
        });
    }

    fn advance(&mut self, bytes: usize) {
        let taken = &self.source[self.at..self.at + bytes];
        self.line += taken.matches('\n').count();
        self.at += bytes;
    }

    fn run(&mut self) -> Result<(), TemplateError> {
        // Set by ` -}}`: the next text loses its leading white space.
        let mut trim_next = false;
        loop {
            let start_line = self.line;
            let Some(open) = self.rest().find(OPEN) else {
                let mut text = self.rest().to_owned();
                if trim_next {
                    text = text.trim_start_matches(is_space).to_owned();
                }
                self.advance(self.rest().len());
                if !text.is_empty() {
                    self.push(Token::Text(text), start_line);
                }
                return Ok(());
            };
            let mut text = self.rest()[..open].to_owned();
            let after = &self.rest()[open + OPEN.len()..];
            let trim_left = trim_marker_after_open(after);
            if trim_next {
                text = text.trim_start_matches(is_space).to_owned();
            }
            if trim_left {
                text = text.trim_end_matches(is_space).to_owned();
            }
            self.advance(open);
            if !text.is_empty() {
                self.push(Token::Text(text), start_line);
            }
            self.advance(OPEN.len() + if trim_left { 2 } else { 0 });
            trim_next = self.action()?;
        }
    }

    /// Lexes one action after its `{{` (and trim marker); returns whether it ended in ` -}}`.
    fn action(&mut self) -> Result<bool, TemplateError> {
        let line = self.line;
        let body = self.rest();
        // A comment opens right at the delimiter (or its trim marker), as Go requires.
        if body.starts_with("/*") {
            return self.comment(line);
        }
        self.push(Token::Open, line);
        self.spaced = true;
        let mut depth = 0usize;
        loop {
            self.start = self.at;
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return Err(self.error(line, "unclosed action"));
            };
            if let Some(trimmed) = close_marker(rest) {
                if depth > 0 {
                    return Err(self.error(self.line, "unclosed left paren"));
                }
                let line = self.line;
                self.advance(trimmed.len());
                self.push(Token::Close, line);
                self.spaced = true;
                // `}}` alone, or white space and `-}}`, which trims the text after.
                return Ok(trimmed.len() > CLOSE.len());
            }
            let line = self.line;
            match c {
                c if is_space(c) => {
                    let n = rest.len() - rest.trim_start_matches(is_space).len();
                    self.advance(n);
                    self.spaced = true;
                }
                '|' => {
                    self.advance(1);
                    self.push(Token::Pipe, line);
                }
                '(' => {
                    depth += 1;
                    self.advance(1);
                    self.push(Token::LeftParen, line);
                }
                ')' => {
                    if depth == 0 {
                        return Err(self.error(line, "unexpected right paren"));
                    }
                    depth -= 1;
                    self.advance(1);
                    self.push(Token::RightParen, line);
                }
                ',' => {
                    self.advance(1);
                    self.push(Token::Comma, line);
                }
                ':' => {
                    if !rest.starts_with(":=") {
                        return Err(self.error(line, "expected :="));
                    }
                    self.advance(2);
                    self.push(Token::Declare, line);
                }
                '=' => {
                    self.advance(1);
                    self.push(Token::Assign, line);
                }
                '"' => {
                    let (value, len) = quoted(rest)
                        .ok_or_else(|| self.error(line, "unterminated quoted string"))?;
                    self.advance(len);
                    self.push(Token::Str(value), line);
                }
                '`' => {
                    let end = rest[1..]
                        .find('`')
                        .ok_or_else(|| self.error(line, "unterminated raw quoted string"))?;
                    let value = rest[1..1 + end].to_owned();
                    self.advance(end + 2);
                    self.push(Token::Str(value), line);
                }
                '\'' => {
                    let (value, len) = character(rest)
                        .ok_or_else(|| self.error(line, "unterminated character constant"))?;
                    self.advance(len);
                    self.push(Token::Char(value), line);
                }
                '$' => {
                    let len = 1 + word_len(&rest[1..]);
                    let name = rest[..len].to_owned();
                    self.advance(len);
                    self.push(Token::Variable(name), line);
                }
                '.' => {
                    let next = rest[1..].chars().next();
                    if next.is_some_and(|c| c.is_ascii_digit()) {
                        let len = number_len(rest);
                        let number = rest[..len].to_owned();
                        self.advance(len);
                        self.push(Token::Number(number), line);
                    } else {
                        let len = word_len(&rest[1..]);
                        if len == 0 {
                            self.advance(1);
                            self.push(Token::Dot, line);
                        } else {
                            let name = rest[1..1 + len].to_owned();
                            self.advance(1 + len);
                            self.push(Token::Field(name), line);
                        }
                    }
                }
                c if c.is_ascii_digit()
                    || ((c == '-' || c == '+')
                        && rest[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.')) =>
                {
                    let len = number_len(rest);
                    let number = rest[..len].to_owned();
                    self.advance(len);
                    self.push(Token::Number(number), line);
                }
                c if c == '_' || c.is_alphabetic() => {
                    let len = word_len(rest);
                    let word = rest[..len].to_owned();
                    self.advance(len);
                    self.push(Token::Word(word), line);
                }
                other => {
                    let quoted = crate::format::quote(&other.to_string());
                    return Err(self.error(line, format!("unexpected {quoted} in command")));
                }
            }
        }
    }

    /// Skips a comment action; returns whether it ended in ` -}}`.
    fn comment(&mut self, line: usize) -> Result<bool, TemplateError> {
        let rest = self.rest();
        let start = rest.find("/*").unwrap_or(0);
        let Some(end) = rest[start..].find("*/") else {
            return Err(self.error(line, "unclosed comment"));
        };
        let after = start + end + 2;
        let tail = &rest[after..];
        let trim =
            if tail.starts_with(" -}}") || tail.starts_with("\t-}}") || tail.starts_with("\n-}}") {
                true
            } else if tail.starts_with(CLOSE) {
                false
            } else {
                return Err(self.error(line, "comment ends before closing delimiter"));
            };
        self.advance(after + if trim { 4 } else { 2 });
        Ok(trim)
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Whether the text after `{{` starts with a trim marker: `-` and white space.
fn trim_marker_after_open(after: &str) -> bool {
    let mut chars = after.chars();
    chars.next() == Some('-') && chars.next().is_some_and(is_space)
}

/// The closing delimiter at the start of `rest`, with its trim marker: ` -}}` or `}}`.
fn close_marker(rest: &str) -> Option<&str> {
    let mut chars = rest.chars();
    if let Some(first) = chars.next()
        && is_space(first)
        && rest[first.len_utf8()..].starts_with("-}}")
    {
        return Some(&rest[..first.len_utf8() + 3]);
    }
    rest.starts_with(CLOSE).then(|| &rest[..2])
}

fn word_len(text: &str) -> usize {
    text.char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(text.len(), |(at, _)| at)
}

fn number_len(text: &str) -> usize {
    let mut len = 0;
    let mut previous = ' ';
    for (at, c) in text.char_indices() {
        let sign_ok =
            (c == '+' || c == '-') && (at == 0 || matches!(previous, 'e' | 'E' | 'p' | 'P'));
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' || sign_ok {
            len = at + c.len_utf8();
            previous = c;
        } else {
            break;
        }
    }
    len
}

/// A double-quoted string at the start of `text`, unescaped, and its length in the source.
fn quoted(text: &str) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((value, at + 1)),
            '\n' => return None,
            '\\' => {
                let (_, escaped) = chars.next()?;
                match escaped {
                    'n' => value.push('\n'),
                    't' => value.push('\t'),
                    'r' => value.push('\r'),
                    'a' => value.push('\u{7}'),
                    'b' => value.push('\u{8}'),
                    'f' => value.push('\u{c}'),
                    'v' => value.push('\u{b}'),
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    '\'' => value.push('\''),
                    'x' | 'u' | 'U' => {
                        let digits = match escaped {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut code = 0u32;
                        for _ in 0..digits {
                            let (_, digit) = chars.next()?;
                            code = code * 16 + digit.to_digit(16)?;
                        }
                        value.push(char::from_u32(code)?);
                    }
                    '0'..='7' => {
                        let mut code = escaped.to_digit(8)?;
                        for _ in 0..2 {
                            let (_, digit) = chars.next()?;
                            code = code * 8 + digit.to_digit(8)?;
                        }
                        value.push(char::from_u32(code)?);
                    }
                    _ => return None,
                }
            }
            c => value.push(c),
        }
    }
    None
}

/// A character constant at the start of `text`, and its length in the source.
fn character(text: &str) -> Option<(char, usize)> {
    let end = text[1..].find('\'')? + 1;
    let inner = &text[1..end];
    let value = if let Some(escaped) = inner.strip_prefix('\\') {
        match escaped {
            "n" => '\n',
            "t" => '\t',
            "r" => '\r',
            "\\" => '\\',
            "'" => '\'',
            "0" => '\0',
            _ => return None,
        }
    } else {
        let mut chars = inner.chars();
        let c = chars.next()?;
        if chars.next().is_some() {
            return None;
        }
        c
    };
    Some((value, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(source: &str) -> Vec<Token> {
        lex("t", source)
            .unwrap()
            .into_iter()
            .map(|lexeme| lexeme.token)
            .collect()
    }

    #[test]
    fn trim_markers_take_the_white_space_beside_them() {
        assert_eq!(
            tokens("a  \n{{- .x -}}\n  b"),
            [
                Token::Text("a".into()),
                Token::Open,
                Token::Field("x".into()),
                Token::Close,
                Token::Text("b".into()),
            ]
        );
    }

    #[test]
    fn a_minus_without_space_is_a_number_not_a_trim_marker() {
        assert_eq!(
            tokens("{{-3}}"),
            [Token::Open, Token::Number("-3".into()), Token::Close]
        );
    }

    #[test]
    fn comments_vanish_and_may_trim() {
        assert_eq!(
            tokens("a {{- /* note */ -}} b"),
            [Token::Text("a".into()), Token::Text("b".into())]
        );
    }

    #[test]
    fn lines_are_counted_across_text_and_actions() {
        let lexemes = lex("t", "one\ntwo {{\n.x }}").unwrap();
        let field = lexemes
            .iter()
            .find(|l| l.token == Token::Field("x".into()))
            .unwrap();
        assert_eq!(field.line, 3);
    }

    #[test]
    fn strings_are_unescaped() {
        assert_eq!(
            tokens(r#"{{ "a\"b\n\x41" `raw\n` 'c' }}"#),
            [
                Token::Open,
                Token::Str("a\"b\nA".into()),
                Token::Str("raw\\n".into()),
                Token::Char('c'),
                Token::Close,
            ]
        );
    }
}
