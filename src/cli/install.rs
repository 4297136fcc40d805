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
    /// Under a hook manager (husky, lefthook, the pre-commit framework), write the entries
    /// that make it run gitcoord into its configuration (once; the rest stays as it is).
    #[arg(long)]
    pub write: bool,
}

/// Installs the hook shims.
pub fn run_install(ctx: &mut Ctx, args: InstallArgs) -> Result<Outcome, CliError> {
    let report = match &args.hooks_dir {
        Some(dir) => install::install_committed(ctx.repo()?, dir, args.force)?,
        None => install::install(ctx.repo()?, args.force, args.write)?,
    };
    print(ctx, &report)?;
    warn_managed(ctx, &report);
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
    let report = install::install(ctx.repo()?, force, false)?;
    warn_managed(ctx, &report);
    Ok(report)
}

/// Warns, on stderr, while a hook manager does not run gitcoord yet (the report says what
/// to add), and says what to run next.
pub fn warn_managed(ctx: &mut Ctx, report: &Report) {
    let Some(m) = &report.manager else {
        return;
    };
    let name = m.manager.name();
    match (&m.next, m.runs_gitcoord) {
        (Some(next), false) => ctx.ui.note(&format!(
            "warning: {name} runs this repository's hooks, so gitcoord wrote no shims, and {name} does not run gitcoord yet: commits and pushes are NOT checked\n  next: {next}"
        )),
        (Some(next), true) => ctx.ui.note(&format!(
            "warning: {name}'s configuration runs gitcoord, but its hooks are not installed yet\n  next: {next}"
        )),
        (None, _) => {}
    }
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
        if let Some(m) = &report.manager {
            print_managed(out, m)?;
        }
        Ok(())
    })
}

/// What a hook manager's integration looks like: who runs the hooks, what was written,
/// and the entries still to add.
pub fn print_managed(out: &mut dyn std::io::Write, m: &install::Managed) -> std::io::Result<()> {
    let name = m.manager.name();
    let config = m.config.display();
    writeln!(
        out,
        "{name} manages the hooks here; gitcoord writes no shims of its own"
    )?;
    for file in &m.written {
        writeln!(out, "wrote gitcoord's entries into {}", file.display())?;
    }
    if m.runs_gitcoord {
        writeln!(out, "{config} runs `gitcoord hook`")?;
    } else {
        writeln!(out, "add to {config} (or run `gitcoord install --write`):")?;
        for line in m.entries.lines() {
            writeln!(out, "    {line}")?;
        }
    }
    if let Some(next) = &m.next {
        writeln!(out, "next: {next}")?;
    }
    Ok(())
}
