//! `gitcoord integration [BRANCH] [--unset]`: the branch agents integrate into, where
//! merge order is enforced, and the merge order itself.

use clap::Args;
use serde::Serialize;

use super::{CliError, Ctx, Outcome, report_applied};
use crate::git::Repo;
use crate::model::merge_order;
use crate::model::{Op, State};

/// Arguments of `integration`.
#[derive(Args, Debug)]
pub struct IntegrationArgs {
    /// Set the integration branch to BRANCH; without it, show the current setting.
    pub branch: Option<String>,
    /// Forget the setting: the remote's default branch applies again (else main, else master).
    #[arg(long, conflicts_with = "branch")]
    pub unset: bool,
    /// The remote whose default branch applies when nothing is set.
    #[arg(long, default_value = "origin")]
    pub remote: String,
}

/// The integration branch: the state's setting, else the remote's default, else `main`,
/// else `master`; with the reason it was chosen.
pub fn resolve(repo: &Repo, state: &State, remote: &str) -> (String, &'static str) {
    match &state.meta.integration_branch {
        Some(branch) => (branch.clone(), "set with `gitcoord integration`"),
        None => repo.default_integration_branch(remote),
    }
}

#[derive(Serialize)]
struct Shown<'a> {
    branch: &'a str,
    source: &'a str,
    merge_order: Vec<Step>,
}

#[derive(Serialize)]
struct Step {
    agent: String,
    branch: String,
    after: Vec<String>,
}

/// Shows, sets or unsets the integration branch.
pub fn run(ctx: &mut Ctx, args: IntegrationArgs) -> Result<Outcome, CliError> {
    if let Some(branch) = args.branch {
        if !crate::git::repo::valid_branch_name(&branch) {
            return Err(CliError::usage(
                format!("'{branch}' is not a valid branch name"),
                "use a name git accepts, e.g. main",
            ));
        }
        let applied = ctx.run_op(Op::SetIntegration {
            branch: Some(branch),
        })?;
        return report_applied(ctx, &applied);
    }
    if args.unset {
        let applied = ctx.run_op(Op::SetIntegration { branch: None })?;
        return report_applied(ctx, &applied);
    }
    let snapshot = ctx.snapshot()?;
    let state = &snapshot.state;
    let (branch, source) = resolve(ctx.repo()?, state, &args.remote);
    let steps: Vec<Step> = merge_order::order(&state.agents)
        .into_iter()
        .map(|id| {
            let agent = &state.agents[&id];
            Step {
                branch: agent.branch.clone(),
                after: agent.after.clone(),
                agent: id,
            }
        })
        .collect();
    let shown = Shown {
        branch: &branch,
        source,
        merge_order: steps,
    };
    ctx.ui.emit(&shown, |out| {
        writeln!(out, "integration branch: {branch} ({source})")?;
        writeln!(out, "merge order:")?;
        for (i, step) in shown.merge_order.iter().enumerate() {
            let after = if step.after.is_empty() {
                String::new()
            } else {
                format!("  (after {})", step.after.join(", "))
            };
            writeln!(out, "  {}. {} on {}{after}", i + 1, step.agent, step.branch)?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}
