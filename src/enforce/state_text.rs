//! Secrets in what an operation writes into the coordination state: the state ref is
//! pushed to remotes like code, so the free text an operation carries (reasons, messages,
//! memory values, decisions, plans) is scanned before it is written, with the repository's
//! rules and suppressions, and `gitcoord:allow` on a line lets that line through.

use super::secrets::{Setup, violation};
use crate::git::Repo;
use crate::model::Op;
use crate::policy::Violation;

/// The name findings in an operation's text are reported under.
pub fn origin(op: &Op) -> String {
    let kind = serde_json::to_value(op)
        .ok()
        .and_then(|v| v["op"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "operation".to_owned());
    format!("refs/gitcoord/state ({kind})")
}

/// The secrets in the text `op` would write into the state.
pub fn violations(repo: &Repo, op: &Op) -> Result<Vec<Violation>, super::Error> {
    let mut text = String::new();
    if let Ok(value) = serde_json::to_value(op) {
        collect(&value, &mut text);
    }
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let setup = Setup::load(repo.workdir(), None, None)?;
    let mut findings = Vec::new();
    let stats = setup
        .scanner
        .scan_blob(&origin(op), text.as_bytes(), None, &mut findings);
    let outcome = setup.finish(findings, stats, 0);
    Ok(outcome.findings.iter().map(violation).collect())
}

/// Fields that name things (paths, ids, branches, a status word) rather than hold free
/// text: an operation with nothing else, such as most locks and checkins, loads no scanner.
const NAMES: &[&str] = &[
    "op",
    "patterns",
    "id",
    "to",
    "reply_to",
    "task",
    "branch",
    "worktree",
    "wave",
    "commit",
    "files",
    "key",
    "area",
    "status",
    "input_from",
    "after",
    "owns",
    "deny",
    "allow",
    "remove_owns",
    "remove_deny",
    "remove_allow",
    "remove_after",
];

/// Every free-text string in `value`, each on lines of its own (so a multi-line body keeps
/// its lines).
fn collect(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(k, _)| !NAMES.contains(&k.as_str()))
            .for_each(|(_, v)| collect(v, out)),
        _ => {}
    }
}
