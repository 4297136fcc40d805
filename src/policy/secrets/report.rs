//! Report writers for findings: one line of text per finding, or a JSON array.

use std::io::{self, Write};

use super::Finding;

/// Writes `path:line:col: rule-id: redacted` for each finding.
pub fn write_text(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    for f in findings {
        match &f.commit {
            Some(commit) => writeln!(
                out,
                "{}:{}:{}: {}: {} (commit {})",
                f.file,
                f.line,
                f.column,
                f.rule_id,
                f.redacted,
                short(commit)
            )?,
            None => writeln!(
                out,
                "{}:{}:{}: {}: {}",
                f.file, f.line, f.column, f.rule_id, f.redacted
            )?,
        }
    }
    Ok(())
}

/// Writes the findings as a pretty-printed JSON array (redacted, with fingerprints).
pub fn write_json(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    // Every key, as every `--json` document has (docs/json.md).
    crate::model::keys::every_key(|| serde_json::to_writer_pretty(&mut *out, findings))?;
    writeln!(out)
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
