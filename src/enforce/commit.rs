//! The pre-commit checks: what git will commit (the index it will use, in whichever
//! worktree) against halt, locks, boundaries and secrets.

use jiff::Timestamp;

use super::Error;
use crate::git::Repo;
use crate::model::{Actor, Change, State};
use crate::policy::{CheckKind, Policy, Violation};

/// What the pre-commit checks found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The staged changes that were checked.
    pub changes: Vec<Change>,
    /// The violations, in path order.
    pub violations: Vec<Violation>,
}

/// The staged changes and what the secrets check found in them: everything the pre-commit
/// checks need that does not depend on the coordination state, so it can be read while the
/// state is.
#[derive(Debug, Default)]
pub struct Staged {
    /// The staged changes.
    pub changes: Vec<Change>,
    /// Secrets found on the added lines (empty when the check is skipped).
    pub secrets: Vec<Violation>,
}

/// Reads the staged changes of `repo` and scans their added lines for secrets; a
/// secret-scanning configuration that cannot be loaded is an error, never a skipped check.
pub fn staged(repo: &Repo, skip: &[CheckKind]) -> Result<Staged, Error> {
    let mut changes = repo.staged_changes()?;
    let merged = repo.merge_heads();
    if !merged.is_empty() {
        // Committing a merge: what it takes from a merged commit was checked as that
        // commit's change (and is again at push), so only the merge's own edits are judged.
        changes = repo.merge_own_changes(changes, &merged)?;
    }
    let secrets = if skip.contains(&CheckKind::Secrets) {
        Vec::new()
    } else {
        super::secrets::staged_violations(repo, &changes)?
    };
    Ok(Staged { changes, secrets })
}

/// Checks `staged` against `state` as `actor` at `now`: halt, locks and boundaries first,
/// then the secrets already found.
pub fn check(
    staged: Staged,
    state: &State,
    actor: &Actor,
    now: Timestamp,
    skip: &[CheckKind],
) -> Outcome {
    let policy = Policy::new(state, now);
    let mut violations = policy.check_changes(actor, &staged.changes, skip);
    violations.extend(staged.secrets);
    Outcome {
        changes: staged.changes,
        violations,
    }
}
