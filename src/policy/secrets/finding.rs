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
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub commit: Option<String>,
    /// The secret with all but a short prefix hidden.
    pub redacted: String,
    /// Shannon entropy of the secret, bits per byte.
    pub entropy: f32,
    /// What names this finding in every report and ignore file: rule, file and the hashed
    /// secret ([`crate::policy::fingerprint`]); the same when lines move or commits change.
    pub fingerprint: String,
    /// Non-reversible identifier of the secret value, stable when lines move (used by baselines).
    pub secret_hash: String,
}

impl Finding {
    /// The fingerprint gitleaks gives this finding, `[commit:]file:rule-id:line`, which
    /// `.gitleaksignore` files list.
    pub fn gitleaks_fingerprint(&self, with_commit: bool) -> String {
        match self.commit.as_deref().filter(|_| with_commit) {
            Some(c) => format!("{c}:{}:{}:{}", self.file, self.rule_id, self.line),
            None => format!("{}:{}:{}", self.file, self.rule_id, self.line),
        }
    }
}

/// The fingerprint of a secret found by `rule_id` in `file` whose hash is `secret_hash`.
pub fn fingerprint(rule_id: &str, file: &str, secret_hash: &str) -> String {
    crate::policy::fingerprint(rule_id, file, secret_hash)
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
    // The secret is hashed without the separator the other parts get, as it always was, so
    // baselines written before keep matching.
    use crate::policy::rule::{fnv1a, fnv1a_extend};
    format!("{:016x}", fnv1a_extend(fnv1a([rule_id]), secret))
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
    fn gitleaks_fingerprints_have_gitleaks_layout() {
        let mut f = Finding {
            rule_id: "aws-access-key".into(),
            description: String::new(),
            file: "a/b.rs".into(),
            line: 3,
            column: 1,
            commit: None,
            redacted: String::new(),
            entropy: 0.0,
            fingerprint: String::new(),
            secret_hash: String::new(),
        };
        assert_eq!(f.gitleaks_fingerprint(true), "a/b.rs:aws-access-key:3");
        f.commit = Some("abc".into());
        assert_eq!(f.gitleaks_fingerprint(true), "abc:a/b.rs:aws-access-key:3");
        assert_eq!(f.gitleaks_fingerprint(false), "a/b.rs:aws-access-key:3");
    }

    #[test]
    fn secret_hashes_are_what_they_always_were() {
        // Written by the previous implementation: baselines hold these.
        assert_eq!(secret_hash("r", b"s"), {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for &b in b"r\0s" {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            format!("{h:016x}")
        });
    }

    #[test]
    fn secret_hash_depends_on_rule_and_secret() {
        assert_ne!(secret_hash("a", b"x"), secret_hash("b", b"x"));
        assert_eq!(secret_hash("a", b"x"), secret_hash("a", b"x"));
    }
}
