//! The parser: lexemes into the tree a template runs as, and the templates it defines.

use std::collections::BTreeMap;

use crate::error::TemplateError;
use crate::lex::{Lexeme, Token, lex};

/// A piece of a template.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    /// Text printed as it is.
    Text(String),
    /// `{{ pipeline }}`: printed unless it declares or assigns variables.
    Action(Pipeline),
    /// `{{ if }}`.
    If(Branch),
    /// `{{ range }}`.
    Range(Branch),
    /// `{{ with }}`.
    With(Branch),
    /// `{{ template "name" pipeline }}`.
    Template {
        name: String,
        pipeline: Option<Pipeline>,
        /// Where its name is, and the action as Go writes it back.
        at: Spot,
    },
    /// `{{ break }}`.
    Break,
    /// `{{ continue }}`.
    Continue,
}

/// The pipeline and bodies of `if`, `range` and `with`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Branch {
    pub pipeline: Pipeline,
    pub body: Vec<Node>,
    pub otherwise: Vec<Node>,
}

/// A node's place in its template's source and its text as Go writes it back, which is what
/// Go's errors name.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spot {
    /// Byte offset in the source.
    pub pos: usize,
    pub text: String,
}

/// Commands joined by `|`, optionally declaring or assigning variables.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pipeline {
    pub variables: Vec<String>,
    pub assigns: bool,
    pub commands: Vec<Command>,
    pub at: Spot,
}

/// One command: a function and its arguments, or a single operand.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Command {
    pub args: Vec<Arg>,
    pub at: Spot,
}

/// An operand where it was written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Arg {
    pub operand: Operand,
    pub at: Spot,
}

/// An argument or the head of a command.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand {
    /// `.a.b`: fields of dot.
    Field(Vec<String>),
    /// `$x.a.b`.
    Variable(String, Vec<String>),
    /// `.`.
    Dot,
    /// A function's name.
    Function(String),
    /// A string or character constant's text.
    Str(String),
    /// An integer constant.
    Int(i64),
    /// A floating-point constant.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `nil`.
    Nil,
    /// `(pipeline).a.b`.
    Nested(Box<Pipeline>, Vec<String>),
}

/// A parsed template file: its own body and the templates it defines.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub body: Vec<Node>,
    pub defines: BTreeMap<String, Vec<Node>>,
}

/// Parses `source`, the template named `name`.
pub(crate) fn parse(name: &str, source: &str) -> Result<Parsed, TemplateError> {
    let lexemes = lex(name, source)?;
    let mut parser = Parser {
        name,
        source,
        lexemes,
        at: 0,
        defines: BTreeMap::new(),
    };
    let (body, end) = parser.list(0)?;
    if let Some((keyword, line)) = end {
        return Err(parser.error(line, format!("unexpected {{{{{keyword}}}}}")));
    }
    Ok(Parsed {
        body,
        defines: parser.defines,
    })
}

struct Parser<'a> {
    name: &'a str,
    source: &'a str,
    lexemes: Vec<Lexeme>,
    at: usize,
    defines: BTreeMap<String, Vec<Node>>,
}

/// How a list ended: `end` or `else`, with the `else`'s chained keyword if any.
type Ending = Option<(String, usize)>;

