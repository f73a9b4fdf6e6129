//! Go's text/template, as Helm runs it: templates parsed into one set where any may call a
//! template another defines, run over JSON-like values with `missingkey=zero`, printing and
//! comparing values as Go does. What this engine does not do fails with an error naming it;
//! nothing is ever rendered differently.
//!
//! ```
//! use orbital_template::{Templates, Value};
//!
//! let mut templates = Templates::new();
//! templates.add("greeting", "{{ range . }}hello {{ . }} {{ end }}").unwrap();
//! let names = Value::from(serde_json::json!(["a", "b"]));
//! assert_eq!(templates.render("greeting", &names).unwrap(), "hello a hello b ");
//! ```

mod error;
mod exec;
mod format;
mod funcs;
mod helm;
mod lex;
mod parse;
mod sprig;
mod value;
mod yaml;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use error::{Position, TemplateError};
pub use format::float32_text;
pub use funcs::{Body, Call, CallError, Function, Functions, Param, builtins};
pub use helm::{helm, helm_message};
pub use sprig::{compare_versions, is_semver, semver_admits, sprig, to_json};
pub use value::{Map, Object, Value};
pub use yaml::{YamlError, read_yaml, to_yaml};

use exec::{Definition, Included, Run};
use parse::{Node, Operand, Pipeline, parse};

/// The stack a render runs on, so that Go's and Helm's limits (`{{template}}` 100,000 deep, a
/// template included in itself 1,000 times), not a stack overflow, end a runaway template. It
/// is reserved, not used, until a render needs it.
const RENDER_STACK: usize = 1 << 30;

/// A set of templates: each added file, and every template the files define.
pub struct Templates {
    functions: Functions,
    templates: BTreeMap<String, Definition>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// An empty set with Go's built-in functions.
    pub fn new() -> Self {
        Self::with_functions(builtins())
    }

    /// An empty set with `functions` (which should include [`builtins`]).
    pub fn with_functions(functions: Functions) -> Self {
        Self {
            functions,
            templates: BTreeMap::new(),
        }
    }

    /// Parses `source` as the template `name`; the templates it defines join the set, over any
    /// of the same name added before. A call of a function the set lacks fails here, as Go
    /// fails it when parsing.
    pub fn add(&mut self, name: &str, source: &str) -> Result<(), TemplateError> {
        define(&mut self.templates, &self.functions, name, source)
    }

    /// Runs the template `name` over `dot`, on a thread of its own with room for templates
    /// nested as deep as Go and Helm allow them.
    pub fn render(&self, name: &str, dot: &Value) -> Result<String, TemplateError> {
        std::thread::scope(|scope| {
            match std::thread::Builder::new()
                .name("template".to_owned())
                .stack_size(RENDER_STACK)
                .spawn_scoped(scope, || self.render_here(name, dot))
            {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // Without a thread to spare, the render runs here, as deep as this stack allows.
                Err(_) => self.render_here(name, dot),
            }
        })
    }

    fn render_here(&self, name: &str, dot: &Value) -> Result<String, TemplateError> {
        let definition = self
            .templates
            .get(name)
            .ok_or_else(|| TemplateError::NoTemplate(name.to_owned()))?;
        let included = Included::default();
        let mut run = Run::new(
            &self.templates,
            &self.functions,
            &included,
            name,
            definition,
            0,
        );
        run.start(&definition.body, dot)?;
        Ok(run.out)
    }
}

/// Parses `source` as the template `name` and puts it and the templates it defines into
/// `templates`; fails, as Go's parser does, on a call of a function `functions` lacks.
pub(crate) fn define(
    templates: &mut BTreeMap<String, Definition>,
    functions: &Functions,
    name: &str,
    source: &str,
) -> Result<(), TemplateError> {
    let parsed = parse(name, source)?;
    let mut used = Vec::new();
    functions_in(&parsed.body, &mut used);
    for body in parsed.defines.values() {
        functions_in(body, &mut used);
    }
    if let Some((function, pos)) = used.into_iter().find(|(function, _)| {
        !functions.contains_key(function) && function != "and" && function != "or"
    }) {
        let line = 1 + source.get(..pos).unwrap_or_default().matches('\n').count();
        let message = if helm::NOT_SUPPORTED.contains(&function.as_str()) {
            format!("function {function:?} is not supported by Orbital's chart renderer")
        } else {
            format!("function {function:?} not defined")
        };
        return Err(TemplateError::parse(name, line, message));
    }
    let source: Arc<str> = Arc::from(source);
    let definition = |body| Definition {
        file: name.to_owned(),
        source: source.clone(),
        body,
    };
    let defined = parsed
        .defines
        .into_iter()
        .chain([(name.to_owned(), parsed.body)]);
    for (defined, body) in defined {
        // As in Go, a template that is only white space does not replace one already there.
        if is_blank(&body) && templates.contains_key(&defined) {
            continue;
        }
        templates.insert(defined, definition(body));
    }
    Ok(())
}

/// Go's `parse.IsEmptyTree`: nothing but white space.
fn is_blank(nodes: &[Node]) -> bool {
    nodes
        .iter()
        .all(|node| matches!(node, Node::Text(text) if text.trim().is_empty()))
}

