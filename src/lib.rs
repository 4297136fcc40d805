//! gitcoord: coordination for several coding agents working on one git repository.

pub mod cli;
pub mod git;
pub mod hooks;
pub mod model;
pub mod policy;
pub mod scan;