impl Parser<'_> {
    fn error(&self, line: usize, message: impl Into<String>) -> TemplateError {
        TemplateError::parse(self.name, line, message)
    }

    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.at)
    }

    fn next(&mut self) -> Option<Lexeme> {
        let lexeme = self.lexemes.get(self.at).cloned();
        self.at += 1;
        lexeme
    }

    fn line(&self) -> usize {
        self.peek()
            .or_else(|| self.lexemes.last())
            .map_or(1, |lexeme| lexeme.line)
    }

    fn expect_close(&mut self, context: &str) -> Result<(), TemplateError> {
        match self.next() {
            Some(Lexeme {
                token: Token::Close,
                ..
            }) => Ok(()),
            other => {
                let line = other.map_or(self.line(), |lexeme| lexeme.line);
                Err(self.error(line, format!("unexpected token in {context}")))
            }
        }
    }

    /// Nodes up to `{{end}}` or `{{else}}` (returned as the ending), or the end of input at
    /// depth 0.
    fn list(&mut self, depth: usize) -> Result<(Vec<Node>, Ending), TemplateError> {
        let mut nodes = Vec::new();
        while let Some(lexeme) = self.next() {
            match lexeme.token {
                Token::Text(text) => nodes.push(Node::Text(text)),
                Token::Open => {
                    let keyword = match self.peek() {
                        Some(Lexeme {
                            token: Token::Word(word),
                            ..
                        }) => Some(word.clone()),
                        _ => None,
                    };
                    match keyword.as_deref() {
                        Some("end") => {
                            self.next();
                            self.expect_close("end")?;
                            return Ok((nodes, Some(("end".to_owned(), lexeme.line))));
                        }
                        Some("else") => {
                            self.next();
                            // `else if`, `else with`: the rest of the action begins a chained
                            // branch, parsed by the caller.
                            if matches!(
                                self.peek(),
                                Some(Lexeme {
                                    token: Token::Close,
                                    ..
                                })
                            ) {
                                self.next();
                                return Ok((nodes, Some(("else".to_owned(), lexeme.line))));
                            }
                            return Ok((nodes, Some(("else-chain".to_owned(), lexeme.line))));
                        }
                        Some(word @ ("if" | "range" | "with")) => {
                            let word = word.to_owned();
                            self.next();
                            nodes.push(self.branch(&word, lexeme.line, depth)?);
                        }
                        Some("define") => {
                            self.next();
                            if depth > 0 {
                                return Err(
                                    self.error(lexeme.line, "unexpected <define> in command")
                                );
                            }
                            self.define(lexeme.line)?;
                        }
                        Some("block") => {
                            self.next();
                            let pos = self.peek().map_or(0, |next| next.start);
                            let name = self.template_name("block", lexeme.line)?;
                            let pipeline = self.pipeline(lexeme.line, "block")?;
                            let (body, ending) = self.list(depth + 1)?;
                            self.require_end(ending, "block", lexeme.line)?;
                            self.defines.insert(name.clone(), body);
                            let at = template_spot(pos, &name, Some(&pipeline));
                            nodes.push(Node::Template {
                                name,
                                pipeline: Some(pipeline),
                                at,
                            });
                        }
                        Some("template") => {
                            self.next();
                            let pos = self.peek().map_or(0, |next| next.start);
                            let name = self.template_name("template", lexeme.line)?;
                            let pipeline = if matches!(
                                self.peek(),
                                Some(Lexeme {
                                    token: Token::Close,
                                    ..
                                })
                            ) {
                                self.next();
                                None
                            } else {
                                Some(self.pipeline(lexeme.line, "template")?)
                            };
                            let at = template_spot(pos, &name, pipeline.as_ref());
                            nodes.push(Node::Template { name, pipeline, at });
                        }
                        Some(word @ ("break" | "continue")) => {
                            let node = if word == "break" {
                                Node::Break
                            } else {
                                Node::Continue
                            };
                            self.next();
                            self.expect_close(if matches!(node, Node::Break) {
                                "break"
                            } else {
                                "continue"
                            })?;
                            nodes.push(node);
                        }
                        _ => {
                            let pipeline = self.pipeline(lexeme.line, "command")?;
                            nodes.push(Node::Action(pipeline));
                        }
                    }
                }
                other => return Err(self.error(lexeme.line, format!("unexpected {other:?}"))),
            }
        }
        if depth > 0 {
            return Err(self.error(self.line(), "unexpected EOF"));
        }
        Ok((nodes, None))
    }

    fn require_end(&self, ending: Ending, context: &str, line: usize) -> Result<(), TemplateError> {
        match ending {
            Some((keyword, _)) if keyword == "end" => Ok(()),
            Some((_, at)) => Err(self.error(at, format!("unexpected {{{{else}}}} in {context}"))),
            None => Err(self.error(line, "unexpected EOF")),
        }
    }

    fn template_name(&mut self, context: &str, line: usize) -> Result<String, TemplateError> {
        match self.next() {
            Some(Lexeme {
                token: Token::Str(name),
                ..
            }) => Ok(name),
            _ => Err(self.error(line, format!("unexpected token in {context} clause"))),
        }
    }

    fn define(&mut self, line: usize) -> Result<(), TemplateError> {
        let name = self.template_name("define", line)?;
        self.expect_close("define clause")?;
        let (body, ending) = self.list(1)?;
        self.require_end(ending, "define", line)?;
        self.defines.insert(name, body);
        Ok(())
    }

    /// The rest of an `if`, `range` or `with` after its keyword.
    fn branch(&mut self, keyword: &str, line: usize, depth: usize) -> Result<Node, TemplateError> {
        let pipeline = self.pipeline(line, keyword)?;
        let (body, ending) = self.list(depth + 1)?;
        let otherwise = match ending {
            Some((end, _)) if end == "end" => Vec::new(),
            Some((else_, _)) if else_ == "else" => {
                let (otherwise, ending) = self.list(depth + 1)?;
                self.require_end(ending, keyword, line)?;
                otherwise
            }
            Some((_, at)) => {
                // `{{else if ...}}` is `{{else}}{{if ...}}...{{end}}` sharing this branch's end.
                let chained = match self.next() {
                    Some(Lexeme {
                        token: Token::Word(word),
                        ..
                    }) if word == "if" || word == "with" => word,
                    _ => return Err(self.error(at, "expected end; found else")),
                };
                vec![self.branch(&chained, at, depth)?]
            }
            None => return Err(self.error(line, "unexpected EOF")),
        };
        let branch = Branch {
            pipeline,
            body,
            otherwise,
        };
        Ok(match keyword {
            "if" => Node::If(branch),
            "range" => Node::Range(branch),
            _ => Node::With(branch),
        })
    }

    /// A pipeline up to the action's `}}` (consumed), or up to `)` when `nested`.
    fn pipeline(&mut self, line: usize, context: &str) -> Result<Pipeline, TemplateError> {
        self.pipeline_until(line, context, false)
    }

    fn pipeline_until(
        &mut self,
        line: usize,
        context: &str,
        nested: bool,
    ) -> Result<Pipeline, TemplateError> {
        let pos = self.peek().map_or(0, |next| next.start);
        let mut variables = Vec::new();
        let mut assigns = false;
        // `$x :=`, `$x, $y :=`, `$x =`.
        let mut look = self.at;
        let mut names = Vec::new();
        while let Some(Token::Variable(name)) = self.lexemes.get(look).map(|lexeme| &lexeme.token) {
            names.push(name.clone());
            look += 1;
            match self.lexemes.get(look).map(|lexeme| &lexeme.token) {
                Some(Token::Comma) if names.len() == 1 => look += 1,
                Some(Token::Declare) => {
                    variables = names;
                    self.at = look + 1;
                    break;
                }
                Some(Token::Assign) => {
                    variables = names;
                    assigns = true;
                    self.at = look + 1;
                    break;
                }
                _ => break,
            }
        }
        let mut commands = Vec::new();
        let mut args: Vec<Arg> = Vec::new();
        loop {
            let Some(lexeme) = self.next() else {
                return Err(self.error(line, format!("unclosed action in {context}")));
            };
            match lexeme.token {
                Token::Close if !nested => break,
                Token::RightParen if nested => break,
                Token::Pipe => {
                    if args.is_empty() {
                        return Err(self.error(lexeme.line, "missing command"));
                    }
                    commands.push(command(std::mem::take(&mut args)));
                }
                _ => {
                    let arg = self.operand(lexeme, context)?;
                    args.push(arg);
                }
            }
        }
        if !args.is_empty() {
            commands.push(command(args));
        } else if !commands.is_empty() || variables.is_empty() {
            return Err(self.error(line, format!("missing value for {context}")));
        }
        let mut text = String::new();
        if !variables.is_empty() {
            text = format!(
                "{} {} ",
                variables.join(", "),
                if assigns { "=" } else { ":=" }
            );
        }
        text.push_str(
            &commands
                .iter()
                .map(|command| command.at.text.clone())
                .collect::<Vec<_>>()
                .join(" | "),
        );
        Ok(Pipeline {
            variables,
            assigns,
            commands,
            at: Spot { pos, text },
        })
    }

    fn operand(&mut self, lexeme: Lexeme, context: &str) -> Result<Arg, TemplateError> {
        let line = lexeme.line;
        let raw = self
            .source
            .get(lexeme.start..lexeme.end)
            .unwrap_or_default()
            .to_owned();
        let own = Spot {
            pos: lexeme.start,
            text: raw.clone(),
        };
        let arg = match lexeme.token {
            Token::Field(name) => {
                let mut chain = vec![name];
                let (steps, chained) = self.chain();
                chain.extend(steps);
                let text = chain.iter().map(|step| format!(".{step}")).collect();
                Arg {
                    operand: Operand::Field(chain),
                    at: Spot {
                        pos: chained.unwrap_or(lexeme.start),
                        text,
                    },
                }
            }
            Token::Variable(name) => {
                let (steps, chained) = self.chain();
                let text = format!(
                    "{name}{}",
                    steps
                        .iter()
                        .map(|step| format!(".{step}"))
                        .collect::<String>()
                );
                Arg {
                    operand: Operand::Variable(name, steps),
                    at: Spot {
                        pos: chained.unwrap_or(lexeme.start),
                        text,
                    },
                }
            }
            Token::Dot => Arg {
                operand: Operand::Dot,
                at: own,
            },
            Token::Str(text) => Arg {
                operand: Operand::Str(text),
                at: own,
            },
            Token::Char(c) => Arg {
                operand: Operand::Int(i64::from(u32::from(c))),
                at: own,
            },
            Token::Number(text) => Arg {
                operand: number(&text)
                    .ok_or_else(|| self.error(line, format!("bad number syntax: {text:?}")))?,
                at: own,
            },
            Token::Word(word) => Arg {
                operand: match word.as_str() {
                    "true" => Operand::Bool(true),
                    "false" => Operand::Bool(false),
                    "nil" => Operand::Nil,
                    _ => Operand::Function(word),
                },
                at: own,
            },
            Token::LeftParen => {
                let pipeline = self.pipeline_until(line, context, true)?;
                let (steps, chained) = self.chain();
                let text = format!(
                    "({}){}",
                    pipeline.at.text,
                    steps
                        .iter()
                        .map(|step| format!(".{step}"))
                        .collect::<String>()
                );
                let pos = chained.unwrap_or(pipeline.at.pos);
                Arg {
                    operand: Operand::Nested(Box::new(pipeline), steps),
                    at: Spot { pos, text },
                }
            }
            other => return Err(self.error(line, format!("unexpected {other:?} in operand"))),
        };
        Ok(arg)
    }

    /// Field steps written right after an operand, with no space between, and where the
    /// first of them starts (Go places a chained operand there).
    fn chain(&mut self) -> (Vec<String>, Option<usize>) {
        let mut steps = Vec::new();
        let mut first = None;
        while let Some(Lexeme {
            token: Token::Field(name),
            spaced: false,
            start,
            ..
        }) = self.peek()
        {
            first.get_or_insert(*start);
            steps.push(name.clone());
            self.at += 1;
        }
        (steps, first)
    }
}