/// Every function named in `nodes`, with where it is.
fn functions_in(nodes: &[Node], used: &mut Vec<(String, usize)>) {
    fn pipeline(found: &Pipeline, used: &mut Vec<(String, usize)>) {
        for command in &found.commands {
            for arg in &command.args {
                match &arg.operand {
                    Operand::Function(name) => used.push((name.clone(), arg.at.pos)),
                    Operand::Nested(inner, _) => pipeline(inner, used),
                    _ => {}
                }
            }
        }
    }
    for node in nodes {
        match node {
            Node::Action(found) => pipeline(found, used),
            Node::If(branch) | Node::Range(branch) | Node::With(branch) => {
                pipeline(&branch.pipeline, used);
                functions_in(&branch.body, used);
                functions_in(&branch.otherwise, used);
            }
            Node::Template {
                pipeline: Some(found),
                ..
            } => pipeline(found, used),
            Node::Text(_) | Node::Template { .. } | Node::Break | Node::Continue => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_the_set_lacks_fails_when_added_even_if_never_run() {
        let mut templates = Templates::new();
        let error = templates
            .add("t", "line one\n{{ if false }}{{ toYaml . }}{{ end }}")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "template: t:2: function \"toYaml\" not defined"
        );
    }

    #[test]
    fn a_helm_function_this_engine_lacks_is_named_as_unsupported() {
        let mut templates = Templates::with_functions(helm());
        let error = templates
            .add("chart/templates/cm.yaml", "a\nb: {{ now | date \"2006\" }}")
            .unwrap_err();
        assert_eq!(
            helm_message(&error),
            "parse error at (chart/templates/cm.yaml:2): function \"now\" is not supported by Orbital's chart renderer"
        );
    }

    #[test]
    fn a_field_of_a_missing_value_fails_naming_it() {
        let mut templates = Templates::new();
        templates.add("t", "{{ .a.b }}").unwrap();
        let error = templates
            .render("t", &Value::Map(Map::default()))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "template: t:1:5: executing \"t\" at <.a.b>: nil pointer evaluating interface {}.b"
        );
    }

    #[test]
    fn a_blank_definition_does_not_replace_one_already_there() {
        let mut templates = Templates::new();
        templates
            .add("a", "{{ define \"x\" }}kept{{ end }}")
            .unwrap();
        templates
            .add("b", "{{ define \"x\" }}  \n{{ end }}")
            .unwrap();
        templates.add("main", "{{ template \"x\" }}").unwrap();
        assert_eq!(templates.render("main", &Value::Nil).unwrap(), "kept");
        templates
            .add("c", "{{ define \"x\" }}new{{ end }}")
            .unwrap();
        assert_eq!(templates.render("main", &Value::Nil).unwrap(), "new");
    }

    #[test]
    fn a_defined_template_reports_the_file_it_was_written_in() {
        let mut templates = Templates::new();
        templates
            .add("helpers", "{{ define \"x\" }}\n{{ .a.b }}{{ end }}")
            .unwrap();
        templates.add("main", "{{ template \"x\" . }}").unwrap();
        let error = templates
            .render("main", &Value::Map(Map::default()))
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("template: helpers:2:5: executing \"x\""),
            "{error}"
        );
    }
}

#[cfg(test)]
mod object_tests {
    use std::sync::Arc;

    use super::*;

    /// A stand-in for Helm's `.Files`: `Get` a file's text, `Missing` fails.
    #[derive(Debug)]
    struct Files;

    impl Object for Files {
        fn go_type(&self) -> &'static str {
            "test.Files"
        }
        fn field(&self, name: &str) -> Option<Value> {
            (name == "Count").then_some(Value::Int(1))
        }
        fn method(&self, name: &str) -> Option<Function> {
            match name {
                "Get" => Some(Function::new(&[Param::Str], None, |args| {
                    Ok(Value::Str(format!("contents of {}", args[0].text())))
                })),
                "Missing" => Some(Function::new(&[], None, |_| {
                    Err(CallError::Failed("no such file".to_owned()))
                })),
                _ => None,
            }
        }
        fn data(&self) -> Value {
            Value::Map(Map::default())
        }
        fn print(&self) -> String {
            "map[]".to_owned()
        }
    }

    fn render(source: &str) -> Result<String, TemplateError> {
        let mut templates = Templates::with_functions(sprig());
        templates.add("t", source)?;
        let dot = Map::default();
        dot.insert("Files".to_owned(), Value::Object(Arc::new(Files)));
        templates.render("t", &Value::Map(dot))
    }

    #[test]
    fn a_method_at_the_end_of_a_chain_takes_the_commands_arguments() {
        assert_eq!(
            render(r#"{{ .Files.Get "a.txt" | upper }}"#).unwrap(),
            "CONTENTS OF A.TXT"
        );
        assert_eq!(
            render(r#"{{ "b" | .Files.Get }}"#).unwrap(),
            "contents of b"
        );
        assert_eq!(render("{{ .Files.Count }}").unwrap(), "1");
    }

    #[test]
    fn a_field_given_arguments_and_a_failing_method_fail_as_go_fails_them() {
        assert_eq!(
            render(r#"{{ .Files.Count "x" }}"#).unwrap_err().to_string(),
            "template: t:1:9: executing \"t\" at <.Files.Count>: Count has arguments but cannot be invoked as function"
        );
        assert_eq!(
            render("{{ .Files.Missing }}").unwrap_err().to_string(),
            "template: t:1:9: executing \"t\" at <.Files.Missing>: error calling Missing: no such file"
        );
        assert_eq!(
            render("{{ .Files.Nope }}").unwrap_err().to_string(),
            "template: t:1:9: executing \"t\" at <.Files.Nope>: can't evaluate field Nope in type test.Files"
        );
    }
}
