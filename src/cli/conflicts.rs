//! `gitcoord conflicts`: merge conflicts forecast before anyone merges — every pair of
//! agent branches that both moved since their merge base, and the merge order played
//! forward onto the integration branch — with `git merge-tree`, nothing checked out.

use serde::Serialize;

use super::{CliError, Ctx, Outcome};
use crate::git::Repo;
use crate::model::State;

/// Two agents' branches that would conflict with each other.
#[derive(Serialize, Debug)]
pub struct PairConflict {
    /// The two agents, in merge order.
    pub agents: [String; 2],
    /// Their branches.
    pub branches: [String; 2],
    /// The files in conflict.
    pub files: Vec<String>,
}

/// An agent whose branch would conflict when merged in merge order.
#[derive(Serialize, Debug)]
pub struct OrderConflict {
    /// The agent.
    pub agent: String,
    /// Its branch.
    pub branch: String,
    /// The files in conflict with what is merged before it.
    pub files: Vec<String>,
}

/// The whole forecast.
#[derive(Serialize, Debug)]
pub struct Forecast {
    /// The branch the merge order is played onto.
    pub integration: String,
    /// The agents whose branches exist, in merge order.
    pub agents: Vec<String>,
    /// How many pairs had both moved since their merge base (and so were merged).
    pub pairs_checked: usize,
    /// Pairs that conflict.
    pub pairs: Vec<PairConflict>,
    /// Merges in merge order that conflict (a conflicting branch is left out of what
    /// follows).
    pub merge_order: Vec<OrderConflict>,
}

impl Forecast {
    /// Whether any conflict is forecast.
    pub fn any(&self) -> bool {
        !self.pairs.is_empty() || !self.merge_order.is_empty()
    }
}

/// The agents (in merge order) whose branch exists here and is not the integration
/// branch, with their branch.
fn agent_branches(repo: &Repo, state: &State, integration: &str) -> Vec<(String, String)> {
    crate::model::merge_order::order(&state.agents)
        .into_iter()
        .filter_map(|id| {
            let branch = state.agents.get(&id)?.branch.clone();
            let present = branch != integration && repo.local_branch_tip(&branch).is_some();
            present.then_some((id, branch))
        })
        .collect()
}

fn full(branch: &str) -> String {
    format!("refs/heads/{branch}")
}

/// The merge order played forward onto the integration branch (what `merges-clean`
/// checks), with the integration branch's name.
pub fn in_merge_order(
    repo: &Repo,
    state: &State,
) -> Result<(String, Vec<OrderConflict>, usize), CliError> {
    let (integration, _) = super::integration::resolve(repo, state, "origin");
    let agents = agent_branches(repo, state, &integration);
    let refs: Vec<String> = agents.iter().map(|(_, b)| full(b)).collect();
    let names: Vec<&str> = refs.iter().map(String::as_str).collect();
    let base = full(&integration);
    if repo.local_branch_tip(&integration).is_none() {
        return Err(CliError::usage(
            format!("the integration branch {integration} does not exist here"),
            "create it, or name another with `gitcoord integration --set BRANCH`",
        ));
    }
    let conflicts = repo.forecast_merges(&base, &names).map_err(|e| {
        CliError::from(anyhow::Error::from(e).context("cannot forecast the merges"))
    })?;
    let found = conflicts
        .into_iter()
        .map(|c| {
            let (agent, branch) = agents
                .iter()
                .find(|(_, b)| full(b) == c.branch)
                .cloned()
                .unwrap_or_else(|| (String::new(), c.branch.clone()));
            OrderConflict {
                agent,
                branch,
                files: c.files,
            }
        })
        .collect();
    Ok((integration, found, agents.len()))
}

/// Forecasts every conflict: pairwise and in merge order.
pub fn forecast(repo: &Repo, state: &State) -> Result<Forecast, CliError> {
    let (integration, merge_order, _) = in_merge_order(repo, state)?;
    let agents = agent_branches(repo, state, &integration);
    let git_failed = |e: crate::git::command::Error| {
        CliError::from(anyhow::Error::from(e).context("cannot forecast the merges"))
    };
    let mut pairs = Vec::new();
    let mut pairs_checked = 0;
    for (i, (a, branch_a)) in agents.iter().enumerate() {
        for (b, branch_b) in &agents[i + 1..] {
            let (ra, rb) = (full(branch_a), full(branch_b));
            if !repo.diverged(&ra, &rb).map_err(git_failed)? {
                continue;
            }
            pairs_checked += 1;
            let files = repo.merge_conflicts(&ra, &rb).map_err(git_failed)?;
            if !files.is_empty() {
                pairs.push(PairConflict {
                    agents: [a.clone(), b.clone()],
                    branches: [branch_a.clone(), branch_b.clone()],
                    files,
                });
            }
        }
    }
    Ok(Forecast {
        integration,
        agents: agents.into_iter().map(|(id, _)| id).collect(),
        pairs_checked,
        pairs,
        merge_order,
    })
}

/// Runs `conflicts`: exit 1 when any conflict is forecast.
pub fn run(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let forecast = forecast(ctx.repo()?, &snapshot.state)?;
    ctx.ui.emit(&forecast, |out| {
        let n = forecast.agents.len();
        writeln!(
            out,
            "{n} agent branch(es); {} pair(s) moved apart since their merge base",
            forecast.pairs_checked
        )?;
        for p in &forecast.pairs {
            writeln!(
                out,
                "✗ {} ({}) and {} ({}) conflict in {}",
                p.agents[0],
                p.branches[0],
                p.agents[1],
                p.branches[1],
                p.files.join(", ")
            )?;
        }
        if forecast.pairs.is_empty() {
            writeln!(out, "✓ no two agents' branches conflict")?;
        }
        for c in &forecast.merge_order {
            writeln!(
                out,
                "✗ merging {} ({}) into {} in merge order conflicts in {}",
                c.agent,
                c.branch,
                forecast.integration,
                c.files.join(", ")
            )?;
        }
        if forecast.merge_order.is_empty() {
            writeln!(out, "✓ every branch merges into {} in merge order", forecast.integration)?;
        }
        if forecast.any() {
            writeln!(
                out,
                "next: agree who changes each file (`gitcoord lock` it), or merge one branch into the other and resolve there"
            )?;
        }
        Ok(())
    })?;
    Ok(Outcome::found(forecast.any()))
}
