//! Checking each commit a push or pull request brings, as the agent who made it.

use std::collections::{BTreeMap, BTreeSet};

use super::Error;
use super::push::{Outcome, Setup};
use super::secrets::{Taken, Touched};
use crate::git::Repo;
use crate::git::revs::{self, Node};
use crate::model::{Actor, ObjectId, State};
use crate::policy::CheckKind;
use crate::policy::commit_check::{self, CommitCheck};

/// The registered agent working on `branch`, as an actor.
pub fn agent_on(state: &State, branch: &str) -> Option<Actor> {
    state
        .agent_by_branch(branch)
        .map(|id| Actor::Agent { id: id.to_owned() })
}

/// Runs `checks` on each of `nodes` (oldest first) as the agent who made it, then the
/// secrets check on the final content of the files they changed, as `tip` holds them
/// (blobs in `taken` are not scanned again).
pub(super) fn check_commits(
    repo: &Repo,
    setup: &Setup,
    checks: &[Box<dyn CommitCheck + '_>],
    (nodes, tip): (&[Node], ObjectId),
    who: &Attribution,
    taken: &mut Taken,
    out: &mut Outcome,
) -> Result<(), Error> {
    let mut touched = Touched::default();
    for (position, node) in nodes.iter().enumerate() {
        let changes = repo.own_changes(node)?;
        touched.record(position, &changes);
        let Some(first) = changes.first() else {
            continue;
        };
        if out.anchor.is_none() {
            out.anchor = Some(first.path.clone());
        }
        let commit = node.id.to_string();
        let actor = who.actor(node.id);
        out.violations.extend(commit_check::run_all(
            checks,
            setup.skip,
            actor,
            Some(&commit),
            &changes,
            repo,
        ));
    }
    if let Some(secrets) = &setup.secrets
        && !setup.skip.contains(&CheckKind::Secrets)
    {
        out.violations
            .extend(secrets.final_violations(repo, &[tip], &touched, taken)?);
    }
    Ok(())
}

/// Who made each commit: the agent whose branch is pushed; else the agent on whose
/// branch the commit is (the most specific branch when several hold it); else the
/// fallback identity.
pub(super) struct Attribution {
    fixed: Option<Actor>,
    by_commit: BTreeMap<ObjectId, Actor>,
    fallback: Actor,
}

impl Attribution {
    /// Who made each of `nodes`, the commits to check among `range` (what `rev_list`
    /// gave for the update, with `exclude`): the agent whose branch reaches it, the most
    /// specific branch winning; `fixed`, when given, for all.
    pub(super) fn new(
        repo: &Repo,
        setup: &Setup,
        fixed: Option<Actor>,
        (range, nodes): (&[Node], &[Node]),
        exclude: &[String],
    ) -> Result<Attribution, Error> {
        let mut by_commit = BTreeMap::new();
        if fixed.is_none() && !nodes.is_empty() {
            let wanted: BTreeSet<ObjectId> = nodes.iter().map(|n| n.id).collect();
            let graph = revs::graph(range);
            let mut sets = Vec::new();
            for (id, agent) in &setup.state.agents {
                let Some(tip) = repo.branch_tip(&agent.branch, setup.remote) else {
                    continue;
                };
                // A branch whose tip the push brings needs no git process to walk.
                let reached = if graph.contains_key(&tip) {
                    revs::ancestors_within(&graph, tip)
                } else {
                    let listed = repo.rev_list(&[tip.to_string()], exclude)?;
                    listed.into_iter().map(|n| n.id).collect()
                };
                let set: BTreeSet<ObjectId> =
                    reached.into_iter().filter(|c| wanted.contains(c)).collect();
                sets.push((set.len(), id.clone(), set));
            }
            // Larger sets first, so the most specific branch is written last and wins.
            sets.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            for (_, id, set) in sets {
                for c in set {
                    by_commit.insert(c, Actor::Agent { id: id.clone() });
                }
            }
        }
        Ok(Attribution {
            fixed,
            by_commit,
            fallback: setup.fallback.clone(),
        })
    }

    pub(super) fn actor(&self, commit: ObjectId) -> &Actor {
        self.fixed
            .as_ref()
            .or_else(|| self.by_commit.get(&commit))
            .unwrap_or(&self.fallback)
    }
}
