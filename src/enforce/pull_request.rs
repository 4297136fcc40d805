//! The pull-request checks (`check pr` in CI): the push checks on the commits of
//! `base..head`, all made by one agent, and merge order when the pull request targets the
//! integration branch.

use super::Error;
use super::commits::{Attribution, check_commits};
use super::order::judge_order;
use super::push::{Outcome, Setup, commit_checks};
use super::secrets::Taken;
use crate::git::Repo;
use crate::model::{Actor, ObjectId};
use crate::policy::{CheckKind, Policy};

/// Checks the commits of `base..head` as a pull request into the integration branch
/// would bring them; `agent` (else the agent on `head_branch`) acts for all of them.
pub fn check(
    repo: &Repo,
    setup: &Setup,
    (base, head): (ObjectId, ObjectId),
    agent: Option<Actor>,
    into_integration: bool,
) -> Result<Outcome, Error> {
    let policy = Policy::new(setup.state, setup.now);
    let checks = commit_checks(&policy, setup.secrets.as_ref());
    let mut out = Outcome::default();
    if !setup.skip.contains(&CheckKind::Halt) {
        out.violations.extend(policy.halt());
    }
    let exclude = [base.to_string()];
    let nodes = repo.rev_list(&[head.to_string()], &exclude)?;
    let who = Attribution::new(repo, setup, agent, (&nodes, &nodes), &exclude)?;
    out.commits = nodes.len();
    let mut taken = Taken::default();
    check_commits(
        repo,
        setup,
        &checks,
        (&nodes, head),
        &who,
        &mut taken,
        &mut out,
    )?;
    if into_integration {
        out.merge_order = true;
        out.violations
            .extend(judge_order(repo, setup, Some(base), head)?);
    }
    Ok(out)
}
