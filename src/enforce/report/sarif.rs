//! The one SARIF 2.1.0 writer, for `scan`, `check pre-commit`, `check pre-push` and
//! `check pr`: rules under `tool.driver.rules`, one result per violation with its
//! [`fingerprint`](crate::policy::fingerprint) as `partialFingerprints`.

use serde_json::{Value, json};

use crate::policy::{Rule, Violation};

/// Where SARIF and the docs point users for the rules.
pub const INFO_URI: &str = "https://github.com/gitcoord/gitcoord/blob/main/docs/ci.md";

/// The key of gitcoord's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "gitcoordFingerprint/v2";

/// A SARIF 2.1.0 log with one run listing `rules` (and any rule a violation names that
/// is not among them). GitHub code scanning rejects a whole log when any result lacks a
/// file, so violations without one (halt, merge order) are anchored at `anchor`, line 1.
pub fn log<'r>(
    rules: impl IntoIterator<Item = Rule<'r>>,
    violations: &[Violation],
    anchor: &str,
) -> Value {
    let mut rules: Vec<Rule> = rules.into_iter().collect();
    for v in violations {
        if !rules.iter().any(|r| r.id == v.rule) {
            rules.push(Rule {
                id: &v.rule,
                description: v.check.name(),
                help: "",
            });
        }
    }
    let descriptors: Vec<Value> = rules.iter().map(descriptor).collect();
    let results: Vec<Value> = violations
        .iter()
        .map(|v| result(v, &rules, anchor))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "gitcoord",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFO_URI,
                "rules": descriptors,
            }},
            "results": results,
        }],
    })
}

fn descriptor(rule: &Rule) -> Value {
    let mut value = json!({
        "id": rule.id,
        "name": rule.id,
        "shortDescription": { "text": rule.description },
        "helpUri": INFO_URI,
        "defaultConfiguration": { "level": "error" },
    });
    if !rule.help.is_empty() {
        value["help"] = json!({ "text": rule.help });
    }
    value
}

fn result(v: &Violation, rules: &[Rule], anchor: &str) -> Value {
    let mut region = json!({ "startLine": v.line.unwrap_or(1).max(1) });
    if let Some(column) = v.column.filter(|c| *c > 0) {
        region["startColumn"] = json!(column);
    }
    let mut result = json!({
        "ruleId": v.rule,
        "level": "error",
        "message": { "text": v.message },
        "partialFingerprints": { FINGERPRINT_KEY: v.fingerprint },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": v.path.as_deref().unwrap_or(anchor) },
                "region": region,
            }
        }],
    });
    if let Some(index) = rules.iter().position(|r| r.id == v.rule) {
        result["ruleIndex"] = json!(index);
    }
    if let Some(commit) = &v.commit {
        result["properties"] = json!({ "commit": commit });
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::rule;

    use super::super::sample_violation as violation;

    #[test]
    fn results_name_their_rule_file_line_and_fingerprint() {
        let vs = [
            violation(Some("src/a.rs"), "locked"),
            violation(None, "halted"),
        ];
        let log = log(rule::CHECK_RULES, &vs, "src/a.rs");
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "gitcoord");
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "lock");
        let index = result["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "lock");
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            1
        );
        assert_eq!(
            result["partialFingerprints"][FINGERPRINT_KEY],
            vs[0].fingerprint.as_str()
        );
        let pathless = &run["results"][1]["locations"][0]["physicalLocation"];
        assert_eq!(pathless["artifactLocation"]["uri"], "src/a.rs");
    }

    #[test]
    fn a_rule_not_listed_is_added() {
        let mut v = violation(Some("f"), "x");
        v.rule = "custom".into();
        let log = log([], &[v], "README.md");
        assert_eq!(log["runs"][0]["tool"]["driver"]["rules"][0]["id"], "custom");
    }
}
