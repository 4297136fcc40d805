//! The scanning loop: keyword hits, windows around them, regex matches, filters, findings.

use memchr::{memchr, memmem, memrchr};

use super::allowlist::Candidate;
use super::entropy::shannon;
use super::finding::{Finding, fingerprint, redact, secret_hash};
use super::placeholder::is_placeholder;
use super::rule::{Rule, Span};
use super::{Blob, Lines, Scanner};

/// A finding with the byte span of its secret, kept until overlaps are resolved.
struct Hit {
    rule: usize,
    start: usize,
    end: usize,
    finding: Finding,
}

/// Turns byte offsets into 1-based line numbers, cheaply for offsets that mostly move forward.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
}

impl LineCounter<'_> {
    fn line_at(&mut self, at: usize) -> u32 {
        let count =
            |s: &[u8]| u32::try_from(memchr::memchr_iter(b'\n', s).count()).unwrap_or(u32::MAX);
        if at >= self.pos {
            self.line = self.line.saturating_add(count(&self.bytes[self.pos..at]));
        } else {
            self.line = self.line.saturating_sub(count(&self.bytes[at..self.pos]));
        }
        self.pos = at;
        self.line
    }
}

/// Per-blob scanning state.
struct Pass<'s, 'b> {
    scanner: &'s Scanner,
    blob: &'b Blob<'b>,
    lines: LineCounter<'b>,
    /// Per rule: start of the last line scanned (line span) or end of the last block scanned.
    done: Vec<usize>,
    line_bounds: (usize, usize),
    /// Bounds of the line of the last match.
    match_line: (usize, usize),
    /// Start of the last line checked for an inline marker, and the answer.
    marker_line: Option<(usize, bool)>,
    hits: Vec<Hit>,
}

const NOT_YET: usize = usize::MAX;

/// Scans one blob that already passed the binary, size and path checks; appends findings to `out`.
pub fn scan(scanner: &Scanner, blob: &Blob<'_>, out: &mut Vec<Finding>) -> usize {
    let mut pass = Pass {
        scanner,
        blob,
        lines: LineCounter {
            bytes: blob.bytes,
            pos: 0,
            line: 1,
        },
        done: vec![NOT_YET; scanner.rules.len()],
        line_bounds: (1, 0),
        match_line: (1, 0),
        marker_line: None,
        hits: Vec::new(),
    };
    match blob.hits {
        Some(hits) => {
            for &(pos, keyword) in hits {
                pass.on_hit(pos, scanner.prefilter.rules_of(keyword));
            }
        }
        None => scanner
            .prefilter
            .for_each_hit(blob.bytes, |pos, rules| pass.on_hit(pos, rules)),
    }
    for &rule in scanner.prefilter.always() {
        if pass.applies(rule) {
            pass.run(rule, 0, blob.bytes.len());
        }
    }
    pass.path_rules();
    pass.finish(out)
}

impl Pass<'_, '_> {
    fn applies(&self, rule: usize) -> bool {
        let path = self.scanner.rules[rule].path.as_ref();
        path.is_none_or(|p| p.is_match(self.blob.path.as_bytes()))
    }

    fn on_hit(&mut self, pos: usize, rules: &[usize]) {
        let bytes = self.blob.bytes;
        let (mut ls, mut le) = self.line_bounds;
        if pos < ls || pos > le {
            ls = memrchr(b'\n', &bytes[..pos]).map_or(0, |i| i + 1);
            le = memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
            self.line_bounds = (ls, le);
        }
        // Limited to the lines a change adds, a rule runs only where such a line holds its
        // keyword; over final content, a secret may start on any line and only has to
        // reach one of the lines, so every hit counts.
        let line_wanted = match self.blob.lines {
            Lines::Starting(set) => set.contains(self.lines.line_at(ls)),
            Lines::All | Lines::Touching(_) => true,
        };
        let line_rules = !matches!(self.blob.lines, Lines::Touching(_));
        for &rule in rules {
            match self.scanner.rules[rule].span {
                Span::Line if line_rules && line_wanted && self.done[rule] != ls => {
                    self.done[rule] = ls;
                    if self.applies(rule) {
                        self.run(rule, ls, le);
                    }
                }
                Span::Block(max)
                    if line_wanted && (self.done[rule] == NOT_YET || pos >= self.done[rule]) =>
                {
                    let cap = bytes.len().min(ls.saturating_add(max));
                    let end = memchr(b'\n', &bytes[cap..]).map_or(bytes.len(), |i| cap + i);
                    self.done[rule] = end;
                    if self.applies(rule) {
                        self.run(rule, ls, end);
                    }
                }
                Span::Blob if self.done[rule] == NOT_YET => {
                    self.done[rule] = 0;
                    if self.applies(rule) {
                        self.run(rule, 0, bytes.len());
                    }
                }
                _ => {}
            }
        }
    }

    /// The line holding `at`; cached, because matches on one (possibly very long) line come together.
    fn bounds_of(&mut self, at: usize) -> (usize, usize) {
        let (ls, le) = self.match_line;
        if ls <= at && at <= le {
            return (ls, le);
        }
        let bytes = self.blob.bytes;
        let ls = memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let le = memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        self.match_line = (ls, le);
        (ls, le)
    }

    /// Whether the line starting at `start` carries an inline marker; looked up once per line.
    fn inline_allowed(&mut self, start: usize, line: &[u8]) -> bool {
        match self.marker_line {
            Some((at, allowed)) if at == start => allowed,
            _ => {
                let allowed = is_inline_allowed(line);
                self.marker_line = Some((start, allowed));
                allowed
            }
        }
    }

