//! How a command ends, and the one function that turns that into an exit code.
//!
//! Commands return [`Outcome`] or a [`CliError`]. Errors from the layers below are typed;
//! they become a `CliError` here, in the one place where the advice for each cause is
//! written (`hint.rs`), so every error reaches the user with its cause chain and a `next:`
//! line.

use std::io;

/// How a command that ran to its end went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done, nothing found: exit 0.
    Clean,
    /// It found violations or findings, or refused what it was asked: exit 1.
    Findings,
}

impl Outcome {
    /// `Findings` when `found`, else `Clean`.
    pub fn found(found: bool) -> Outcome {
        if found {
            Outcome::Findings
        } else {
            Outcome::Clean
        }
    }
}

/// What kind of failure a [`CliError`] is; it decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Refused by policy (a lock held, a halt, a force not allowed): exit 1.
    Refused,
    /// Bad usage, configuration or repository, or a failure underneath: exit 2.
    Invalid,
    /// The reader of our output went away (`gitcoord log | head -1`): exit 0, silently.
    BrokenPipe,
}

/// A command's failure: what happened (with its causes) and what to do next.
#[derive(Debug)]
pub struct CliError {
    kind: ErrorKind,
    error: anyhow::Error,
    hints: Vec<String>,
}

/// A message that is its own error (for failures found at the command line itself).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Message(String);

impl CliError {
    /// A failure of `kind` with `error` as what happened.
    pub fn new(kind: ErrorKind, error: impl Into<anyhow::Error>) -> CliError {
        CliError {
            kind,
            error: error.into(),
            hints: Vec::new(),
        }
    }

    /// A usage error with a hint (exit 2).
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError::new(ErrorKind::Invalid, Message(message.into())).hint(hint)
    }

    /// A refusal with a hint (exit 1).
    pub fn refused(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError::new(ErrorKind::Refused, Message(message.into())).hint(hint)
    }

    /// Adds what to do next (an empty hint is dropped).
    pub fn hint(mut self, hint: impl Into<String>) -> CliError {
        let hint = hint.into();
        if !hint.is_empty() {
            self.hints.push(hint);
        }
        self
    }

    /// Puts `context` in front of what happened, keeping the cause chain and the hints.
    pub fn context(mut self, context: impl std::fmt::Display + Send + Sync + 'static) -> Self {
        self.error = self.error.context(context);
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What happened, then each cause not already said (outermost first).
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for cause in self.error.chain() {
            let text = cause.to_string();
            if !lines.iter().any(|l| l.contains(&text)) {
                lines.push(text);
            }
        }
        lines
    }

    /// What to do next; never empty. When git itself could not be started, anywhere under
    /// this error, that is what to fix first.
    pub fn hints(&self) -> Vec<String> {
        let git_missing = self.error.chain().any(|c| {
            matches!(
                c.downcast_ref::<crate::git::command::Error>(),
                Some(crate::git::command::Error::Spawn(_))
            )
        });
        if git_missing {
            return vec!["install git and put it on PATH".to_owned()];
        }
        if !self.hints.is_empty() {
            return self.hints.clone();
        }
        vec![match self.kind {
            ErrorKind::Refused => "see `gitcoord status` for who holds what".to_owned(),
            _ => "this is not a usage error gitcoord knows of; check the repository with `git status` and `git fsck`, then try again".to_owned(),
        }]
    }
}

/// The exit code of a command's result: 0 clean (or a closed pipe), 1 findings or a
/// refusal, 2 an invalid command, configuration or repository. The only place that decides.
pub fn exit_code(result: &Result<Outcome, CliError>) -> u8 {
    match result {
        Ok(Outcome::Clean) => 0,
        Ok(Outcome::Findings) => 1,
        Err(e) => e.exit_code(),
    }
}

impl CliError {
    /// The exit code this failure ends the command with (see [`exit_code`]).
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::BrokenPipe => 0,
            ErrorKind::Refused => 1,
            ErrorKind::Invalid => 2,
        }
    }
}

/// Whether `e` (or any cause of it) is a closed pipe.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        anyhow::Error::from(e).into()
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        let kind = if is_broken_pipe(&e) {
            ErrorKind::BrokenPipe
        } else {
            ErrorKind::Invalid
        };
        CliError::new(kind, e)
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        anyhow::Error::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_decided_by_kind() {
        let pipe = CliError::from(io::Error::from(io::ErrorKind::BrokenPipe));
        let cases = [
            (Ok(Outcome::Clean), 0),
            (Ok(Outcome::Findings), 1),
            (Err(CliError::refused("held", "ask")), 1),
            (Err(CliError::usage("bad", "fix")), 2),
            (Err(pipe), 0),
            (Err(io::Error::other("disk").into()), 2),
        ];
        for (result, code) in cases {
            assert_eq!(exit_code(&result), code, "{result:?}");
        }
    }

    #[test]
    fn causes_are_listed_once_and_a_next_step_is_always_given() {
        let inner = io::Error::other("permission denied");
        let e = CliError::from(anyhow::Error::from(inner).context("cannot write x"));
        assert_eq!(e.lines(), ["cannot write x", "permission denied"]);
        assert_eq!(e.hints().len(), 1);
    }
}
