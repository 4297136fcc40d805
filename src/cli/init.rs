//! `gitcoord init`: create the state ref (idempotent) and install the hooks.

use clap::Args;

use super::{CliError, Ctx, Outcome, install, templates};
use crate::model::Op;

/// Arguments of `init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Create the state only; do not install the hook shims.
    #[arg(long)]
    pub no_hooks: bool,
    /// Apply this plan file after creating the state.
    #[arg(long, value_name = "FILE", conflicts_with = "template")]
    pub plan: Option<std::path::PathBuf>,
    /// Apply the built-in template NAME (`--template list` names them).
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,
}

/// Prints the built-in templates, one line each.
fn list_templates(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let list: Vec<serde_json::Value> = templates::TEMPLATES
        .iter()
        .map(|t| serde_json::json!({ "name": t.name, "summary": t.summary() }))
        .collect();
    ctx.ui.emit(&list, |out| {
        for t in &templates::TEMPLATES {
            writeln!(out, "{:<18} {}", t.name, t.summary())?;
        }
        writeln!(
            out,
            "start from one with `gitcoord init --template NAME`; the files are templates/plans/NAME.toml"
        )
    })?;
    Ok(Outcome::Clean)
}

/// The plan `init` applies: from `--plan FILE` or `--template NAME`.
fn plan_of(ctx: &mut Ctx, args: &InitArgs) -> Result<Option<crate::model::plan::Plan>, CliError> {
    if let Some(file) = &args.plan {
        return super::plan::load(ctx, file).map(Some);
    }
    let Some(name) = &args.template else {
        return Ok(None);
    };
    let Some(template) = templates::find(name) else {
        let names: Vec<&str> = templates::TEMPLATES.iter().map(|t| t.name).collect();
        return Err(CliError::usage(
            format!("there is no template '{name}'"),
            format!(
                "use one of {}; `gitcoord init --template list` says what each is",
                names.join(", ")
            ),
        ));
    };
    super::plan::load_text(ctx, &format!("template {name}"), template.text).map(Some)
}

/// Creates the state unless it exists, then installs the hooks.
pub fn run(ctx: &mut Ctx, args: InitArgs) -> Result<Outcome, CliError> {
    if args.template.as_deref() == Some("list") {
        return list_templates(ctx);
    }
    // A plan with problems stops init before anything is written.
    let plan = plan_of(ctx, &args)?;
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
    let value = crate::model::keys::every_key(
        || serde_json::json!({ "message": message, "hooks": hooks, "plan": applied }),
    );
    ctx.ui.emit(&value, |out| {
        writeln!(out, "{message}")?;
        if let Some(applied) = &applied {
            writeln!(out, "{}", applied.summary)?;
            for note in &applied.notes {
                writeln!(out, "  {note}")?;
            }
        }
        if let Some(m) = hooks.as_ref().and_then(|h| h.manager.as_ref()) {
            install::print_managed(out, m)?;
        } else if let Some(h) = &hooks {
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
