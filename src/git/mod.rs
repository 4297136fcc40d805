//! The only module that touches git: opening the repository (gix), the state ref with
//! compare-and-swap, what a commit or push changes, worktrees, and the `git` binary for
//! the few things gix does not do (worktree add, push, fetch).

pub mod blobs;
pub mod changes;
pub mod command;
pub mod history;
pub mod merges;
pub mod repo;
pub mod revs;
pub mod snapshots;
pub mod state_cache;
mod state_tree;
pub mod store;

pub use repo::Repo;

/// A failure of gix or of the `git` binary, kept as the cause of this layer's typed errors
/// (its text is shown to the user under what gitcoord was doing).
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;
pub use store::{STATE_REF, Snapshot};
