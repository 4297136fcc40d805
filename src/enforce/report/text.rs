//! How a refused commit, push, pull request or edit is explained to people: one line per
//! violation, then the exact commands that get the agent unstuck.

use std::io::{self, Write};

use super::advice;
use crate::policy::{CheckKind, Violation};

/// What was refused: it decides the words and which next steps apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// A commit (pre-commit): the change is still staged.
    Commit,
    /// A push: the change is in commits already made.
    Push,
    /// A pull request, checked in CI.
    PullRequest,
    /// An agent tool's edit (the guard): nothing is written yet.
    Edit,
}

impl Refused {
    /// The word for it in "… refused".
    pub fn noun(self) -> &'static str {
        match self {
            Refused::Commit => "commit",
            Refused::Push => "push",
            Refused::PullRequest => "pull request",
            Refused::Edit => "edit",
        }
    }
}

/// Writes the violations and the next steps; `in_ci` leaves out the local ways to skip.
pub fn render(
    out: &mut dyn Write,
    what: Refused,
    violations: &[Violation],
    in_ci: bool,
) -> io::Result<()> {
    writeln!(
        out,
        "gitcoord: {} refused ({} violation{})",
        what.noun(),
        violations.len(),
        if violations.len() == 1 { "" } else { "s" }
    )?;
    for v in violations {
        let at = v
            .commit
            .as_ref()
            .map(|c| format!("{} ", advice::short(c)))
            .unwrap_or_default();
        writeln!(out, "  {at}{}  [{}]", v.message, v.rule)?;
    }
    writeln!(out, "next:")?;
    for step in next_steps(violations, what, in_ci) {
        writeln!(out, "  {step}")?;
    }
    Ok(())
}

/// The commands worth running, in order, without repeats; `in_ci` leaves out the local
/// ways to skip the checks (a CI job has no one to skip them, and must not suggest it).
pub fn next_steps(violations: &[Violation], what: Refused, in_ci: bool) -> Vec<String> {
    let mut steps: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !steps.contains(&s) {
            steps.push(s);
        }
    };
    for v in violations {
        let path = v.path.as_deref().unwrap_or("");
        let commit = v.commit.as_deref();
        match v.check {
            CheckKind::Halt => push(advice::halted()),
            CheckKind::Locks => {
                let holder = v.holder.as_deref().unwrap_or("the holder");
                // The lock to release is the pattern held, which may cover the path.
                let pattern = v.lock.as_deref().unwrap_or(path);
                advice::lock_held(holder, pattern)
                    .into_iter()
                    .for_each(&mut push);
            }
            CheckKind::Boundaries => advice::out_of_bounds(path, v.holder.as_deref(), what, commit)
                .into_iter()
                .for_each(&mut push),
            CheckKind::Rules if v.rule == crate::policy::rule::WAVE_CLOSED.id => {
                push("gitcoord next   # what to work on now, and what it waits on".to_owned());
                push("gitcoord wave list   # which wave is open".to_owned());
            }
            CheckKind::Rules => advice::file_rule(path, what, commit)
                .into_iter()
                .for_each(&mut push),
            CheckKind::Secrets => advice::secret_committed(what, commit)
                .into_iter()
                .for_each(&mut push),
            CheckKind::MergeOrder => push(advice::merge_order()),
        }
    }
    // In CI there is nothing to skip: the pull request is the backstop.
    if matches!(what, Refused::Commit | Refused::Push) && !in_ci {
        push(advice::skipping());
    }
    steps
}