/// A number constant as Go gives it to a function: an integer when written as one, else a float.
fn number(text: &str) -> Option<Operand> {
    let cleaned = text.replace('_', "");
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, cleaned.trim_start_matches('+').to_owned()),
    };
    let lower = digits.to_ascii_lowercase();
    let integer = if let Some(hex) = lower.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = lower.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()
    } else if let Some(binary) = lower.strip_prefix("0b") {
        i64::from_str_radix(binary, 2).ok()
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit())
    {
        i64::from_str_radix(&lower[1..], 8).ok()
    } else {
        lower.parse::<i64>().ok()
    };
    if let Some(value) = integer {
        return Some(Operand::Int(if negative { -value } else { value }));
    }
    // Go gives a constant written with a point or an exponent to an untyped argument as a
    // float, even when its value is integral (`1.0`, `1e3`).
    let value: f64 = lower.parse().ok()?;
    Some(Operand::Float(if negative { -value } else { value }))
}

/// A command of `args`, placed and written as Go places and writes it.
fn command(args: Vec<Arg>) -> Command {
    let pos = args.first().map_or(0, |arg| arg.at.pos);
    let text = args
        .iter()
        .map(|arg| arg.at.text.clone())
        .collect::<Vec<_>>()
        .join(" ");
    Command {
        args,
        at: Spot { pos, text },
    }
}

