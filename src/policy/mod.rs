//! Pure checks of what a change may do, given the coordination state: halt, locks,
//! boundaries. A violation is data ([`Violation`]), never an error; callers decide how to
//! print it and which exit code it means.

pub mod boundaries;
pub mod change_check;
pub mod glob;
pub mod merge_order;
pub mod secrets;

use jiff::Timestamp;
use serde::Serialize;

use crate::model::{Actor, State, time};
use glob::Glob;

/// The named checks, as `GITCOORD_SKIP` names them.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The emergency halt.
    Halt,
    /// File locks.
    Locks,
    /// Agent boundaries (deny, owns, allow).
    Boundaries,
    /// Secret scanning.
    Secrets,
    /// Merge order on the integration branch.
    MergeOrder,
}

impl Check {
    /// Every check, in reporting order.
    pub const ALL: [Check; 5] = [
        Check::Halt,
        Check::Locks,
        Check::Boundaries,
        Check::Secrets,
        Check::MergeOrder,
    ];

    /// The name used by `GITCOORD_SKIP` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Check::Halt => "halt",
            Check::Locks => "locks",
            Check::Boundaries => "boundaries",
            Check::Secrets => "secrets",
            Check::MergeOrder => "merge-order",
        }
    }

    /// Parses a `GITCOORD_SKIP` list such as `secrets,locks`; unknown names are returned
    /// separately so the caller can say so.
    pub fn parse_list(text: &str) -> (Vec<Check>, Vec<String>) {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for name in text
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let name = name.to_ascii_lowercase();
            match Check::ALL
                .iter()
                .find(|c| c.name() == name || (name == "lock" && **c == Check::Locks))
            {
                Some(c) => known.push(*c),
                None => unknown.push(name),
            }
        }
        (known, unknown)
    }
}

/// One reason a change is refused.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Which check found it.
    pub check: Check,
    /// A stable rule id, e.g. `lock`, `boundary-deny`, `halt`.
    pub rule: String,
    /// The repository-relative path concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The line concerned (secrets), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The commit concerned (pre-push, PR checks), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// One sentence: what is wrong, by whom, since when.
    pub message: String,
    /// The agent or user who holds or owns what blocks, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
}

impl Violation {
    fn new(
        check: Check,
        rule: &str,
        path: Option<&str>,
        message: String,
        holder: Option<&str>,
    ) -> Violation {
        Violation {
            check,
            rule: rule.to_owned(),
            path: path.map(str::to_owned),
            line: None,
            commit: None,
            message,
            holder: holder.map(str::to_owned),
        }
    }
}

/// The state compiled for checking many paths: globs parsed once.
pub struct Policy<'s> {
    state: &'s State,
    locks: Vec<(Glob, &'s crate::model::Lock)>,
    boundaries: boundaries::Boundaries,
    now: Timestamp,
}

impl<'s> Policy<'s> {
    /// Compiles the live locks and every agent's boundaries at `now`.
    pub fn new(state: &'s State, now: Timestamp) -> Policy<'s> {
        Policy {
            state,
            locks: state
                .live_locks(now)
                .map(|l| (Glob::new(&l.pattern), l))
                .collect(),
            boundaries: boundaries::Boundaries::new(state),
            now,
        }
    }

    /// A violation if the repository is halted.
    pub fn halt(&self) -> Option<Violation> {
        let h = self.state.halt.as_ref()?;
        Some(Violation::new(
            Check::Halt,
            "halt",
            None,
            format!(
                "the repository is halted by {} since {}: {}",
                h.by,
                time::since(h.at, self.now),
                h.reason
            ),
            Some(&h.by),
        ))
    }

    /// A violation if `path` is covered by a live lock of someone other than `actor`.
    pub fn lock(&self, actor: &Actor, path: &str) -> Option<Violation> {
        let me = actor.label();
        let (_, lock) = self
            .locks
            .iter()
            .find(|(glob, lock)| lock.holder != me && glob.matches(path))?;
        let via = if lock.pattern == path {
            String::new()
        } else {
            format!(" (via '{}')", lock.pattern)
        };
        Some(Violation::new(
            Check::Locks,
            "lock",
            Some(path),
            format!(
                "{path}: locked by {}{via} since {}{}",
                lock.holder,
                time::since(lock.acquired, self.now),
                lock.reason
                    .as_ref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
            Some(&lock.holder),
        ))
    }

    /// A violation if `path` is outside the boundaries of `actor` (agents only).
    pub fn boundary(&self, actor: &Actor, path: &str) -> Option<Violation> {
        let id = actor.agent_id()?;
        let breach = self.boundaries.check(id, path)?;
        Some(Violation::new(
            Check::Boundaries,
            breach.rule(),
            Some(path),
            format!("{path}: {}", breach.describe(id)),
            breach.owner(),
        ))
    }

    /// Checks a set of changed paths for halt, locks and boundaries, skipping `skip`.
    pub fn check_paths<'p>(
        &self,
        actor: &Actor,
        paths: impl IntoIterator<Item = &'p str>,
        skip: &[Check],
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        if !skip.contains(&Check::Halt) {
            out.extend(self.halt());
        }
        for path in paths {
            if !skip.contains(&Check::Locks) {
                out.extend(self.lock(actor, path));
            }
            if !skip.contains(&Check::Boundaries) {
                out.extend(self.boundary(actor, path));
            }
        }
        out
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
