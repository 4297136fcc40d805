//! The shape a plan file must have: every key with its type and whether it is required,
//! and the walk over spanned TOML that reports what does not fit (unknown keys, wrong
//! types, missing keys) and keeps what does, so the checks on references still run.

use toml::de::{DeTable, DeValue};

use super::plan::PLAN_VERSION;
use super::plan_check::Places;

/// The type a key's value must have.
#[derive(Clone, Copy)]
pub(super) enum Ty {
    Str,
    Int,
    Bool,
    Strs,
    Ints,
    Table(&'static [Field]),
    Tables(&'static [Field]),
    /// Any key, each a string (`[authority]`).
    StrMap,
}

impl Ty {
    fn expected(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Int => "an integer",
            Ty::Bool => "true or false",
            Ty::Strs => "an array of strings",
            Ty::Ints => "an array of integers",
            Ty::Table(_) => "a table",
            Ty::Tables(_) => "an array of tables",
            Ty::StrMap => "a table of strings",
        }
    }
}

/// One key of a table: its name, type and whether it must be there.
pub(super) struct Field(&'static str, Ty, bool);

const SETTINGS: &[Field] = &[
    Field("integration_branch", Ty::Str, false),
    Field("lock_ttl", Ty::Str, false),
    Field("stale_after", Ty::Str, false),
    Field("response_deadline", Ty::Str, false),
    Field("enforce_waves", Ty::Bool, false),
];
const AGENT: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("branch", Ty::Str, true),
    Field("role", Ty::Str, false),
    Field("expertise", Ty::Strs, false),
    Field("owns", Ty::Strs, false),
    Field("deny", Ty::Strs, false),
    Field("allow", Ty::Strs, false),
    Field("after", Ty::Strs, false),
    Field("coordinator", Ty::Bool, false),
    Field("ports", Ty::Ints, false),
];
const RULE: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("deny_new", Ty::Strs, false),
    Field("files", Ty::Strs, false),
    Field("under", Ty::Strs, false),
    Field("message", Ty::Str, false),
];
const TASK: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("title", Ty::Str, true),
    Field("assign", Ty::Str, false),
    Field("suggest", Ty::Str, false),
    Field("after", Ty::Strs, false),
    Field("wave", Ty::Str, false),
    Field("priority", Ty::Int, false),
    Field("due", Ty::Str, false),
    Field("expertise", Ty::Str, false),
    Field("deliverables", Ty::Strs, false),
    Field("checks", Ty::Strs, false),
];
const WAVE: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("mode", Ty::Str, false),
    Field("checks", Ty::Strs, false),
];
const CHECK: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("run", Ty::Str, false),
    Field("builtin", Ty::Str, false),
    Field("max", Ty::Int, false),
    Field("timeout", Ty::Str, false),
];
pub(super) const TOP: &[Field] = &[
    Field("version", Ty::Int, true),
    Field("settings", Ty::Table(SETTINGS), false),
    Field("agent", Ty::Tables(AGENT), false),
    Field("authority", Ty::StrMap, false),
    Field("rule", Ty::Tables(RULE), false),
    Field("task", Ty::Tables(TASK), false),
    Field("wave", Ty::Tables(WAVE), false),
    Field("check", Ty::Tables(CHECK), false),
];

fn table_name(path: &str) -> String {
    if path.is_empty() {
        "the top level".to_owned()
    } else {
        let bare = path.rsplit_once('[').map_or(path, |(name, _)| name);
        format!("[{bare}]")
    }
}

/// The value that stands in for a required key that is missing, so the rest of the plan is
/// still checked; never reported itself.
pub(super) const MISSING: &str = "\u{0}missing";

