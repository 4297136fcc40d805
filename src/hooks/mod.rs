//! Installing and removing what makes git and agent tools call gitcoord: the hook shims
//! (chaining existing hooks, detecting hook managers) and Claude Code's settings.

pub mod claude;
pub mod install;
