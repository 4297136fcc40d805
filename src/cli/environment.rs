//! The environment variables and git config keys gitcoord reads, as `gitcoord --help` and
//! the manual page list them (docs/environment.md says the same at length).

/// The ENVIRONMENT section of the long help and of the manual page.
pub const HELP: &str = "\
ENVIRONMENT:
  GITCOORD=0              the hooks skip every check for this command (and say so)
  GITCOORD_SKIP=C,...     skip the named checks: halt, locks, boundaries, rules, secrets, merge-order
  GITCOORD_AGENT=ID       act as agent ID (after --agent, before the worktree's binding)
  GITCOORD_BIN=PATH       the gitcoord the installed hooks run (default: the first on PATH)
  GITCOORD_NOW=TIME       pin the clock to an RFC 3339 time, e.g. 2026-01-01T12:00:00Z
  COLUMNS=N               the width tables fit in (default: the terminal's, else 80)
  NO_COLOR                no colour in error messages

GIT CONFIG:
  gitcoord.agent          the agent this clone or worktree acts as (after the worktree's binding)
  gitcoord.remote         the remote `sync` and `status` use (default: origin)
  gitcoord.sync           `strict` or `default`: overrides the plan's sync mode for this clone
  gitcoord.syncTimeout    how long a hook waits for the remote in strict mode (default: 2s)
  gitcoord.site           this clone's site tag, set by its first `sync`

Who acts, first match wins: --agent; GITCOORD_AGENT; the agent bound to this worktree
(spawn, agent bind); gitcoord.agent; the agent whose branch is checked out; else an unbound
user. `gitcoord whoami` says which. More in docs/environment.md.";

/// The pointer to it in the short help (`-h`).
pub const SHORT: &str = "Environment variables and git config keys: see `gitcoord --help`.";
