//! Integration tests: real repositories in temp dirs, the real `git`, the built binary.

mod ci_templates;
mod common;
mod core;
mod enforce;
mod install;
mod push;
