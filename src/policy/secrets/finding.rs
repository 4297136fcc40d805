//! A reported secret: where it is, which rule found it, and a redacted view of it.

use serde::{Deserialize, Serialize};

/// One secret found in one file, always stored redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Identifier of the rule that matched (stable, used by ignore files and SARIF).
    pub rule_id: String,
    /// Human-readable description of the rule.
    pub description: String,
    /// Path of the file, relative to the scanned root or repository, with `/` separators.
    pub file: String,
    /// 1-based line of the start of the secret.
    pub line: u32,
    /// 1-based byte column of the start of the secret.
    pub column: u32,
    /// Commit that introduced the line, for history and range scans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The secret with all but a short prefix hidden.
    pub redacted: String,
    /// Shannon entropy of the secret, bits per byte.
    pub entropy: f32,
    /// gitleaks-compatible fingerprint: `[commit:]file:rule-id:line`.
    pub fingerprint: String,
    /// Non-reversible identifier of the secret value, stable when lines move (used by baselines).
    pub secret_hash: String,
}

impl Finding {
    /// Recomputes the fingerprint from the location fields (after `commit` or `file` changed).
    pub fn refresh_fingerprint(&mut self) {
        self.fingerprint =
            fingerprint(self.commit.as_deref(), &self.file, &self.rule_id, self.line);
    }
}

/// Builds the gitleaks fingerprint `commit:file:rule-id:line`, or `file:rule-id:line` without a commit.
pub fn fingerprint(commit: Option<&str>, file: &str, rule_id: &str, line: u32) -> String {
    match commit {
        Some(c) => format!("{c}:{file}:{rule_id}:{line}"),
        None => format!("{file}:{rule_id}:{line}"),
    }
}

/// Hides a secret, keeping at most 4 leading characters and never more than a third of it.
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let chars = text.chars().count();
    let keep = (chars / 3).min(4);
    let mut out: String = text.chars().take(keep).collect();
    out.push('…');
    out
}

/// Hashes a rule id and secret into 16 hex digits (FNV-1a, 64 bit), for baseline matching.
pub fn secret_hash(rule_id: &str, secret: &[u8]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut h = OFFSET;
    for &b in rule_id.as_bytes().iter().chain([0u8].iter()).chain(secret) {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_never_shows_more_than_a_third() {
        let cases: &[(&str, &str)] = &[
            ("ghp_aaaaBBBBccccDDDDeeeeFFFFgggg123456", "ghp_…"),
            ("abcdefghij", "abc…"),
            ("ab", "…"),
            ("", "…"),
        ];
        for (secret, want) in cases {
            assert_eq!(redact(secret.as_bytes()), *want);
        }
    }

    #[test]
    fn fingerprint_matches_gitleaks_layout() {
        assert_eq!(
            fingerprint(None, "a/b.rs", "aws-access-key", 3),
            "a/b.rs:aws-access-key:3"
        );
        assert_eq!(fingerprint(Some("abc"), "f", "r", 1), "abc:f:r:1");
    }

    #[test]
    fn secret_hash_depends_on_rule_and_secret() {
        assert_ne!(secret_hash("a", b"x"), secret_hash("b", b"x"));
        assert_eq!(secret_hash("a", b"x"), secret_hash("a", b"x"));
    }
}
