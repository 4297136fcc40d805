//! gitcoord: coordination for several coding agents working on one git repository.
//!
//! The layers, each importing only the ones below it (a test in `layering.rs` keeps it so):
//!
//! - [`cli`]: clap types, one file per subcommand, the one place that prints and decides
//!   exit codes;
//! - [`enforce`]: what a commit, a push and a pull request are checked for, gathered
//!   through [`git`] and judged by [`policy`], and the one report vocabulary;
//! - [`hooks`]: installing and removing the hook shims and the agent-tool hooks;
//! - [`policy`]: pure verdicts over [`model`] types and a list of changes;
//! - [`git`]: the only user of gix and of the `git` binary;
//! - [`model`]: the state's types and the operations on them; no I/O.

pub mod cli;
pub mod enforce;
pub mod git;
pub mod hooks;
pub mod model;
pub mod policy;

#[cfg(test)]
mod layering;
