//! Suppression after scanning: an ignore file of fingerprints and a baseline of earlier findings.

use std::collections::HashSet;

use serde_json::Value;

use super::Finding;

/// Name of gitcoord's ignore file at the repository root (one fingerprint per line).
pub const IGNORE_FILE: &str = ".gitcoordignore";

/// Name of gitleaks' ignore file, read as well.
pub const GITLEAKS_IGNORE_FILE: &str = ".gitleaksignore";

/// Why a baseline could not be read.
#[derive(Debug)]
pub struct BaselineError(pub String);

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the baseline is not a JSON report of findings: {}",
            self.0
        )
    }
}

impl std::error::Error for BaselineError {}

/// Fingerprints and secret hashes whose findings are not reported again.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    fingerprints: HashSet<String>,
    hashes: HashSet<(String, String, String)>,
}

impl Suppressions {
    /// Adds the fingerprints of an ignore file (`#` starts a comment, blank lines are skipped).
    pub fn add_ignore_file(&mut self, text: &str) {
        let lines = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim());
        self.fingerprints
            .extend(lines.filter(|l| !l.is_empty()).map(str::to_owned));
    }

    /// Adds the findings of an earlier JSON report (gitcoord's, or gitleaks' `Fingerprint` field).
    pub fn add_baseline(&mut self, json: &str) -> Result<(), BaselineError> {
        let value: Value = serde_json::from_str(json).map_err(|e| BaselineError(e.to_string()))?;
        let entries = match &value {
            Value::Array(items) => items.as_slice(),
            Value::Object(map) => map
                .get("findings")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice),
            _ => return Err(BaselineError("expected an array of findings".to_owned())),
        };
        for entry in entries {
            let field = |a: &str, b: &str| {
                entry
                    .get(a)
                    .or_else(|| entry.get(b))
                    .and_then(Value::as_str)
            };
            if let Some(fp) = field("fingerprint", "Fingerprint") {
                self.fingerprints.insert(fp.to_owned());
            }
            if let (Some(rule), Some(file), Some(hash)) = (
                field("rule_id", "RuleID"),
                field("file", "File"),
                field("secret_hash", "secret_hash"),
            ) {
                self.hashes
                    .insert((rule.to_owned(), file.to_owned(), hash.to_owned()));
            }
        }
        Ok(())
    }

    /// Returns true when the finding is suppressed.
    pub fn suppresses(&self, f: &Finding) -> bool {
        self.fingerprints.contains(&f.fingerprint)
            || self.fingerprints.contains(&f.gitleaks_fingerprint(true))
            || self.fingerprints.contains(&f.gitleaks_fingerprint(false))
            || self
                .hashes
                .contains(&(f.rule_id.clone(), f.file.clone(), f.secret_hash.clone()))
    }

    /// Removes suppressed findings and returns how many were removed.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> usize {
        let before = findings.len();
        findings.retain(|f| !self.suppresses(f));
        before - findings.len()
    }

    /// Returns true when nothing is suppressed.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty() && self.hashes.is_empty()
    }
}
