//! Reads gitleaks TOML configurations: `[[rules]]`, `[allowlist]`/`[[allowlists]]`, `[extend]`.

use serde::Deserialize;

use super::allowlist::{Allowlist, Condition, RegexTarget};
use super::placeholder::Filter;
use super::rule::{LazyRegex, Rule, Span, compile};
use super::rules::builtin_rules;

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

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
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
#[serde(rename_all = "camelCase")]
struct ExtendToml {
    #[serde(default)]
    use_default: bool,
    path: Option<String>,
    url: Option<String>,
    #[serde(default)]
    disabled_rules: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuleToml {
    id: String,
    description: Option<String>,
    regex: Option<String>,
    secret_group: Option<usize>,
    entropy: Option<f32>,
    #[serde(default)]
    keywords: Vec<String>,
    path: Option<String>,
    allowlist: Option<AllowToml>,
    #[serde(default)]
    allowlists: Vec<AllowToml>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AllowToml {
    condition: Option<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
    regex_target: Option<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    target_rules: Vec<String>,
}

/// Parses a configuration into rules and global allowlists.
pub fn parse(text: &str, origin: &str) -> Result<(Vec<Rule>, Vec<Allowlist>), ConfigError> {
    let err = |line: Option<usize>, rule: Option<&str>, message: String| ConfigError {
        origin: origin.to_owned(),
        line,
        rule: rule.map(str::to_owned),
        message,
    };
    let config: ConfigToml = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        err(line, None, e.message().to_owned())
    })?;
    if config.extend.path.is_some() || config.extend.url.is_some() {
        let message = "[extend] path and url are not supported; copy the rules into this file or use useDefault = true";
        return Err(err(line_of_str(text, "[extend]"), None, message.to_owned()));
    }
    let mut rules = if config.extend.use_default {
        builtin_rules()
    } else {
        Vec::new()
    };
    for spec in &config.rules {
        let rule =
            build_rule(spec).map_err(|m| err(line_of_rule(text, spec), Some(&spec.id), m))?;
        match rules.iter_mut().find(|r| r.id == rule.id) {
            Some(existing) => *existing = rule,
            None => rules.push(rule),
        }
    }
    rules.retain(|r| !config.extend.disabled_rules.iter().any(|d| *d == r.id));
    let mut global = Vec::new();
    for spec in config.allowlist.iter().chain(&config.allowlists) {
        let list =
            build_allowlist(spec).map_err(|m| err(line_of_allowlist(text, spec), None, m))?;
        if spec.target_rules.is_empty() {
            global.push(list);
        } else {
            rules
                .iter_mut()
                .filter(|r| spec.target_rules.iter().any(|t| *t == r.id))
                .for_each(|r| r.allowlists.push(list.clone()));
        }
    }
    Ok((rules, global))
}

fn build_rule(spec: &RuleToml) -> Result<Rule, String> {
    if spec.regex.is_none() && spec.path.is_none() {
        return Err("a rule needs a regex or a path".to_owned());
    }
    let regex = match &spec.regex {
        Some(p) => Some(compile(p).map_err(|e| format!("invalid regex: {e}"))?),
        None => None,
    };
    if let (Some(re), Some(group)) = (&regex, spec.secret_group) {
        if group >= re.captures_len() {
            return Err(format!("secretGroup {group} does not exist in the regex"));
        }
    }
    let path = match &spec.path {
        Some(p) => Some(compile(p).map_err(|e| format!("invalid path regex: {e}"))?),
        None => None,
    };
    let mut allowlists = Vec::new();
    for a in spec.allowlist.iter().chain(&spec.allowlists) {
        allowlists.push(build_allowlist(a)?);
    }
    Ok(Rule {
        id: spec.id.clone().into(),
        description: spec
            .description
            .clone()
            .unwrap_or_else(|| spec.id.clone())
            .into(),
        regex: regex.map(LazyRegex::compiled),
        secret_group: spec.secret_group.filter(|&g| g > 0),
        entropy: spec.entropy.unwrap_or(0.0),
        keywords: spec
            .keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into())
            .collect(),
        path,
        allowlists,
        filter: Filter::None,
        span: Span::Blob,
    })
}

fn build_allowlist(spec: &AllowToml) -> Result<Allowlist, String> {
    let regexes = |list: &[String], what: &str| {
        list.iter()
            .map(|p| compile(p).map_err(|e| format!("invalid allowlist {what} regex {p:?}: {e}")))
            .collect::<Result<Vec<_>, _>>()
    };
    let condition = match spec
        .condition
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("OR") => Condition::Or,
        Some("AND") => Condition::And,
        Some(other) => {
            return Err(format!(
                "unknown allowlist condition {other:?} (use OR or AND)"
            ));
        }
    };
    let regex_target = match spec.regex_target.as_deref() {
        None | Some("secret") | Some("") => RegexTarget::Secret,
        Some("match") => RegexTarget::Match,
        Some("line") => RegexTarget::Line,
        Some(other) => {
            return Err(format!(
                "unknown regexTarget {other:?} (use secret, match or line)"
            ));
        }
    };
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
    spec.regex
        .as_deref()
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
