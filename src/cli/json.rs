//! The `--json` contract's shared pieces (docs/json.md): the error object, a command line
//! clap refused, and `--json` against `--format`.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use super::error::{CliError, ErrorKind};
use super::format::Format;

/// The hint clap's usage errors end with.
const USAGE_HINT: &str = "run the command with --help for what it takes";

/// What a failed command prints on stdout under `--json`.
#[derive(Serialize, Debug)]
pub struct ErrorDocument {
    /// What happened, one line.
    pub error: String,
    /// Why, outermost first (may be empty).
    pub causes: Vec<String>,
    /// What to do next; never empty.
    pub next: Vec<String>,
    /// The exit code the command ends with (1 or 2).
    pub exit: u8,
    /// `refused` (exit 1) or `invalid` (exit 2).
    pub kind: &'static str,
}

impl ErrorDocument {
    /// The error object of `e`.
    pub fn of(e: &CliError) -> ErrorDocument {
        let mut lines = e.lines().into_iter();
        ErrorDocument {
            error: lines.next().unwrap_or_else(|| "failed".to_owned()),
            causes: lines.collect(),
            next: e.hints(),
            exit: e.exit_code(),
            kind: match e.kind() {
                ErrorKind::Refused => "refused",
                ErrorKind::Invalid | ErrorKind::BrokenPipe => "invalid",
            },
        }
    }
}

/// Whether a command line asks for `--json` (before any `--`), for a line clap refused.
fn asks_for_json(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}

/// Reports a command line clap could not parse and returns the exit code: help and
/// version on stdout (exit 0); a usage error on stderr (exit 2), and under `--json` also
/// as the error object on stdout.
pub fn parse_failed(e: &clap::Error, args: &[OsString]) -> ExitCode {
    let _ = e.print();
    if !e.use_stderr() {
        return ExitCode::SUCCESS;
    }
    let mut stderr = std::io::stderr();
    let _ = writeln!(stderr, "  next: {USAGE_HINT}");
    if asks_for_json(args) {
        // clap's message up to its usage block, on one line.
        let rendered = e.render().to_string();
        let said: Vec<&str> = rendered
            .lines()
            .take_while(|l| !l.trim().is_empty())
            .map(str::trim)
            .collect();
        let said = said.join(" ");
        let said = said.strip_prefix("error: ").unwrap_or(&said);
        let document = ErrorDocument::of(&CliError::usage(said, USAGE_HINT));
        if let Ok(text) = serde_json::to_string_pretty(&document) {
            let _ = writeln!(std::io::stdout(), "{text}");
        }
    }
    ExitCode::from(2)
}

/// The report format of a command with `--format`: `--json` is `--format json`, and any
/// other format with it is a usage error rather than a silent choice of one.
pub fn report_format(json: bool, format: Option<Format>) -> Result<Format, CliError> {
    match (json, format) {
        (false, format) => Ok(format.unwrap_or(Format::Text)),
        (true, None | Some(Format::Json)) => Ok(Format::Json),
        (true, Some(other)) => Err(CliError::usage(
            format!("--json and --format {}: pick one", other.name()),
            "--format json is the same as --json; drop one of the two",
        )),
    }
}

/// A lock as `--json` shows it: the lock, and its seconds left.
#[derive(Serialize, Debug)]
pub struct LockLine<'a> {
    /// The lock.
    #[serde(flatten)]
    pub lock: &'a crate::model::Lock,
    /// Seconds until it expires (the text's "expires in").
    pub expires_in_secs: i64,
}

impl<'a> LockLine<'a> {
    /// `lock` as seen at `now`.
    pub fn at(lock: &'a crate::model::Lock, now: jiff::Timestamp) -> LockLine<'a> {
        LockLine {
            lock,
            expires_in_secs: lock.expires.duration_since(now).as_secs(),
        }
    }
}

/// The halt as `--json` shows it: the halt, and how long ago it began.
#[derive(Serialize, Debug)]
pub struct HaltLine<'a> {
    /// The halt.
    #[serde(flatten)]
    pub halt: &'a crate::model::Halt,
    /// Seconds since it began (the text's "ago").
    pub age_secs: i64,
}

/// Seconds from `then` to `now` (the text's "5m ago").
pub fn age_secs(then: jiff::Timestamp, now: jiff::Timestamp) -> i64 {
    now.duration_since(then).as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_format_json_and_refuses_any_other() {
        assert_eq!(report_format(false, None).ok(), Some(Format::Text));
        assert_eq!(
            report_format(false, Some(Format::Sarif)).ok(),
            Some(Format::Sarif)
        );
        assert_eq!(report_format(true, None).ok(), Some(Format::Json));
        assert_eq!(
            report_format(true, Some(Format::Json)).ok(),
            Some(Format::Json)
        );
        let e = report_format(true, Some(Format::Sarif)).err();
        assert_eq!(e.map(|e| e.exit_code()), Some(2));
    }

    #[test]
    fn the_error_object_has_every_key() {
        let e = CliError::usage("bad", "fix it");
        let value = serde_json::to_value(ErrorDocument::of(&e)).expect("serializes");
        assert_eq!(
            value,
            serde_json::json!({"error": "bad", "causes": [], "next": ["fix it"], "exit": 2, "kind": "invalid"})
        );
        let only_before_dashes =
            |a: &[&str]| asks_for_json(&a.iter().map(OsString::from).collect::<Vec<_>>());
        assert!(only_before_dashes(&["gc", "--json", "x"]));
        assert!(!only_before_dashes(&["gc", "x", "--", "--json"]));
    }
}