/// Walks `table` against `fields`, reporting unknown keys, wrong types and missing keys,
/// and returns the table with only what fits (missing required keys stood in for by
/// [`MISSING`]), so the checks on references run too.
pub(super) fn walk(
    table: &DeTable<'_>,
    fields: &[Field],
    path: &str,
    at: usize,
    places: &mut Places<'_>,
) -> toml::Table {
    let mut clean = toml::Table::new();
    for (key, value) in table {
        let name: &str = key.get_ref();
        let here = if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        places.spans.insert(here.clone(), value.span());
        let Some(Field(_, ty, _)) = fields.iter().find(|f| f.0 == name) else {
            let known: Vec<&str> = fields.iter().map(|f| f.0).collect();
            places.at(
                key.span().start,
                format!(
                    "unknown key '{name}' in {}; expected one of: {}",
                    table_name(path),
                    known.join(", ")
                ),
            );
            continue;
        };
        if let Some(value) = check_type(value.get_ref(), *ty, &here, value.span().start, places) {
            clean.insert(name.to_owned(), value);
        }
    }
    for Field(name, ty, required) in fields {
        if *required && !clean.contains_key(*name) {
            if !table.keys().any(|k| k.get_ref() == name) {
                places.at(
                    at,
                    format!("{} needs '{name}' ({})", table_name(path), ty.expected()),
                );
            }
            let stand_in = match ty {
                Ty::Int => toml::Value::Integer(i64::from(PLAN_VERSION)),
                _ => toml::Value::String(MISSING.to_owned()),
            };
            clean.insert((*name).to_owned(), stand_in);
        }
    }
    clean
}

fn integer(value: &DeValue<'_>) -> Option<i64> {
    let int = value.as_integer()?;
    let digits = int.as_str().replace('_', "");
    let digits = digits.trim_start_matches(['0', 'x', 'o', 'b']);
    if digits.is_empty() {
        return Some(0);
    }
    i64::from_str_radix(digits, int.radix()).ok()
}

/// Checks `value` against `ty`; the value as plain TOML when it fits.
fn check_type(
    value: &DeValue<'_>,
    ty: Ty,
    path: &str,
    at: usize,
    places: &mut Places<'_>,
) -> Option<toml::Value> {
    let wrong = |places: &mut Places<'_>| {
        places.at(at, format!("'{path}' must be {}", ty.expected()));
        None
    };
    let string = |v: &DeValue<'_>| v.as_str().map(|s| toml::Value::String(s.to_owned()));
    match (ty, value) {
        (Ty::Str, DeValue::String(_)) => string(value),
        (Ty::Bool, DeValue::Boolean(b)) => Some(toml::Value::Boolean(*b)),
        (Ty::Int, DeValue::Integer(_)) => match integer(value) {
            Some(n) if (0..=i64::from(u32::MAX)).contains(&n) => Some(toml::Value::Integer(n)),
            _ => {
                places.at(
                    at,
                    format!("'{path}' must be a whole number from 0 to {}", u32::MAX),
                );
                None
            }
        },
        (Ty::Strs | Ty::Ints, DeValue::Array(items)) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                places.spans.insert(format!("{path}[{i}]"), item.span());
                let fit = match ty {
                    Ty::Strs => string(item.get_ref()),
                    _ => integer(item.get_ref())
                        .filter(|n| (0..=i64::from(u16::MAX)).contains(n))
                        .map(toml::Value::Integer),
                };
                match fit {
                    Some(v) => out.push(v),
                    None => return wrong(places),
                }
            }
            Some(toml::Value::Array(out))
        }
        (Ty::Table(fields), DeValue::Table(table)) => {
            Some(toml::Value::Table(walk(table, fields, path, at, places)))
        }
        (Ty::Tables(fields), DeValue::Array(items)) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let item_path = format!("{path}[{i}]");
                places.spans.insert(item_path.clone(), item.span());
                match item.get_ref() {
                    DeValue::Table(table) => out.push(toml::Value::Table(walk(
                        table,
                        fields,
                        &item_path,
                        item.span().start,
                        places,
                    ))),
                    _ => return wrong(places),
                }
            }
            Some(toml::Value::Array(out))
        }
        (Ty::StrMap, DeValue::Table(table)) => {
            let mut out = toml::Table::new();
            for (key, value) in table {
                let here = format!("{path}.{}", key.get_ref());
                places.spans.insert(here.clone(), value.span());
                match string(value.get_ref()) {
                    Some(v) => {
                        out.insert(key.get_ref().to_string(), v);
                    }
                    None => places.at(
                        value.span().start,
                        format!("'{here}' must be an agent id (a string)"),
                    ),
                }
            }
            Some(toml::Value::Table(out))
        }
        _ => wrong(places),
    }
}
