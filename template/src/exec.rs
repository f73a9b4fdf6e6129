//! The executor: a parsed template run over a value, written out as Go's text/template does
//! with `missingkey=zero`. Like Go's, it keeps the node it is at, which errors name with its
//! line and column.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::{Position, TemplateError};
use crate::format::plain;
use crate::funcs::{Call, CallError, Function, Functions, Param};
use crate::parse::{Arg, Branch, Command, Node, Operand, Pipeline, Spot};
use crate::value::Value;

/// How deep `{{template}}` actions may nest before the run stops, as in Go.
const MAX_DEPTH: usize = 100_000;

/// How many times one template may be `include`d inside itself, as in Helm.
const MAX_INCLUDES: usize = 1000;

/// How many `include`s of each template are running, shared by a whole render (Helm's
/// `includedNames`).
pub(crate) type Included = RefCell<BTreeMap<String, usize>>;

/// What Helm names its set of templates, which its messages give.
pub(crate) const SET_NAME: &str = "gotpl";

/// A defined template: the file it was written in, that file's text, and its body.
#[derive(Clone, Debug)]
pub(crate) struct Definition {
    pub file: String,
    pub source: Arc<str>,
    pub body: Vec<Node>,
}

/// A command's arguments for the last step of a field chain: the chain's node (where a failure
/// is reported), the arguments written, and the piped value.
type Arguments<'c> = (&'c Spot, &'c [Arg], Option<Value>);

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
    /// The template running now.
    pub executing: String,
    /// The file its nodes came from, and its text.
    pub file: String,
    pub source: Arc<str>,
    /// The node being evaluated, for errors.
    pub node: Spot,
    pub variables: Vec<(String, Value)>,
    pub out: String,
    /// How deep in `{{template}}` actions this run is.
    pub depth: usize,
    /// Whether dot is a nil a range found in a list: typed `interface {}` to Go, so a field of
    /// it cannot be taken, unlike a dot that holds no value at all.
    pub nil_element: bool,
    pub included: &'a Included,
}

impl<'a> Run<'a> {
    /// A run of `definition`, named `executing`, at `depth`.
    pub fn new(
        templates: &'a BTreeMap<String, Definition>,
        functions: &'a Functions,
        included: &'a Included,
        executing: &str,
        definition: &Definition,
        depth: usize,
    ) -> Self {
        Self {
            templates,
            functions,
            executing: executing.to_owned(),
            file: definition.file.clone(),
            source: definition.source.clone(),
            node: Spot {
                pos: 0,
                text: String::new(),
            },
            variables: Vec::new(),
            out: String::new(),
            depth,
            included,
            nil_element: false,
        }
    }

    /// Runs `body` with `dot`, `$` set to it.
    pub fn start(&mut self, body: &[Node], dot: &Value) -> Result<(), TemplateError> {
        self.variables.push(("$".to_owned(), dot.clone()));
        self.walk(dot, body)?;
        Ok(())
    }

