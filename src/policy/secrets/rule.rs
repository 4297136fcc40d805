//! Detection rules: the static table form of built-in rules and the compiled form the engine runs.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

use super::allowlist::{Allowlist, RegexTarget};
use super::placeholder::Filter;

/// How much text around a keyword hit a rule's regex is run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// The line holding the keyword.
    Line,
    /// From the start of the keyword's line, up to this many bytes (multi-line blocks).
    Block(usize),
    /// The whole blob, once, when any keyword occurs (rules from gitleaks configs).
    Blob,
}

/// A built-in rule as written in the rule table, with a true-positive and a look-alike sample.
#[derive(Debug, Clone, Copy)]
pub struct RuleDef {
    /// Stable rule identifier.
    pub id: &'static str,
    /// What the rule detects.
    pub description: &'static str,
    /// Regex (Rust `regex` syntax, ASCII semantics for `\w`, `\d`, `\s`, `\b`).
    pub regex: &'static str,
    /// Keywords, one of which must occur (ASCII case-insensitively) on the scanned text.
    pub keywords: &'static [&'static str],
    /// Capture group holding the secret; `None` takes the first group that matched, else the match.
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy of the secret; 0 disables the check.
    pub entropy: f32,
    /// Look-alike filtering applied to the secret.
    pub filter: Filter,
    /// Text scanned around a keyword hit.
    pub span: Span,
    /// A regex over the whole match that marks it as not a secret (e.g. pagination tokens).
    pub allow_match: Option<&'static str>,
    /// A line the rule must report (used by the rule table test).
    pub sample: &'static str,
    /// A look-alike line the rule must not report (used by the rule table test).
    pub decoy: &'static str,
}

/// Starts a rule table row with the usual defaults: line span, format filter, no entropy.
pub const fn rule(
    id: &'static str,
    description: &'static str,
    regex: &'static str,
    keywords: &'static [&'static str],
    sample: &'static str,
    decoy: &'static str,
) -> RuleDef {
    RuleDef {
        id,
        description,
        regex,
        keywords,
        secret_group: None,
        entropy: 0.0,
        filter: Filter::Format,
        span: Span::Line,
        allow_match: None,
        sample,
        decoy,
    }
}

impl RuleDef {
    /// Requires the secret to reach this Shannon entropy.
    pub const fn entropy(mut self, bits: f32) -> Self {
        self.entropy = bits;
        self
    }

    /// Takes the secret from this capture group.
    pub const fn group(mut self, group: usize) -> Self {
        self.secret_group = Some(group);
        self
    }

    /// Applies the strict look-alike filter (generic assignments).
    pub const fn strict(mut self) -> Self {
        self.filter = Filter::Strict;
        self
    }

    /// Drops matches that this regex finds in the whole match text.
    pub const fn allow_match(mut self, regex: &'static str) -> Self {
        self.allow_match = Some(regex);
        self
    }

    /// Scans a multi-line block of up to `bytes` after the keyword's line, unfiltered.
    pub const fn block(mut self, bytes: usize) -> Self {
        self.span = Span::Block(bytes);
        self.filter = Filter::None;
        self
    }
}

/// A keyword in lowercase, borrowed when it already is.
pub fn lowercase(keyword: &'static str) -> Cow<'static, str> {
    if keyword.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(keyword.to_ascii_lowercase())
    } else {
        Cow::Borrowed(keyword)
    }
}

/// Compiles a pattern with ASCII semantics (like Go's RE2), falling back to Unicode classes.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    let build = |unicode: bool| {
        RegexBuilder::new(pattern)
            .unicode(unicode)
            .size_limit(64 << 20)
            .dfa_size_limit(16 << 20)
            .build()
    };
    build(false).or_else(|ascii_err| build(true).map_err(|_| ascii_err))
}

/// A regex compiled on first use, so rules whose keywords never occur cost nothing.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    pattern: Cow<'static, str>,
    cell: OnceLock<Regex>,
}

impl LazyRegex {
    /// Wraps a built-in pattern, which the rule table test has proven to compile.
    pub fn new(pattern: &'static str) -> LazyRegex {
        LazyRegex {
            pattern: Cow::Borrowed(pattern),
            cell: OnceLock::new(),
        }
    }

    /// Wraps an already compiled regex.
    pub fn compiled(regex: Regex) -> LazyRegex {
        let cell = OnceLock::new();
        let pattern = Cow::Owned(regex.as_str().to_owned());
        let _ = cell.set(regex);
        LazyRegex { pattern, cell }
    }

    /// Returns the compiled regex.
    pub fn get(&self) -> &Regex {
        self.cell.get_or_init(|| {
            compile(&self.pattern).expect("built-in patterns are compiled by the rule table test")
        })
    }
}

/// A rule ready to run: built-in (borrowing the rule table's text, so the 269 built-in
/// rules cost a hook no allocations) or from a gitleaks configuration.
#[derive(Debug)]
pub struct Rule {
    /// Stable rule identifier.
    pub id: Cow<'static, str>,
    /// What the rule detects.
    pub description: Cow<'static, str>,
    /// Content regex; `None` for a rule that matches on the path alone.
    pub regex: Option<LazyRegex>,
    /// Capture group holding the secret.
    pub secret_group: Option<usize>,
    /// Minimum entropy of the secret; 0 disables the check.
    pub entropy: f32,
    /// Lowercase keywords for the prefilter; empty means the rule always runs.
    pub keywords: Vec<Cow<'static, str>>,
    /// Only files whose path matches are scanned by this rule.
    pub path: Option<Regex>,
    /// Rule-specific allowlists.
    pub allowlists: Vec<Allowlist>,
    /// Look-alike filtering.
    pub filter: Filter,
    /// Text scanned around keyword hits.
    pub span: Span,
}

impl Rule {
    /// Builds a runnable rule from a table row.
    pub fn from_def(def: &RuleDef) -> Rule {
        Rule {
            id: Cow::Borrowed(def.id),
            description: Cow::Borrowed(def.description),
            regex: Some(LazyRegex::new(def.regex)),
            secret_group: def.secret_group,
            entropy: def.entropy,
            keywords: def.keywords.iter().map(|k| lowercase(k)).collect(),
            path: None,
            allowlists: def.allow_match.map_or_else(Vec::new, |re| {
                vec![Allowlist {
                    regex_target: RegexTarget::Match,
                    regexes: vec![LazyRegex::new(re)],
                    ..Allowlist::default()
                }]
            }),
            filter: def.filter,
            span: def.span,
        }
    }

    /// Returns true for the catch-all rules that yield to a specific rule on the same text.
    pub fn is_generic(&self) -> bool {
        self.filter == Filter::Strict
    }
}
