//! What a commit, a push and a pull request are checked for: the changes gathered through
//! [`crate::git`], judged by [`crate::policy`], and reported in one vocabulary
//! ([`report`]). The command line and the hooks call in here; nothing here prints.
//!
//! - [`commit`]: the staged change (pre-commit);
//! - [`edit`]: a file an agent's tool is about to edit (the pre-edit guard);
//! - [`push`]: every commit a push brings, and merge order on the integration branch;
//! - [`pull_request`]: the same on `base..head`, for CI;
//! - [`secrets`]: the scanner run where the secrets are (paths, the index, ranges, history);
//! - [`state_text`]: the free text an operation would write into the state;
//! - [`report`]: rules, fingerprints, advice and the output formats (text, SARIF, GitHub,
//!   GitLab).

pub mod commit;
mod commits;
pub mod edit;
mod order;
pub mod pull_request;
pub mod push;
pub mod report;
pub mod secrets;
pub mod state_text;

use jiff::Timestamp;

use crate::git::{Repo, changes, revs, store};
use crate::model::State;
use crate::model::shard::Scope;

/// Why the checks could not run (as opposed to what they found, which is data).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The coordination state could not be read.
    #[error(transparent)]
    State(#[from] store::Error),
    /// The staged changes could not be read.
    #[error(transparent)]
    Changes(#[from] changes::Error),
    /// The commits or revisions could not be read.
    #[error(transparent)]
    Revs(#[from] revs::Error),
    /// The secret scanner could not be set up or run.
    #[error(transparent)]
    Secrets(#[from] secrets::Error),
}

/// The state the checks judge against, read in `scope`. Without a coordination state there
/// are no locks, boundaries or halt to enforce, but the secrets check still runs: an empty
/// state stands in for the missing one.
pub fn state_or_empty(repo: &Repo, now: Timestamp, scope: &Scope) -> Result<State, store::Error> {
    Ok(match repo.read_state_in(scope)? {
        Some(snapshot) => snapshot.state,
        None => State::new(now),
    })
}
