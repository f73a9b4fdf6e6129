//! The executor: a parsed template run over a value, written out as Go's text/template does
//! with `missingkey=zero`.

use std::collections::BTreeMap;

use crate::error::{Position, TemplateError};
use crate::format::plain;
use crate::funcs::{CallError, Functions, Param};
use crate::parse::{Branch, Command, Node, Operand, Pipeline};
use crate::value::Value;

/// How deep templates may call templates before the run stops.
const MAX_DEPTH: usize = 1000;

/// A defined template: the file it was written in, and its body.
#[derive(Debug)]
pub(crate) struct Definition {
    pub file: String,
    pub body: Vec<Node>,
}

/// What a walk of nodes ended with.
enum Flow {
    Normal,
    Break,
    Continue,
}

/// One run of one template.
pub(crate) struct Run<'a> {
    pub templates: &'a BTreeMap<String, Definition>,
    pub functions: &'a Functions,
    /// The template running now, and the file its nodes came from.
    pub executing: String,
    pub file: String,
    pub variables: Vec<(String, Value)>,
    pub out: String,
    pub depth: usize,
}

impl Run<'_> {
    /// Runs `body` with `dot`, `$` set to it.
    pub fn start(&mut self, body: &[Node], dot: &Value) -> Result<(), TemplateError> {
        self.variables.push(("$".to_owned(), dot.clone()));
        self.walk(dot, body)?;
        Ok(())
    }

    fn fail(&self, pipeline: &Pipeline, message: impl Into<String>) -> TemplateError {
        TemplateError::Execute {
            at: Position {
                template: self.file.clone(),
                line: pipeline.line,
            },
            executing: self.executing.clone(),
            action: pipeline.text.clone(),
            message: message.into(),
        }
    }

    fn unsupported(&self, pipeline: &Pipeline, what: String) -> TemplateError {
        TemplateError::Unsupported {
            at: Position {
                template: self.file.clone(),
                line: pipeline.line,
            },
            what,
        }
    }

    fn walk(&mut self, dot: &Value, nodes: &[Node]) -> Result<Flow, TemplateError> {
        for node in nodes {
            let flow = match node {
                Node::Text(text) => {
                    self.out.push_str(text);
                    Flow::Normal
                }
                Node::Action(pipeline) => {
                    let value = self.pipeline(dot, pipeline)?;
                    if pipeline.variables.is_empty() {
                        self.print(&value);
                    }
                    Flow::Normal
                }
                Node::If(branch) => self.scoped(|run| {
                    let value = run.pipeline(dot, &branch.pipeline)?;
                    if value.truthy() {
                        run.walk(dot, &branch.body)
                    } else {
                        run.walk(dot, &branch.otherwise)
                    }
                })?,
                Node::With(branch) => self.scoped(|run| {
                    let value = run.pipeline(dot, &branch.pipeline)?;
                    if value.truthy() {
                        run.walk(&value, &branch.body)
                    } else {
                        run.walk(dot, &branch.otherwise)
                    }
                })?,
                Node::Range(branch) => self.scoped(|run| run.range(dot, branch))?,
                Node::Template {
                    name,
                    pipeline,
                    line,
                } => {
                    let value = match pipeline {
                        Some(pipeline) => self.pipeline(dot, pipeline)?,
                        None => Value::Nil,
                    };
                    self.template(name, *line, &value)?;
                    Flow::Normal
                }
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            };
            if !matches!(flow, Flow::Normal) {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    /// Runs `work` with the variables it declares dropped afterwards.
    fn scoped(
        &mut self,
        work: impl FnOnce(&mut Self) -> Result<Flow, TemplateError>,
    ) -> Result<Flow, TemplateError> {
        let mark = self.variables.len();
        let flow = work(self);
        self.variables.truncate(mark);
        flow
    }

    fn range(&mut self, dot: &Value, branch: &Branch) -> Result<Flow, TemplateError> {
        let pipeline = &branch.pipeline;
        let value = self.commands(dot, pipeline)?;
        let items: Vec<(Value, Value)> = match value {
            Value::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(at, item)| (Value::Int(i64::try_from(at).unwrap_or(i64::MAX)), item))
                .collect(),
            Value::Map(entries) => entries
                .into_iter()
                .map(|(key, value)| (Value::Str(key), value))
                .collect(),
            Value::Nil => Vec::new(),
            other => {
                return Err(self.fail(
                    pipeline,
                    format!("range can't iterate over {}", plain(&other)),
                ));
            }
        };
        if items.is_empty() {
            return self.walk(dot, &branch.otherwise).map(|_| Flow::Normal);
        }
        for (key, item) in items {
            let mark = self.variables.len();
            match pipeline.variables.as_slice() {
                [] => {}
                [element] => self.bind(pipeline, element, item.clone())?,
                [index, element, ..] => {
                    self.bind(pipeline, index, key)?;
                    self.bind(pipeline, element, item.clone())?;
                }
            }
            let flow = self.walk(&item, &branch.body)?;
            self.variables.truncate(mark);
            if matches!(flow, Flow::Break) {
                break;
            }
        }
        Ok(Flow::Normal)
    }

    fn bind(&mut self, pipeline: &Pipeline, name: &str, value: Value) -> Result<(), TemplateError> {
        if pipeline.assigns {
            *self.variable(pipeline, name)? = value;
        } else {
            self.variables.push((name.to_owned(), value));
        }
        Ok(())
    }

    /// The innermost variable called `name`.
    fn variable(&mut self, pipeline: &Pipeline, name: &str) -> Result<&mut Value, TemplateError> {
        let file = &self.file;
        self.variables
            .iter_mut()
            .rev()
            .find(|(variable, _)| variable == name)
            .map(|(_, value)| value)
            .ok_or_else(|| {
                TemplateError::parse(file, pipeline.line, format!("undefined variable: {name}"))
            })
    }

    fn template(&mut self, name: &str, line: usize, dot: &Value) -> Result<(), TemplateError> {
        let fail = |message: String| TemplateError::Execute {
            at: Position {
                template: self.file.clone(),
                line,
            },
            executing: self.executing.clone(),
            action: format!("{{{{template {name:?}}}}}"),
            message,
        };
        let Some(definition) = self.templates.get(name) else {
            return Err(fail(format!("template {name:?} not defined")));
        };
        if self.depth >= MAX_DEPTH {
            return Err(fail(format!(
                "exceeded maximum template depth ({MAX_DEPTH})"
            )));
        }
        let mut inner = Run {
            templates: self.templates,
            functions: self.functions,
            executing: name.to_owned(),
            file: definition.file.clone(),
            variables: Vec::new(),
            out: std::mem::take(&mut self.out),
            depth: self.depth + 1,
        };
        let result = inner.start(&definition.body, dot);
        self.out = inner.out;
        result
    }

    fn print(&mut self, value: &Value) {
        match value {
            Value::Nil => self.out.push_str("<no value>"),
            other => self.out.push_str(&plain(other)),
        }
    }

    /// Evaluates `pipeline` and binds the variables it declares or assigns.
    fn pipeline(&mut self, dot: &Value, pipeline: &Pipeline) -> Result<Value, TemplateError> {
        let value = self.commands(dot, pipeline)?;
        if let Some(name) = pipeline.variables.first() {
            self.bind(pipeline, name, value.clone())?;
        }
        Ok(value)
    }

    fn commands(&mut self, dot: &Value, pipeline: &Pipeline) -> Result<Value, TemplateError> {
        let mut value = None;
        for command in &pipeline.commands {
            value = Some(self.command(dot, pipeline, command, value)?);
        }
        Ok(value.unwrap_or(Value::Nil))
    }

    fn command(
        &mut self,
        dot: &Value,
        pipeline: &Pipeline,
        command: &Command,
        piped: Option<Value>,
    ) -> Result<Value, TemplateError> {
        let Some((head, args)) = command.args.split_first() else {
            return Err(self.fail(pipeline, "empty command"));
        };
        if let Operand::Function(name) = head {
            return self.call(dot, pipeline, name, args, piped);
        }
        if !args.is_empty() || piped.is_some() {
            return Err(self.fail(
                pipeline,
                format!("can't give argument to non-function {}", describe(head)),
            ));
        }
        if matches!(head, Operand::Nil) {
            return Err(self.fail(pipeline, "nil is not a command"));
        }
        self.operand(dot, pipeline, head)
    }

    fn call(
        &mut self,
        dot: &Value,
        pipeline: &Pipeline,
        name: &str,
        args: &[Operand],
        piped: Option<Value>,
    ) -> Result<Value, TemplateError> {
        // `and` and `or` stop at the first argument that decides them, and give it back.
        if name == "and" || name == "or" {
            let mut last = Value::Nil;
            let count = args.len() + usize::from(piped.is_some());
            if count == 0 {
                return Err(self.fail(
                    pipeline,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                ));
            }
            for arg in args {
                last = self.operand(dot, pipeline, arg)?;
                if last.truthy() == (name == "or") {
                    return Ok(last);
                }
            }
            return Ok(piped.unwrap_or(last));
        }
        let Some(function) = self.functions.get(name) else {
            return Err(self.fail(pipeline, format!("function {name:?} not defined")));
        };
        let count = args.len() + usize::from(piped.is_some());
        if let Some(message) = function.arity_error(name, count) {
            return Err(self.fail(pipeline, message));
        }
        let mut values = Vec::with_capacity(count);
        for (at, arg) in args.iter().enumerate() {
            values.push(self.argument(dot, pipeline, arg, function.param(at))?);
        }
        if let Some(value) = piped {
            values.push(self.checked(pipeline, value, function.param(count - 1), true)?);
        }
        match (function.body)(&values) {
            Ok(value) => Ok(value),
            Err(CallError::Failed(message)) => {
                Err(self.fail(pipeline, format!("error calling {name}: {message}")))
            }
            Err(CallError::Unsupported(what)) => {
                Err(self.unsupported(pipeline, format!("{what} (in {name})")))
            }
        }
    }

    /// An argument for a parameter of type `param`: a constant converted as Go converts it,
    /// anything else checked.
    fn argument(
        &mut self,
        dot: &Value,
        pipeline: &Pipeline,
        operand: &Operand,
        param: Param,
    ) -> Result<Value, TemplateError> {
        let constant = match (operand, param) {
            (Operand::Str(text), Param::Any | Param::Str) => Ok(Value::Str(text.clone())),
            (Operand::Int(value), Param::Any | Param::Int) => Ok(Value::Int(*value)),
            #[allow(clippy::cast_precision_loss)]
            (Operand::Int(value), Param::Float) => Ok(Value::Float(*value as f64)),
            (Operand::Float(value), Param::Any | Param::Float) => Ok(Value::Float(*value)),
            (Operand::Bool(value), Param::Any | Param::Bool) => Ok(Value::Bool(*value)),
            (Operand::Nil, Param::Any | Param::List | Param::Map) => Ok(Value::Nil),
            (Operand::Nil, _) => Err(format!("cannot assign nil to {}", param.go_type())),
            (Operand::Str(_) | Operand::Int(_) | Operand::Float(_) | Operand::Bool(_), _) => {
                let expected = match param {
                    Param::Int => "integer",
                    Param::Float => "float",
                    other => other.go_type(),
                };
                Err(format!("expected {expected}; found {}", describe(operand)))
            }
            _ => {
                let value = self.operand(dot, pipeline, operand)?;
                return self.checked(pipeline, value, param, false);
            }
        };
        constant.map_err(|message| self.fail(pipeline, message))
    }

    /// `value`, if a parameter of type `param` takes it as it is. A nil given directly is an
    /// empty `interface {}`, which only an `interface {}` parameter takes; a nil piped in has
    /// lost even that type, and any parameter that can be nil takes it.
    fn checked(
        &self,
        pipeline: &Pipeline,
        value: Value,
        param: Param,
        piped: bool,
    ) -> Result<Value, TemplateError> {
        let fits = match (&value, param) {
            (_, Param::Any)
            | (Value::Str(_), Param::Str)
            | (Value::Int(_), Param::Int)
            | (Value::Float(_), Param::Float)
            | (Value::Bool(_), Param::Bool)
            | (Value::List(_), Param::List)
            | (Value::Map(_), Param::Map) => true,
            (Value::Nil, Param::List | Param::Map) if piped => true,
            (Value::Nil, _) if piped => {
                return Err(self.fail(
                    pipeline,
                    format!("invalid value; expected {}", param.go_type()),
                ));
            }
            (Value::Nil, _) => {
                return Err(self.fail(
                    pipeline,
                    format!(
                        "wrong type for value; expected {}; got interface {{}}",
                        param.go_type()
                    ),
                ));
            }
            _ => false,
        };
        if fits {
            Ok(value)
        } else {
            Err(self.fail(
                pipeline,
                format!(
                    "wrong type for value; expected {}; got {}",
                    param.go_type(),
                    value.go_type()
                ),
            ))
        }
    }

    fn operand(
        &mut self,
        dot: &Value,
        pipeline: &Pipeline,
        operand: &Operand,
    ) -> Result<Value, TemplateError> {
        match operand {
            Operand::Field(chain) => self.fields(pipeline, dot.clone(), chain),
            Operand::Variable(name, chain) => {
                let value = self.variable(pipeline, name)?.clone();
                self.fields(pipeline, value, chain)
            }
            Operand::Dot => Ok(dot.clone()),
            Operand::Function(name) => self.call(dot, pipeline, name, &[], None),
            Operand::Str(text) => Ok(Value::Str(text.clone())),
            Operand::Int(value) => Ok(Value::Int(*value)),
            Operand::Float(value) => Ok(Value::Float(*value)),
            Operand::Bool(value) => Ok(Value::Bool(*value)),
            Operand::Nil => Ok(Value::Nil),
            Operand::Nested(inner, chain) => {
                let value = self.commands(dot, inner)?;
                self.fields(pipeline, value, chain)
            }
        }
    }

    /// Follows `chain` from `value`. What a map holds is an `interface {}` to Go, so a field of
    /// it that cannot be taken is reported on that type.
    fn fields(
        &self,
        pipeline: &Pipeline,
        mut value: Value,
        chain: &[String],
    ) -> Result<Value, TemplateError> {
        let mut from_map = false;
        for name in chain {
            value = match value {
                Value::Map(mut entries) => entries.remove(name).unwrap_or(Value::Nil),
                Value::Nil => {
                    return Err(self.fail(
                        pipeline,
                        format!("nil pointer evaluating interface {{}}.{name}"),
                    ));
                }
                other => {
                    let type_name = if from_map {
                        "interface {}"
                    } else {
                        other.go_type()
                    };
                    return Err(self.fail(
                        pipeline,
                        format!("can't evaluate field {name} in type {type_name}"),
                    ));
                }
            };
            from_map = true;
        }
        Ok(value)
    }
}

fn describe(operand: &Operand) -> String {
    match operand {
        Operand::Field(chain) => chain.iter().map(|name| format!(".{name}")).collect(),
        Operand::Variable(name, chain) => format!(
            "{name}{}",
            chain
                .iter()
                .map(|step| format!(".{step}"))
                .collect::<String>()
        ),
        Operand::Dot => ".".to_owned(),
        Operand::Str(text) => format!("{text:?}"),
        Operand::Int(value) => value.to_string(),
        Operand::Float(value) => value.to_string(),
        Operand::Bool(value) => value.to_string(),
        Operand::Nil => "nil".to_owned(),
        Operand::Function(name) => name.clone(),
        Operand::Nested(inner, _) => format!("({})", inner.text),
    }
}
