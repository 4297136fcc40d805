//! `gitcoord install` and `uninstall`: the hook shims (and the Claude Code guard).

use clap::Args;

use super::{CliError, Ctx};
use crate::hooks::install::{self, Report};

/// Arguments of `install`.
#[derive(Args, Debug)]
pub struct InstallArgs {
    /// Rewrite shims that are already installed.
    #[arg(long)]
    pub force: bool,
    /// Also add `gitcoord guard` as a PreToolUse hook to .claude/settings.json.
    #[arg(long)]
    pub claude: bool,
}

/// Installs the hook shims.
pub fn run_install(ctx: &mut Ctx, args: InstallArgs) -> Result<u8, CliError> {
    let report = install_hooks(ctx, args.force)?;
    print(ctx, &report)?;
    if args.claude {
        super::guard::install_claude(ctx)?;
    }
    Ok(0)
}

/// Installs the shims, mapping failures to exit codes; shared with `init` and `spawn`.
pub fn install_hooks(ctx: &mut Ctx, force: bool) -> Result<Report, CliError> {
    let repo = ctx.repo()?;
    install::install(repo, force).map_err(|e| match e {
        install::Error::Managed { .. } => CliError::usage(
            e.to_string(),
            "then run `gitcoord install` again to confirm; until then gitcoord's checks do not run on commit",
        ),
        install::Error::Io(m) => CliError::usage(m, "check the permissions of the hooks directory"),
    })
}

/// Removes the shims and restores chained hooks.
pub fn run_uninstall(ctx: &mut Ctx) -> Result<u8, CliError> {
    let repo = ctx.repo()?;
    let report = install::uninstall(repo).map_err(|e| {
        CliError::usage(
            e.to_string(),
            "check the permissions of the hooks directory",
        )
    })?;
    print(ctx, &report)?;
    Ok(0)
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
        Ok(())
    })
}
