//! Secret scanning: built-in and gitleaks-configured rules run behind a keyword prefilter.
//!
//! The engine is pure: it reads the bytes it is handed and appends redacted [`Finding`]s.
//! A blob is first matched against one Aho-Corasick automaton of every rule's keywords; only
//! rules whose keywords occur run, and only on the lines (or blocks) around those hits.

pub mod allowlist;
pub mod diff;
mod engine;
pub mod entropy;
mod extend;
pub mod finding;
pub mod gitleaks;
pub mod parallel;
pub mod placeholder;
mod prefilter;
pub mod report;
pub mod rule;
pub mod rules;
pub mod suppress;

use serde::Serialize;

use allowlist::Allowlist;
pub use finding::Finding;
pub use gitleaks::ConfigError;
use prefilter::Prefilter;
use rule::Rule;

/// Files larger than this are skipped unless the scanner is told otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 << 20;

/// Only the first this many bytes are searched for NUL to tell binary files apart.
const BINARY_PROBE: usize = 8 << 10;

/// A set of 1-based line numbers, such as the lines a change adds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSet {
    ranges: Vec<(u32, u32)>,
}

impl LineSet {
    /// Builds a set from line numbers in any order.
    pub fn from_lines(lines: impl IntoIterator<Item = u32>) -> LineSet {
        let mut all: Vec<u32> = lines.into_iter().collect();
        all.sort_unstable();
        all.dedup();
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for line in all {
            match ranges.last_mut() {
                Some((_, end)) if *end + 1 == line => *end = line,
                _ => ranges.push((line, line)),
            }
        }
        LineSet { ranges }
    }

    /// Returns true when `line` is in the set.
    pub fn contains(&self, line: u32) -> bool {
        let at = self.ranges.partition_point(|&(_, end)| end < line);
        self.ranges.get(at).is_some_and(|&(start, _)| start <= line)
    }

    /// The set of every line.
    pub fn all() -> LineSet {
        LineSet {
            ranges: vec![(1, u32::MAX)],
        }
    }

    /// Returns true when the set holds a line from `first` to `last` (inclusive).
    pub fn overlaps(&self, first: u32, last: u32) -> bool {
        let at = self.ranges.partition_point(|&(_, end)| end < first);
        self.ranges.get(at).is_some_and(|&(start, _)| start <= last)
    }

    /// Returns true when the set holds no line.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
}

/// Which of a blob's findings a scan reports.
#[derive(Debug, Clone, Copy, Default)]
pub enum Lines<'a> {
    /// All of them: a file scanned whole.
    #[default]
    All,
    /// Those whose secret starts on one of these lines: the lines a change adds.
    Starting(&'a LineSet),
    /// Those whose match spans one of these lines: a file's final content after a range of
    /// commits, where a secret can be completed by lines that different commits added. Only
    /// rules whose match can reach past the line holding their keyword run (key blocks,
    /// whole-file and keyword-less rules): a match within one line was among the added
    /// lines of the commit that wrote that line, and reported there.
    Touching(&'a LineSet),
}

impl Lines<'_> {
    /// The lines a scan is limited to, if any.
    fn set(&self) -> Option<&LineSet> {
        match self {
            Lines::All => None,
            Lines::Starting(set) | Lines::Touching(set) => Some(set),
        }
    }
}

/// One blob to scan: its bytes and where they come from.
#[derive(Debug, Clone, Copy)]
pub struct Blob<'a> {
    /// Path with `/` separators, as reported in findings.
    pub path: &'a str,
    /// Commit the blob belongs to, for history scans and commit allowlists.
    pub commit: Option<&'a str>,
    /// Content.
    pub bytes: &'a [u8],
    /// Which findings are reported (all, or those on the lines a change adds).
    pub lines: Lines<'a>,
    /// The keyword hits in `bytes`, when a caller already searched for them
    /// ([`Scanner::prescan`]); the scan then replays them instead of searching again.
    pub hits: Option<&'a [(usize, usize)]>,
}

/// Counters of what a scan looked at and skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    /// Blobs whose content was scanned.
    pub blobs_scanned: u64,
    /// Bytes of content scanned.
    pub bytes_scanned: u64,
    /// Blobs skipped because they hold a NUL byte near the start.
    pub skipped_binary: u64,
    /// Blobs skipped because they exceed the size cap.
    pub skipped_oversize: u64,
    /// Blobs skipped because their path is allowlisted or a lock file.
    pub skipped_allowlisted: u64,
    /// Findings reported.
    pub findings: u64,
}

impl ScanStats {
    /// Adds another scan's counters to these.
    pub fn add(&mut self, other: &ScanStats) {
        self.blobs_scanned += other.blobs_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.skipped_binary += other.skipped_binary;
        self.skipped_oversize += other.skipped_oversize;
        self.skipped_allowlisted += other.skipped_allowlisted;
        self.findings += other.findings;
    }
}

/// Compiled rules, keyword prefilter and global allowlists; shareable across threads.
#[derive(Debug)]
pub struct Scanner {
    rules: Vec<Rule>,
    prefilter: Prefilter,
    global: Vec<Allowlist>,
    max_file_size: u64,
}

impl Scanner {
    /// Returns a scanner with gitcoord's built-in rules.
    pub fn builtin() -> Scanner {
        Scanner::from_rules(rules::builtin_rules(), Vec::new())
    }

