//! Scanning commits: the lines each commit of a range (or of the whole history) added, in
//! parallel, one repository handle per thread.

use super::{Error, changed_blob};
use crate::git::Repo;
use crate::model::ObjectId;
use crate::policy::secrets::{Finding, ScanStats, Scanner, parallel};

/// Scans the lines each of `commits` added against its first parent.
pub fn scan_commits(
    repo: &Repo,
    commits: &[ObjectId],
    scanner: &Scanner,
) -> Result<(Vec<Finding>, ScanStats), Error> {
    #[derive(Default)]
    struct Part {
        findings: Vec<Finding>,
        stats: ScanStats,
        error: Option<Error>,
    }
    let workdir = repo.workdir().to_path_buf();
    // Each thread's handle, or why it could not be opened (taken once, reported once).
    let open = || Some(Repo::discover_for_scanning(&workdir));
    let parts = parallel::run_with(commits, open, |&id, repo, part: &mut Part| {
        if part.error.is_some() {
            return;
        }
        let repo = match repo {
            Some(Ok(repo)) => repo,
            slot => {
                if let Some(Err(e)) = slot.take() {
                    part.error = Some(Error::Open(e));
                }
                return;
            }
        };
        match repo.commit_blobs(id, scanner.max_file_size()) {
            Ok((changes, oversize)) => {
                part.stats.skipped_oversize += oversize;
                for change in &changes {
                    let blob = changed_blob(change, None);
                    let stats = scanner.scan_change(&blob, &mut part.findings);
                    part.stats.add(&stats);
                }
            }
            Err(e) => part.error = Some(e.into()),
        }
    });
    let mut merged = Vec::new();
    for part in parts {
        if let Some(e) = part.error {
            return Err(e);
        }
        merged.push((part.findings, part.stats));
    }
    Ok(parallel::merge(merged))
}
