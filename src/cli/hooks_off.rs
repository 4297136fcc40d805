//! The warning every command prints, at most once an hour, while hooks gitcoord installed
//! no longer run it (a hook manager's install displaced a shim): enforcement is never off
//! silently. Never in `--json` stdout, never in the hooks themselves.

use super::{Command, Ctx};
use crate::hooks::health;

/// Whether `command` ends with the check: not the hooks and agent-tool hooks (they must
/// stay fast and their output is a protocol), not the commands that say it themselves
/// (`status`, `doctor`, `install`, `init`), not those that need no repository.
pub fn warns_after(command: &Command) -> bool {
    !matches!(
        command,
        Command::Hook(_)
            | Command::Guard
            | Command::Notice(_)
            | Command::Brief(_)
            | Command::Status
            | Command::Doctor
            | Command::Install(_)
            | Command::Uninstall(_)
            | Command::Init(_)
            | Command::Spawn(_)
            | Command::Demo(_)
            | Command::Completions(_)
            | Command::Man
    )
}

/// Prints the warning on stderr when a hook is displaced and it was not printed within the
/// hour. Only in a repository the command opened anyway; a file read when not due.
pub fn warn_once_an_hour(ctx: &mut Ctx) {
    let Ok(now) = ctx.now() else {
        return;
    };
    let Some(repo) = ctx.opened_repo() else {
        return;
    };
    let common = repo.common_dir();
    if !health::warning_due(&common, now) {
        return;
    }
    let Some(off) = health::check(repo) else {
        return;
    };
    ctx.ui.note(&off.warning());
    health::warned(&common, now);
}