    /// Returns a scanner over the given rules and global allowlists.
    pub fn from_rules(rules: Vec<Rule>, global: Vec<Allowlist>) -> Scanner {
        let prefilter = Prefilter::new(&rules);
        Scanner {
            rules,
            prefilter,
            global,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }

    /// Reads a gitleaks TOML configuration; `[extend] useDefault = true` adds the built-in rules.
    pub fn from_gitleaks_toml(text: &str, origin: &str) -> Result<Scanner, ConfigError> {
        let (rules, global) = gitleaks::parse(text, origin)?;
        Ok(Scanner::from_rules(rules, global))
    }

    /// Builds a scanner from a gitleaks `[extend]` chain: the file given, then the files it
    /// extends, each parsed with [`gitleaks::Layer::parse`].
    pub fn from_gitleaks_layers(layers: Vec<gitleaks::Layer>) -> Result<Scanner, ConfigError> {
        let (rules, global) = gitleaks::assemble(layers)?;
        Ok(Scanner::from_rules(rules, global))
    }

    /// Sets the size above which blobs are skipped.
    pub fn with_max_file_size(mut self, bytes: u64) -> Scanner {
        self.max_file_size = bytes;
        self
    }

    /// Every rule, in rule order, as reports list them.
    pub fn rule_list(&self) -> impl Iterator<Item = crate::policy::Rule<'_>> {
        self.rules.iter().map(|r| crate::policy::Rule {
            id: r.id.as_ref(),
            description: r.description.as_ref(),
            help: crate::policy::rule::SECRET_HELP,
        })
    }

    /// Announces that about `bytes` will be scanned in all (see [`Prefilter::expect`]).
    pub fn expect_bytes(&self, bytes: u64) {
        self.prefilter.expect(bytes);
    }

    /// The keyword hits of `bytes` at `path` when scanning some of its lines could report
    /// anything; `None` when the blob is skipped or no applicable rule can run on it (no
    /// keyword occurs, and path-only rules report whole new files, not lines). A caller
    /// holding a changed file's new side can then skip reading the old side and diffing
    /// them, and otherwise hands the hits on ([`ChangedBlob::hits`]) so the scan does not
    /// search again.
    pub fn prescan(&self, path: &str, bytes: &[u8]) -> Option<Vec<(usize, usize)>> {
        if self.skip(path, bytes).is_some() {
            return None;
        }
        let applies = |index: usize| {
            self.rules[index]
                .path
                .as_ref()
                .is_none_or(|p| p.is_match(path.as_bytes()))
        };
        let hits = self.prefilter.hits(bytes);
        let any = self.prefilter.always().iter().any(|&index| applies(index))
            || hits
                .iter()
                .any(|&(_, keyword)| self.prefilter.rules_of(keyword).iter().any(|&r| applies(r)));
        any.then_some(hits)
    }

    /// Whether a final-content scan ([`Lines::Touching`]) of a blob at `path` whose keyword
    /// hits are `hits` ([`Scanner::prescan`]'s answer) could report anything: a rule whose
    /// match can reach past one line applies to `path`, and has no keywords or one of them
    /// occurs. A blob for which this is false need not be read again for that scan.
    pub fn reaches_past_lines(&self, path: &str, hits: Option<&[(usize, usize)]>) -> bool {
        let Some(hits) = hits else {
            return false;
        };
        let wide = |index: usize| {
            let rule = &self.rules[index];
            !matches!(rule.span, rule::Span::Line)
                && rule
                    .path
                    .as_ref()
                    .is_none_or(|p| p.is_match(path.as_bytes()))
        };
        self.prefilter.always().iter().any(|&index| wide(index))
            || hits
                .iter()
                .any(|&(_, keyword)| self.prefilter.rules_of(keyword).iter().any(|&r| wide(r)))
    }

    /// Scans `bytes` found at `path`, reporting only `only_lines` when given.
    pub fn scan_blob(
        &self,
        path: &str,
        bytes: &[u8],
        only_lines: Option<&LineSet>,
        out: &mut Vec<Finding>,
    ) -> ScanStats {
        self.scan(
            &Blob {
                path,
                commit: None,
                bytes,
                lines: only_lines.map_or(Lines::All, Lines::Starting),
                hits: None,
            },
            out,
        )
    }

    /// Scans one blob, skipping (and counting) binary, oversize and allowlisted ones.
    pub fn scan(&self, blob: &Blob<'_>, out: &mut Vec<Finding>) -> ScanStats {
        if let Some(skipped) = self.skip(blob.path, blob.bytes) {
            return skipped;
        }
        let mut stats = ScanStats::default();
        if blob.lines.set().is_none_or(|set| !set.is_empty()) {
            stats.blobs_scanned = 1;
            stats.bytes_scanned = blob.bytes.len() as u64;
            stats.findings = engine::scan(self, blob, out) as u64;
        }
        stats
    }

    /// Returns the counters of a skipped blob when `bytes` at `path` is not to be scanned.
    pub fn skip(&self, path: &str, bytes: &[u8]) -> Option<ScanStats> {
        let mut stats = ScanStats::default();
        if self.skips_path(path) {
            stats.skipped_allowlisted = 1;
        } else if bytes.len() as u64 > self.max_file_size {
            stats.skipped_oversize = 1;
        } else if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some() {
            stats.skipped_binary = 1;
        } else {
            return None;
        }
        Some(stats)
    }

    /// The size above which blobs are skipped.
    pub fn max_file_size(&self) -> u64 {
        self.max_file_size
    }

    /// Returns true when a blob at `path` is never scanned: lock files and path-only allowlists.
    pub fn skips_path(&self, path: &str) -> bool {
        placeholder::is_lock_file(path)
            || self
                .global
                .iter()
                .any(|a| a.is_path_only() && a.paths.iter().any(|p| p.is_match(path.as_bytes())))
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_config;
