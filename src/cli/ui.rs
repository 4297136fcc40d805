//! The only place that prints: text or `--json` on stdout, errors and notes on stderr.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use super::error::CliError;

/// Where and how a command's output goes.
pub struct Ui {
    /// Print JSON instead of text.
    pub json: bool,
    color: bool,
    out: Box<dyn Write>,
    err: Box<dyn Write>,
}

impl Ui {
    /// A Ui on the process's stdout and stderr; colour only on a terminal without `NO_COLOR`.
    pub fn stdio(json: bool) -> Ui {
        let color = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Ui {
            json,
            color,
            out: Box::new(io::stdout()),
            err: Box::new(io::stderr()),
        }
    }

    /// Prints `value` as JSON in `--json` mode, else the text `render` writes.
    pub fn emit<T: Serialize>(
        &mut self,
        value: &T,
        render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), CliError> {
        if self.json {
            let text = serde_json::to_string_pretty(value).map_err(anyhow::Error::from)?;
            writeln!(self.out, "{text}")?;
        } else {
            render(&mut self.out)?;
        }
        self.out.flush()?;
        Ok(())
    }

    /// Writes raw text to stdout (for formats that are not the text/JSON pair).
    pub fn out(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    /// Writes a note for people on stderr (never mixed into JSON on stdout).
    pub fn note(&mut self, text: &str) {
        // A closed stderr is no reason to fail the command.
        let _ = writeln!(self.err, "{text}");
    }

    /// Renders a failure on stderr: what happened, then what to do next.
    pub fn error(&mut self, e: &CliError) {
        let (label, message, hint) = match e {
            CliError::Refused { message, hint } => ("refused", message.clone(), hint.clone()),
            CliError::Usage { message, hint } => ("error", message.clone(), hint.clone()),
            CliError::Internal(err) => ("error", format!("{err:#}"), String::new()),
        };
        let label = if self.color {
            format!("\x1b[1;31m{label}\x1b[0m")
        } else {
            label.to_owned()
        };
        let _ = writeln!(self.err, "{label}: {message}");
        if !hint.is_empty() {
            let _ = writeln!(self.err, "  next: {hint}");
        }
    }
}
