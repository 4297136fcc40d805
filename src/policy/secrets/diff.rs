//! Changes as the hooks see them: the lines a change adds, and scanning only those.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use super::{Blob, Finding, LineSet, Lines, ScanStats, Scanner};

/// Past this, the line diff settles for a coarser answer (which may count more lines as added).
const DIFF_DEADLINE: Duration = Duration::from_millis(500);

/// One changed file: its content before (absent when added) and after.
#[derive(Debug, Clone, Copy)]
pub struct ChangedBlob<'a> {
    /// Repository-relative path with `/` separators.
    pub path: &'a str,
    /// Commit that made the change, for range and history scans.
    pub commit: Option<&'a str>,
    /// Content before the change.
    pub old: Option<&'a [u8]>,
    /// Content after the change.
    pub new: &'a [u8],
    /// The keyword hits in `new`, when already found ([`Scanner::prescan`]).
    pub hits: Option<&'a [(usize, usize)]>,
}

/// Returns the 1-based line numbers of `new` that a line diff against `old` marks as added.
pub fn added_lines(old: &[u8], new: &[u8]) -> LineSet {
    let old_lines: Vec<&[u8]> = split_lines(old).collect();
    let new_lines: Vec<&[u8]> = split_lines(new).collect();
    let deadline = Instant::now() + DIFF_DEADLINE;
    let ops =
        capture_diff_slices_deadline(Algorithm::Myers, &old_lines, &new_lines, Some(deadline));
    let added = ops.iter().flat_map(|op| match *op {
        DiffOp::Insert {
            new_index, new_len, ..
        }
        | DiffOp::Replace {
            new_index, new_len, ..
        } => new_index..new_index + new_len,
        _ => 0..0,
    });
    LineSet::from_lines(added.map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)))
}

fn split_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.split(|&b| b == b'\n')
        .take(if bytes.is_empty() { 0 } else { usize::MAX })
}

impl Scanner {
    /// Scans the lines a change adds (all lines of a new file).
    pub fn scan_change(&self, change: &ChangedBlob<'_>, out: &mut Vec<Finding>) -> ScanStats {
        let blob = |lines| Blob {
            path: change.path,
            commit: change.commit,
            bytes: change.new,
            lines,
            hits: change.hits,
        };
        // Size, binary and path checks come first so huge blobs are never diffed.
        if let Some(skipped) = self.skip(change.path, change.new) {
            return skipped;
        }
        match change.old {
            None => self.scan(&blob(Lines::All), out),
            Some(old) => {
                let lines = added_lines(old, change.new);
                let mut stats = self.scan(&blob(Lines::Starting(&lines)), out);
                stats.blobs_scanned = 1;
                stats
            }
        }
    }

    /// Scans a file's final content after a range of commits, `old` being its content before
    /// the range (none when the range added it): reports the findings whose match reaches a
    /// line the range added, wherever the secret starts — so a secret whose lines different
    /// commits added is found, and one the file held before the range is not. Only the rules
    /// whose matches can reach past one line run (see [`Lines::Touching`]).
    pub fn scan_final(&self, change: &ChangedBlob<'_>, out: &mut Vec<Finding>) -> ScanStats {
        if let Some(skipped) = self.skip(change.path, change.new) {
            return skipped;
        }
        let lines = match change.old {
            Some(old) => added_lines(old, change.new),
            None => LineSet::all(),
        };
        let blob = Blob {
            path: change.path,
            commit: change.commit,
            bytes: change.new,
            lines: Lines::Touching(&lines),
            hits: change.hits,
        };
        let mut stats = self.scan(&blob, out);
        stats.blobs_scanned = 1;
        stats
    }

