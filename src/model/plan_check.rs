//! Validating a plan file: every error at once, each with its line and column and what is
//! expected: TOML syntax, unknown keys (a typo must never silently weaken a rule), wrong
//! types, missing keys, references to unknown agents, tasks, waves and checks, cycles among
//! tasks and in merge order, invalid globs and durations, a task after a task of a later wave.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::de::DeTable;

use super::plan_schema::{MISSING, TOP, walk};

use super::plan::{BUILTINS, PLAN_VERSION, Plan};

/// One problem of a plan file, at a place in it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong and what is expected.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Where values are, by their path (`task[2].after[1]`, `agent[0]`), for the messages of
/// the checks that follow the parse.
pub(super) struct Places<'t> {
    text: &'t str,
    pub(super) spans: BTreeMap<String, Range<usize>>,
    pub(super) found: Vec<(usize, String)>,
}

impl Places<'_> {
    pub(super) fn at(&mut self, offset: usize, message: String) {
        self.found.push((offset, message));
    }

    /// Reports `message` at the value `path`, else at its nearest recorded parent.
    fn report(&mut self, path: &str, message: String) {
        let mut probe = path;
        let offset = loop {
            if let Some(span) = self.spans.get(probe) {
                break span.start;
            }
            match probe.rfind(['.', '[']) {
                Some(end) => probe = &probe[..end],
                None => break 0,
            }
        };
        self.at(offset, message);
    }

    fn diagnostics(mut self) -> Vec<Diagnostic> {
        self.found.sort_by_key(|(offset, _)| *offset);
        self.found.dedup();
        let text = self.text;
        self.found
            .into_iter()
            .map(|(offset, message)| {
                let before = &text[..offset.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let start = before.rfind('\n').map_or(0, |i| i + 1);
                let column = before[start..].chars().count() + 1;
                Diagnostic {
                    line,
                    column,
                    message,
                }
            })
            .collect()
    }
}

/// Parses and validates a plan file's text: the plan, or every problem found, in order.
pub fn check(text: &str) -> Result<Plan, Vec<Diagnostic>> {
    let mut places = Places {
        text,
        spans: BTreeMap::new(),
        found: Vec::new(),
    };
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let offset = e.span().map_or(0, |s| s.start);
            places.at(offset, format!("invalid TOML: {}", e.message().trim_end()));
        }
        return Err(places.diagnostics());
    }
    let clean = walk(doc.get_ref(), TOP, "", doc.span().start, &mut places);
    // What fits the schema is checked further even when other keys did not fit, so one
    // pass shows every error.
    let mut plan: Plan = match Plan::deserialize(toml::Value::Table(clean)) {
        Ok(plan) => plan,
        Err(e) => {
            places.at(0, e.message().trim_end().to_owned());
            return Err(places.diagnostics());
        }
    };
    validate(&mut plan, &mut places);
    if places.found.is_empty() {
        Ok(plan)
    } else {
        Err(places.diagnostics())
    }
}

/// Checks an id of a plan's agent, task, wave, check or rule.
fn valid_id(kind: &str, id: &str) -> Result<(), String> {
    super::id::validate_agent_id(id).map_err(|_| {
        format!(
            "'{id}' is not a valid {kind} id; use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit"
        )
    })
}

/// Normalises the globs at `path` (`agent[0].owns`), reporting the invalid ones.
fn globs(values: &mut [String], path: &str, places: &mut Places<'_>) {
    for (i, value) in values.iter_mut().enumerate() {
        match super::id::normalize_pattern(value) {
            Ok(normal) => *value = normal,
            Err(why) => places.report(&format!("{path}[{i}]"), why),
        }
    }
}

