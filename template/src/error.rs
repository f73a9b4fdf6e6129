//! What can go wrong: a template that does not parse, or one that fails as it runs.

use std::fmt;

/// Where in which template something went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The template's name (for a chart, its file's path in the chart).
    pub template: String,
    /// The line, from 1.
    pub line: usize,
    /// The byte column on that line, from 0, where Go gives one (running, not parsing).
    pub column: Option<usize>,
}

impl fmt::Display for Position {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}", self.template, self.line)?;
        if let Some(column) = self.column {
            write!(formatter, ":{column}")?;
        }
        Ok(())
    }
}

/// A template's failure, worded as Go's text/template words it.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TemplateError {
    /// The text is not a template.
    #[error("template: {at}: {message}")]
    Parse {
        /// Where.
        at: Position,
        /// What is wrong there.
        message: String,
    },
    /// Running the template failed.
    #[error("template: {at}: executing \"{executing}\" at <{action}>: {message}")]
    Execute {
        /// Where.
        at: Position,
        /// The template that was running.
        executing: String,
        /// The part of the action that failed, as written.
        action: String,
        /// What went wrong.
        message: String,
    },
    /// A template that was asked for does not exist.
    #[error("template: no template {0:?} associated with template \"gotpl\"")]
    NoTemplate(String),
    /// The template uses something this engine does not do; never rendered differently.
    #[error("template: {at}: {what} is not supported")]
    Unsupported {
        /// Where.
        at: Position,
        /// The function, verb or construct.
        what: String,
    },
}

impl TemplateError {
    /// A parse error at `line` of `template`.
    pub(crate) fn parse(template: &str, line: usize, message: impl Into<String>) -> Self {
        TemplateError::Parse {
            at: Position {
                template: template.to_owned(),
                line,
                column: None,
            },
            message: message.into(),
        }
    }
}
