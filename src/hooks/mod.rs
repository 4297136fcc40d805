//! Installing and removing what makes git and agent tools call gitcoord: the hook shims
//! (chaining existing hooks), hook managers' configuration, whether the hooks still run
//! gitcoord, and Claude Code's settings.

pub mod claude;
pub mod health;
pub mod install;
pub mod managers;
