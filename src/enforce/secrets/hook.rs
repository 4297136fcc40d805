//! The secrets check as the hooks run it: on the lines a change adds, with the repository's
//! configuration and suppressions, turned into policy violations.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use super::final_content::{self, Taken, Touched};
use super::{Error, Setup, changed_blob, violation};
use crate::git::Repo;
use crate::git::blobs::LoadedChange;
use crate::model::{Actor, Change, ObjectId};
use crate::policy::commit_check::{Blobs, CommitCheck};
use crate::policy::secrets::ScanStats;
use crate::policy::{CheckKind, Violation};

/// The keyword hits already found in a change's new side.
type Hits = Vec<(usize, usize)>;

/// Secret scanning of a commit's (or the index's) added lines, and of the final content of
/// the files a range of commits changed.
pub struct Secrets {
    setup: Setup,
    /// The fingerprints of every finding on added lines so far, suppressed ones included:
    /// the final-content pass reports only what none of them names.
    reported: Mutex<HashSet<String>>,
}

impl Secrets {
    /// Loads the repository's configuration (`.gitleaks.toml`, else the built-in rules) and
    /// ignore files.
    pub fn load(repo: &Repo) -> Result<Secrets, Error> {
        Ok(Secrets {
            setup: Setup::load(repo.workdir(), None, None)?,
            reported: Mutex::default(),
        })
    }

    /// The violations in the final content of the files `touched` names, as `tips` hold
    /// them, that no commit's added lines showed (a secret whose lines several commits
    /// added); run after [`Secrets::violations`] on every commit of the range. Blobs in
    /// `taken` are not scanned again, and the ones scanned now are added to it.
    pub fn final_violations(
        &self,
        repo: &Repo,
        tips: &[ObjectId],
        touched: &Touched,
        taken: &mut Taken,
    ) -> Result<Vec<Violation>, Error> {
        let mut findings = Vec::new();
        let mut stats = ScanStats::default();
        for file in final_content::final_files(repo, tips, touched, taken)? {
            let scanned =
                final_content::scan_file(repo, &self.setup.scanner, &file, &mut findings)?;
            stats.add(&scanned);
        }
        let findings = {
            let mut reported = self.reported.lock().unwrap_or_else(PoisonError::into_inner);
            let findings = final_content::unreported(findings, &reported);
            reported.extend(findings.iter().map(|f| f.fingerprint.clone()));
            findings
        };
        let outcome = self.setup.finish(findings, stats, 0);
        Ok(outcome.findings.iter().map(violation).collect())
    }

    /// The rules the scanner reports under.
    pub fn rules(&self) -> impl Iterator<Item = crate::policy::Rule<'_>> {
        self.setup.scanner.rule_list()
    }

    /// The violations among `changes`, reading contents through `blobs`.
    pub fn violations(
        &self,
        changes: &[Change],
        commit: Option<&str>,
        blobs: &dyn Blobs,
    ) -> Vec<Violation> {
        let max = self.setup.scanner.max_file_size();
        let read = |id: ObjectId| blobs.read(id, max);
        let scanner = &self.setup.scanner;
        let news: Vec<(&Change, Vec<u8>)> = changes
            .iter()
            .filter_map(|c| Some((c, read(c.new.filter(|s| !s.is_submodule())?.id)?)))
            .collect();
        scanner.expect_bytes(news.iter().map(|(_, new)| new.len() as u64).sum());
        let loaded: Vec<(LoadedChange, Option<Hits>)> = news
            .into_iter()
            .filter_map(|(c, new)| {
                let old = c.old.filter(|s| !s.is_submodule());
                // A modified file: when none of its lines can hold a finding its old side is
                // not read; otherwise the scan replays the keyword hits found here.
                let hits = match old {
                    Some(_) => Some(scanner.prescan(&c.path, &new)?),
                    None => None,
                };
                let change = LoadedChange {
                    path: c.path.clone(),
                    commit: commit.map(str::to_owned),
                    old: old.and_then(|s| read(s.id)),
                    new,
                    new_id: None,
                };
                Some((change, hits))
            })
            .collect();
        let blobs: Vec<_> = loaded
            .iter()
            .map(|(c, hits)| changed_blob(c, hits.as_deref()))
            .collect();
        let (findings, stats) = self.setup.scanner.scan_changes(&blobs);
        self.reported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(findings.iter().map(|f| f.fingerprint.clone()));
        let outcome = self.setup.finish(findings, stats, 0);
        outcome.findings.iter().map(violation).collect()
    }
}

impl CommitCheck for Secrets {
    fn which(&self) -> CheckKind {
        CheckKind::Secrets
    }

    fn check(&self, _: &Actor, changes: &[Change], blobs: &dyn Blobs) -> Vec<Violation> {
        self.violations(changes, None, blobs)
    }
}

/// The secrets check for staged `changes` (already computed by the pre-commit hook); a
/// configuration that cannot be loaded is an error, never a silently skipped check.
pub fn staged_violations(repo: &Repo, changes: &[Change]) -> Result<Vec<Violation>, Error> {
    Ok(Secrets::load(repo)?.violations(changes, None, &StagedBlobs(repo)))
}

/// Blobs of a staged change, read whole and then measured: they are mostly loose objects
/// `git add` just wrote, whose header alone costs a second inflate to look up, and one
/// staged file is read once. (Pushes, whose commits can carry many large blobs from packs,
/// go through [`Repo`]'s reader, which looks at the header first.)
struct StagedBlobs<'r>(&'r Repo);

impl Blobs for StagedBlobs<'_> {
    fn read(&self, id: ObjectId, max: u64) -> Option<Vec<u8>> {
        self.0.blob(id).filter(|b| b.len() as u64 <= max)
    }
}
