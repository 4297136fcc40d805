//! Keyword prefilter: one Aho-Corasick pass finds which rules can possibly match, and where.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::rule::Rule;

/// Keyword automaton mapping each keyword hit to the rules that asked for it.
#[derive(Debug)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    rules_by_keyword: Vec<Vec<usize>>,
    always: Vec<usize>,
}

impl Prefilter {
    /// Builds the automaton over the keywords of `rules` (ASCII case-insensitive).
    pub fn new(rules: &[Rule]) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut rules_by_keyword: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if rule.regex.is_none() {
                continue;
            }
            if rule.keywords.is_empty() {
                always.push(index);
                continue;
            }
            for keyword in &rule.keywords {
                match keywords.iter().position(|k| k == keyword) {
                    Some(at) => rules_by_keyword[at].push(index),
                    None => {
                        keywords.push(keyword.clone());
                        rules_by_keyword.push(vec![index]);
                    }
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&keywords)
            .or_else(|_| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .build(&keywords)
            })
            .ok();
        Prefilter {
            automaton,
            rules_by_keyword,
            always,
        }
    }

    /// Calls `hit(position, rules)` for every keyword occurrence in `bytes`, in order.
    pub fn for_each_hit(&self, bytes: &[u8], mut hit: impl FnMut(usize, &[usize])) {
        if let Some(automaton) = &self.automaton {
            for m in automaton.find_overlapping_iter(bytes) {
                hit(m.start(), &self.rules_by_keyword[m.pattern().as_usize()]);
            }
        }
    }

    /// Rules without keywords, which run on every blob.
    pub fn always(&self) -> &[usize] {
        &self.always
    }
}
