//! The pre-commit checks: what git will commit (the index it will use, in whichever
//! worktree) against halt, locks, boundaries and secrets.

use jiff::Timestamp;

use crate::git::Repo;
use crate::git::changes::Change;
use crate::model::{Actor, State};
use crate::policy::{Check, Policy, Violation};

/// What the pre-commit checks found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The staged changes that were checked.
    pub changes: Vec<Change>,
    /// The violations, in path order.
    pub violations: Vec<Violation>,
}

/// Checks the staged changes of `repo` against `state` as `actor` at `now`.
pub fn check(
    repo: &Repo,
    state: &State,
    actor: &Actor,
    now: Timestamp,
    skip: &[Check],
) -> Result<Outcome, crate::git::changes::Error> {
    let changes = repo.staged_changes()?;
    let policy = Policy::new(state, now);
    let mut violations = policy.check_paths(actor, changes.iter().map(|c| c.path.as_str()), skip);
    if !skip.contains(&Check::Secrets) {
        violations.extend(crate::scan::staged_violations(repo, &changes));
    }
    Ok(Outcome {
        changes,
        violations,
    })
}
