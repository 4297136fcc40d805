//! Pure checks of what a change may do, given the coordination state: halt, locks,
//! boundaries. A violation is data ([`Violation`]), never an error; callers decide how to
//! print it and which exit code it means.

pub mod boundaries;
pub mod commit_check;
pub mod merge_order;
pub mod rule;
pub mod secrets;

use jiff::Timestamp;
use serde::Serialize;

use crate::model::glob::{Glob, literal_prefix};
use crate::model::{Actor, Change, State, time};
pub use rule::{Rule, fingerprint};

/// The named checks, as `GITCOORD_SKIP` names them.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// The emergency halt.
    Halt,
    /// File locks.
    Locks,
    /// Agent boundaries (deny, owns, allow).
    Boundaries,
    /// The plan's file-organisation rules.
    Rules,
    /// Secret scanning.
    Secrets,
    /// Merge order on the integration branch.
    MergeOrder,
}

impl CheckKind {
    /// Every check, in reporting order.
    pub const ALL: [CheckKind; 6] = [
        CheckKind::Halt,
        CheckKind::Locks,
        CheckKind::Boundaries,
        CheckKind::Rules,
        CheckKind::Secrets,
        CheckKind::MergeOrder,
    ];

    /// The name used by `GITCOORD_SKIP` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            CheckKind::Halt => "halt",
            CheckKind::Locks => "locks",
            CheckKind::Boundaries => "boundaries",
            CheckKind::Rules => "rules",
            CheckKind::Secrets => "secrets",
            CheckKind::MergeOrder => "merge-order",
        }
    }

    /// Parses a `GITCOORD_SKIP` list such as `secrets,locks`; unknown names are returned
    /// separately so the caller can say so.
    pub fn parse_list(text: &str) -> (Vec<CheckKind>, Vec<String>) {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for name in text
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let name = name.to_ascii_lowercase();
            match CheckKind::ALL
                .iter()
                .find(|c| c.name() == name || (name == "lock" && **c == CheckKind::Locks))
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
    pub check: CheckKind,
    /// A stable rule id, e.g. `lock`, `boundary-deny`, `halt`.
    pub rule: String,
    /// The repository-relative path concerned, if any.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub path: Option<String>,
    /// The line concerned (secrets), if any.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub line: Option<u32>,
    /// The column on that line (secrets), if any.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub column: Option<u32>,
    /// The commit concerned (pre-push, PR checks), if any.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub commit: Option<String>,
    /// One sentence: what is wrong, by whom, since when.
    pub message: String,
    /// The agent or user who holds or owns what blocks, if any.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub holder: Option<String>,
    /// The lock pattern in the way, when a lock is (it may cover more than `path`).
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub lock: Option<String>,
    /// What names this finding across scans, hooks and pull requests ([`fingerprint`]).
    pub fingerprint: String,
}

impl Violation {
    /// A violation of `rule` found by `check`; its fingerprint is taken over the rule, the
    /// path and the holder.
    pub fn new(
        check: CheckKind,
        rule: &Rule,
        path: Option<&str>,
        message: String,
        holder: Option<&str>,
    ) -> Violation {
        Violation {
            check,
            rule: rule.id.to_owned(),
            path: path.map(str::to_owned),
            line: None,
            column: None,
            commit: None,
            message,
            holder: holder.map(str::to_owned),
            lock: None,
            fingerprint: fingerprint(rule.id, path.unwrap_or(""), holder.unwrap_or("")),
        }
    }
}

/// A file rule of the plan with its globs parsed.
struct CompiledRule<'s> {
    rule: &'s crate::model::plan::FileRule,
    deny_new: Vec<Glob>,
    files: Vec<Glob>,
    under: Vec<Glob>,
}

/// The state compiled for checking many paths: globs parsed once.
pub struct Policy<'s> {
    state: &'s State,
    locks: Vec<(Glob, &'s crate::model::Lock)>,
    boundaries: boundaries::Boundaries,
    rules: Vec<CompiledRule<'s>>,
    now: Timestamp,
}

