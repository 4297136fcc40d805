//! The secrets check as the hooks run it: on the lines a change adds, with the repository's
//! configuration and suppressions, turned into policy violations.

use gix::ObjectId;

use super::{Error, Setup, violation};
use crate::git::Repo;
use crate::git::changes::Change;
use crate::git::secrets::LoadedChange;
use crate::model::Actor;
use crate::policy::change_check::{Blobs, ChangeCheck};
use crate::policy::{Check, Violation};

/// Secret scanning of a commit's (or the index's) added lines.
pub struct Secrets {
    setup: Setup,
}

impl Secrets {
    /// Loads the repository's configuration (`.gitleaks.toml`, else the built-in rules) and
    /// ignore files.
    pub fn load(repo: &Repo) -> Result<Secrets, Error> {
        Ok(Secrets {
            setup: Setup::load(repo.workdir(), None, None)?,
        })
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
        let loaded: Vec<LoadedChange> = news
            .into_iter()
            .filter_map(|(c, new)| {
                let old = c.old.filter(|s| !s.is_submodule());
                // A modified file: when none of its lines can hold a finding its old side is
                // not read; otherwise the scan replays the keyword hits found here.
                let hits = match old {
                    Some(_) => Some(scanner.prescan(&c.path, &new)?),
                    None => None,
                };
                Some(LoadedChange {
                    path: c.path.clone(),
                    commit: commit.map(str::to_owned),
                    old: old.and_then(|s| read(s.id)),
                    new,
                    hits,
                })
            })
            .collect();
        let blobs: Vec<_> = loaded.iter().map(LoadedChange::as_changed_blob).collect();
        let (findings, stats) = self.setup.scanner.scan_changes(&blobs);
        let outcome = self.setup.finish(findings, stats, 0);
        outcome.findings.iter().map(violation).collect()
    }
}

impl ChangeCheck for Secrets {
    fn which(&self) -> Check {
        Check::Secrets
    }

    fn check(&self, _: &Actor, changes: &[Change], blobs: &dyn Blobs) -> Vec<Violation> {
        self.violations(changes, None, blobs)
    }
}

/// The secrets check for staged `changes` (already computed by the pre-commit hook); a
/// configuration that cannot be loaded is reported as a violation, never skipped silently.
pub fn staged_violations(repo: &Repo, changes: &[Change]) -> Vec<Violation> {
    match Secrets::load(repo) {
        Ok(secrets) => secrets.violations(changes, None, &StagedBlobs(repo)),
        Err(e) => vec![unavailable(&e)],
    }
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

/// A violation saying the secrets check could not run, and why.
pub fn unavailable(e: &Error) -> Violation {
    Violation {
        check: Check::Secrets,
        rule: "secrets-unavailable".to_owned(),
        path: None,
        line: None,
        commit: None,
        message: format!("the secrets check could not run: {e}"),
        holder: None,
    }
}
