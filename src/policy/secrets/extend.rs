//! Merges the files of a gitleaks `[extend]` chain into one rule set, as gitleaks 8.26 does.

use super::allowlist::Allowlist;
use super::gitleaks::{ConfigError, Draft, Layer};
use super::placeholder::Filter;
use super::rule::{LazyRegex, Rule, Span};
use super::rules::builtin_rules;

/// Merges `layers` (the file given first, then each file it extends) into rules and global
/// allowlists. A rule of a file overrides the fields it sets of the rule with its id in the
/// file it extends and adds its keywords and allowlists; `disabledRules` drops extended rules.
///
/// A configuration that extends nothing has its rules checked (an id, a regex or a path, a
/// secret group the regex has) and its `targetRules` must name rules. gitleaks 8.26 skips both
/// checks once a configuration extends another (or the defaults), so they are skipped
/// here too: a rule left with neither regex nor path matches nothing and is dropped, and an
/// allowlist is attached to the target rules that exist.
pub fn assemble(layers: Vec<Layer>) -> Result<(Vec<Rule>, Vec<Allowlist>), ConfigError> {
    let extended = layers.len() > 1 || layers.first().is_some_and(Layer::uses_default);
    if !extended {
        if let Some(top) = layers.first() {
            validate(top)?;
        }
    }
    let mut rules: Vec<Rule> = Vec::new();
    let mut global: Vec<Allowlist> = Vec::new();
    let mut targeted = Vec::new();
    for layer in layers.into_iter().rev() {
        let base = if layer.uses_default() {
            builtin_rules()
        } else {
            std::mem::take(&mut rules)
        };
        let mut own = dedup(layer.rules);
        rules = base
            .into_iter()
            .filter(|r| !layer.disabled.iter().any(|d| *d == r.id))
            .map(|mut rule| {
                if let Some(at) = own.iter().position(|d| *d.id == *rule.id) {
                    merge_onto(own.remove(at), &mut rule);
                }
                rule
            })
            .collect();
        rules.extend(own.into_iter().map(into_rule));
        let mut lists = layer.global;
        lists.append(&mut global);
        global = lists;
        // gitleaks only applies the targeted allowlists of the file it was given.
        targeted = layer.targeted;
    }
    for (targets, list, _) in targeted {
        rules
            .iter_mut()
            .filter(|r| targets.iter().any(|t| *t == r.id))
            .for_each(|r| r.allowlists.push(list.clone()));
    }
    rules.retain(|r| r.regex.is_some() || r.path.is_some());
    Ok((rules, global))
}

/// The checks gitleaks makes of a configuration that extends nothing.
fn validate(layer: &Layer) -> Result<(), ConfigError> {
    let err = |line, rule: Option<&str>, message: String| ConfigError {
        origin: layer.origin.clone(),
        line,
        rule: rule.map(str::to_owned),
        message,
    };
    for d in &layer.rules {
        let id = Some(d.id.as_str());
        if d.id.trim().is_empty() {
            return Err(err(d.line, None, "a rule needs an id".to_owned()));
        }
        if d.regex.is_none() && d.path.is_none() {
            return Err(err(d.line, id, "a rule needs a regex or a path".to_owned()));
        }
        if let Some(re) = &d.regex {
            let groups = re.captures_len() - 1;
            if d.secret_group > groups as i64 {
                let message = format!(
                    "secretGroup {} does not exist in the regex (it has {groups} group(s))",
                    d.secret_group
                );
                return Err(err(d.line, id, message));
            }
        }
    }
    for (targets, _, line) in &layer.targeted {
        if let Some(t) = targets
            .iter()
            .find(|t| !layer.rules.iter().any(|d| d.id == **t))
        {
            let message = format!("[[allowlists]] targetRules names {t:?}, which is no rule");
            return Err(err(*line, None, message));
        }
    }
    Ok(())
}

/// One draft per id, the last one given (gitleaks keeps rules in a map by id).
fn dedup(drafts: Vec<Draft>) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    for d in drafts {
        match out.iter_mut().find(|o| o.id == d.id) {
            Some(slot) => *slot = d,
            None => out.push(d),
        }
    }
    out
}

fn secret_group(group: i64) -> Option<usize> {
    usize::try_from(group).ok().filter(|&g| g > 0)
}

fn into_rule(d: Draft) -> Rule {
    let description = if d.description.is_empty() {
        d.id.clone()
    } else {
        d.description
    };
    Rule {
        id: d.id.into(),
        description: description.into(),
        regex: d.regex.map(LazyRegex::compiled),
        secret_group: secret_group(d.secret_group),
        entropy: d.entropy as f32,
        keywords: d.keywords.into_iter().map(Into::into).collect(),
        path: d.path,
        allowlists: d.allowlists,
        filter: Filter::None,
        span: Span::Blob,
    }
}

/// gitleaks' merge: the fields the draft sets replace the extended rule's; keywords and
/// allowlists add up. A replaced regex runs on the whole file, unfiltered, as config rules do.
fn merge_onto(d: Draft, rule: &mut Rule) {
    if !d.description.is_empty() {
        rule.description = d.description.into();
    }
    if d.entropy != 0.0 {
        rule.entropy = d.entropy as f32;
    }
    if d.secret_group != 0 {
        rule.secret_group = secret_group(d.secret_group);
    }
    if let Some(re) = d.regex {
        rule.regex = Some(LazyRegex::compiled(re));
        rule.span = Span::Blob;
        rule.filter = Filter::None;
    }
    if d.path.is_some() {
        rule.path = d.path;
    }
    rule.keywords.extend(d.keywords.into_iter().map(Into::into));
    rule.allowlists.extend(d.allowlists);
}
