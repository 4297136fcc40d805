//! Validating a plan file: every error at once, each with its line and column and what is
//! expected: TOML syntax, unknown keys (a typo must never silently weaken a rule), wrong
//! types, missing keys, references to unknown agents, tasks, waves and checks, cycles among
//! tasks and in merge order, invalid globs and durations, a task after a task of a later wave.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

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

/// The type a key's value must have.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Int,
    Bool,
    Strs,
    Ints,
    Table(&'static [Field]),
    Tables(&'static [Field]),
    /// Any key, each a string (`[authority]`).
    StrMap,
}

impl Ty {
    fn expected(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Int => "an integer",
            Ty::Bool => "true or false",
            Ty::Strs => "an array of strings",
            Ty::Ints => "an array of integers",
            Ty::Table(_) => "a table",
            Ty::Tables(_) => "an array of tables",
            Ty::StrMap => "a table of strings",
        }
    }
}

/// One key of a table: its name, type and whether it must be there.
struct Field(&'static str, Ty, bool);

const SETTINGS: &[Field] = &[
    Field("integration_branch", Ty::Str, false),
    Field("lock_ttl", Ty::Str, false),
    Field("stale_after", Ty::Str, false),
    Field("response_deadline", Ty::Str, false),
    Field("enforce_waves", Ty::Bool, false),
];
const AGENT: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("branch", Ty::Str, true),
    Field("role", Ty::Str, false),
    Field("expertise", Ty::Strs, false),
    Field("owns", Ty::Strs, false),
    Field("deny", Ty::Strs, false),
    Field("allow", Ty::Strs, false),
    Field("after", Ty::Strs, false),
    Field("coordinator", Ty::Bool, false),
    Field("ports", Ty::Ints, false),
];
const RULE: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("deny_new", Ty::Strs, false),
    Field("files", Ty::Strs, false),
    Field("under", Ty::Strs, false),
    Field("message", Ty::Str, false),
];
const TASK: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("title", Ty::Str, true),
    Field("assign", Ty::Str, false),
    Field("suggest", Ty::Str, false),
    Field("after", Ty::Strs, false),
    Field("wave", Ty::Str, false),
    Field("priority", Ty::Int, false),
    Field("due", Ty::Str, false),
    Field("expertise", Ty::Str, false),
    Field("deliverables", Ty::Strs, false),
    Field("checks", Ty::Strs, false),
];
const WAVE: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("mode", Ty::Str, false),
    Field("checks", Ty::Strs, false),
];
const CHECK: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("run", Ty::Str, false),
    Field("builtin", Ty::Str, false),
    Field("max", Ty::Int, false),
    Field("timeout", Ty::Str, false),
];
const TOP: &[Field] = &[
    Field("version", Ty::Int, true),
    Field("settings", Ty::Table(SETTINGS), false),
    Field("agent", Ty::Tables(AGENT), false),
    Field("authority", Ty::StrMap, false),
    Field("rule", Ty::Tables(RULE), false),
    Field("task", Ty::Tables(TASK), false),
    Field("wave", Ty::Tables(WAVE), false),
    Field("check", Ty::Tables(CHECK), false),
];

/// Where values are, by their path (`task[2].after[1]`, `agent[0]`), for the messages of
/// the checks that follow the parse.
struct Places<'t> {
    text: &'t str,
    spans: BTreeMap<String, Range<usize>>,
    found: Vec<(usize, String)>,
}

