//! Scanning commits: the lines each commit of a range (or of the whole history) added, then
//! the final content of the files they changed; in parallel, one repository handle per thread.

use super::final_content::{self, FinalFile, Touched};
use super::{Error, changed_blob};
use crate::git::Repo;
use crate::model::ObjectId;
use crate::policy::secrets::{Finding, ScanStats, Scanner, parallel};

/// What scanning some commits or files found, and what they changed.
#[derive(Default)]
struct Part {
    findings: Vec<Finding>,
    stats: ScanStats,
    touched: Touched,
}

/// Scans the lines each of `commits` (newest first, as `git rev-list` lists them) added
/// against its first parent; returns the findings, the counters, and what they changed.
pub fn scan_commits(
    repo: &Repo,
    commits: &[ObjectId],
    scanner: &Scanner,
) -> Result<(Vec<Finding>, ScanStats, Touched), Error> {
    let items: Vec<(usize, ObjectId)> = commits.iter().copied().enumerate().collect();
    let parts = with_handles(repo, &items, |&(at, id), repo, part| {
        let blobs = repo.commit_blobs(id, scanner.max_file_size())?;
        // Listed newest first: the earliest commit has the highest index.
        part.touched.record(commits.len() - at, &blobs.changes);
        part.stats.skipped_oversize += blobs.oversize;
        for change in &blobs.loaded {
            // The keyword hits, found once: replayed by the scan, and telling whether the
            // final-content pass needs to read this blob again should it be at the tip.
            let hits = scanner.prescan(&change.path, &change.new);
            if let (false, Some(id)) = (
                scanner.reaches_past_lines(&change.path, hits.as_deref()),
                change.new_id,
            ) {
                part.touched.settle(&change.path, id);
            }
            let blob = changed_blob(change, Some(hits.as_deref().unwrap_or_default()));
            let stats = scanner.scan_change(&blob, &mut part.findings);
            part.stats.add(&stats);
        }
        Ok(())
    })?;
    let mut touched = Touched::default();
    let mut merged = Vec::new();
    for part in parts {
        touched.merge(part.touched);
        merged.push((part.findings, part.stats));
    }
    let (findings, stats) = parallel::merge(merged);
    Ok((findings, stats, touched))
}

/// Scans `files` as the range's tip holds them ([`Scanner::scan_final`]).
pub fn scan_final_files(
    repo: &Repo,
    files: &[FinalFile],
    scanner: &Scanner,
) -> Result<(Vec<Finding>, ScanStats), Error> {
    if files.is_empty() {
        return Ok((Vec::new(), ScanStats::default()));
    }
    let parts = with_handles(repo, files, |file, repo, part| {
        let stats = final_content::scan_file(repo, scanner, file, &mut part.findings)?;
        part.stats.add(&stats);
        Ok(())
    })?;
    Ok(parallel::merge(
        parts.into_iter().map(|p| (p.findings, p.stats)).collect(),
    ))
}

/// Runs `work` over `items` on every core, each thread with a repository handle of its
/// own; the first error (or failure to open a handle) is returned.
fn with_handles<T: Sync>(
    repo: &Repo,
    items: &[T],
    work: impl Fn(&T, &Repo, &mut Part) -> Result<(), Error> + Sync,
) -> Result<Vec<Part>, Error> {
    #[derive(Default)]
    struct Slot {
        part: Part,
        error: Option<Error>,
    }
    let workdir = repo.workdir().to_path_buf();
    // Each thread's handle, or why it could not be opened (taken once, reported once).
    let open = || Some(Repo::discover_for_scanning(&workdir));
    let slots = parallel::run_with(items, open, |item, repo, slot: &mut Slot| {
        if slot.error.is_some() {
            return;
        }
        match repo {
            Some(Ok(repo)) => {
                if let Err(e) = work(item, repo, &mut slot.part) {
                    slot.error = Some(e);
                }
            }
            handle => {
                if let Some(Err(e)) = handle.take() {
                    slot.error = Some(Error::Open(e));
                }
            }
        }
    });
    slots
        .into_iter()
        .map(|slot| slot.error.map_or(Ok(slot.part), Err))
        .collect()
}
