//! gitleaks-style allowlists: paths, commits, regexes against the secret, match or line, and stopwords.

use regex::bytes::Regex;

use super::rule::LazyRegex;

/// What an allowlist's `regexes` are matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegexTarget {
    /// The extracted secret (the default).
    #[default]
    Secret,
    /// The whole regex match.
    Match,
    /// The whole line holding the match.
    Line,
}

/// Whether any one criterion or all criteria must hold for an allowlist to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Condition {
    /// Any criterion suffices (gitleaks `OR`, the default).
    #[default]
    Or,
    /// Every criterion that is set must hold (gitleaks `AND`).
    And,
}

/// One allowlist: a finding is dropped when the allowlist matches it.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    /// Combination of criteria.
    pub condition: Condition,
    /// Commit ids (full or abbreviated) whose findings are allowed.
    pub commits: Vec<String>,
    /// Regexes over the file path.
    pub paths: Vec<Regex>,
    /// Regexes over the target chosen by `regex_target`.
    pub regexes: Vec<LazyRegex>,
    /// Target of `regexes`.
    pub regex_target: RegexTarget,
    /// Lowercase words; a secret containing one is allowed.
    pub stopwords: Vec<String>,
}

/// The parts of a candidate finding that allowlists look at.
pub struct Candidate<'a> {
    /// File path.
    pub path: &'a str,
    /// Commit id, when known.
    pub commit: Option<&'a str>,
    /// Extracted secret.
    pub secret: &'a [u8],
    /// Whole regex match.
    pub matched: &'a [u8],
    /// Whole line.
    pub line: &'a [u8],
}

impl Allowlist {
    /// Returns true when this allowlist allows (suppresses) the candidate.
    pub fn allows(&self, c: &Candidate<'_>) -> bool {
        let checks: [Option<bool>; 4] = [
            (!self.commits.is_empty()).then(|| self.commit_matches(c.commit)),
            (!self.paths.is_empty())
                .then(|| self.paths.iter().any(|r| r.is_match(c.path.as_bytes()))),
            (!self.regexes.is_empty()).then(|| {
                let target = match self.regex_target {
                    RegexTarget::Secret => c.secret,
                    RegexTarget::Match => c.matched,
                    RegexTarget::Line => c.line,
                };
                self.regexes.iter().any(|r| r.get().is_match(target))
            }),
            (!self.stopwords.is_empty()).then(|| self.has_stopword(c.secret)),
        ];
        let mut set = checks.iter().flatten().peekable();
        if set.peek().is_none() {
            return false;
        }
        match self.condition {
            Condition::Or => set.any(|&b| b),
            Condition::And => set.all(|&b| b),
        }
    }

    /// Returns true when the allowlist only looks at paths, so whole files can be skipped early.
    pub fn is_path_only(&self) -> bool {
        !self.paths.is_empty()
            && self.commits.is_empty()
            && self.regexes.is_empty()
            && self.stopwords.is_empty()
    }

    fn commit_matches(&self, commit: Option<&str>) -> bool {
        commit.is_some_and(|id| {
            self.commits
                .iter()
                .any(|c| !c.is_empty() && (id.starts_with(c.as_str()) || c.starts_with(id)))
        })
    }

    fn has_stopword(&self, secret: &[u8]) -> bool {
        let lower = secret.to_ascii_lowercase();
        self.stopwords
            .iter()
            .any(|w| !w.is_empty() && lower.windows(w.len()).any(|win| win == w.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand<'a>(path: &'a str, secret: &'a [u8]) -> Candidate<'a> {
        Candidate {
            path,
            commit: Some("abc123"),
            secret,
            matched: secret,
            line: secret,
        }
    }

    #[test]
    fn or_and_conditions() {
        let mut a = Allowlist {
            paths: vec![Regex::new(r"^docs/").expect("valid")],
            stopwords: vec!["dummy".into()],
            ..Allowlist::default()
        };
        assert!(a.allows(&cand("docs/x.md", b"realkey")));
        assert!(a.allows(&cand("src/x.rs", b"my-DUMMY-key")));
        assert!(!a.allows(&cand("src/x.rs", b"realkey")));
        a.condition = Condition::And;
        assert!(!a.allows(&cand("docs/x.md", b"realkey")));
        assert!(a.allows(&cand("docs/x.md", b"dummy1")));
    }

    #[test]
    fn commits_match_by_prefix_and_empty_allowlist_allows_nothing() {
        let a = Allowlist {
            commits: vec!["abc".into()],
            ..Allowlist::default()
        };
        assert!(a.allows(&cand("f", b"s")));
        assert!(!Allowlist::default().allows(&cand("f", b"s")));
    }
}
