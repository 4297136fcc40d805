//! Reads gitleaks TOML configurations: `[[rules]]`, `[allowlist]`/`[[allowlists]]`, `[extend]`.

use serde::Deserialize;

use super::allowlist::{Allowlist, Condition, RegexTarget};
use regex::bytes::Regex;

use super::rule::{LazyRegex, Rule, compile};

pub use super::extend::assemble;

/// A configuration that cannot be used; names the origin, line and rule when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Where the configuration came from (usually a file path).
    pub origin: String,
    /// 1-based line of the offending text, when it could be located.
    pub line: Option<usize>,
    /// Rule the error is about, if any.
    pub rule: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, ": rule {rule:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

// gitleaks reads its configuration through viper, whose keys are case-insensitive: keys are
// lowercased before these shapes see them.
#[derive(Deserialize, Default)]
struct ConfigToml {
    #[serde(default)]
    extend: ExtendToml,
    #[serde(default)]
    rules: Vec<RuleToml>,
    allowlist: Option<AllowToml>,
    #[serde(default)]
    allowlists: Vec<AllowToml>,
}

#[derive(Deserialize, Default)]
struct ExtendToml {
    #[serde(default, rename = "usedefault")]
    use_default: bool,
    #[serde(default)]
    path: String,
    #[serde(default, rename = "disabledrules")]
    disabled_rules: Vec<String>,
}

#[derive(Deserialize)]
struct RuleToml {
    #[serde(default)]
    id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    regex: String,
    #[serde(default, rename = "secretgroup")]
    secret_group: i64,
    #[serde(default)]
    entropy: f64,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    path: String,
    allowlist: Option<AllowToml>,
    #[serde(default)]
    allowlists: Vec<AllowToml>,
}

#[derive(Deserialize, Default)]
struct AllowToml {
    #[serde(default)]
    description: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default, rename = "regextarget")]
    regex_target: String,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default, rename = "targetrules")]
    target_rules: Vec<String>,
}

impl AllowToml {
    /// viper reads an empty top-level `[allowlist]` table as no allowlist at all (an empty
    /// `[rules.allowlist]` is an empty allowlist, refused).
    fn is_blank(&self) -> bool {
        self.description.is_empty()
            && self.condition.is_empty()
            && self.commits.is_empty()
            && self.paths.is_empty()
            && self.regexes.is_empty()
            && self.regex_target.is_empty()
            && self.stopwords.is_empty()
            && self.target_rules.is_empty()
    }
}

/// A rule as one file states it, before it is merged with the rule of the same id in the
/// configuration it extends: empty fields leave the extended rule's value.
#[derive(Debug)]
pub(super) struct Draft {
    pub(super) id: String,
    pub(super) description: String,
    pub(super) regex: Option<Regex>,
    pub(super) secret_group: i64,
    pub(super) entropy: f64,
    pub(super) keywords: Vec<String>,
    pub(super) path: Option<Regex>,
    pub(super) allowlists: Vec<Allowlist>,
    pub(super) line: Option<usize>,
}

/// One configuration file, parsed and checked on its own (TOML, types, regexes,
/// allowlists); [`assemble`] merges the files of an `[extend]` chain.
#[derive(Debug)]
pub struct Layer {
    pub(super) origin: String,
    pub(super) depth: usize,
    pub(super) use_default: bool,
    pub(super) path: String,
    pub(super) disabled: Vec<String>,
    pub(super) rules: Vec<Draft>,
    pub(super) global: Vec<Allowlist>,
    pub(super) targeted: Vec<(Vec<String>, Allowlist, Option<usize>)>,
}

/// How deep gitleaks follows `[extend]`: the file given, and two files it extends; the
/// `[extend]` table of the last is not read.
pub const MAX_EXTEND_DEPTH: usize = 2;

impl Layer {
    /// Parses the file `origin` holding `text`, reached through `depth` extensions.
    pub fn parse(text: &str, origin: &str, depth: usize) -> Result<Layer, ConfigError> {
        let err = |line: Option<usize>, rule: Option<&str>, message: String| ConfigError {
            origin: origin.to_owned(),
            line,
            rule: rule.map(str::to_owned),
            message,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            err(line, None, e.message().to_owned())
        })?;
        let config = ConfigToml::deserialize(lowercase_keys(toml::Value::Table(table)))
            .map_err(|e| err(None, None, e.message().to_owned()))?;
        let allowlist = config.allowlist.filter(|a| !a.is_blank());
        if allowlist.is_some() && !config.allowlists.is_empty() {
            let message = "[allowlist] is deprecated, it cannot be used alongside [[allowlists]]";
            return Err(err(
                line_of_str(text, "[[allowlists]]"),
                None,
                message.into(),
            ));
        }
        let mut rules = Vec::new();
        for spec in config.rules {
            let line = line_of_rule(text, &spec);
            rules.push(draft(spec, line).map_err(|(rule, m)| err(line, Some(&rule), m))?);
        }
        let (mut global, mut targeted) = (Vec::new(), Vec::new());
        for spec in allowlist.into_iter().chain(config.allowlists) {
            let line = line_of_allowlist(text, &spec);
            let list = build_allowlist(&spec).map_err(|m| err(line, None, m))?;
            if spec.target_rules.is_empty() {
                global.push(list);
            } else {
                targeted.push((spec.target_rules, list, line));
            }
        }
        let extend = config.extend;
        if depth < MAX_EXTEND_DEPTH && extend.use_default && !extend.path.is_empty() {
            let message = "[extend] cannot set both path and useDefault";
            return Err(err(line_of_str(text, "[extend]"), None, message.into()));
        }
        Ok(Layer {
            origin: origin.to_owned(),
            depth,
            use_default: extend.use_default,
            path: extend.path,
            disabled: extend.disabled_rules,
            rules,
            global,
            targeted,
        })
    }

    /// The file this one extends, as written (gitleaks opens it relative to the working
    /// directory), when gitleaks would read it.
    pub fn extends(&self) -> Option<&str> {
        let follows = self.depth < MAX_EXTEND_DEPTH && !self.use_default;
        (follows && !self.path.is_empty()).then_some(self.path.as_str())
    }

    /// Where this file came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Whether this file extends gitleaks' defaults (gitcoord's built-in rules).
    pub(super) fn uses_default(&self) -> bool {
        self.depth < MAX_EXTEND_DEPTH && self.use_default
    }
}

