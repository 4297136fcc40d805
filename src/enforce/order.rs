//! Merge order on a push or pull request into the integration branch: the facts gathered
//! through git (when each agent's work reaches the new tip), judged by
//! `policy::merge_order`.

use std::collections::{BTreeMap, BTreeSet};

use super::Error;
use super::push::Setup;
use crate::git::Repo;
use crate::git::revs;
use crate::model::ObjectId;
use crate::policy::merge_order::{self, Progress, Update};
use crate::policy::{CheckKind, Violation};

/// Judges the integration branch moving from `old` to `tip` for merge order.
pub(super) fn judge_order(
    repo: &Repo,
    setup: &Setup,
    old: Option<ObjectId>,
    tip: ObjectId,
) -> Result<Vec<Violation>, Error> {
    let agents = &setup.state.agents;
    if setup.skip.contains(&CheckKind::MergeOrder) || agents.values().all(|a| a.after.is_empty()) {
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