    /// Runs one rule's regex over `bytes[start..end]`.
    fn run(&mut self, rule: usize, start: usize, end: usize) {
        let Some(regex) = self.scanner.rules[rule].regex.as_ref().map(|r| r.get()) else {
            return;
        };
        let hay = &self.blob.bytes[start..end];
        if regex.captures_len() == 1 {
            for m in regex.find_iter(hay) {
                let (ms, me) = (start + m.start(), start + m.end());
                self.candidate(rule, (ms, me), (ms, me));
            }
            return;
        }
        let group = self.scanner.rules[rule].secret_group;
        for caps in regex.captures_iter(hay) {
            let Some(whole) = caps.get(0) else { continue };
            let secret = match group {
                Some(g) => caps.get(g),
                None => (1..caps.len()).find_map(|i| caps.get(i)).or(Some(whole)),
            };
            if let Some(s) = secret {
                let matched = (start + whole.start(), start + whole.end());
                self.candidate(rule, matched, (start + s.start(), start + s.end()));
            }
        }
    }

    /// Filters one regex match and records it as a hit when it survives.
    fn candidate(&mut self, index: usize, matched: (usize, usize), span: (usize, usize)) {
        let bytes = self.blob.bytes;
        let secret = &bytes[span.0..span.1];
        if secret.is_empty() {
            return;
        }
        let (ls, le) = self.bounds_of(span.0);
        let line_no = self.lines.line_at(ls);
        if !self.wanted(line_no, matched, span) {
            return;
        }
        let line = &bytes[ls..le];
        let rule = &self.scanner.rules[index];
        let entropy = shannon(secret);
        if self.inline_allowed(ls, line)
            || (rule.entropy > 0.0 && entropy < rule.entropy)
            || is_placeholder(secret, rule.filter)
        {
            return;
        }
        let cand = Candidate {
            path: self.blob.path,
            commit: self.blob.commit,
            secret,
            matched: &bytes[matched.0..matched.1],
            line,
        };
        let allowed = |lists: &[super::allowlist::Allowlist]| lists.iter().any(|a| a.allows(&cand));
        if allowed(&rule.allowlists) || allowed(&self.scanner.global) {
            return;
        }
        let column = u32::try_from(span.0 - ls + 1).unwrap_or(u32::MAX);
        let finding = make_finding(rule, self.blob, line_no, column, secret, entropy);
        self.hits.push(Hit {
            rule: index,
            start: span.0,
            end: span.1,
            finding,
        });
    }

    /// Whether a match (`matched`, its secret `span`, starting on line `line_no`) is on the
    /// lines the scan reports.
    fn wanted(&self, line_no: u32, matched: (usize, usize), span: (usize, usize)) -> bool {
        match self.blob.lines {
            Lines::All => true,
            Lines::Starting(set) => set.contains(line_no),
            Lines::Touching(set) => {
                // The lines the whole match spans; a trailing newline ends the last line
                // rather than starting another.
                let bytes = self.blob.bytes;
                let (from, to) = (matched.0.min(span.0), matched.1.max(span.1));
                let inner = bytes[from..to]
                    .strip_suffix(b"\n")
                    .unwrap_or(&bytes[from..to]);
                let newlines = |s: &[u8]| {
                    u32::try_from(memchr::memchr_iter(b'\n', s).count()).unwrap_or(u32::MAX)
                };
                let first = line_no.saturating_sub(newlines(&bytes[from..span.0]));
                set.overlaps(first, first.saturating_add(newlines(inner)))
            }
        }
    }

    /// Reports rules that match on the file path alone.
    fn path_rules(&mut self) {
        for (index, rule) in self.scanner.rules.iter().enumerate() {
            let whole = matches!(self.blob.lines, Lines::All);
            if rule.regex.is_none() && self.applies(index) && whole {
                let mut finding = make_finding(rule, self.blob, 0, 0, b"", 0.0);
                finding.redacted = "(whole file)".to_owned();
                self.hits.push(Hit {
                    rule: index,
                    start: 0,
                    end: 0,
                    finding,
                });
            }
        }
    }

    /// Drops duplicates and generic hits shadowed by a specific rule, then appends to `out`.
    fn finish(mut self, out: &mut Vec<Finding>) -> usize {
        // One report per secret: when several rules extract the very same bytes, the first
        // rule in table order (the more specific one) speaks for all.
        self.hits.sort_by_key(|h| (h.start, h.end, h.rule));
        self.hits.dedup_by_key(|h| (h.start, h.end));
        let rules = &self.scanner.rules;
        let specific: Vec<(usize, usize)> = self
            .hits
            .iter()
            .filter(|h| !rules[h.rule].is_generic())
            .map(|h| (h.start, h.end))
            .collect();
        let before = out.len();
        out.extend(
            self.hits
                .into_iter()
                .filter(|h| {
                    !rules[h.rule].is_generic()
                        || !specific.iter().any(|&(s, e)| h.start < e && s < h.end)
                })
                .map(|h| h.finding),
        );
        out.len() - before
    }
}

/// Returns true when the line carries an inline suppression marker.
fn is_inline_allowed(line: &[u8]) -> bool {
    memmem::find(line, b"gitcoord:allow").is_some()
        || memmem::find(line, b"gitleaks:allow").is_some()
}

fn make_finding(
    rule: &Rule,
    blob: &Blob<'_>,
    line: u32,
    column: u32,
    secret: &[u8],
    entropy: f32,
) -> Finding {
    Finding {
        rule_id: rule.id.clone().into_owned(),
        description: rule.description.clone().into_owned(),
        file: blob.path.to_owned(),
        line,
        column,
        commit: blob.commit.map(str::to_owned),
        redacted: redact(secret),
        entropy,
        fingerprint: fingerprint(&rule.id, blob.path, &secret_hash(&rule.id, secret)),
        secret_hash: secret_hash(&rule.id, secret),
    }
}