    /// Scans the added lines of every change, in parallel; findings come back sorted.
    pub fn scan_changes(&self, changes: &[ChangedBlob<'_>]) -> (Vec<Finding>, ScanStats) {
        let bytes = changes
            .iter()
            .map(|c| (c.new.len() + c.old.map_or(0, <[u8]>::len)) as u64)
            .sum();
        self.expect_bytes(changes.iter().map(|c| c.new.len() as u64).sum());
        let per_thread = super::parallel::run_sized(
            changes,
            bytes,
            |change, (findings, stats): &mut (Vec<Finding>, ScanStats)| {
                stats.add(&self.scan_change(change, findings));
            },
        );
        super::parallel::merge(per_thread)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_table() {
        let cases: &[(&str, &str, &[u32])] = &[
            ("a\nb\n", "a\nb\n", &[]),
            ("a\nb\n", "a\nx\nb\n", &[2]),
            ("a\nb\n", "a\nB\n", &[2]),
            ("", "a\nb", &[1, 2]),
            ("a\nb\nc\n", "c\n", &[]),
        ];
        for (old, new, want) in cases {
            let got = added_lines(old.as_bytes(), new.as_bytes());
            assert_eq!(
                got,
                LineSet::from_lines(want.iter().copied()),
                "{old:?} -> {new:?}"
            );
        }
    }

    #[test]
    fn line_sets_overlap_ranges_of_lines() {
        let set = LineSet::from_lines([3, 4, 9]);
        for (first, last, want) in [(1, 2, false), (1, 3, true), (5, 8, false), (4, 20, true)] {
            assert_eq!(set.overlaps(first, last), want, "{first}..={last}");
        }
        assert!(!LineSet::default().overlaps(1, u32::MAX));
    }

    #[test]
    fn final_content_reports_a_key_the_range_completed_and_not_one_it_found() {
        // Built at run time: the armour, and a body long enough for the rule.
        let armour = |side: &str| format!("-----{side} RSA {}-----\n", "PRIVATE KEY");
        let body = "MIIEowIBAAKCAQEAu3Fq9Zr7XbW2kN8vLp4TcYh6Jd1Gs0Qa5Ue3Rm8Kx2Vn7Pw9\n".repeat(3);
        let begin = armour("BEGIN");
        let key = format!("{begin}{body}{}", armour("END"));
        let moved = format!("# deploy\n{key}");
        let scanner = Scanner::builtin();
        let found = |final_pass: bool, old: &str, new: &str| {
            let change = ChangedBlob {
                path: "k.pem",
                commit: Some("c2"),
                old: Some(old.as_bytes()),
                new: new.as_bytes(),
                hits: None,
            };
            let mut out = Vec::new();
            if final_pass {
                scanner.scan_final(&change, &mut out);
            } else {
                scanner.scan_change(&change, &mut out);
            }
            out.iter().map(|f| f.line).collect::<Vec<u32>>()
        };
        // The body and END line alone: no added line starts the key, but it reaches them.
        assert_eq!(found(false, &begin, &key), Vec::<u32>::new());
        assert_eq!(found(true, &begin, &key), [1]);
        // A key the file held before, under an added line: not the range's.
        assert_eq!(found(true, &key, &moved), Vec::<u32>::new());
        assert_eq!(found(true, &begin, &moved), [2]);
    }

    #[test]
    fn final_content_leaves_secrets_within_one_line_to_the_commits_that_wrote_them() {
        let token = format!("ghp_{}", "R8kq2ZtW5mXy9Lp3Vb7Nc1Hd4Jf6Gs0Qa2Ue");
        let new = format!("a = 1\nb = \"{token}\"\n");
        let change = ChangedBlob {
            path: "a.py",
            commit: None,
            old: Some(b"a = 1\n"),
            new: new.as_bytes(),
            hits: None,
        };
        let scanner = Scanner::builtin();
        let (mut by_commit, mut by_final) = (Vec::new(), Vec::new());
        scanner.scan_change(&change, &mut by_commit);
        scanner.scan_final(&change, &mut by_final);
        assert_eq!(by_commit.len(), 1);
        assert!(by_final.is_empty(), "{by_final:?}");
    }

    #[test]
    fn a_secret_already_present_is_not_reported_again() {
        let token = format!("ghp_{}", "R8kq2ZtW5mXy9Lp3Vb7Nc1Hd4Jf6Gs0Qa2Ue");
        let old = format!("a = \"{token}\"\n");
        let new = format!("a = \"{token}\"\nb = \"{token}\"\n");
        let scanner = Scanner::builtin();
        let changes = [
            ChangedBlob {
                path: "kept.txt",
                commit: None,
                old: Some(old.as_bytes()),
                new: new.as_bytes(),
                hits: None,
            },
            ChangedBlob {
                path: "new.txt",
                commit: Some("c1"),
                old: None,
                new: old.as_bytes(),
                hits: None,
            },
        ];
        let (findings, stats) = scanner.scan_changes(&changes);
        let got: Vec<(&str, u32)> = findings.iter().map(|f| (f.file.as_str(), f.line)).collect();
        assert_eq!(got, [("kept.txt", 2), ("new.txt", 1)]);
        assert_eq!(stats.blobs_scanned, 2);
        assert_eq!(
            findings[1].gitleaks_fingerprint(true),
            "c1:new.txt:github-pat:1"
        );
    }
}