impl Places<'_> {
    fn at(&mut self, offset: usize, message: String) {
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

fn table_name(path: &str) -> String {
    if path.is_empty() {
        "the top level".to_owned()
    } else {
        let bare = path.rsplit_once('[').map_or(path, |(name, _)| name);
        format!("[{bare}]")
    }
}

/// The value that stands in for a required key that is missing, so the rest of the plan is
/// still checked; never reported itself.
const MISSING: &str = "\u{0}missing";

/// Walks `table` against `fields`, reporting unknown keys, wrong types and missing keys,
/// and returns the table with only what fits (missing required keys stood in for by
/// [`MISSING`]), so the checks on references run too.
fn walk(
    table: &DeTable<'_>,
    fields: &[Field],
    path: &str,
    at: usize,
    places: &mut Places<'_>,
) -> toml::Table {
    let mut clean = toml::Table::new();
    for (key, value) in table {
        let name: &str = key.get_ref();
        let here = if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        places.spans.insert(here.clone(), value.span());
        let Some(Field(_, ty, _)) = fields.iter().find(|f| f.0 == name) else {
            let known: Vec<&str> = fields.iter().map(|f| f.0).collect();
            places.at(
                key.span().start,
                format!(
                    "unknown key '{name}' in {}; expected one of: {}",
                    table_name(path),
                    known.join(", ")
                ),
            );
            continue;
        };
        if let Some(value) = check_type(value.get_ref(), *ty, &here, value.span().start, places) {
            clean.insert(name.to_owned(), value);
        }
    }
    for Field(name, ty, required) in fields {
        if *required && !clean.contains_key(*name) {
            if !table.keys().any(|k| k.get_ref() == name) {
                places.at(
                    at,
                    format!("{} needs '{name}' ({})", table_name(path), ty.expected()),
                );
            }
            let stand_in = match ty {
                Ty::Int => toml::Value::Integer(i64::from(PLAN_VERSION)),
                _ => toml::Value::String(MISSING.to_owned()),
            };
            clean.insert((*name).to_owned(), stand_in);
        }
    }
    clean
}

fn integer(value: &DeValue<'_>) -> Option<i64> {
    let int = value.as_integer()?;
    let digits = int.as_str().replace('_', "");
    let digits = digits.trim_start_matches(['0', 'x', 'o', 'b']);
    if digits.is_empty() {
        return Some(0);
    }
    i64::from_str_radix(digits, int.radix()).ok()
}

/// Checks `value` against `ty`; the value as plain TOML when it fits.
fn check_type(
    value: &DeValue<'_>,
    ty: Ty,
    path: &str,
    at: usize,
    places: &mut Places<'_>,
) -> Option<toml::Value> {
    let wrong = |places: &mut Places<'_>| {
        places.at(at, format!("'{path}' must be {}", ty.expected()));
        None
    };
    let string = |v: &DeValue<'_>| v.as_str().map(|s| toml::Value::String(s.to_owned()));
    match (ty, value) {
        (Ty::Str, DeValue::String(_)) => string(value),
        (Ty::Bool, DeValue::Boolean(b)) => Some(toml::Value::Boolean(*b)),
        (Ty::Int, DeValue::Integer(_)) => match integer(value) {
            Some(n) if (0..=i64::from(u32::MAX)).contains(&n) => Some(toml::Value::Integer(n)),
            _ => {
                places.at(
                    at,
                    format!("'{path}' must be a whole number from 0 to {}", u32::MAX),
                );
                None
            }
        },
        (Ty::Strs | Ty::Ints, DeValue::Array(items)) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                places.spans.insert(format!("{path}[{i}]"), item.span());
                let fit = match ty {
                    Ty::Strs => string(item.get_ref()),
                    _ => integer(item.get_ref())
                        .filter(|n| (0..=i64::from(u16::MAX)).contains(n))
                        .map(toml::Value::Integer),
                };
                match fit {
                    Some(v) => out.push(v),
                    None => return wrong(places),
                }
            }
            Some(toml::Value::Array(out))
        }
        (Ty::Table(fields), DeValue::Table(table)) => {
            Some(toml::Value::Table(walk(table, fields, path, at, places)))
        }
        (Ty::Tables(fields), DeValue::Array(items)) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let item_path = format!("{path}[{i}]");
                places.spans.insert(item_path.clone(), item.span());
                match item.get_ref() {
                    DeValue::Table(table) => out.push(toml::Value::Table(walk(
                        table,
                        fields,
                        &item_path,
                        item.span().start,
                        places,
                    ))),
                    _ => return wrong(places),
                }
            }
            Some(toml::Value::Array(out))
        }
        (Ty::StrMap, DeValue::Table(table)) => {
            let mut out = toml::Table::new();
            for (key, value) in table {
                let here = format!("{path}.{}", key.get_ref());
                places.spans.insert(here.clone(), value.span());
                match string(value.get_ref()) {
                    Some(v) => {
                        out.insert(key.get_ref().to_string(), v);
                    }
                    None => places.at(
                        value.span().start,
                        format!("'{here}' must be an agent id (a string)"),
                    ),
                }
            }
            Some(toml::Value::Table(out))
        }
        _ => wrong(places),
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

    for (i, agent) in plan.agents.iter_mut().enumerate() {
        let at = format!("agent[{i}]");
        if agent.branch.trim().is_empty() && agent.branch != MISSING {
            places.report(
                &format!("{at}.branch"),
                "an agent's branch cannot be empty; name its branch, e.g. feature/x".into(),
            );
        }
        globs(&mut agent.owns, &format!("{at}.owns"), places);
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
        if task.priority == Some(0) {
            places.report(
                &format!("{at}.priority"),
                "priority 1 is the most urgent; use 1 or more".into(),
            );
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
            match super::id::normalize_pattern(file) {
                Ok(normal) if normal.contains(['*', '?', '[']) || normal.ends_with("/**") => {
                    places.report(
                        &path,
                        format!("deliverable '{file}' is a glob; name a file"),
                    );
                }
                Ok(_) => {}
                Err(why) => places.report(&path, why),
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
mod tests {
    use super::*;

    const GOOD: &str = r#"version = 1

[settings]
lock_ttl = "30m"
enforce_waves = true

[[agent]]
id = "security"
branch = "feature/section-1a-security"
owns = ["config/"]

[[agent]]
id = "database"
branch = "feature/section-1d-database"
after = ["security"]
ports = [5432]

[authority]
"config/**" = "security"

[[rule]]
id = "no-root-files"
deny_new = ["*"]
message = "new files go under src/"

[[task]]
id = "sec-config"
title = "Read secrets from the environment"
assign = "security"
wave = "W0"
deliverables = ["./config/settings.py"]
checks = ["tests"]

[[task]]
id = "db-schema"
title = "Schema"
suggest = "database"
after = ["sec-config"]
wave = "W1"
due = "2026-12-01"

[[wave]]
id = "W0"
mode = "sequential"

[[wave]]
id = "W1"
checks = ["secrets"]

[[check]]
id = "tests"
run = "true"

[[check]]
id = "secrets"
builtin = "secrets-clean"
"#;

    fn lines(text: &str) -> Vec<(usize, String)> {
        check(text)
            .expect_err("errors")
            .into_iter()
            .map(|d| (d.line, d.message))
            .collect()
    }

    #[test]
    fn a_good_plan_is_read_and_normalised() {
        let plan = check(GOOD).expect("valid");
        assert_eq!(plan.agents[0].owns, ["config/**"]);
        assert_eq!(plan.tasks[0].deliverables, ["config/settings.py"]);
        assert_eq!(plan.waves.len(), 2);
        assert_eq!(plan.authority_over("config/a.py"), Some("security"));
        assert!(plan.settings.enforce_waves);
    }

    #[test]
    fn every_error_is_reported_at_once_with_its_line() {
        let bad = GOOD
            .replace("owns = [\"config/\"]", "own = [\"config/\"]")
            .replace("after = [\"security\"]", "after = [\"securty\"]")
            .replace("wave = \"W1\"\ndue", "wave = \"W9\"\ndue");
        let found = lines(&bad);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].0, 10);
        assert!(
            found[0].1.contains("unknown key 'own' in [agent]"),
            "{found:?}"
        );
        assert!(found[0].1.contains("owns"), "{found:?}");
        assert_eq!(found[1].0, 15);
        assert!(
            found[1]
                .1
                .contains("unknown agent 'securty'; known: database, security")
        );
        assert_eq!(found[2].0, 39);
        assert!(found[2].1.contains("unknown wave 'W9'"), "{found:?}");
    }

    #[test]
    fn syntax_types_and_missing_keys() {
        let found = lines("version = 1\n[[task]]\nid = \"a\"\npriority = \"high\"\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found
                .iter()
                .any(|(l, m)| *l == 2 && m.contains("needs 'title'"))
        );
        assert!(
            found
                .iter()
                .any(|(l, m)| *l == 4 && m.contains("must be an integer"))
        );
        let found =
            lines("version = 1\n[[task]]\nid = \"a\"\ntitle = \"t\"\npriority = 99999999999\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 5, "{found:?}");
        assert!(found[0].1.contains("from 0 to 4294967295"), "{found:?}");
        let found = lines("version = 1\n[[task]\n");
        assert!(found[0].1.starts_with("invalid TOML"), "{found:?}");
        assert_eq!(found[0].0, 2);
    }

    #[test]
    fn cycles_later_waves_and_bad_values() {
        let bad = GOOD
            .replace(
                "wave = \"W0\"\ndeliverables",
                "wave = \"W0\"\nafter = [\"db-schema\"]\ndeliverables",
            )
            .replace("due = \"2026-12-01\"", "due = \"tomorrow\"")
            .replace("lock_ttl = \"30m\"", "lock_ttl = \"soon\"")
            .replace("builtin = \"secrets-clean\"", "builtin = \"secret-clean\"");
        let found = lines(&bad);
        let text: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
        assert!(text.iter().any(|m| m.contains("later wave W1")), "{text:?}");
        assert!(text.iter().any(|m| m.contains("cycle: ")), "{text:?}");
        assert!(
            text.iter().any(|m| m.contains("'tomorrow' is not a date")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|m| m.contains("unknown built-in check 'secret-clean'")),
            "{text:?}"
        );
        assert!(
            found.iter().any(|(l, _)| *l == 4),
            "the lock_ttl line: {found:?}"
        );
        let merge = GOOD.replace(
            "branch = \"feature/section-1a-security\"",
            "branch = \"feature/section-1a-security\"\nafter = [\"database\"]",
        );
        let text = lines(&merge);
        assert!(text[0].1.contains("merge order has a cycle"), "{text:?}");
    }
}
