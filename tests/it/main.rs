//! Integration tests: real repositories in temp dirs, the real `git`, the built binary.

mod brief;
mod check_pr;
mod ci_templates;
mod common;
mod conflicts;
mod core;
mod core_bad_input;
mod core_contention;
mod core_identity;
mod core_locks;
mod decisions;
mod doctor;
mod enforce;
mod handoff;
mod install;
mod memory;
mod messages;
mod notice;
mod outcomes;
mod plans;
mod plans_edges;
mod push;
mod secrets;
mod state_format;
mod sync;
mod templates;