fn ids<'p>(
    kind: &str,
    table: &str,
    items: impl Iterator<Item = &'p str>,
    places: &mut Places<'_>,
) -> BTreeSet<&'p str> {
    let mut seen = BTreeSet::new();
    for (i, id) in items.enumerate() {
        if id == MISSING {
            continue;
        }
        let path = format!("{table}[{i}].id");
        if let Err(why) = valid_id(kind, id) {
            places.report(&path, why);
        }
        if !seen.insert(id) {
            places.report(
                &path,
                format!("{kind} '{id}' is defined twice; give each {kind} its own id"),
            );
        }
    }
    seen
}

fn duration(value: Option<&String>, path: &str, places: &mut Places<'_>) {
    if let Some(text) = value {
        if let Err(why) = super::time::parse_duration(text) {
            places.report(path, why);
        }
    }
}

/// Reports the branch name at `path` when git would not take it (the check `agent add`
/// makes too).
fn branch(name: &str, path: &str, places: &mut Places<'_>) {
    if name != MISSING {
        if let Err(why) = super::id::validate_branch(name) {
            places.report(path, why);
        }
    }
}

fn known(set: &BTreeSet<&str>, kind: &str, value: &str, path: &str, places: &mut Places<'_>) {
    if !set.contains(value) {
        let names: Vec<&str> = set.iter().copied().collect();
        let hint = if names.is_empty() {
            format!("the plan defines no {kind}")
        } else {
            format!("known: {}", names.join(", "))
        };
        places.report(path, format!("unknown {kind} '{value}'; {hint}"));
    }
}

