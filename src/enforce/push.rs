//! The push checks: every commit a push brings is checked on its own changes by the
//! [`CommitCheck`] list, as the agent who made it; the halt is checked once; and an update
//! of the integration branch is judged for merge order. Updates of gitcoord's own refs are
//! not checked at all. The pull-request checks (`pull_request.rs`) share all of it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;

use super::Error;
pub use super::commits::agent_on;
use super::commits::{Attribution, check_commits};
use super::order::judge_order;
use super::secrets::{Secrets, Taken};
use crate::git::Repo;
use crate::git::revs::{self, Node, PushUpdate};
use crate::model::{Actor, ObjectId, State};
use crate::policy::commit_check::{self, Blobs, CommitCheck};
use crate::policy::{CheckKind, Policy, Violation};

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
    pub skip: &'a [CheckKind],
    /// The remote pushed to, or whose branches a range is judged against.
    pub remote: &'a str,
    /// The branch agents integrate into.
    pub integration: &'a str,
    /// Who acts for commits that belong to no agent's branch (identity resolution).
    pub fallback: Actor,
    /// The secret scanner, unless skipped.
    pub secrets: Option<Secrets>,
}

impl<'a> Setup<'a> {
    /// The set-up of push and pull-request checks on `repo`: the secret scanner is loaded
    /// with the repository's configuration unless `skip` names it, and a configuration that
    /// cannot be loaded is an error, never a skipped check.
    pub fn load(
        repo: &Repo,
        state: &'a State,
        (now, skip): (Timestamp, &'a [CheckKind]),
        (remote, integration): (&'a str, &'a str),
        fallback: Actor,
    ) -> Result<Setup<'a>, super::secrets::Error> {
        let secrets = if skip.contains(&CheckKind::Secrets) {
            None
        } else {
            Some(Secrets::load(repo)?)
        };
        Ok(Setup {
            state,
            now,
            skip,
            remote,
            integration,
            fallback,
            secrets,
        })
    }
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
pub fn commit_checks<'p>(
    policy: &'p Policy<'_>,
    secrets: Option<&'p Secrets>,
) -> Vec<Box<dyn CommitCheck + 'p>> {
    let mut checks = commit_check::path_checks(policy);
    if let Some(secrets) = secrets {
        checks.push(Box::new(secrets));
    }
    checks
}

/// The namespace of gitcoord's own refs: the state (`refs/gitcoord/state`) and the wave
/// snapshots (`refs/gitcoord/snapshots/…`).
pub const OWN_REFS: &str = "refs/gitcoord/";

/// Whether the push checks judge `update`. An update of one of gitcoord's own refs on the
/// remote publishes coordination, not work, and no check applies to it — not even the
/// halt, which must itself reach the other clones.
pub fn is_judged(update: &PushUpdate) -> bool {
    !update.remote_ref.starts_with(OWN_REFS)
}

/// Checks the ref updates git is about to push to `setup.remote`; those of gitcoord's own
/// refs are passed over (see [`is_judged`]).
pub fn check_push(repo: &Repo, setup: &Setup, updates: &[PushUpdate]) -> Result<Outcome, Error> {
    let policy = Policy::new(setup.state, setup.now);
    let checks = commit_checks(&policy, setup.secrets.as_ref());
    let mut out = Outcome::default();
    let updates: Vec<&PushUpdate> = updates.iter().filter(|u| is_judged(u)).collect();
    if !updates.is_empty() && !setup.skip.contains(&CheckKind::Halt) {
        out.violations.extend(policy.halt());
    }
    // What each update brings commits past, worked out once (a deletion brings none).
    let bringing: Vec<(&PushUpdate, ObjectId, Vec<String>)> = updates
        .iter()
        .filter_map(|u| Some((*u, u.local?, exclusion(repo, setup, u))))
        .collect();
    let walked = walk_all(repo, &bringing)?;
    let walks: BTreeMap<&[String], Walk> = walked
        .iter()
        .map(|(exclude, nodes)| (exclude.as_slice(), Walk::new(nodes)))
        .collect();
    let mut walked_from: BTreeSet<(ObjectId, &[String])> = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut taken = Taken::default();
    for (update, local, exclude) in &bringing {
        let (update, local) = (*update, *local);
        // The same commit pushed again past the same exclusion (to another ref) brings
        // nothing new.
        let range = match walks.get(exclude.as_slice()) {
            Some(walk) if walked_from.insert((local, exclude.as_slice())) => walk.range(local),
            _ => Vec::new(),
        };
        let nodes: Vec<Node> = range
            .iter()
            .filter(|n| seen.insert(n.id))
            .cloned()
            .collect();
        let branch_agent = update.local_branch().and_then(|b| agent_on(setup.state, b));
        let who = Attribution::new(repo, setup, branch_agent, (&range, &nodes), exclude)?;
        out.commits += nodes.len();
        let tip = (&nodes[..], local);
        check_commits(repo, setup, &checks, tip, &who, &mut taken, &mut out)?;
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

/// What an update's range excludes: the remote-tracking refs of the remote, and the
/// remote's current value of the ref when this repository has it.
fn exclusion(repo: &Repo, setup: &Setup, update: &PushUpdate) -> Vec<String> {
    let mut exclude = vec![format!("--remotes={}", setup.remote)];
    exclude.extend(
        update
            .remote
            .filter(|r| repo.has_object(*r))
            .map(|r| r.to_string()),
    );
    exclude
}

/// The commits the updates of a push bring, walked with one git process per distinct
/// exclusion rather than one per update: the updates that exclude the same commits (every
/// new ref, say, or a thousand tags) are walked together, by exclusion.
fn walk_all(
    repo: &Repo,
    bringing: &[(&PushUpdate, ObjectId, Vec<String>)],
) -> Result<BTreeMap<Vec<String>, Vec<Node>>, Error> {
    let mut tips: BTreeMap<&[String], BTreeSet<ObjectId>> = BTreeMap::new();
    for (_, local, exclude) in bringing {
        tips.entry(exclude).or_default().insert(*local);
    }
    let mut walked = BTreeMap::new();
    for (exclude, locals) in tips {
        let include: Vec<String> = locals.iter().map(ToString::to_string).collect();
        let nodes = repo.rev_list(&include, exclude)?;
        walked.insert(exclude.to_vec(), nodes);
    }
    Ok(walked)
}

/// One walk of [`walk_all`], from which each update's own range is read.
struct Walk<'a> {
    nodes: &'a [Node],
    graph: revs::Graph<'a>,
    at: HashMap<ObjectId, usize>,
}

impl<'a> Walk<'a> {
    fn new(nodes: &'a [Node]) -> Walk<'a> {
        let at = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
        Walk {
            nodes,
            graph: revs::graph(nodes),
            at,
        }
    }

    /// `rev_list([local], exclude)` of this walk's exclusion, parents first, with no git
    /// process (see [`revs::ancestors_within`]).
    fn range(&self, local: ObjectId) -> Vec<Node> {
        let mut at: Vec<usize> = revs::ancestors_within(&self.graph, local)
            .iter()
            .filter_map(|id| self.at.get(id).copied())
            .collect();
        at.sort_unstable();
        at.into_iter().map(|i| self.nodes[i].clone()).collect()
    }
}
