//! A plan: a whole coordination scheme in one TOML file (agents, authority, file rules,
//! tasks, waves, checks), as `docs/plan-format.md` describes. [`check`](super::plan_check)
//! validates a plan file; these are the types it yields, which the state keeps.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The plan format version this gitcoord reads.
pub const PLAN_VERSION: u32 = 1;

/// A validated plan.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The plan format (1).
    pub version: u32,
    /// Repository-wide settings.
    #[serde(default, skip_serializing_if = "Settings::is_default")]
    pub settings: Settings,
    /// The agents.
    #[serde(
        default,
        rename = "agent",
        skip_serializing_if = "crate::model::keys::empty"
    )]
    pub agents: Vec<PlanAgent>,
    /// Area glob → the agent with final say over it.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty_map")]
    pub authority: BTreeMap<String, String>,
    /// File-organisation rules.
    #[serde(
        default,
        rename = "rule",
        skip_serializing_if = "crate::model::keys::empty"
    )]
    pub rules: Vec<FileRule>,
    /// Tasks.
    #[serde(
        default,
        rename = "task",
        skip_serializing_if = "crate::model::keys::empty"
    )]
    pub tasks: Vec<PlanTask>,
    /// Waves, in the order they open.
    #[serde(
        default,
        rename = "wave",
        skip_serializing_if = "crate::model::keys::empty"
    )]
    pub waves: Vec<PlanWave>,
    /// Checks, run by `task done`, `wave advance` and `verify`.
    #[serde(
        default,
        rename = "check",
        skip_serializing_if = "crate::model::keys::empty"
    )]
    pub checks: Vec<Check>,
}

/// `[settings]`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The branch agents integrate into.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub integration_branch: Option<String>,
    /// The default lifetime of `lock`, e.g. `30m`.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub lock_ttl: Option<String>,
    /// An agent not checked in for this long is stale.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub stale_after: Option<String>,
    /// The default deadline of `msg send --requires-response`.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub response_deadline: Option<String>,
    /// `strict`: `lock`, `task claim` and `task start` count only once pushed to the remote (see
    /// `docs/distributed.md`); `default`: every operation is local first, synced later.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub sync: Option<String>,
    /// Refuse an agent's commits while the wave of its task in progress is not open.
    #[serde(default, skip_serializing_if = "crate::model::keys::no")]
    pub enforce_waves: bool,
}

impl Settings {
    fn is_default(&self) -> bool {
        self == &Settings::default()
    }
}

/// `[[agent]]`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct PlanAgent {
    /// The agent id.
    pub id: String,
    /// Its branch.
    pub branch: String,
    /// Free-form role.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub role: Option<String>,
    /// What it knows, matched against tasks' `expertise`.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub expertise: Vec<String>,
    /// Boundary globs, as `agent add`.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub owns: Vec<String>,
    /// Globs it must not touch.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub deny: Vec<String>,
    /// When not empty, the only globs it may change.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub allow: Vec<String>,
    /// Merge order: agents merged before this one.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub after: Vec<String>,
    /// May force-unlock and resolve on behalf of others.
    #[serde(default, skip_serializing_if = "crate::model::keys::no")]
    pub coordinator: bool,
    /// Ports of the services it runs.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub ports: Vec<u16>,
}

/// `[[rule]]`: a file-organisation rule, enforced like boundaries on added files.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct FileRule {
    /// The rule id, named in refusals and `GITCOORD_SKIP=rules`.
    pub id: String,
    /// Adding a file matching one of these is refused.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub deny_new: Vec<String>,
    /// An added file matching one of these…
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub files: Vec<String>,
    /// …must also match one of these.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub under: Vec<String>,
    /// What to tell the author.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub message: Option<String>,
}

/// `[[task]]`, as the plan defines it (its progress lives in the state's task files).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct PlanTask {
    /// The task id.
    pub id: String,
    /// One line.
    pub title: String,
    /// The agent it is assigned to.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub assign: Option<String>,
    /// The agent it is suggested to (anyone may claim it).
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub suggest: Option<String>,
    /// Tasks that must be done first.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub after: Vec<String>,
    /// The wave it belongs to.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub wave: Option<String>,
    /// 1 is the most urgent.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub priority: Option<u32>,
    /// Due date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub due: Option<String>,
    /// The expertise it needs.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub expertise: Option<String>,
    /// Files that must exist on the assignee's branch tip before it is done.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub deliverables: Vec<String>,
    /// Checks that must pass before it is done.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub checks: Vec<String>,
}

/// How a wave's tasks start.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum WaveMode {
    /// In the listed order, one after another.
    Sequential,
    /// In any order.
    #[default]
    Parallel,
}

/// `[[wave]]`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct PlanWave {
    /// The wave id.
    pub id: String,
    /// Sequential or parallel.
    #[serde(default)]
    pub mode: WaveMode,
    /// Its checkpoint, besides "every task of the wave is done".
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub checks: Vec<String>,
}

/// `[[check]]`: a command, or a built-in.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The check id.
    pub id: String,
    /// A shell command; exit 0 passes.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub run: Option<String>,
    /// A built-in: see [`BUILTINS`].
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub builtin: Option<String>,
    /// `root-files`: the most files the repository root may hold.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub max: Option<u32>,
    /// How long `run` may take, e.g. `10m` (the default).
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub timeout: Option<String>,
}

/// The built-in checks.
pub const BUILTINS: &[&str] = &[
    "secrets-clean",
    "deliverables",
    "merges-clean",
    "root-files",
];

impl Plan {
    /// The agent with final say over `path`: the authority whose glob matches it, the most
    /// specific (longest literal prefix) first.
    pub fn authority_over(&self, path: &str) -> Option<&str> {
        authority_over(&self.authority, path)
    }
}

/// The agent with final say over `area` (a path or a glob) in `authority` (glob → agent):
/// the authority whose glob is the area or matches it — a glob area by a file under its
/// literal prefix — the most specific (longest literal prefix) first.
pub fn authority_over<'a>(authority: &'a BTreeMap<String, String>, area: &str) -> Option<&'a str> {
    let literal = super::glob::literal_prefix(area);
    let probe = if literal.len() == area.len() {
        area.to_owned()
    } else {
        format!("{literal}gitcoord-area-probe")
    };
    authority
        .iter()
        .filter(|(glob, _)| glob.as_str() == area || super::glob::Glob::new(glob).matches(&probe))
        .max_by_key(|(glob, _)| super::glob::literal_prefix(glob).len())
        .map(|(_, agent)| agent.as_str())
}
