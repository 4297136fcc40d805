//! Keyword prefilter: one pass finds which rules can possibly match, and where.
//!
//! Three searchers over the same keywords, each made once a scan has read enough to repay
//! building it: keywords indexed by their first two bytes, almost free to build, for the
//! few kilobytes a hook usually scans; an Aho-Corasick contiguous NFA, a few million
//! instructions to build; and a DFA, faster again but several milliseconds to build.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::rule::Rule;

/// Bytes scanned before the NFA is worth building: its build (3.6 million instructions)
/// costs what the byte-pair search loses to it (about 50 instructions a byte of source
/// text) over some 70 KiB.
const NFA_AFTER: u64 = 64 << 10;

/// Bytes scanned before the DFA is worth building (its build costs what the NFA loses
/// over about this much text).
const DFA_AFTER: u64 = 4 << 20;

fn build(keywords: &[Cow<'static, str>], kind: AhoCorasickKind) -> Option<AhoCorasick> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .build(keywords.iter().map(|k| k.as_bytes()))
        .or_else(|_| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(keywords.iter().map(|k| k.as_bytes()))
        })
        .ok()
}

/// Number of byte pairs, one bit each in a pair bit set.
const PAIRS: usize = 1 << 16;

fn bitset() -> Vec<u64> {
    vec![0; PAIRS / 64]
}

fn set(bits: &mut [u64], pair: u16) {
    bits[usize::from(pair) / 64] |= 1 << (pair % 64);
}

fn test(bits: &[u64], pair: u16) -> bool {
    bits[usize::from(pair) / 64] & (1 << (pair % 64)) != 0
}

/// The bit of a byte pair, ASCII case folded.
fn pair_index(first: u8, second: u8) -> u16 {
    u16::from(first.to_ascii_lowercase()) << 8 | u16::from(second.to_ascii_lowercase())
}

/// Keyword automaton mapping each keyword hit to the rules that asked for it.
#[derive(Debug)]
pub struct Prefilter {
    keywords: Vec<Cow<'static, str>>,
    /// Bits of lowercased byte pairs: the first two bytes of keywords of three bytes or
    /// more (`starts`), their second and third bytes (`seconds`), and whole two-byte
    /// keywords (`exact`). Almost every position of a text is dismissed by two bit tests.
    starts: Vec<u64>,
    seconds: Vec<u64>,
    exact: Vec<u64>,
    /// `(pair, keyword index)` for every keyword of two bytes or more, sorted.
    by_pair: Vec<(u16, usize)>,
    /// Single-byte keywords, tried at every position.
    short: Vec<usize>,
    nfa: OnceLock<Option<AhoCorasick>>,
    dfa: OnceLock<Option<AhoCorasick>>,
    scanned: AtomicU64,
    /// Bytes a caller announced it will scan in all ([`Prefilter::expect`]).
    expected: AtomicU64,
    rules_by_keyword: Vec<Vec<usize>>,
    always: Vec<usize>,
}

impl Prefilter {
    /// Builds the automaton over the keywords of `rules` (ASCII case-insensitive).
    pub fn new(rules: &[Rule]) -> Prefilter {
        let mut keywords: Vec<Cow<'static, str>> = Vec::new();
        let mut rules_by_keyword: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (index, rule) in rules.iter().enumerate() {
            if rule.regex.is_none() {
                continue;
            }
            if rule.keywords.iter().all(|k| k.is_empty()) {
                always.push(index);
                continue;
            }
            for keyword in rule.keywords.iter().filter(|k| !k.is_empty()) {
                let next = keywords.len();
                let at = *seen.entry(keyword.as_ref()).or_insert(next);
                if at == next {
                    keywords.push(keyword.clone());
                    rules_by_keyword.push(vec![index]);
                } else {
                    rules_by_keyword[at].push(index);
                }
            }
        }
        let (mut starts, mut seconds, mut exact) = (bitset(), bitset(), bitset());
        let mut by_pair = Vec::new();
        let mut short = Vec::new();
        for (at, keyword) in keywords.iter().enumerate() {
            match *keyword.as_bytes() {
                [first, second, third, ..] => {
                    set(&mut starts, pair_index(first, second));
                    set(&mut seconds, pair_index(second, third));
                    by_pair.push((pair_index(first, second), at));
                }
                [first, second] => {
                    set(&mut exact, pair_index(first, second));
                    by_pair.push((pair_index(first, second), at));
                }
                _ => short.push(at),
            }
        }
        by_pair.sort_unstable();
        Prefilter {
            starts,
            seconds,
            exact,
            by_pair,
            short,
            nfa: OnceLock::new(),
            dfa: OnceLock::new(),
            scanned: AtomicU64::new(0),
            expected: AtomicU64::new(0),
            keywords,
            rules_by_keyword,
            always,
        }
    }

