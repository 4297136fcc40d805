//! `gitcoord init`: create the state ref (idempotent) and install the hooks.

use clap::Args;

use super::{CliError, Ctx, Outcome, install};
use crate::model::Op;

/// Arguments of `init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Create the state only; do not install the hook shims.
    #[arg(long)]
    pub no_hooks: bool,
    /// Apply this plan file after creating the state.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<std::path::PathBuf>,
}

/// Creates the state unless it exists, then installs the hooks.
pub fn run(ctx: &mut Ctx, args: InitArgs) -> Result<Outcome, CliError> {
    // A plan with problems stops init before anything is written.
    let plan = match &args.plan {
        Some(file) => Some(super::plan::load(ctx, file)?),
        None => None,
    };
    let repo = ctx.repo()?;
    let existing = repo.read_state()?;
    let message = match existing {
        Some(snap) => format!(
            "gitcoord state already exists at {} ({} agent(s))",
            snap.commit.to_hex_with_len(10),
            snap.state.agents.len()
        ),
        None => {
            let applied = ctx.run_op(Op::Init)?;
            format!("{} in {}", applied.summary, crate::git::STATE_REF)
        }
    };
    let applied = match plan {
        Some(plan) => {
            let applied = ctx.run_op(Op::PlanApply {
                plan: Box::new(plan),
            })?;
            super::wave::snapshot_opened(ctx, &applied)?;
            Some(applied)
        }
        None => None,
    };
    let hooks = if args.no_hooks {
        None
    } else {
        Some(install::install_hooks(ctx, false)?)
    };
    let value = serde_json::json!({ "message": message, "hooks": hooks, "plan": applied });
    ctx.ui.emit(&value, |out| {
        writeln!(out, "{message}")?;
        if let Some(applied) = &applied {
            writeln!(out, "{}", applied.summary)?;
            for note in &applied.notes {
                writeln!(out, "  {note}")?;
            }
        }
        if let Some(h) = &hooks {
            let installed = h.installed.len() + h.unchanged.len();
            writeln!(out, "hooks: {installed} installed in {}", h.dir.display())?;
            if !h.chained.is_empty() {
                writeln!(out, "  kept and chained: {}", h.chained.join(", "))?;
            }
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}
