//! Changes as the hooks see them: the lines a change adds, and scanning only those.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use super::{Blob, Finding, LineSet, ScanStats, Scanner};

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
        let blob = |only_lines| Blob {
            path: change.path,
            commit: change.commit,
            bytes: change.new,
            only_lines,
            hits: change.hits,
        };
        // Size, binary and path checks come first so huge blobs are never diffed.
        if let Some(skipped) = self.skip(change.path, change.new) {
            return skipped;
        }
        match change.old {
            None => self.scan(&blob(None), out),
            Some(old) => {
                let lines = added_lines(old, change.new);
                let mut stats = self.scan(&blob(Some(&lines)), out);
                stats.blobs_scanned = 1;
                stats
            }
        }
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