    /// The automaton to search `len` more bytes with: none (the byte-pair search) until the
    /// scan has read [`NFA_AFTER`] bytes, then the NFA, and the DFA after [`DFA_AFTER`].
    fn automaton(&self, len: usize) -> Option<&AhoCorasick> {
        let total = self.scanned.fetch_add(len as u64, Ordering::Relaxed) + len as u64;
        let total = total.max(self.expected.load(Ordering::Relaxed));
        if total < NFA_AFTER {
            return None;
        }
        if total >= DFA_AFTER {
            let dfa = self
                .dfa
                .get_or_init(|| build(&self.keywords, AhoCorasickKind::DFA));
            if dfa.is_some() {
                return dfa.as_ref();
            }
        }
        self.nfa
            .get_or_init(|| build(&self.keywords, AhoCorasickKind::ContiguousNFA))
            .as_ref()
    }

    /// Announces that about `bytes` will be scanned in all, so that the searcher suiting the
    /// whole scan serves it from the start (a 100 KiB commit builds the NFA at once rather
    /// than first searching 64 KiB by byte pairs).
    pub fn expect(&self, bytes: u64) {
        self.expected.fetch_max(bytes, Ordering::Relaxed);
    }

    /// Calls `hit(position, rules)` for every keyword occurrence in `bytes`, in order.
    pub fn for_each_hit(&self, bytes: &[u8], mut hit: impl FnMut(usize, &[usize])) {
        // Never breaks: every hit is visited.
        let _ = self.visit_hits(bytes, |pos, rules| {
            hit(pos, rules);
            ControlFlow::Continue(())
        });
    }

    /// Every keyword occurrence in `bytes`, in order, as `(position, keyword)`: what a scan
    /// of the same bytes can replay with [`Prefilter::rules_of`] instead of searching again.
    pub fn hits(&self, bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        let _ = self.visit_keyword_hits(bytes, |pos, keyword| {
            hits.push((pos, keyword));
            ControlFlow::Continue(())
        });
        hits
    }

    /// The rules that asked for keyword `keyword` (an index from [`Prefilter::hits`]).
    pub fn rules_of(&self, keyword: usize) -> &[usize] {
        &self.rules_by_keyword[keyword]
    }

    /// Calls `hit(position, rules)` for the keyword occurrences in `bytes`, in order, until
    /// it breaks.
    fn visit_hits(
        &self,
        bytes: &[u8],
        mut hit: impl FnMut(usize, &[usize]) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        self.visit_keyword_hits(bytes, |pos, keyword| {
            hit(pos, &self.rules_by_keyword[keyword])
        })
    }

    /// Calls `hit(position, keyword)` for the keyword occurrences in `bytes`, in order,
    /// until it breaks.
    fn visit_keyword_hits(
        &self,
        bytes: &[u8],
        mut hit: impl FnMut(usize, usize) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        match self.automaton(bytes.len()) {
            Some(automaton) => {
                for m in automaton.find_overlapping_iter(bytes) {
                    hit(m.start(), m.pattern().as_usize())?;
                }
                ControlFlow::Continue(())
            }
            None => self.visit_hits_by_pairs(bytes, hit),
        }
    }

