//! `gitcoord install` and `uninstall`: the hook shims (and the Claude Code guard).

use clap::Args;

use super::{CliError, Ctx, Outcome};
use crate::hooks::install::{self, Report};

/// Arguments of `install`.
#[derive(Args, Debug)]
pub struct InstallArgs {
    /// Rewrite shims that are already installed.
    #[arg(long)]
    pub force: bool,
    /// Also add gitcoord's Claude Code hooks to .claude/settings.json: `gitcoord guard`
    /// before edits, `gitcoord brief --hook` at session start.
    #[arg(long)]
    pub claude: bool,
    /// Write the shims into DIR, a directory of the worktree the team commits (e.g.
    /// .githooks), and point core.hooksPath at it; clones then run `gitcoord install`.
    #[arg(long, value_name = "DIR")]
    pub hooks_dir: Option<String>,
}

/// Installs the hook shims.
pub fn run_install(ctx: &mut Ctx, args: InstallArgs) -> Result<Outcome, CliError> {
    let report = match &args.hooks_dir {
        Some(dir) => install::install_committed(ctx.repo()?, dir, args.force)?,
        None => install_hooks(ctx, args.force)?,
    };
    print(ctx, &report)?;
    if args.claude {
        let (path, added) = crate::hooks::claude::install(ctx.repo()?.workdir())?;
        let what = if added {
            "added gitcoord's Claude Code hooks (PreToolUse guard, SessionStart brief) to"
        } else {
            "gitcoord's Claude Code hooks are already in"
        };
        ctx.ui.note(&format!("{what} {}", path.display()));
    }
    Ok(Outcome::Clean)
}

/// Installs the shims, mapping failures to exit codes; shared with `init` and `spawn`.
pub fn install_hooks(ctx: &mut Ctx, force: bool) -> Result<Report, CliError> {
    let repo = ctx.repo()?;
    Ok(install::install(repo, force)?)
}

/// Removes the shims and restores chained hooks.
pub fn run_uninstall(ctx: &mut Ctx, args: UninstallArgs) -> Result<Outcome, CliError> {
    let repo = ctx.repo()?;
    let report = install::uninstall(repo)?;
    print(ctx, &report)?;
    if args.claude {
        let (path, removed) = crate::hooks::claude::uninstall(ctx.repo()?.workdir())?;
        let what = if removed {
            "removed gitcoord's Claude Code hooks from"
        } else {
            "no gitcoord hook to remove in"
        };
        ctx.ui.note(&format!("{what} {}", path.display()));
    }
    Ok(Outcome::Clean)
}

/// Arguments of `uninstall`.
#[derive(Args, Debug)]
pub struct UninstallArgs {
    /// Also remove gitcoord's hooks from .claude/settings.json (exactly those; the rest of
    /// the file stays as it is).
    #[arg(long)]
    pub claude: bool,
}

fn print(ctx: &mut Ctx, report: &Report) -> Result<(), CliError> {
    ctx.ui.emit(report, |out| {
        let dir = report.dir.display();
        let lists = [
            ("installed", &report.installed),
            ("already installed", &report.unchanged),
            ("kept and chained (runs first)", &report.chained),
            ("removed", &report.removed),
            ("restored", &report.restored),
        ];
        for (what, hooks) in lists {
            if !hooks.is_empty() {
                writeln!(out, "{what}: {} in {dir}", hooks.join(", "))?;
            }
        }
        if let Some(done) = &report.hooks_path {
            writeln!(out, "{done}")?;
        }
        Ok(())
    })
}
