//! Merge order as declared: agents name predecessors (`--after`) whose work must reach the
//! integration branch before theirs. Finding cycles (which declaration refuses) and
//! ordering agents; the verdict on a push lives in `policy::merge_order`.

use std::collections::{BTreeMap, BTreeSet};

use super::Agent;

/// A cycle in the declared order, as the agent ids around it (the first repeated last).
pub fn find_cycle(agents: &BTreeMap<String, Agent>) -> Option<Vec<String>> {
    super::graph::find_cycle(agents.keys().map(String::as_str), |id| {
        agents.get(id).map(|a| a.after.as_slice())
    })
}

/// The agents in merge order: every agent after all of its predecessors, ties by id.
/// Agents caught in a cycle (which declaration refuses) come last, by id.
pub fn order(agents: &BTreeMap<String, Agent>) -> Vec<String> {
    let mut placed: Vec<String> = Vec::new();
    let mut left: BTreeSet<&str> = agents.keys().map(String::as_str).collect();
    while !left.is_empty() {
        let ready: Vec<&str> = left
            .iter()
            .copied()
            .filter(|id| {
                agents[*id]
                    .after
                    .iter()
                    .all(|b| placed.contains(b) || !agents.contains_key(b))
            })
            .collect();
        let batch = if ready.is_empty() {
            left.iter().copied().collect()
        } else {
            ready
        };
        for id in batch {
            left.remove(id);
            placed.push(id.to_owned());
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agents(rows: &[(&str, &[&str])]) -> BTreeMap<String, Agent> {
        rows.iter()
            .map(|(id, after)| {
                (
                    (*id).to_owned(),
                    Agent {
                        after: after.iter().map(|s| (*s).to_owned()).collect(),
                        ..Agent::default()
                    },
                )
            })
            .collect()
    }

    fn leads() -> BTreeMap<String, Agent> {
        agents(&[("sec", &[]), ("cleanup", &["sec"]), ("db", &["cleanup"])])
    }

    #[test]
    fn cycles_are_found_and_order_respects_predecessors() {
        assert_eq!(find_cycle(&leads()), None);
        assert_eq!(order(&leads()), vec!["sec", "cleanup", "db"]);
        let looped = agents(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"])]);
        let cycle = find_cycle(&looped).expect("a cycle");
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4);
        assert_eq!(order(&looped).len(), 3);
    }
}
