//! Printing what the checks found, the same way for `check pre-commit`, `check pre-push`,
//! `check pr` and the hooks: in a hook on stderr (git shows it), by hand on stdout in the
//! chosen format.

use serde::Serialize;

use super::format::Format;
use super::{CliError, Ctx, Outcome};
use crate::enforce::report::text::{self, Refused};
use crate::enforce::report::{Findings, ci};
use crate::enforce::secrets::Secrets;
use crate::policy::{Rule, Violation, rule};

/// One run of the checks, ready to print.
pub struct CheckReport<'a, T: Serialize> {
    /// What was checked.
    pub what: Refused,
    /// The whole report, for `--json`.
    pub value: &'a T,
    /// What was found.
    pub violations: &'a [Violation],
    /// The line printed when nothing was found.
    pub ok: String,
    /// Where SARIF anchors findings without a file.
    pub anchor: &'a str,
    /// The rules SARIF lists: the checks', and the secret scanner's when it ran.
    pub rules: Vec<Rule<'a>>,
}

impl<T: Serialize> CheckReport<'_, T> {
    /// The violations on stderr, where git shows them, and `Findings` when there are any
    /// (git then refuses the commit or push).
    pub fn in_hook(&self, ctx: &mut Ctx) -> Result<Outcome, CliError> {
        if self.violations.is_empty() {
            return Ok(Outcome::Clean);
        }
        let mut out = Vec::new();
        text::render(&mut out, self.what, self.violations, ctx.in_ci())?;
        ctx.ui.note(String::from_utf8_lossy(&out).trim_end());
        Ok(Outcome::Findings)
    }

    /// The report on stdout in `format`, JSON under `--json` (commands with `--format`
    /// settle the two first: `json::report_format`).
    pub fn by_hand(&self, ctx: &mut Ctx, format: Format) -> Result<Outcome, CliError> {
        let format = if ctx.ui.json { Format::Json } else { format };
        let in_ci = ctx.in_ci();
        let findings = Findings {
            rules: self.rules.clone(),
            violations: self.violations,
            anchor: self.anchor,
        };
        let out = ctx.ui.out();
        if !findings.write_ci(out, format)? {
            match format {
                Format::Json => {
                    crate::model::keys::every_key(|| {
                        serde_json::to_writer_pretty(&mut *out, self.value)
                    })?;
                    writeln!(out)?;
                }
                _ if self.violations.is_empty() => writeln!(out, "{}", self.ok)?,
                _ => text::render(
                    &mut super::ui::printable(out),
                    self.what,
                    self.violations,
                    in_ci,
                )?,
            }
        }
        out.flush()?;
        Ok(Outcome::found(!self.violations.is_empty()))
    }
}

/// The file findings without one are anchored at when the checks name none.
pub const DEFAULT_ANCHOR: &str = ci::DEFAULT_ANCHOR;

/// The rules a check run reports under: the checks', then the scanner's when it ran.
pub fn rules(secrets: Option<&Secrets>) -> Vec<Rule<'_>> {
    let mut rules = rule::CHECK_RULES.to_vec();
    if let Some(secrets) = secrets {
        rules.extend(secrets.rules());
    }
    rules
}