fn validate(plan: &mut Plan, places: &mut Places<'_>) {
    if plan.version != PLAN_VERSION && places.spans.contains_key("version") {
        places.report(
            "version",
            format!(
                "plan version {} is not one this gitcoord reads; use version = {PLAN_VERSION}",
                plan.version
            ),
        );
    }
    let settings = &plan.settings;
    if let Some(integration) = &settings.integration_branch {
        branch(integration, "settings.integration_branch", places);
    }
    duration(settings.lock_ttl.as_ref(), "settings.lock_ttl", places);
    duration(
        settings.stale_after.as_ref(),
        "settings.stale_after",
        places,
    );
    duration(
        settings.response_deadline.as_ref(),
        "settings.response_deadline",
        places,
    );

    let owned =
        |set: BTreeSet<&str>| -> BTreeSet<String> { set.into_iter().map(str::to_owned).collect() };
    let agents = owned(ids(
        "agent",
        "agent",
        plan.agents.iter().map(|a| a.id.as_str()),
        places,
    ));
    let tasks = owned(ids(
        "task",
        "task",
        plan.tasks.iter().map(|t| t.id.as_str()),
        places,
    ));
    let waves = owned(ids(
        "wave",
        "wave",
        plan.waves.iter().map(|w| w.id.as_str()),
        places,
    ));
    let checks = owned(ids(
        "check",
        "check",
        plan.checks.iter().map(|c| c.id.as_str()),
        places,
    ));
    ids(
        "rule",
        "rule",
        plan.rules.iter().map(|r| r.id.as_str()),
        places,
    );
    let waves_in_order: Vec<String> = plan.waves.iter().map(|w| w.id.clone()).collect();
    let agent_set: BTreeSet<&str> = agents.iter().map(String::as_str).collect();
    let task_set: BTreeSet<&str> = tasks.iter().map(String::as_str).collect();
    let wave_set: BTreeSet<&str> = waves.iter().map(String::as_str).collect();
    let check_set: BTreeSet<&str> = checks.iter().map(String::as_str).collect();

    let mut on_branch: BTreeMap<String, String> = BTreeMap::new();
    let mut owned: Vec<(String, String)> = Vec::new();
    for (i, agent) in plan.agents.iter_mut().enumerate() {
        let at = format!("agent[{i}]");
        branch(&agent.branch, &format!("{at}.branch"), places);
        if let Some(other) = on_branch.insert(agent.branch.clone(), agent.id.clone()) {
            places.report(
                &format!("{at}.branch"),
                format!(
                    "branch '{}' is agent '{other}'s already; give each agent a branch of its own",
                    agent.branch
                ),
            );
        }
        globs(&mut agent.owns, &format!("{at}.owns"), places);
        // One file, one owner: an `owns` glob that can match a path an earlier agent owns.
        for (k, glob) in agent.owns.iter().enumerate() {
            if let Some((other, theirs)) = owned.iter().find(|(other, theirs)| {
                other != &agent.id
                    && super::glob::may_overlap(glob, theirs)
                    && super::glob::overlaps(glob, theirs)
            }) {
                places.report(
                    &format!("{at}.owns[{k}]"),
                    format!("'{glob}' overlaps '{theirs}', which agent '{other}' owns; one file has one owner"),
                );
            }
        }
        owned.extend(agent.owns.iter().map(|g| (agent.id.clone(), g.clone())));
        globs(&mut agent.deny, &format!("{at}.deny"), places);
        globs(&mut agent.allow, &format!("{at}.allow"), places);
        for (j, before) in agent.after.iter().enumerate() {
            let path = format!("{at}.after[{j}]");
            if before == &agent.id {
                places.report(&path, format!("agent '{before}' cannot come after itself"));
            } else {
                known(&agent_set, "agent", before, &path, places);
            }
        }
    }
    let by_agent: BTreeMap<&str, &[String]> = plan
        .agents
        .iter()
        .map(|a| (a.id.as_str(), a.after.as_slice()))
        .collect();
    if let Some(cycle) =
        super::graph::find_cycle(by_agent.keys().copied(), |id| by_agent.get(id).copied())
    {
        let first = plan
            .agents
            .iter()
            .position(|a| a.id == cycle[0])
            .unwrap_or(0);
        places.report(
            &format!("agent[{first}].after"),
            format!(
                "the merge order has a cycle: {}; remove one of these `after` entries",
                cycle.join(" -> ")
            ),
        );
    }

    let authority = std::mem::take(&mut plan.authority);
    for (glob, agent) in authority {
        let path = format!("authority.{glob}");
        known(&agent_set, "agent", &agent, &path, places);
        match super::id::normalize_pattern(&glob) {
            Ok(normal) => {
                plan.authority.insert(normal, agent);
            }
            Err(why) => places.report(&path, why),
        }
    }

    for (i, rule) in plan.rules.iter_mut().enumerate() {
        let at = format!("rule[{i}]");
        globs(&mut rule.deny_new, &format!("{at}.deny_new"), places);
        globs(&mut rule.files, &format!("{at}.files"), places);
        globs(&mut rule.under, &format!("{at}.under"), places);
        if rule.files.is_empty() != rule.under.is_empty() {
            places.report(&at, format!("rule '{}' needs both 'files' and 'under' (an added file matching files must match under), or neither", rule.id));
        }
        if rule.deny_new.is_empty() && rule.files.is_empty() {
            places.report(
                &at,
                format!(
                    "rule '{}' says nothing; give it deny_new, or files with under",
                    rule.id
                ),
            );
        }
    }

    let wave_index: BTreeMap<&str, usize> = waves_in_order
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i))
        .collect();
    let task_wave: BTreeMap<&str, Option<&str>> = plan
        .tasks
        .iter()
        .map(|t| (t.id.as_str(), t.wave.as_deref()))
        .collect();
    let mut later = Vec::new();
    for (i, task) in plan.tasks.iter().enumerate() {
        let at = format!("task[{i}]");
        if task.assign.is_some() && task.suggest.is_some() {
            places.report(
                &format!("{at}.suggest"),
                format!("task '{}' has both assign and suggest; keep one", task.id),
            );
        }
        for (key, value) in [("assign", &task.assign), ("suggest", &task.suggest)] {
            if let Some(agent) = value {
                known(&agent_set, "agent", agent, &format!("{at}.{key}"), places);
            }
        }
        if let Some(wave) = &task.wave {
            known(&wave_set, "wave", wave, &format!("{at}.wave"), places);
        }
        for (j, check) in task.checks.iter().enumerate() {
            known(
                &check_set,
                "check",
                check,
                &format!("{at}.checks[{j}]"),
                places,
            );
        }
        for (j, before) in task.after.iter().enumerate() {
            let path = format!("{at}.after[{j}]");
            if before == &task.id {
                places.report(&path, format!("task '{before}' cannot come after itself"));
                continue;
            }
            known(&task_set, "task", before, &path, places);
            let mine = task.wave.as_deref().and_then(|w| wave_index.get(w));
            let theirs = task_wave
                .get(before.as_str())
                .copied()
                .flatten()
                .and_then(|w| wave_index.get(w));
            if let (Some(mine), Some(theirs)) = (mine, theirs) {
                if theirs > mine {
                    later.push((path, format!(
                        "task '{}' of wave {} comes after '{before}' of the later wave {}; move one of them, or drop the dependency",
                        task.id, waves_in_order[*mine], waves_in_order[*theirs]
                    )));
                }
            }
        }
        if let Some(due) = &task.due {
            if due.parse::<jiff::civil::Date>().is_err() {
                places.report(
                    &format!("{at}.due"),
                    format!("due date '{due}' is not a date; use YYYY-MM-DD"),
                );
            }
        }
        for (j, file) in task.deliverables.iter().enumerate() {
            let path = format!("{at}.deliverables[{j}]");
            if let Err(why) = super::id::normalize_deliverable(file) {
                places.report(&path, why);
            }
        }
    }
    for (path, message) in later {
        places.report(&path, message);
    }
    let by_task: BTreeMap<&str, &[String]> = plan
        .tasks
        .iter()
        .map(|t| (t.id.as_str(), t.after.as_slice()))
        .collect();
    if let Some(cycle) =
        super::graph::find_cycle(by_task.keys().copied(), |id| by_task.get(id).copied())
    {
        let first = plan
            .tasks
            .iter()
            .position(|t| t.id == cycle[0])
            .unwrap_or(0);
        places.report(
            &format!("task[{first}].after"),
            format!(
                "tasks depend on each other in a cycle: {}; remove one of these `after` entries",
                cycle.join(" -> ")
            ),
        );
    }
    for file in plan
        .tasks
        .iter_mut()
        .flat_map(|t| t.deliverables.iter_mut())
    {
        if let Ok(normal) = super::id::normalize_pattern(file) {
            *file = normal;
        }
    }

    for (i, wave) in plan.waves.iter().enumerate() {
        for (j, check) in wave.checks.iter().enumerate() {
            known(
                &check_set,
                "check",
                check,
                &format!("wave[{i}].checks[{j}]"),
                places,
            );
        }
    }

    for (i, check) in plan.checks.iter().enumerate() {
        let at = format!("check[{i}]");
        match (&check.run, &check.builtin) {
            (Some(_), Some(_)) => places.report(
                &at,
                format!("check '{}' has both run and builtin; keep one", check.id),
            ),
            (None, None) => places.report(
                &at,
                format!(
                    "check '{}' needs run = \"COMMAND\" or builtin = one of {}",
                    check.id,
                    BUILTINS.join(", ")
                ),
            ),
            (None, Some(builtin)) if !BUILTINS.contains(&builtin.as_str()) => places.report(
                &format!("{at}.builtin"),
                format!(
                    "unknown built-in check '{builtin}'; known: {}",
                    BUILTINS.join(", ")
                ),
            ),
            _ => {}
        }
        let root_files = check.builtin.as_deref() == Some("root-files");
        if root_files && check.max.is_none() {
            places.report(
                &at,
                format!(
                    "check '{}' (root-files) needs max = N, the most files the root may hold",
                    check.id
                ),
            );
        }
        if !root_files && check.max.is_some() {
            places.report(
                &format!("{at}.max"),
                "max applies to the root-files built-in only".into(),
            );
        }
        duration(check.timeout.as_ref(), &format!("{at}.timeout"), places);
    }
}

#[cfg(test)]
#[path = "plan_check_tests.rs"]
mod tests;
