//! Violations in the formats CI systems read besides SARIF (`sarif.rs`): GitHub workflow
//! annotations and step summary, and GitLab Code Quality. Pure: values and text.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::policy::Violation;

/// GitHub shows at most this many error annotations per step; the rest are summarised.
pub const GITHUB_ANNOTATION_CAP: usize = 10;

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

/// A GitLab Code Quality report: an array of issues. Findings without a file are
/// anchored at `anchor`, as in SARIF.
pub fn gitlab(violations: &[Violation], anchor: &str) -> Value {
    // GitLab keeps one issue per fingerprint, and one finding can occur more than once in a
    // report (a secret in two commits of a pull request): later occurrences get their own.
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let issues: Vec<Value> = violations
        .iter()
        .map(|v| {
            let n = seen.entry(v.fingerprint.as_str()).or_insert(0);
            let fingerprint = match *n {
                0 => v.fingerprint.clone(),
                n => format!(
                    "{:016x}",
                    crate::policy::rule::fnv1a([v.fingerprint.as_str(), &n.to_string()])
                ),
            };
            *n += 1;
            json!({
                "description": v.message,
                "check_name": v.rule,
                "fingerprint": fingerprint,
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

    use super::super::sample_violation as violation;

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
    fn gitlab_has_the_required_fields() {
        let vs = [
            violation(Some("src/a.rs"), "locked"),
            violation(None, "halted"),
        ];
        let gl = gitlab(&vs, "README.md");
        assert_eq!(gl[0]["location"]["path"], "src/a.rs");
        assert_eq!(gl[1]["location"]["path"], "README.md");
        assert_eq!(gl[0]["fingerprint"].as_str().map(str::len), Some(16));
        let twice = gitlab(&[vs[0].clone(), vs[0].clone()], "README.md");
        assert_eq!(twice[0]["fingerprint"], vs[0].fingerprint.as_str());
        assert_ne!(twice[0]["fingerprint"], twice[1]["fingerprint"]);
    }
}
