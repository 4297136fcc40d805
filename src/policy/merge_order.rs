//! Merge order as a verdict: agents declare predecessors (`--after`, see
//! [`crate::model::merge_order`]) whose work must reach the integration branch before
//! theirs; this judges a push or pull request from the facts the git layer gathers
//! ([`Progress`] per agent, in steps of the new first-parent chain).

use std::collections::BTreeMap;

use super::{CheckKind, Violation};
use crate::model::Agent;

/// When an agent's work reaches the integration branch, in steps of the new first-parent
/// chain: step 0 is "before this push", step i is the chain's i-th commit, oldest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// When the agent's branch tip becomes reachable; `None`: not merged by the end.
    pub tip: Option<usize>,
    /// When the first commit of the agent's own work (not its predecessors') becomes
    /// reachable; `None`: the push merges none of it.
    pub work: Option<usize>,
}

/// The update of the integration branch being judged.
pub struct Update<'a> {
    /// The integration branch's name.
    pub target: &'a str,
    /// The new first-parent chain, oldest first: step i is `chain[i - 1]`.
    pub chain: &'a [String],
}

/// Refuses merging an agent's work before any of its predecessors' tips is merged.
/// Agents without progress have no branch to merge and count as merged.
pub fn check(
    agents: &BTreeMap<String, Agent>,
    update: &Update,
    progress: &BTreeMap<String, Progress>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let tip_of = |id: &str| progress.get(id).map_or(Some(0), |p| p.tip);
    for (id, agent) in agents {
        let Some(step) = progress.get(id).and_then(|p| p.work) else {
            continue;
        };
        if step == 0 {
            continue;
        }
        for before in &agent.after {
            let Some(pred) = agents.get(before) else {
                continue;
            };
            let when = tip_of(before);
            if when.is_some_and(|t| t <= step) {
                continue;
            }
            out.push(violation(update, (id, agent), (before, pred), step, when));
        }
    }
    out
}

fn violation(
    update: &Update,
    (id, agent): (&str, &Agent),
    (before, pred): (&str, &Agent),
    step: usize,
    when: Option<usize>,
) -> Violation {
    let commit = update.chain.get(step - 1).cloned();
    let state = match when.and_then(|t| update.chain.get(t - 1)) {
        Some(later) => format!(
            "is merged only later in this update (at {})",
            &later[..later.len().min(10)]
        ),
        None => "is not merged yet".to_owned(),
    };
    let target = update.target;
    let mut v = Violation::new(
        CheckKind::MergeOrder,
        &super::rule::MERGE_ORDER,
        None,
        format!(
            "{target} would merge {id} ({}) before its predecessor {before} ({}), which {state}; merge {} into {target} first, then {}",
            agent.branch, pred.branch, pred.branch, agent.branch
        ),
        Some(before),
    );
    v.commit = commit;
    // One finding per waiting agent and predecessor, whichever commit brings it.
    v.fingerprint = super::fingerprint(MERGE_ORDER_ID, "", &format!("{id} after {before}"));
    v
}

const MERGE_ORDER_ID: &str = super::rule::MERGE_ORDER.id;

#[cfg(test)]
mod tests {
    use super::*;

    fn agents(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Agent> {
        pairs
            .iter()
            .map(|(id, after)| {
                let agent = Agent {
                    branch: format!("feature/{id}"),
                    after: after.iter().map(|s| (*s).to_owned()).collect(),
                    added: jiff::Timestamp::UNIX_EPOCH,
                    ..Agent::default()
                };
                ((*id).to_owned(), agent)
            })
            .collect()
    }

    fn leads() -> BTreeMap<String, Agent> {
        agents(&[("sec", &[]), ("cleanup", &["sec"]), ("db", &["cleanup"])])
    }

    type Row<'a> = (&'a str, Option<usize>, Option<usize>);

    fn progress(rows: &[Row]) -> BTreeMap<String, Progress> {
        rows.iter()
            .map(|(id, tip, work)| {
                (
                    (*id).to_owned(),
                    Progress {
                        tip: *tip,
                        work: *work,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn judges_each_merge_against_its_predecessors() {
        let chain: Vec<String> = ["c1", "c2", "c3"].map(String::from).to_vec();
        let update = Update {
            target: "main",
            chain: &chain,
        };
        let table: &[(&[Row], usize)] = &[
            // Database merged, cleanup never: refused.
            (
                &[
                    ("sec", Some(0), None),
                    ("cleanup", None, None),
                    ("db", Some(1), Some(1)),
                ],
                1,
            ),
            // The right order in one update: passes.
            (
                &[
                    ("sec", Some(1), Some(1)),
                    ("cleanup", Some(2), Some(2)),
                    ("db", Some(3), Some(3)),
                ],
                0,
            ),
            // Cleanup merged after database in the same update: refused.
            (
                &[
                    ("sec", Some(0), None),
                    ("cleanup", Some(3), Some(3)),
                    ("db", Some(2), Some(2)),
                ],
                1,
            ),
            // Merged in the same step (an octopus merge): passes.
            (
                &[
                    ("sec", Some(0), None),
                    ("cleanup", Some(2), Some(2)),
                    ("db", Some(2), Some(2)),
                ],
                0,
            ),
            // Predecessors without any branch count as merged.
            (&[("db", Some(1), Some(1))], 0),
            // Work merged before this update is not judged again.
            (&[("cleanup", None, None), ("db", Some(0), Some(0))], 0),
        ];
        for (rows, want) in table {
            let found = check(&leads(), &update, &progress(rows));
            assert_eq!(found.len(), *want, "{rows:?}: {found:?}");
        }
        let found = check(
            &leads(),
            &update,
            &progress(&[("cleanup", Some(3), Some(3)), ("db", Some(2), Some(2))]),
        );
        assert_eq!(found[0].commit.as_deref(), Some("c2"));
        assert_eq!(found[0].holder.as_deref(), Some("cleanup"));
        assert!(
            found[0].message.contains("only later"),
            "{}",
            found[0].message
        );
        assert!(
            found[0]
                .message
                .contains("merge feature/cleanup into main first")
        );
    }
}
