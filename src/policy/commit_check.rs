//! Checks of one commit's changes, as the push and pull-request checks run them on every
//! commit: the path rules (locks and boundaries) and any content check (such as secret
//! scanning) implement [`CommitCheck`] and are run in a list, so a new check is one more
//! entry in [`run_all`]'s list rather than a new code path.
//!
//! A check stays pure: file contents come through [`Blobs`], which the git layer provides.

use crate::model::ObjectId;

use super::{CheckKind, Policy, Violation};
use crate::model::Actor;
use crate::model::Change;

/// Reads the content of blobs that changes name (the git layer implements it).
pub trait Blobs {
    /// The bytes of the blob `id`, or `None` when it cannot be read or is larger than `max`
    /// bytes (then without reading it).
    fn read(&self, id: ObjectId, max: u64) -> Option<Vec<u8>>;
}

/// One check of the changes a commit makes.
pub trait CommitCheck {
    /// The named check this is, as `GITCOORD_SKIP` names it.
    fn which(&self) -> CheckKind;

    /// The violations in `changes`, made by `actor`; `blobs` reads their contents.
    fn check(&self, actor: &Actor, changes: &[Change], blobs: &dyn Blobs) -> Vec<Violation>;
}

impl<T: CommitCheck + ?Sized> CommitCheck for &T {
    fn which(&self) -> CheckKind {
        (**self).which()
    }

    fn check(&self, actor: &Actor, changes: &[Change], blobs: &dyn Blobs) -> Vec<Violation> {
        (**self).check(actor, changes, blobs)
    }
}

/// Locks held by others, on either side of every change.
pub struct Locks<'p, 's>(pub &'p Policy<'s>);

impl CommitCheck for Locks<'_, '_> {
    fn which(&self) -> CheckKind {
        CheckKind::Locks
    }

    fn check(&self, actor: &Actor, changes: &[Change], _: &dyn Blobs) -> Vec<Violation> {
        changes
            .iter()
            .filter_map(|c| self.0.lock(actor, &c.path))
            .collect()
    }
}

/// The acting agent's boundaries (deny, others' owns, allow).
pub struct Boundaries<'p, 's>(pub &'p Policy<'s>);

impl CommitCheck for Boundaries<'_, '_> {
    fn which(&self) -> CheckKind {
        CheckKind::Boundaries
    }

    fn check(&self, actor: &Actor, changes: &[Change], _: &dyn Blobs) -> Vec<Violation> {
        changes
            .iter()
            .filter_map(|c| self.0.boundary(actor, &c.path))
            .collect()
    }
}

/// The plan's file rules, on the files a commit adds (and the new side of a rename).
pub struct FileRules<'p, 's>(pub &'p Policy<'s>);

impl CommitCheck for FileRules<'_, '_> {
    fn which(&self) -> CheckKind {
        CheckKind::Rules
    }

    fn check(&self, _: &Actor, changes: &[Change], _: &dyn Blobs) -> Vec<Violation> {
        changes
            .iter()
            .filter(|c| c.old.is_none() && c.new.is_some())
            .filter_map(|c| self.0.file_rule(&c.path))
            .collect()
    }
}

/// The path rules every push and pull request runs: locks, boundaries, file rules.
pub fn path_checks<'p, 's>(policy: &'p Policy<'s>) -> Vec<Box<dyn CommitCheck + 'p>> {
    vec![
        Box::new(Locks(policy)),
        Box::new(Boundaries(policy)),
        Box::new(FileRules(policy)),
    ]
}

/// Runs every check not in `skip` on one commit's changes; each violation names `commit`.
pub fn run_all(
    checks: &[Box<dyn CommitCheck + '_>],
    skip: &[CheckKind],
    actor: &Actor,
    commit: Option<&str>,
    changes: &[Change],
    blobs: &dyn Blobs,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for check in checks.iter().filter(|c| !skip.contains(&c.which())) {
        for mut v in check.check(actor, changes, blobs) {
            if v.commit.is_none() {
                v.commit = commit.map(str::to_owned);
            }
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Agent, Lock, State};
    use jiff::Timestamp;

    struct NoBlobs;
    impl Blobs for NoBlobs {
        fn read(&self, _: ObjectId, _: u64) -> Option<Vec<u8>> {
            None
        }
    }

    fn change(path: &str) -> Change {
        Change {
            path: path.into(),
            old: None,
            new: None,
        }
    }

    #[test]
    fn runs_every_check_not_skipped_and_names_the_commit() {
        let now = Timestamp::UNIX_EPOCH;
        let mut state = State::new(now);
        state.agents.insert(
            "db".into(),
            Agent {
                branch: "feat/db".into(),
                deny: vec!["config/**".into()],
                added: now,
                ..Agent::default()
            },
        );
        state.locks.push(Lock {
            pattern: "config/a.toml".into(),
            holder: "sec".into(),
            reason: None,
            acquired: now,
            expires: Timestamp::from_second(3600).expect("valid time"),
        });
        let policy = Policy::new(&state, now);
        let checks = path_checks(&policy);
        let actor = Actor::Agent { id: "db".into() };
        let changes = [change("config/a.toml"), change("src/db.rs")];
        let found = run_all(&checks, &[], &actor, Some("abc"), &changes, &NoBlobs);
        let rules: Vec<_> = found.iter().map(|v| v.check).collect();
        assert_eq!(rules, vec![CheckKind::Locks, CheckKind::Boundaries]);
        assert!(found.iter().all(|v| v.commit.as_deref() == Some("abc")));
        let skipped = run_all(
            &checks,
            &[CheckKind::Locks],
            &actor,
            None,
            &changes,
            &NoBlobs,
        );
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].check, CheckKind::Boundaries);
    }
}
