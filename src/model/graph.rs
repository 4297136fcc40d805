//! Dependency graphs named by id (merge order between agents, tasks after tasks): cycles.

use std::collections::BTreeSet;

/// A cycle among `ids`, where `after(id)` are the ids `id` depends on, as the ids around it
/// (the first repeated last). Dependencies on unknown ids are ignored.
pub fn find_cycle<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    after: impl Fn(&str) -> Option<&'a [String]>,
) -> Option<Vec<String>> {
    // Depth-first search: ids on the stack, and ids fully explored.
    fn visit<'a>(
        id: &'a str,
        after: &dyn Fn(&str) -> Option<&'a [String]>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(pos) = stack.iter().position(|s| *s == id) {
            let mut cycle: Vec<String> = stack[pos..].iter().map(|s| (*s).to_owned()).collect();
            cycle.push(id.to_owned());
            return Some(cycle);
        }
        if done.contains(id) {
            return None;
        }
        let deps = after(id)?;
        stack.push(id);
        for before in deps {
            if let Some(cycle) = visit(before, after, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(id);
        None
    }
    let mut done = BTreeSet::new();
    ids.into_iter()
        .find_map(|id| visit(id, &after, &mut Vec::new(), &mut done))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn cycles_and_unknown_ids() {
        let graph: BTreeMap<&str, Vec<String>> = [
            ("a", vec!["b".to_owned()]),
            ("b", vec!["c".to_owned(), "zz".to_owned()]),
            ("c", vec![]),
        ]
        .into_iter()
        .collect();
        let after = |id: &str| graph.get(id).map(Vec::as_slice);
        assert_eq!(find_cycle(graph.keys().copied(), after), None);
        let mut looped = graph.clone();
        looped.insert("c", vec!["a".to_owned()]);
        let after = |id: &str| looped.get(id).map(Vec::as_slice);
        let cycle = find_cycle(looped.keys().copied(), after).expect("a cycle");
        assert_eq!(cycle, ["a", "b", "c", "a"]);
    }
}
