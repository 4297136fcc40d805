//! Keyword prefilter: one Aho-Corasick pass finds which rules can possibly match, and where.
//!
//! Two automata over the same keywords: a contiguous NFA, cheap to build, for the few
//! kilobytes a hook scans; and a DFA, about twice as fast to search but costing several
//! milliseconds to build, made once a scan has read enough bytes to repay it.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::rule::Rule;

/// Bytes scanned before the DFA is worth building (its build costs what the NFA loses
/// over about this much text).
const DFA_AFTER: u64 = 4 << 20;

fn build(keywords: &[String], kind: AhoCorasickKind) -> Option<AhoCorasick> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .build(keywords)
        .or_else(|_| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(keywords)
        })
        .ok()
}

/// Keyword automaton mapping each keyword hit to the rules that asked for it.
#[derive(Debug)]
pub struct Prefilter {
    keywords: Vec<String>,
    nfa: Option<AhoCorasick>,
    dfa: OnceLock<Option<AhoCorasick>>,
    scanned: AtomicU64,
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
        Prefilter {
            nfa: build(&keywords, AhoCorasickKind::ContiguousNFA),
            dfa: OnceLock::new(),
            scanned: AtomicU64::new(0),
            keywords,
            rules_by_keyword,
            always,
        }
    }

    /// The automaton to search `len` more bytes with: the DFA once the scan has read
    /// [`DFA_AFTER`] bytes, the NFA before.
    fn automaton(&self, len: usize) -> Option<&AhoCorasick> {
        let total = self.scanned.fetch_add(len as u64, Ordering::Relaxed) + len as u64;
        if total >= DFA_AFTER {
            let dfa = self
                .dfa
                .get_or_init(|| build(&self.keywords, AhoCorasickKind::DFA));
            if dfa.is_some() {
                return dfa.as_ref();
            }
        }
        self.nfa.as_ref()
    }

    /// Calls `hit(position, rules)` for every keyword occurrence in `bytes`, in order.
    pub fn for_each_hit(&self, bytes: &[u8], mut hit: impl FnMut(usize, &[usize])) {
        if let Some(automaton) = self.automaton(bytes.len()) {
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
