//! Violations in the formats CI systems read: GitHub workflow annotations and step
//! summary, SARIF 2.1.0 (code scanning), and GitLab Code Quality. Pure: values and text.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::policy::Violation;

/// Where SARIF and the docs point users for the rules.
pub const INFO_URI: &str = "https://github.com/gitcoord/gitcoord/blob/main/docs/ci.md";

/// GitHub shows at most this many error annotations per step; the rest are summarised.
pub const GITHUB_ANNOTATION_CAP: usize = 10;

/// The rules gitcoord reports, with a one-line description each (stable ids).
pub const RULES: &[(&str, &str)] = &[
    (
        "halt",
        "The repository is halted: every commit and push is refused.",
    ),
    ("lock", "A changed file is locked by another agent."),
    (
        "boundary-deny",
        "A changed file is on the agent's do-not-touch list.",
    ),
    (
        "boundary-owned",
        "A changed file is owned by another agent.",
    ),
    (
        "boundary-allow",
        "A changed file is outside the agent's allow list.",
    ),
    (
        "merge-order",
        "An agent's work is merged before its predecessors'.",
    ),
];

/// A stable fingerprint of a violation: rule, path, commit and the blocking party, not
/// the message (which carries times).
pub fn fingerprint(v: &Violation) -> String {
    // FNV-1a, 64 bits: stable across versions and platforms, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = [
        v.rule.as_str(),
        v.path.as_deref().unwrap_or(""),
        v.commit.as_deref().unwrap_or(""),
        v.holder.as_deref().unwrap_or(""),
    ];
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn line(v: &Violation) -> u32 {
    v.line.unwrap_or(1).max(1)
}

/// Escapes a workflow command's message as GitHub's runner expects.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Writes one `::error` annotation per violation up to GitHub's cap, then a notice for
/// the rest (listed as plain log lines, so nothing is lost).
pub fn github(out: &mut dyn Write, violations: &[Violation]) -> io::Result<()> {
    for (i, v) in violations.iter().enumerate() {
        let title = format!("gitcoord {}", v.rule);
        if i < GITHUB_ANNOTATION_CAP {
            let mut props = Vec::new();
            if let Some(path) = &v.path {
                props.push(format!("file={}", escape_property(path)));
                props.push(format!("line={}", line(v)));
            }
            props.push(format!("title={}", escape_property(&title)));
            writeln!(
                out,
                "::error {}::{}",
                props.join(","),
                escape_data(&v.message)
            )?;
        } else {
            writeln!(out, "{title}: {}", v.message)?;
        }
    }
    if violations.len() > GITHUB_ANNOTATION_CAP {
        let more = violations.len() - GITHUB_ANNOTATION_CAP;
        writeln!(
            out,
            "::notice title=gitcoord::{more} more violation(s) are listed above as log lines and in the job summary"
        )?;
    }
    Ok(())
}

/// The Markdown job summary (`$GITHUB_STEP_SUMMARY`): a verdict and a table.
pub fn github_summary(range: &str, commits: usize, violations: &[Violation]) -> String {
    let mut text = format!("## gitcoord check pr `{range}`\n\n");
    if violations.is_empty() {
        text.push_str(&format!("No violations in {commits} commit(s).\n"));
        return text;
    }
    text.push_str(&format!(
        "{} violation(s) in {commits} commit(s).\n\n| rule | path | commit | message |\n|---|---|---|---|\n",
        violations.len()
    ));
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for v in violations {
        let commit = v
            .commit
            .as_deref()
            .map(|c| &c[..c.len().min(10)])
            .unwrap_or("");
        text.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            v.rule,
            cell(v.path.as_deref().unwrap_or("")),
            commit,
            cell(&v.message)
        ));
    }
    text
}

/// The file findings without one are reported on when nothing better is known.
pub const DEFAULT_ANCHOR: &str = "README.md";