/// A `template` action as Go writes it back.
fn template_spot(pos: usize, name: &str, pipeline: Option<&Pipeline>) -> Spot {
    let text = match pipeline {
        Some(pipeline) => format!("{{{{template {name:?} {}}}}}", pipeline.at.text),
        None => format!("{{{{template {name:?}}}}}"),
    };
    Spot { pos, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn else_if_chains_share_one_end() {
        let parsed = parse("t", "{{if .a}}A{{else if .b}}B{{else}}C{{end}}").unwrap();
        let [Node::If(outer)] = parsed.body.as_slice() else {
            panic!("{:?}", parsed.body)
        };
        let [Node::If(inner)] = outer.otherwise.as_slice() else {
            panic!("{:?}", outer.otherwise)
        };
        assert_eq!(inner.otherwise, [Node::Text("C".into())]);
    }

    #[test]
    fn defines_are_collected_apart_from_the_body() {
        let parsed = parse("t", "{{define \"x\"}}X{{end}}body").unwrap();
        assert_eq!(parsed.body, [Node::Text("body".into())]);
        assert_eq!(parsed.defines["x"], [Node::Text("X".into())]);
    }

    #[test]
    fn chained_fields_belong_to_their_operand_and_spaced_ones_are_arguments() {
        let parsed = parse("t", "{{ index $x.a .b }}").unwrap();
        let [Node::Action(pipeline)] = parsed.body.as_slice() else {
            panic!()
        };
        let operands: Vec<Operand> = pipeline.commands[0]
            .args
            .iter()
            .map(|arg| arg.operand.clone())
            .collect();
        assert_eq!(
            operands,
            [
                Operand::Function("index".into()),
                Operand::Variable("$x".into(), vec!["a".into()]),
                Operand::Field(vec!["b".into()]),
            ]
        );
    }

    #[test]
    fn an_unclosed_if_names_its_line() {
        let error = parse("t", "a\n{{if .x}}\nb").unwrap_err();
        assert_eq!(error.to_string(), "template: t:2: unexpected EOF");
    }

    #[test]
    fn numbers_are_integers_when_they_can_be() {
        assert_eq!(number("0x1F"), Some(Operand::Int(31)));
        assert_eq!(number("-2"), Some(Operand::Int(-2)));
        assert_eq!(number("1.5"), Some(Operand::Float(1.5)));
        assert_eq!(number("1e3"), Some(Operand::Float(1000.0)));
    }
}
