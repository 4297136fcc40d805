//! gitcoord's built-in rules, written from the published formats of each credential, one file per family.
//!
//! Every row carries a line it must report and a look-alike line it must not; the table test
//! in `secrets::tests` runs both for every rule.

mod ai;
mod business;
mod chat;
mod cloud;
mod generic;
mod keys;
mod observability;
mod payment;
mod productivity;
mod registry;
mod vcs;

use super::rule::{Rule, RuleDef};

/// All built-in rule rows, family by family.
pub fn table() -> impl Iterator<Item = &'static RuleDef> {
    [
        cloud::RULES,
        vcs::RULES,
        chat::RULES,
        payment::RULES,
        registry::RULES,
        keys::RULES,
        ai::RULES,
        observability::RULES,
        productivity::RULES,
        business::RULES,
        generic::RULES,
    ]
    .into_iter()
    .flatten()
}

/// The built-in rules, ready to run.
pub fn builtin_rules() -> Vec<Rule> {
    table().map(Rule::from_def).collect()
}
