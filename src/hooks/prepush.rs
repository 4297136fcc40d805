//! The push and pull-request checks: every commit a push (or a `base..head` range) brings
//! is checked on its own changes by the [`ChangeCheck`] list, as the agent who made it; the
//! halt is checked once; and an update of the integration branch is judged for merge order.

use std::collections::{BTreeMap, BTreeSet};

use gix::ObjectId;
use jiff::Timestamp;

use crate::git::Repo;
use crate::git::revs::{self, Error, Node, PushUpdate};
use crate::model::{Actor, State};
use crate::policy::change_check::{self, Blobs, ChangeCheck};
use crate::policy::merge_order::{self, Progress, Update};
use crate::policy::{Check, Policy, Violation};

impl Blobs for Repo {
    fn read(&self, id: ObjectId, max: u64) -> Option<Vec<u8>> {
        self.blob_at_most(id, max)
    }
}

/// What every push or range check needs besides the repository.
pub struct Setup<'a> {
    /// The coordination state.
    pub state: &'a State,
    /// The time locks are judged at.
    pub now: Timestamp,
    /// Checks skipped by `GITCOORD_SKIP`.
    pub skip: &'a [Check],
    /// The remote pushed to, or whose branches a range is judged against.
    pub remote: &'a str,
    /// The branch agents integrate into.
    pub integration: &'a str,
    /// Who acts for commits that belong to no agent's branch (identity resolution).
    pub fallback: Actor,
    /// The secret scanner, unless skipped.
    pub secrets: Option<crate::scan::Secrets>,
}

/// What the checks found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// How many commits were checked.
    pub commits: usize,
    /// Whether an update of the integration branch was judged for merge order.
    pub merge_order: bool,
    /// The violations: halt first, then per commit, then merge order.
    pub violations: Vec<Violation>,
    /// The first path the checked commits change: where reports that need a file (SARIF
    /// for GitHub code scanning) anchor findings that have none, such as merge order.
    pub anchor: Option<String>,
}

/// The checks every commit's changes go through, in reporting order: locks, boundaries,
/// then secrets (when the scanner could be set up).
pub fn change_checks<'p>(
    policy: &'p Policy<'_>,
    secrets: Option<&'p crate::scan::Secrets>,
) -> Vec<Box<dyn ChangeCheck + 'p>> {
    let mut checks = change_check::path_checks(policy);
    if let Some(secrets) = secrets {
        checks.push(Box::new(secrets));
    }
    checks
}

/// Checks the ref updates git is about to push to `setup.remote`.
pub fn check_push(repo: &Repo, setup: &Setup, updates: &[PushUpdate]) -> Result<Outcome, Error> {
    let policy = Policy::new(setup.state, setup.now);
    let checks = change_checks(&policy, setup.secrets.as_ref());
    let mut out = Outcome::default();
    if !updates.is_empty() && !setup.skip.contains(&Check::Halt) {
        out.violations.extend(policy.halt());
    }
    let mut seen = BTreeSet::new();
    for update in updates {
        if update.remote_ref.starts_with("refs/gitcoord/") {
            continue; // The coordination state itself, synced between clones.
        }
        let Some(local) = update.local else {
            continue; // A deletion brings no commits.
        };
        let mut exclude = vec![format!("--remotes={}", setup.remote)];
        exclude.extend(
            update
                .remote
                .filter(|r| repo.has_object(*r))
                .map(|r| r.to_string()),
        );
        let range = repo.rev_list(&[local.to_string()], &exclude)?;
        let nodes: Vec<Node> = range
            .iter()
            .filter(|n| seen.insert(n.id))
            .cloned()
            .collect();
        let branch_agent = update.local_branch().and_then(|b| agent_on(setup.state, b));
        let who = Attribution::new(repo, setup, branch_agent, (&range, &nodes), &exclude)?;
        out.commits += nodes.len();
        check_commits(repo, setup, &checks, &nodes, &who, &mut out)?;
        if update.remote_branch() == Some(setup.integration) {
            let old = update.remote.filter(|r| repo.has_object(*r)).or_else(|| {
                repo.ref_commit(&format!(
                    "refs/remotes/{}/{}",
                    setup.remote, setup.integration
                ))
            });
            let tip = repo.resolve_commit(&local.to_string())?;
            out.merge_order = true;
            out.violations.extend(judge_order(repo, setup, old, tip)?);
        }
    }
    Ok(out)
}

/// Checks the commits of `base..head` as a pull request into the integration branch
/// would bring them; `agent` (else the agent on `head_branch`) acts for all of them.
pub fn check_range(
    repo: &Repo,
    setup: &Setup,
    (base, head): (ObjectId, ObjectId),
    agent: Option<Actor>,
    into_integration: bool,
) -> Result<Outcome, Error> {
    let policy = Policy::new(setup.state, setup.now);
    let checks = change_checks(&policy, setup.secrets.as_ref());
    let mut out = Outcome::default();
    if !setup.skip.contains(&Check::Halt) {
        out.violations.extend(policy.halt());
    }
    let exclude = [base.to_string()];
    let nodes = repo.rev_list(&[head.to_string()], &exclude)?;
    let who = Attribution::new(repo, setup, agent, (&nodes, &nodes), &exclude)?;
    out.commits = nodes.len();
    check_commits(repo, setup, &checks, &nodes, &who, &mut out)?;
    if into_integration {
        out.merge_order = true;
        out.violations
            .extend(judge_order(repo, setup, Some(base), head)?);
    }
    Ok(out)
}

/// The registered agent working on `branch`, as an actor.
pub fn agent_on(state: &State, branch: &str) -> Option<Actor> {
    state
        .agent_by_branch(branch)
        .map(|id| Actor::Agent { id: id.to_owned() })
}