    /// The same hits as the automata find, by trying at each position the keywords that
    /// start with the byte pair there (when the pair bits say some keyword can).
    fn visit_hits_by_pairs(
        &self,
        bytes: &[u8],
        mut hit: impl FnMut(usize, usize) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let mut try_keyword = |pos: usize, at: usize| {
            let keyword = self.keywords[at].as_bytes();
            match bytes[pos..].get(..keyword.len()) {
                Some(text) if text.eq_ignore_ascii_case(keyword) => hit(pos, at),
                _ => ControlFlow::Continue(()),
            }
        };
        for (pos, window) in bytes.windows(2).enumerate() {
            let pair = pair_index(window[0], window[1]);
            let candidate = test(&self.exact, pair)
                || (test(&self.starts, pair)
                    && bytes
                        .get(pos + 2)
                        .is_some_and(|&third| test(&self.seconds, pair_index(window[1], third))));
            if candidate {
                let from = self.by_pair.partition_point(|&(p, _)| p < pair);
                for &(_, at) in self.by_pair[from..].iter().take_while(|&&(p, _)| p == pair) {
                    try_keyword(pos, at)?;
                }
            }
            for &at in &self.short {
                try_keyword(pos, at)?;
            }
        }
        if let Some(last) = bytes.len().checked_sub(1) {
            for &at in &self.short {
                try_keyword(last, at)?;
            }
        }
        ControlFlow::Continue(())
    }

    /// Rules without keywords, which run on every blob.
    pub fn always(&self) -> &[usize] {
        &self.always
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::secrets::rules::builtin_rules;

    fn hits(prefilter: &Prefilter, text: &[u8], small: bool) -> Vec<(usize, Vec<usize>)> {
        let mut out = Vec::new();
        let mut push = |pos: usize, rules: &[usize]| out.push((pos, rules.to_vec()));
        if small {
            let _ = prefilter.visit_hits_by_pairs(text, |pos, keyword| {
                push(pos, &prefilter.rules_by_keyword[keyword]);
                ControlFlow::Continue(())
            });
        } else {
            let nfa = build(&prefilter.keywords, AhoCorasickKind::ContiguousNFA).expect("builds");
            for m in nfa.find_overlapping_iter(text) {
                push(
                    m.start(),
                    &prefilter.rules_by_keyword[m.pattern().as_usize()],
                );
            }
        }
        out.sort();
        out
    }

    #[test]
    fn collected_hits_replay_what_a_search_visits() {
        let prefilter = Prefilter::new(&builtin_rules());
        let text = b"let token = \"ghp_x\"; // and an AKIA prefix";
        let mut visited = Vec::new();
        prefilter.for_each_hit(text, |pos, rules| visited.push((pos, rules.to_vec())));
        let replayed: Vec<_> = prefilter
            .hits(text)
            .into_iter()
            .map(|(pos, keyword)| (pos, prefilter.rules_of(keyword).to_vec()))
            .collect();
        assert!(!visited.is_empty());
        assert_eq!(replayed, visited);
        assert!(prefilter.hits(b"fn main() {}\n").is_empty());
    }

    #[test]
    fn byte_pair_search_finds_what_the_automaton_finds() {
        let prefilter = Prefilter::new(&builtin_rules());
        let texts: [&[u8]; 5] = [
            b"",
            b"export AWS_SECRET_ACCESS_KEY=abc; token = \"ghp_x\"\nSK_LIVE_ and sk_live_",
            b"password=passwordpassword API_KEY apikey Api-Key xoxb- AKIA",
            b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "caf\u{e9} \u{1f600} glpat- npm_ \x00\x01".as_bytes(),
        ];
        for text in texts {
            let expected = hits(&prefilter, text, false);
            assert_eq!(hits(&prefilter, text, true), expected, "{text:?}");
            assert!(text.is_empty() || !expected.is_empty(), "{text:?}");
        }
    }
}