/// A SARIF 2.1.0 log with one run; rules are listed whether or not they fired. GitHub
/// code scanning rejects a whole log when any result lacks a file, so findings without
/// one (halt, merge order) are anchored at `anchor`, line 1.
pub fn sarif(violations: &[Violation], anchor: &str) -> Value {
    let mut rules: Vec<(String, String)> = RULES
        .iter()
        .map(|(id, text)| ((*id).to_owned(), (*text).to_owned()))
        .collect();
    for v in violations {
        if !rules.iter().any(|(id, _)| *id == v.rule) {
            rules.push((v.rule.clone(), format!("{} check", v.check.name())));
        }
    }
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|(id, text)| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": text },
                "helpUri": INFO_URI,
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let results: Vec<Value> = violations
        .iter()
        .map(|v| sarif_result(v, &rules, anchor))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "gitcoord",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFO_URI,
                "rules": rule_values,
            }},
            "results": results,
        }],
    })
}

fn sarif_result(v: &Violation, rules: &[(String, String)], anchor: &str) -> Value {
    let index = rules.iter().position(|(id, _)| *id == v.rule).unwrap_or(0);
    let mut result = json!({
        "ruleId": v.rule,
        "ruleIndex": index,
        "level": "error",
        "message": { "text": v.message },
        "partialFingerprints": { "gitcoordFingerprint/v1": fingerprint(v) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": v.path.as_deref().unwrap_or(anchor) },
                "region": { "startLine": line(v) },
            }
        }],
    });
    if let Some(commit) = &v.commit {
        result["properties"] = json!({ "commit": commit });
    }
    result
}

/// A GitLab Code Quality report: an array of issues. Findings without a file are
/// anchored at `anchor`, as in SARIF.
pub fn gitlab(violations: &[Violation], anchor: &str) -> Value {
    let issues: Vec<Value> = violations
        .iter()
        .map(|v| {
            json!({
                "description": v.message,
                "check_name": v.rule,
                "fingerprint": fingerprint(v),
                "severity": "major",
                "location": {
                    "path": v.path.as_deref().unwrap_or(anchor),
                    "lines": { "begin": line(v) },
                },
            })
        })
        .collect();
    Value::Array(issues)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Check;

    fn violation(path: Option<&str>, message: &str) -> Violation {
        Violation {
            check: Check::Locks,
            rule: "lock".into(),
            path: path.map(Into::into),
            line: None,
            commit: Some("0123456789abcdef".into()),
            message: message.into(),
            holder: Some("sec".into()),
        }
    }

    #[test]
    fn github_escapes_and_caps() {
        let mut many: Vec<Violation> = (0..12)
            .map(|i| violation(Some(&format!("a,b:{i}.txt")), "50% done\nnext"))
            .collect();
        many.push(violation(None, "halted"));
        let mut out = Vec::new();
        github(&mut out, &many).expect("write to memory");
        let text = String::from_utf8(out).expect("utf-8");
        let first = text.lines().next().expect("a line");
        assert_eq!(
            first,
            "::error file=a%2Cb%3A0.txt,line=1,title=gitcoord lock::50%25 done%0Anext"
        );
        assert_eq!(text.matches("::error ").count(), GITHUB_ANNOTATION_CAP);
        assert!(text.contains("::notice title=gitcoord::3 more violation(s)"));
    }

    #[test]
    fn fingerprints_ignore_the_message_but_not_the_path() {
        let a = violation(Some("x"), "since 1 min");
        let b = violation(Some("x"), "since 2 min");
        let c = violation(Some("y"), "since 1 min");
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }

    #[test]
    fn sarif_and_gitlab_have_the_required_fields() {
        let vs = [
            violation(Some("src/a.rs"), "locked"),
            violation(None, "halted"),
        ];
        let log = sarif(&vs, "src/a.rs");
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "gitcoord");
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "lock");
        assert_eq!(
            run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().expect("index") as usize]["id"],
            "lock"
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            1
        );
        let gl = gitlab(&vs, "README.md");
        assert_eq!(gl[0]["location"]["path"], "src/a.rs");
        assert_eq!(gl[1]["location"]["path"], "README.md");
        let pathless = &log["runs"][0]["results"][1]["locations"][0]["physicalLocation"];
        assert_eq!(pathless["artifactLocation"]["uri"], "src/a.rs");
        assert_eq!(gl[0]["fingerprint"].as_str().map(str::len), Some(16));
    }
}