fn check_commits(
    repo: &Repo,
    setup: &Setup,
    checks: &[Box<dyn ChangeCheck + '_>],
    nodes: &[Node],
    who: &Attribution,
    out: &mut Outcome,
) -> Result<(), Error> {
    for node in nodes {
        let changes = repo.own_changes(node)?;
        let Some(first) = changes.first() else {
            continue;
        };
        if out.anchor.is_none() {
            out.anchor = Some(first.path.clone());
        }
        let commit = node.id.to_string();
        let actor = who.actor(node.id);
        out.violations.extend(change_check::run_all(
            checks,
            setup.skip,
            actor,
            Some(&commit),
            &changes,
            repo,
        ));
    }
    Ok(())
}

/// Who made each commit: the agent whose branch is pushed; else the agent on whose
/// branch the commit is (the most specific branch when several hold it); else the
/// fallback identity.
struct Attribution {
    fixed: Option<Actor>,
    by_commit: BTreeMap<ObjectId, Actor>,
    fallback: Actor,
}

impl Attribution {
    /// Who made each of `nodes`, the commits to check among `range` (what `rev_list`
    /// gave for the update, with `exclude`): the agent whose branch reaches it, the most
    /// specific branch winning; `fixed`, when given, for all.
    fn new(
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

    fn actor(&self, commit: ObjectId) -> &Actor {
        self.fixed
            .as_ref()
            .or_else(|| self.by_commit.get(&commit))
            .unwrap_or(&self.fallback)
    }
}

/// Judges the integration branch moving from `old` to `tip` for merge order.
fn judge_order(
    repo: &Repo,
    setup: &Setup,
    old: Option<ObjectId>,
    tip: ObjectId,
) -> Result<Vec<Violation>, Error> {
    let agents = &setup.state.agents;
    if setup.skip.contains(&Check::MergeOrder) || agents.values().all(|a| a.after.is_empty()) {
        return Ok(Vec::new());
    }
    let old: Vec<String> = old.iter().map(ToString::to_string).collect();
    let range = repo.rev_list(&[tip.to_string()], &old)?;
    let graph = revs::graph(&range);
    let (chain, steps) = revs::first_parent_steps(&graph, tip);
    let progress = progress(repo, setup, (&old, &graph), tip, &steps)?;
    let chain: Vec<String> = chain.iter().map(ToString::to_string).collect();
    let update = Update {
        target: setup.integration,
        chain: &chain,
    };
    Ok(merge_order::check(agents, &update, &progress))
}

/// When each agent that has predecessors, and each predecessor, reaches the new tip;
/// `range` holds the commits `tip` brings over `old`.
fn progress(
    repo: &Repo,
    setup: &Setup,
    (old, range): (&[String], &revs::Graph),
    tip: ObjectId,
    steps: &BTreeMap<ObjectId, usize>,
) -> Result<BTreeMap<String, Progress>, Error> {
    let agents = &setup.state.agents;
    let waiting: Vec<&str> = agents
        .iter()
        .filter(|(_, a)| !a.after.is_empty())
        .map(|(id, _)| id.as_str())
        .collect();
    let relevant: BTreeSet<&str> = waiting
        .iter()
        .copied()
        .chain(
            waiting
                .iter()
                .flat_map(|id| agents[*id].after.iter().map(String::as_str)),
        )
        .collect();
    let mut tips = BTreeMap::new();
    let mut out = BTreeMap::new();
    for id in relevant {
        let Some(at) = agents
            .get(id)
            .and_then(|a| repo.branch_tip(&a.branch, setup.remote))
        else {
            continue; // No branch anywhere: nothing left to merge.
        };
        let merged = match steps.get(&at) {
            Some(step) => Some(*step),
            None => repo.is_ancestor(at, tip)?.then_some(0),
        };
        tips.insert(id, at);
        out.insert(
            id.to_owned(),
            Progress {
                tip: merged,
                work: None,
            },
        );
    }
    for id in waiting {
        let Some(at) = tips.get(id) else { continue };
        let preds: Vec<(ObjectId, Option<usize>)> = agents[id]
            .after
            .iter()
            .filter_map(|p| Some((*tips.get(p.as_str())?, out.get(p.as_str())?.tip)))
            .collect();
        let own = own_work(repo, (old, range), *at, &preds)?;
        let work = own.iter().filter_map(|c| steps.get(c)).min().copied();
        if let Some(p) = out.get_mut(id) {
            p.work = work;
        }
    }
    Ok(out)
}

/// The commits on a branch (tip `at`) that neither `old` nor any predecessor's branch
/// (`preds`: tip, and the step it is merged at, 0 for before this update) holds.
///
/// Walked within `range` when that is exact: `at` is in it, and each predecessor either is
/// in it or was merged before (then it holds nothing of `range`); else listed by git.
fn own_work(
    repo: &Repo,
    (old, range): (&[String], &revs::Graph),
    at: ObjectId,
    preds: &[(ObjectId, Option<usize>)],
) -> Result<BTreeSet<ObjectId>, Error> {
    let exact = range.contains_key(&at)
        && preds
            .iter()
            .all(|(p, step)| range.contains_key(p) || *step == Some(0));
    if exact {
        let mut own = revs::ancestors_within(range, at);
        for (p, _) in preds {
            for c in revs::ancestors_within(range, *p) {
                own.remove(&c);
            }
        }
        return Ok(own);
    }
    let mut exclude = old.to_vec();
    exclude.extend(preds.iter().map(|(p, _)| p.to_string()));
    let listed = repo.rev_list(&[at.to_string()], &exclude)?;
    Ok(listed.into_iter().map(|n| n.id).collect())
}
