//! The final-content pass. A secret whose lines different commits added (a key's BEGIN line
//! in one commit, its body and END line in the next) is in no commit's added lines, only in
//! the file the range leaves behind. So after the commits of a range are scanned, every file
//! they changed is scanned once more as the range's tip holds it, reporting what reaches a
//! line the range added and was not already reported for one of its commits.
//!
//! It stays cheap: only files the range changed are read, once per blob; a file a commit
//! added whole and nobody changed since is passed over (its scan as added lines saw all of
//! it), as is one the commit scans found holding no keyword of a rule whose match can reach
//! past one line (a match within one line was on the added lines of the commit that wrote
//! that line); and a file before the range is only read and diffed when its final content
//! holds a finding.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::Error;
use crate::git::Repo;
use crate::model::{Change, ObjectId, Side};
use crate::policy::secrets::diff::ChangedBlob;
use crate::policy::secrets::{Finding, ScanStats, Scanner};

/// What the commits of a range did to the files they changed, gathered as they are scanned.
#[derive(Debug, Default)]
pub struct Touched {
    /// Per path: when its earliest change in the range came (smaller is earlier) and the
    /// file before that change (none when the range added it).
    before: HashMap<String, (usize, Option<ObjectId>)>,
    /// Files (path and blob) the final-content pass can pass over: a commit of the range
    /// added them whole (so they were scanned whole already), or no rule whose match can
    /// reach past one line can match them.
    settled: HashSet<(String, ObjectId)>,
}

impl Touched {
    /// Records the changes of the commit at `position` in the range (smaller is earlier).
    pub fn record(&mut self, position: usize, changes: &[Change]) {
        let file = |side: Option<Side>| side.filter(|s| !s.is_submodule()).map(|s| s.id);
        for change in changes {
            let old = file(change.old);
            self.note(change.path.clone(), position, old);
            if let (None, Some(new)) = (old, file(change.new)) {
                self.settle(&change.path, new);
            }
        }
    }

    /// Adds what another part of the same range recorded.
    pub fn merge(&mut self, other: Touched) {
        for (path, (position, old)) in other.before {
            self.note(path, position, old);
        }
        self.settled.extend(other.settled);
    }

    /// Records that the final-content pass can pass over `id` at `path` (see `settled`).
    pub fn settle(&mut self, path: &str, id: ObjectId) {
        self.settled.insert((path.to_owned(), id));
    }

    /// Keeps the earliest change of `path`.
    fn note(&mut self, path: String, position: usize, old: Option<ObjectId>) {
        let earliest = self.before.entry(path).or_insert((position, old));
        if position < earliest.0 {
            *earliest = (position, old);
        }
    }
}

/// One file to scan as a range's tip holds it.
#[derive(Debug, Clone)]
pub struct FinalFile {
    /// Repository-relative path.
    pub path: String,
    /// The tip commit, named by the findings.
    pub tip: ObjectId,
    /// The file at the tip.
    pub id: ObjectId,
    /// The file before the range, when it existed.
    pub before: Option<ObjectId>,
}

/// The blobs already taken by the final-content pass, as (blob, blob before the range):
/// each is scanned once, under the first path holding it, also across the several ranges
/// of one push.
pub type Taken = HashSet<(ObjectId, Option<ObjectId>)>;

/// The files to scan at `tips`: every path `touched` names, as the tip holds it, except a
/// file settled already (added whole by a commit and unchanged since, or holding nothing a
/// rule reaching past one line could match), or one the range left as it found it.
pub fn final_files(
    repo: &Repo,
    tips: &[ObjectId],
    touched: &Touched,
    taken: &mut Taken,
) -> Result<Vec<FinalFile>, Error> {
    if touched.before.is_empty() {
        return Ok(Vec::new());
    }
    let paths: BTreeSet<String> = touched.before.keys().cloned().collect();
    let mut out = Vec::new();
    for &tip in tips {
        for (path, id) in repo.files_at(tip, &paths)? {
            let before = touched.before.get(&path).and_then(|&(_, old)| old);
            if before == Some(id) || touched.settled.contains(&(path.clone(), id)) {
                continue;
            }
            if taken.insert((id, before)) {
                out.push(FinalFile {
                    path,
                    tip,
                    id,
                    before,
                });
            }
        }
    }
    Ok(out)
}

/// Scans `file` as its tip holds it ([`Scanner::scan_final`]), appending findings to `out`.
///
/// Most files hold nothing those rules report, so the file is scanned whole first, and
/// only when that finds something is the file before the range read and diffed, to keep
/// what reaches a line the range added. (A file before the range over the size cap counts
/// as absent: all of the final content is then the range's.)
pub fn scan_file(
    repo: &Repo,
    scanner: &Scanner,
    file: &FinalFile,
    out: &mut Vec<Finding>,
) -> Result<ScanStats, Error> {
    let max = scanner.max_file_size();
    let Some(new) = repo.blob_within(file.id, max)? else {
        return Ok(ScanStats {
            skipped_oversize: 1,
            ..ScanStats::default()
        });
    };
    let commit = file.tip.to_string();
    let mut change = ChangedBlob {
        path: &file.path,
        commit: Some(&commit),
        old: None,
        new: &new,
        hits: None,
    };
    let mut found = Vec::new();
    let stats = scanner.scan_final(&change, &mut found);
    let old = match file.before {
        Some(id) if !found.is_empty() => repo.blob_within(id, max)?,
        _ => None,
    };
    match old {
        Some(old) => {
            change.old = Some(&old);
            scanner.scan_final(&change, out);
        }
        None => out.extend(found),
    }
    Ok(stats)
}

/// Drops from `finals` what `reported` (the fingerprints of the commits' findings, before
/// suppressions) already names, and repeats among themselves; returns what is left.
pub fn unreported(finals: Vec<Finding>, reported: &HashSet<String>) -> Vec<Finding> {
    let mut seen = HashSet::new();
    finals
        .into_iter()
        .filter(|f| !reported.contains(&f.fingerprint) && seen.insert(f.fingerprint.clone()))
        .collect()
}
