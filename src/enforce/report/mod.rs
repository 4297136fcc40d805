//! One report vocabulary for every check: the formats (text, JSON, SARIF, GitHub
//! annotations, GitLab Code Quality), the advice that follows a refusal, and the rules and
//! fingerprints ([`crate::policy::rule`]) they all name findings by.

pub mod advice;
pub mod ci;
pub mod sarif;
pub mod text;

use std::io::{self, Write};

use serde_json::Value;

use crate::policy::{Rule, Violation};

/// The output formats of the checks and of `scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Lines for people, then what to do.
    Text,
    /// The report as JSON.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub workflow annotations.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 5] = [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Gitlab,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
        }
    }

    /// One line for `--help`.
    pub fn help(self) -> &'static str {
        match self {
            Format::Text => "lines for people, then what to do",
            Format::Json => "the report as JSON",
            Format::Sarif => "SARIF 2.1.0, for code scanning",
            Format::Github => "GitHub workflow annotations",
            Format::Gitlab => "GitLab Code Quality JSON",
        }
    }
}

/// Violations with the rules they are reported under, for the formats CI systems read.
pub struct Findings<'a> {
    /// The rules to list (SARIF lists them whether or not they fired).
    pub rules: Vec<Rule<'a>>,
    /// What was found.
    pub violations: &'a [Violation],
    /// The file findings without one are anchored at (see [`sarif::log`]).
    pub anchor: &'a str,
}

impl Findings<'_> {
    /// Writes the findings as SARIF, GitHub annotations or GitLab Code Quality; `false`
    /// for text and JSON, whose shape belongs to each command.
    pub fn write_ci(&self, out: &mut dyn Write, format: Format) -> io::Result<bool> {
        let json = |out: &mut dyn Write, value: &Value| -> io::Result<()> {
            serde_json::to_writer_pretty(&mut *out, value)?;
            writeln!(out)
        };
        match format {
            Format::Sarif => json(
                out,
                &sarif::log(self.rules.iter().copied(), self.violations, self.anchor),
            )?,
            Format::Gitlab => json(out, &ci::gitlab(self.violations, self.anchor))?,
            Format::Github => ci::github(out, self.violations)?,
            Format::Text | Format::Json => return Ok(false),
        }
        Ok(true)
    }
}

/// A lock violation held by `sec` in a commit, for the report tests.
#[cfg(test)]
pub(crate) fn sample_violation(path: Option<&str>, message: &str) -> Violation {
    let mut v = Violation::new(
        crate::policy::CheckKind::Locks,
        &crate::policy::rule::LOCK,
        path,
        message.into(),
        Some("sec"),
    );
    v.commit = Some("0123456789abcdef".into());
    v
}
