//! The only module that touches git: opening the repository (gix), the state ref with
//! compare-and-swap, what a commit or push changes, worktrees, and the `git` binary for
//! the few things gix does not do (worktree add, push, fetch).

pub mod changes;
pub mod history;
pub mod repo;
pub mod revs;
pub mod run;
pub mod secrets;
pub mod state_cache;
pub mod store;

pub use repo::Repo;
pub use store::{STATE_REF, Snapshot};