/// Parses one configuration into rules and global allowlists; a file that extends another
/// by path needs [`Layer`]s read by the caller and [`assemble`].
pub fn parse(text: &str, origin: &str) -> Result<(Vec<Rule>, Vec<Allowlist>), ConfigError> {
    let layer = Layer::parse(text, origin, 0)?;
    if layer.extends().is_some() {
        return Err(ConfigError {
            origin: origin.to_owned(),
            line: line_of_str(text, "[extend]"),
            rule: None,
            message: "[extend] path needs the extended file read first".to_owned(),
        });
    }
    assemble(vec![layer])
}

/// Lowercases every table key, as viper does.
fn lowercase_keys(value: toml::Value) -> toml::Value {
    match value {
        toml::Value::Table(t) => toml::Value::Table(
            t.into_iter()
                .map(|(k, v)| (k.to_lowercase(), lowercase_keys(v)))
                .collect(),
        ),
        toml::Value::Array(a) => toml::Value::Array(a.into_iter().map(lowercase_keys).collect()),
        other => other,
    }
}

/// Checks one `[[rules]]` entry; an error names the rule.
fn draft(spec: RuleToml, line: Option<usize>) -> Result<Draft, (String, String)> {
    let id = spec.id.clone();
    let fail = |m: String| (id.clone(), m);
    let pattern = |p: &str, what: &str| -> Result<Option<Regex>, (String, String)> {
        if p.is_empty() {
            return Ok(None);
        }
        compile(p)
            .map(Some)
            .map_err(|e| fail(format!("invalid {what}: {e}")))
    };
    let regex = pattern(&spec.regex, "regex")?;
    let path = pattern(&spec.path, "path regex")?;
    let old = spec.allowlist;
    if old.is_some() && !spec.allowlists.is_empty() {
        let message =
            "[rules.allowlist] is deprecated, it cannot be used alongside [[rules.allowlists]]";
        return Err(fail(message.to_owned()));
    }
    let mut allowlists = Vec::new();
    for a in old.iter().chain(&spec.allowlists) {
        allowlists.push(build_allowlist(a).map_err(|m| fail(format!("[[rules.allowlists]] {m}")))?);
    }
    Ok(Draft {
        id: spec.id,
        description: spec.description,
        regex,
        secret_group: spec.secret_group,
        entropy: spec.entropy,
        keywords: spec.keywords.iter().map(|k| k.to_lowercase()).collect(),
        path,
        allowlists,
        line,
    })
}

fn build_allowlist(spec: &AllowToml) -> Result<Allowlist, String> {
    let regexes = |list: &[String], what: &str| {
        list.iter()
            .map(|p| compile(p).map_err(|e| format!("invalid allowlist {what} regex {p:?}: {e}")))
            .collect::<Result<Vec<_>, _>>()
    };
    let condition = match spec.condition.to_ascii_uppercase().as_str() {
        "" | "OR" | "||" => Condition::Or,
        "AND" | "&&" => Condition::And,
        _ => {
            return Err(format!(
                "unknown allowlist condition {:?} (use OR or AND)",
                spec.condition
            ));
        }
    };
    let regex_target = match spec.regex_target.as_str() {
        "" | "secret" => RegexTarget::Secret,
        "match" => RegexTarget::Match,
        "line" => RegexTarget::Line,
        other => {
            return Err(format!(
                "unknown regexTarget {other:?} (use secret, match or line)"
            ));
        }
    };
    if spec.commits.is_empty()
        && spec.paths.is_empty()
        && spec.regexes.is_empty()
        && spec.stopwords.is_empty()
    {
        return Err(
            "an allowlist must contain at least one of commits, paths, regexes or stopwords"
                .to_owned(),
        );
    }
    Ok(Allowlist {
        condition,
        commits: spec.commits.clone(),
        paths: regexes(&spec.paths, "path")?,
        regexes: regexes(&spec.regexes, "")?
            .into_iter()
            .map(LazyRegex::compiled)
            .collect(),
        regex_target,
        stopwords: spec
            .stopwords
            .iter()
            .map(|w| w.to_ascii_lowercase())
            .collect(),
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn line_of_str(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|at| line_of(text, at))
}

/// Locates a rule by its regex text, else by its id.
fn line_of_rule(text: &str, spec: &RuleToml) -> Option<usize> {
    Some(spec.regex.as_str())
        .filter(|r| !r.is_empty())
        .and_then(|r| line_of_str(text, r))
        .or_else(|| line_of_str(text, &format!("\"{}\"", spec.id)))
        .or_else(|| line_of_str(text, &format!("'{}'", spec.id)))
}

fn line_of_allowlist(text: &str, spec: &AllowToml) -> Option<usize> {
    spec.paths
        .iter()
        .chain(&spec.regexes)
        .find_map(|p| line_of_str(text, p))
}
