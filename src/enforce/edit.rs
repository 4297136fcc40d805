//! The checks before an agent's tool edits a file (the pre-edit guard): the same halt,
//! lock and boundary verdicts a commit of that file would meet, and a secret-scanning
//! configuration that loads, so an edit is never judged under rules a commit would fail on.

use jiff::Timestamp;

use super::Error;
use super::secrets::Secrets;
use crate::git::Repo;
use crate::model::{Actor, State};
use crate::policy::{CheckKind, Policy, Violation};

/// The violations an edit of `path` (repository-relative) by `actor` would cause.
pub fn check(
    repo: &Repo,
    state: &State,
    (actor, now): (&Actor, Timestamp),
    skip: &[CheckKind],
    path: &str,
) -> Result<Vec<Violation>, Error> {
    if !skip.contains(&CheckKind::Secrets) {
        // The edit's content is not known yet, but a configuration the commit will fail
        // to load is an error now, not after the work is done.
        Secrets::load(repo)?;
    }
    let policy = Policy::new(state, now);
    let mut violations = policy.check_paths(actor, [path], skip);
    // An edit that creates the file adds it: the plan's file rules apply.
    let new_file = !repo.workdir().join(path).exists();
    if new_file && !skip.contains(&CheckKind::Rules) {
        violations.extend(policy.file_rule(path));
    }
    Ok(violations)
}