impl<'s> Policy<'s> {
    /// Compiles the live locks and every agent's boundaries at `now`.
    pub fn new(state: &'s State, now: Timestamp) -> Policy<'s> {
        Policy {
            state,
            locks: state
                .live_locks(now)
                .into_iter()
                .map(|l| (Glob::new(&l.pattern), l))
                .collect(),
            boundaries: boundaries::Boundaries::new(state),
            rules: state
                .plan
                .iter()
                .flat_map(|p| &p.rules)
                .map(|rule| CompiledRule {
                    rule,
                    deny_new: rule.deny_new.iter().map(|g| Glob::new(g)).collect(),
                    files: rule.files.iter().map(|g| Glob::new(g)).collect(),
                    under: rule.under.iter().map(|g| Glob::new(g)).collect(),
                })
                .collect(),
            now,
        }
    }

    /// A violation if adding the file `path` breaks one of the plan's file rules: it matches
    /// a `deny_new` glob, or matches `files` but none of `under`. Only added files (and the
    /// new side of a rename) are judged: changing a file that exists breaks no rule.
    pub fn file_rule(&self, path: &str) -> Option<Violation> {
        let hit = |globs: &[Glob]| globs.iter().any(|g| g.matches(path));
        let broken = self
            .rules
            .iter()
            .find(|r| hit(&r.deny_new) || (hit(&r.files) && !hit(&r.under)))?;
        let rule = broken.rule;
        let why = rule.message.clone().unwrap_or_else(|| {
            if hit(&broken.deny_new) {
                format!("no new file may match {}", rule.deny_new.join(", "))
            } else {
                format!("files like this belong under {}", rule.under.join(", "))
            }
        });
        let mut v = Violation::new(
            CheckKind::Rules,
            &rule::FILE_RULE,
            Some(path),
            format!(
                "{path}: a new file breaks rule '{}': {}",
                rule.id,
                crate::model::text::one_line(&why)
            ),
            None,
        );
        v.fingerprint = rule::fingerprint(rule::FILE_RULE.id, path, &rule.id);
        Some(v)
    }

    /// With the plan's `enforce_waves`, a violation if `actor` is an agent whose tasks all
    /// belong to waves that are not open (it has no task in progress in an open wave).
    pub fn wave(&self, actor: &Actor) -> Option<Violation> {
        use crate::model::plan_state::WaveStatus;
        use crate::model::task::TaskStatus;
        let plan = self
            .state
            .plan
            .as_ref()
            .filter(|p| p.settings.enforce_waves)?;
        let id = actor.agent_id()?;
        let status_of = |wave: &str| plan.waves.iter().find(|w| w.id == wave).map(|w| w.status);
        let mine: Vec<(&String, &crate::model::task::Task)> = self
            .state
            .tasks
            .iter()
            .filter(|(_, t)| t.assignee.as_deref() == Some(id) && t.status != TaskStatus::Done)
            .collect();
        let open = |t: &crate::model::task::Task| {
            t.wave
                .as_deref()
                .is_none_or(|w| status_of(w) == Some(WaveStatus::Open))
        };
        if mine.is_empty() || mine.iter().any(|(_, t)| open(t)) {
            return None;
        }
        let (task, t) = mine[0];
        let wave = t.wave.as_deref().unwrap_or_default();
        let status = status_of(wave).map_or("unknown", WaveStatus::name);
        Some(Violation::new(
            CheckKind::Rules,
            &rule::WAVE_CLOSED,
            None,
            format!(
                "{id}'s task {task} is in wave {wave}, which is {status}; the plan enforces waves"
            ),
            None,
        ))
    }

    /// Checks changes for halt, locks, boundaries and (on added files) the file rules.
    pub fn check_changes(
        &self,
        actor: &Actor,
        changes: &[Change],
        skip: &[CheckKind],
    ) -> Vec<Violation> {
        let mut out = self.check_paths(actor, changes.iter().map(|c| c.path.as_str()), skip);
        if !skip.contains(&CheckKind::Rules) {
            out.extend(self.wave(actor));
            out.extend(
                changes
                    .iter()
                    .filter(|c| c.old.is_none() && c.new.is_some())
                    .filter_map(|c| self.file_rule(&c.path)),
            );
        }
        out
    }

    /// A violation if the repository is halted.
    pub fn halt(&self) -> Option<Violation> {
        let h = self.state.halt.as_ref()?;
        Some(Violation::new(
            CheckKind::Halt,
            &rule::HALT,
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
        let (_, lock) = self.locks.iter().find(|(glob, lock)| {
            lock.holder != me
                && path.starts_with(literal_prefix(&lock.pattern))
                && glob.matches(path)
        })?;
        let via = if lock.pattern == path {
            String::new()
        } else {
            format!(" (via '{}')", lock.pattern)
        };
        let mut v = Violation::new(
            CheckKind::Locks,
            &rule::LOCK,
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
        );
        v.lock = Some(lock.pattern.clone());
        Some(v)
    }

    /// A violation if `path` is outside the boundaries of `actor` (agents only).
    pub fn boundary(&self, actor: &Actor, path: &str) -> Option<Violation> {
        let id = actor.agent_id()?;
        let breach = self.boundaries.check(id, path)?;
        Some(Violation::new(
            CheckKind::Boundaries,
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
        skip: &[CheckKind],
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        if !skip.contains(&CheckKind::Halt) {
            out.extend(self.halt());
        }
        for path in paths {
            if !skip.contains(&CheckKind::Locks) {
                out.extend(self.lock(actor, path));
            }
            if !skip.contains(&CheckKind::Boundaries) {
                out.extend(self.boundary(actor, path));
            }
        }
        out
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
