//! `gitcoord plan check|apply|show`: a whole coordination scheme from one TOML file.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Serialize;

use super::{CliError, Ctx, Outcome, report_applied};
use crate::model::plan::{PLAN_VERSION, Plan, PlanAgent, PlanTask, PlanWave};
use crate::model::plan_check::{self, Diagnostic};
use crate::model::{Op, State, task};

/// `plan` subcommands.
#[derive(Subcommand, Debug)]
pub enum PlanCommand {
    /// Validate a plan file: every problem at once, as FILE:LINE:COL (exit 2 when any).
    Check {
        /// The plan file.
        file: PathBuf,
    },
    /// Apply a plan file as one state operation (again: nothing changes; task progress is kept).
    Apply {
        /// The plan file.
        file: PathBuf,
    },
    /// Print the plan the state holds, as a plan file (or --json).
    Show,
}

/// Runs a `plan` subcommand.
pub fn run(ctx: &mut Ctx, cmd: PlanCommand) -> Result<Outcome, CliError> {
    match cmd {
        PlanCommand::Check { file } => {
            let plan = load(ctx, &file)?;
            let shown = file.display().to_string();
            let value = serde_json::json!({ "file": shown, "valid": true, "errors": [] });
            ctx.ui.emit(&value, |out| {
                writeln!(
                    out,
                    "ok: {shown} is a valid plan: {} agent(s), {} task(s), {} wave(s), {} check(s), {} rule(s)",
                    plan.agents.len(),
                    plan.tasks.len(),
                    plan.waves.len(),
                    plan.checks.len(),
                    plan.rules.len()
                )
            })?;
            Ok(Outcome::Clean)
        }
        PlanCommand::Apply { file } => {
            let plan = load(ctx, &file)?;
            apply(ctx, plan)
        }
        PlanCommand::Show => {
            let snapshot = ctx.snapshot()?;
            let Some(plan) = shown(&snapshot.state) else {
                return Err(CliError::usage(
                    "no plan has been applied",
                    "apply one with `gitcoord plan apply FILE` (or start from `gitcoord init --template list`)",
                ));
            };
            let text = toml::to_string(&plan).map_err(anyhow::Error::from)?;
            ctx.ui.emit(&plan, |out| write!(out, "{text}"))?;
            Ok(Outcome::Clean)
        }
    }
}

/// Applies a checked plan and reports what changed; a wave that opened is snapshotted.
pub fn apply(ctx: &mut Ctx, plan: Plan) -> Result<Outcome, CliError> {
    let applied = ctx.run_op(Op::PlanApply {
        plan: Box::new(plan),
    })?;
    super::wave::snapshot_opened(ctx, &applied)?;
    report_applied(ctx, &applied)
}

#[derive(Serialize)]
struct Problems<'a> {
    file: String,
    valid: bool,
    errors: &'a [Diagnostic],
}

/// Reads and checks a plan file; every problem is printed, as `FILE:LINE:COL: …`, and the
/// command fails with exit 2.
pub fn load(ctx: &mut Ctx, file: &Path) -> Result<Plan, CliError> {
    let path = if file.is_absolute() {
        file.to_path_buf()
    } else {
        ctx.cwd().join(file)
    };
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CliError::usage(
            format!("cannot read the plan {shown}: {e}"),
            "pass the path of a plan file (see docs/plan-format.md)",
        )
    })?;
    load_text(ctx, &shown, &text)
}

/// Checks the plan `text` (named `shown` in diagnostics): the plan, or every problem
/// printed as `shown:LINE:COL: …` and a usage error.
pub fn load_text(ctx: &mut Ctx, shown: &str, text: &str) -> Result<Plan, CliError> {
    let shown = shown.to_owned();
    match plan_check::check(text) {
        Ok(plan) => Ok(plan),
        Err(errors) => {
            let problems = Problems {
                file: shown.clone(),
                valid: false,
                errors: &errors,
            };
            ctx.ui.emit(&problems, |_| Ok(()))?;
            for e in &errors {
                ctx.ui.note(&format!("{shown}:{e}"));
            }
            Err(CliError::usage(
                format!(
                    "{shown} has {} problem(s); nothing was applied",
                    errors.len()
                ),
                format!(
                    "fix them, then run `gitcoord plan check {}` again",
                    crate::model::text::shell_word(&shown)
                ),
            ))
        }
    }
}

/// The plan the state holds, as a plan file would write it; `None` before any plan.
fn shown(state: &State) -> Option<Plan> {
    let held = state.plan.as_ref()?;
    let agents = state
        .agents
        .iter()
        .map(|(id, a)| PlanAgent {
            id: id.clone(),
            branch: a.branch.clone(),
            role: a.role.clone(),
            expertise: a.expertise.clone(),
            owns: a.owns.clone(),
            deny: a.deny.clone(),
            allow: a.allow.clone(),
            after: a.after.clone(),
            coordinator: a.coordinator,
            ports: a.ports.clone(),
        })
        .collect();
    let tasks = task::in_order(state)
        .into_iter()
        .map(|(id, t)| PlanTask {
            id: id.to_owned(),
            title: t.title.clone(),
            assign: t.assignee.clone(),
            suggest: t.suggest.clone(),
            after: t.after.clone(),
            wave: t.wave.clone(),
            priority: t.priority,
            due: t.due.clone(),
            expertise: t.expertise.clone(),
            deliverables: t.deliverables.clone(),
            checks: t.checks.clone(),
        })
        .collect();
    let waves = held
        .waves
        .iter()
        .map(|w| PlanWave {
            id: w.id.clone(),
            mode: w.mode,
            checks: w.checks.clone(),
        })
        .collect();
    Some(Plan {
        version: PLAN_VERSION,
        settings: held.settings.clone(),
        agents,
        authority: held.authority.clone(),
        rules: held.rules.clone(),
        tasks,
        waves,
        checks: held.checks.clone(),
    })
}