    /// A run of another template of the set, `depth` deep.
    fn nested(&self, name: &str, definition: &Definition, depth: usize) -> Run<'a> {
        Run::new(
            self.templates,
            self.functions,
            self.included,
            name,
            definition,
            depth,
        )
    }

    fn at(&mut self, spot: &Spot) {
        self.node = spot.clone();
    }

    /// Where the current node is: its line, and its byte column on that line (from 0).
    fn position(&self) -> Position {
        let before = self.source.get(..self.node.pos).unwrap_or_default();
        let column = before
            .rfind('\n')
            .map_or(self.node.pos, |at| self.node.pos - at - 1);
        Position {
            template: self.file.clone(),
            line: 1 + before.matches('\n').count(),
            column: Some(column),
        }
    }

    fn fail(&self, message: impl Into<String>) -> TemplateError {
        TemplateError::Execute {
            at: self.position(),
            executing: self.executing.clone(),
            action: self.node.text.clone(),
            message: message.into(),
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
                Node::Template { name, pipeline, at } => {
                    self.at(at);
                    let value = match pipeline {
                        Some(pipeline) => self.pipeline(dot, pipeline)?,
                        None => Value::Nil,
                    };
                    self.at(at);
                    self.template(name, &value)?;
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
        let mut value = self.commands(dot, pipeline)?;
        if let Value::Object(object) = &value
            && let Some(items) = object.collection()
        {
            value = items;
        }
        let items: Vec<(Value, Value)> = match value {
            Value::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(at, item)| (Value::Int(i64::try_from(at).unwrap_or(i64::MAX)), item))
                .collect(),
            Value::Map(entries) => entries
                .snapshot()
                .into_iter()
                .map(|(key, value)| (Value::Str(key), value))
                .collect(),
            Value::Nil => Vec::new(),
            other => {
                return Err(self.fail(format!("range can't iterate over {}", plain(&other))));
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
            let outer = std::mem::replace(&mut self.nil_element, matches!(item, Value::Nil));
            let flow = self.walk(&item, &branch.body);
            self.nil_element = outer;
            let flow = flow?;
            self.variables.truncate(mark);
            if matches!(flow, Flow::Break) {
                break;
            }
        }
        Ok(Flow::Normal)
    }

    fn bind(&mut self, pipeline: &Pipeline, name: &str, value: Value) -> Result<(), TemplateError> {
        if pipeline.assigns {
            *self.variable(name)? = value;
        } else {
            self.variables.push((name.to_owned(), value));
        }
        Ok(())
    }

    /// The innermost variable called `name`.
    fn variable(&mut self, name: &str) -> Result<&mut Value, TemplateError> {
        let at = self.position();
        self.variables
            .iter_mut()
            .rev()
            .find(|(variable, _)| variable == name)
            .map(|(_, value)| value)
            .ok_or_else(|| {
                TemplateError::parse(&at.template, at.line, format!("undefined variable: {name}"))
            })
    }

    fn template(&mut self, name: &str, dot: &Value) -> Result<(), TemplateError> {
        let Some(definition) = self.templates.get(name) else {
            return Err(self.fail(format!("template {name:?} not defined")));
        };
        if self.depth >= MAX_DEPTH {
            return Err(self.fail(format!("exceeded maximum template depth ({MAX_DEPTH})")));
        }
        let mut inner = self.nested(name, definition, self.depth + 1);
        inner.out = std::mem::take(&mut self.out);
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
        self.at(&pipeline.at);
        let mut value = None;
        for command in &pipeline.commands {
            value = Some(self.command(dot, command, value)?);
        }
        Ok(value.unwrap_or(Value::Nil))
    }

    fn command(
        &mut self,
        dot: &Value,
        command: &Command,
        piped: Option<Value>,
    ) -> Result<Value, TemplateError> {
        let Some((head, args)) = command.args.split_first() else {
            return Err(self.fail("empty command"));
        };
        self.at(&head.at);
        if let Operand::Function(name) = &head.operand {
            return self.call(dot, command, name, args, piped);
        }
        let with_args = !args.is_empty() || piped.is_some();
        // A field chain hands the command's arguments to its last step, as Go does.
        let chained = matches!(
            &head.operand,
            Operand::Field(chain) | Operand::Variable(_, chain) | Operand::Nested(_, chain)
                if !chain.is_empty()
        );
        if with_args && chained {
            return self.chained(dot, head, Some((&head.at, args, piped)));
        }
        if with_args {
            return Err(self.fail(format!(
                "can't give argument to non-function {}",
                head.at.text
            )));
        }
        if matches!(head.operand, Operand::Nil) {
            return Err(self.fail("nil is not a command"));
        }
        self.operand(dot, head)
    }

    fn call(
        &mut self,
        dot: &Value,
        command: &Command,
        name: &str,
        args: &[Arg],
        piped: Option<Value>,
    ) -> Result<Value, TemplateError> {
        // `and` and `or` stop at the first argument that decides them, and give it back.
        if name == "and" || name == "or" {
            let count = args.len() + usize::from(piped.is_some());
            if count == 0 {
                return Err(self.fail(format!(
                    "wrong number of args for {name}: want at least 1 got 0"
                )));
            }
            let mut last = Value::Nil;
            for arg in args {
                self.at(&arg.at);
                last = self.operand(dot, arg)?;
                if last.truthy() == (name == "or") {
                    return Ok(last);
                }
            }
            return Ok(piped.unwrap_or(last));
        }
        let Some(function) = self.functions.get(name).cloned() else {
            return Err(self.fail(format!("function {name:?} not defined")));
        };
        self.invoke(dot, &command.at, name, &function, args, piped)
    }

    /// Calls `function` (or a method) named `name` with `args` and the piped value; a failure
    /// inside it is reported at `node`, as Go reports it at the call.
    fn invoke(
        &mut self,
        dot: &Value,
        node: &Spot,
        name: &str,
        function: &Function,
        args: &[Arg],
        piped: Option<Value>,
    ) -> Result<Value, TemplateError> {
        let count = args.len() + usize::from(piped.is_some());
        if let Some(message) = function.arity_error(name, count) {
            return Err(self.fail(message));
        }
        let mut values = Vec::with_capacity(count);
        for (at, arg) in args.iter().enumerate() {
            values.push(self.argument(dot, arg, function.param(at))?);
        }
        if let Some(value) = piped {
            values.push(self.checked(value, function.param(count - 1), true)?);
        }
        let result = match &function.call {
            Call::Plain(body) => body(&values),
            Call::Include => self.include(&values),
            Call::Tpl => self.tpl(&values),
        };
        match result {
            Ok(value) => Ok(value),
            Err(CallError::Failed(message)) => {
                self.at(node);
                Err(self.fail(format!("error calling {name}: {message}")))
            }
            Err(CallError::Unsupported(what)) => Err(TemplateError::Unsupported {
                at: self.position(),
                what: format!("{what} (in {name})"),
            }),
        }
    }

    /// Helm's `include`: the template named by the first argument, run over the second.
    fn include(&self, args: &[Value]) -> Result<Value, CallError> {
        let name = args[0].text();
        let Some(definition) = self.templates.get(name) else {
            return Err(CallError::Failed(format!(
                "template: no template {name:?} associated with template \"{SET_NAME}\""
            )));
        };
        {
            let mut included = self.included.borrow_mut();
            let count = included.entry(name.to_owned()).or_insert(0);
            if *count > MAX_INCLUDES {
                return Err(CallError::Failed(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                )));
            }
            *count += 1;
        }
        // Go runs an included template afresh: `{{template}}` depth starts again.
        let mut inner = self.nested(name, definition, 0);
        let result = inner.start(&definition.body, &args[1]);
        if let Some(count) = self.included.borrow_mut().get_mut(name) {
            *count -= 1;
        }
        result.map_err(|error| CallError::Failed(error.to_string()))?;
        Ok(Value::Str(inner.out))
    }

    /// Helm's `tpl`: the first argument parsed as a template named as the set is, beside a
    /// copy of the set's templates, and run over the second.
    fn tpl(&self, args: &[Value]) -> Result<Value, CallError> {
        let text = args[0].text();
        let mut templates = self.templates.clone();
        crate::define(&mut templates, self.functions, SET_NAME, text).map_err(|error| {
            CallError::Failed(format!("cannot parse template {text:?}: {error}"))
        })?;
        let definition = &templates[SET_NAME];
        let mut inner = Run::new(
            &templates,
            self.functions,
            self.included,
            SET_NAME,
            definition,
            0,
        );
        inner.start(&definition.body, &args[1]).map_err(|error| {
            CallError::Failed(format!(
                "error during tpl function execution for {text:?}: {error}"
            ))
        })?;
        Ok(Value::Str(inner.out.replace("<no value>", "")))
    }

    /// An argument for a parameter of type `param`: a constant converted as Go converts it,
    /// anything else checked.
    fn argument(&mut self, dot: &Value, arg: &Arg, param: Param) -> Result<Value, TemplateError> {
        self.at(&arg.at);
        let constant = match (&arg.operand, param) {
            (Operand::Str(text), Param::Any | Param::Str) => Ok(Value::Str(text.clone())),
            (Operand::Int(value), Param::Any | Param::Int) => Ok(Value::Int(*value)),
            #[allow(clippy::cast_precision_loss)]
            (Operand::Int(value), Param::Float) => Ok(Value::Float(*value as f64)),
            (Operand::Float(value), Param::Any | Param::Float) => Ok(Value::Float(*value)),
            // Go's constant `2.0` is an integer too, where an integer is wanted.
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            (Operand::Float(value), Param::Int)
                if value.fract() == 0.0 && (*value as i64) as f64 == *value =>
            {
                Ok(Value::Int(*value as i64))
            }
            (Operand::Bool(value), Param::Any | Param::Bool) => Ok(Value::Bool(*value)),
            (Operand::Nil, Param::Any | Param::List | Param::Map) => Ok(Value::Nil),
            (Operand::Nil, _) => Err(format!("cannot assign nil to {}", param.go_type())),
            (Operand::Str(_) | Operand::Int(_) | Operand::Float(_) | Operand::Bool(_), _) => {
                let expected = match param {
                    Param::Int => "integer",
                    Param::Float => "float",
                    other => other.go_type(),
                };
                Err(format!("expected {expected}; found {}", arg.at.text))
            }
            _ => {
                let value = self.operand(dot, arg)?;
                return self.checked(value, param, false);
            }
        };
        constant.map_err(|message| self.fail(message))
    }

    /// `value`, if a parameter of type `param` takes it as it is. A nil given directly is an
    /// empty `interface {}`, which only an `interface {}` parameter takes; a nil piped in has
    /// lost even that type, and any parameter that can be nil takes it.
    fn checked(&self, value: Value, param: Param, piped: bool) -> Result<Value, TemplateError> {
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
                return Err(self.fail(format!("invalid value; expected {}", param.go_type())));
            }
            (Value::Nil, _) => {
                return Err(self.fail(format!(
                    "wrong type for value; expected {}; got interface {{}}",
                    param.go_type()
                )));
            }
            _ => false,
        };
        if fits {
            Ok(value)
        } else {
            Err(self.fail(format!(
                "wrong type for value; expected {}; got {}",
                param.go_type(),
                value.go_type()
            )))
        }
    }

    fn operand(&mut self, dot: &Value, arg: &Arg) -> Result<Value, TemplateError> {
        self.chained(dot, arg, None)
    }

    /// An operand, a field chain's last step given `call`'s arguments if any.
    fn chained(
        &mut self,
        dot: &Value,
        arg: &Arg,
        call: Option<Arguments<'_>>,
    ) -> Result<Value, TemplateError> {
        match &arg.operand {
            Operand::Field(chain) if self.nil_element && matches!(dot, Value::Nil) => {
                let name = chain.first().map_or("", String::as_str);
                Err(self.fail(format!("nil pointer evaluating interface {{}}.{name}")))
            }
            Operand::Field(chain) => self.fields(dot, dot.clone(), chain, call),
            Operand::Variable(name, chain) => {
                let value = self.variable(name)?.clone();
                self.fields(dot, value, chain, call)
            }
            Operand::Dot => Ok(dot.clone()),
            Operand::Function(name) => {
                let alone = Command {
                    args: vec![arg.clone()],
                    at: arg.at.clone(),
                };
                self.call(dot, &alone, name, &[], None)
            }
            Operand::Str(text) => Ok(Value::Str(text.clone())),
            Operand::Int(value) => Ok(Value::Int(*value)),
            Operand::Float(value) => Ok(Value::Float(*value)),
            Operand::Bool(value) => Ok(Value::Bool(*value)),
            Operand::Nil => Ok(Value::Nil),
            // Go names the last node evaluated inside, whatever fails after.
            Operand::Nested(inner, chain) => {
                let value = self.commands(dot, inner)?;
                self.fields(dot, value, chain, call)
            }
        }
    }

    /// Follows `chain` from `value`. What a map holds is an `interface {}` to Go, so a nil
    /// found in a map cannot be followed, and a field of it that cannot be taken is reported
    /// on that type; a chain that starts from no value at all (a nil pipeline's result, as Go
    /// drops its type) gives no value. An object's methods are called, the last step with
    /// `call`'s arguments and piped value (the chain's node, to report failures at), which no
    /// other step may take.
    fn fields(
        &mut self,
        dot: &Value,
        mut value: Value,
        chain: &[String],
        mut call: Option<Arguments<'_>>,
    ) -> Result<Value, TemplateError> {
        let mut from_map = false;
        for (at, name) in chain.iter().enumerate() {
            let last = at + 1 == chain.len();
            let with_args = last
                && call
                    .as_ref()
                    .is_some_and(|(_, args, piped)| !args.is_empty() || piped.is_some());
            value = match value {
                Value::Object(object) => {
                    from_map = false;
                    if let Some(method) = object.method(name) {
                        let (node, args, piped) = match call.take() {
                            Some((node, args, piped)) if last => (node.clone(), args, piped),
                            _ => (self.node.clone(), &[][..], None),
                        };
                        self.invoke(dot, &node, name, &method, args, piped)?
                    } else if let Some(field) = object.field(name) {
                        if with_args {
                            return Err(self.fail(format!(
                                "{name} has arguments but cannot be invoked as function"
                            )));
                        }
                        field
                    } else {
                        return Err(self.fail(format!(
                            "can't evaluate field {name} in type {}",
                            object.go_type()
                        )));
                    }
                }
                Value::Map(_) if with_args => {
                    return Err(self.fail(format!("{name} is not a method but has arguments")));
                }
                Value::Map(entries) => {
                    from_map = true;
                    entries.get(name).unwrap_or(Value::Nil)
                }
                Value::Nil if from_map => {
                    return Err(self.fail(format!("nil pointer evaluating interface {{}}.{name}")));
                }
                Value::Nil => return Ok(Value::Nil),
                other => {
                    let type_name = if from_map {
                        "interface {}"
                    } else {
                        other.go_type()
                    };
                    return Err(
                        self.fail(format!("can't evaluate field {name} in type {type_name}"))
                    );
                }
            };
        }
        Ok(value)
    }
}
