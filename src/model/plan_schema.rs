//! The shape a plan file must have: every key with its type and whether it is required,
//! and the walk over spanned TOML that reports what does not fit (unknown keys, wrong
//! types, missing keys) and keeps what does, so the checks on references still run.

use toml::de::{DeArray, DeTable, DeValue};

use super::plan::PLAN_VERSION;
use super::plan_check::Places;

/// The type a key's value must have.
#[derive(Clone, Copy)]
pub(super) enum Ty {
    Str,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A whole number in this range.
    Int(i64, i64),
    Bool,
    Strs,
    /// Whole numbers in this range.
    Ints(i64, i64),
    Table(&'static [Field]),
    Tables(&'static [Field]),
    /// Any key, each a string (`[authority]`).
    StrMap,
}

impl Ty {
    fn expected(self) -> String {
        match self {
            Ty::Str => "a string".into(),
            Ty::OneOf(names) => format!("one of {}", quoted(names)),
            Ty::Int(min, max) => format!("a whole number from {min} to {max}"),
            Ty::Bool => "true or false".into(),
            Ty::Strs => "an array of strings".into(),
            Ty::Ints(min, max) => format!("an array of whole numbers from {min} to {max}"),
            Ty::Table(_) => "a table".into(),
            Ty::Tables(_) => "an array of tables".into(),
            Ty::StrMap => "a table of strings".into(),
        }
    }
}

fn quoted(names: &[&str]) -> String {
    let each: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    each.join(", ")
}

/// The largest value of an integer key read as `u32`.
const U32: i64 = u32::MAX as i64;
/// The modes of a wave, as `WaveMode` reads them.
pub(super) const WAVE_MODES: &[&str] = &["sequential", "parallel"];

/// One key of a table: its name, type and whether it must be there.
pub(super) struct Field(&'static str, Ty, bool);

const SETTINGS: &[Field] = &[
    Field("integration_branch", Ty::Str, false),
    Field("lock_ttl", Ty::Str, false),
    Field("stale_after", Ty::Str, false),
    Field("response_deadline", Ty::Str, false),
    Field("enforce_waves", Ty::Bool, false),
    Field("sync", Ty::OneOf(crate::model::state::SYNC_MODES), false),
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
    Field("ports", Ty::Ints(0, u16::MAX as i64), false),
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
    // 1 is the most urgent.
    Field("priority", Ty::Int(1, U32), false),
    Field("due", Ty::Str, false),
    Field("expertise", Ty::Str, false),
    Field("deliverables", Ty::Strs, false),
    Field("checks", Ty::Strs, false),
];
const WAVE: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("mode", Ty::OneOf(WAVE_MODES), false),
    Field("checks", Ty::Strs, false),
];
const CHECK: &[Field] = &[
    Field("id", Ty::Str, true),
    Field("run", Ty::Str, false),
    Field("builtin", Ty::Str, false),
    Field("max", Ty::Int(0, U32), false),
    Field("timeout", Ty::Str, false),
];
pub(super) const TOP: &[Field] = &[
    Field("version", Ty::Int(0, U32), true),
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
                Ty::Int(..) => toml::Value::Integer(i64::from(PLAN_VERSION)),
                _ => toml::Value::String(MISSING.to_owned()),
            };
            clean.insert((*name).to_owned(), stand_in);
        }
    }
    clean
}

/// The value of a TOML integer (`-5`, `1_000`, `0xff`, `0o17`, `0b101`), if it fits an `i64`.
fn integer(value: &DeValue<'_>) -> Option<i64> {
    let int = value.as_integer()?;
    // The parser hands the digits without prefix or underscores, sign included, in `radix`.
    i64::from_str_radix(int.as_str(), int.radix()).ok()
}

fn string(value: &DeValue<'_>) -> Option<toml::Value> {
    value.as_str().map(|s| toml::Value::String(s.to_owned()))
}

/// The items of an array of strings or of whole numbers that fit, each that does not
/// reported at its own place.
fn array(items: &DeArray<'_>, ty: Ty, path: &str, places: &mut Places<'_>) -> toml::Value {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let here = format!("{path}[{i}]");
        places.spans.insert(here.clone(), item.span());
        let (fit, expected) = match ty {
            Ty::Ints(min, max) => (
                integer(item.get_ref())
                    .filter(|n| (min..=max).contains(n))
                    .map(toml::Value::Integer),
                Ty::Int(min, max).expected(),
            ),
            _ => (string(item.get_ref()), Ty::Str.expected()),
        };
        match fit {
            Some(v) => out.push(v),
            None => places.at(item.span().start, format!("'{here}' must be {expected}")),
        }
    }
    toml::Value::Array(out)
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
    match (ty, value) {
        (Ty::Str, DeValue::String(_)) => string(value),
        (Ty::OneOf(names), DeValue::String(_))
            if value.as_str().is_some_and(|s| names.contains(&s)) =>
        {
            string(value)
        }
        (Ty::Bool, DeValue::Boolean(b)) => Some(toml::Value::Boolean(*b)),
        (Ty::Int(min, max), DeValue::Integer(_)) => integer(value)
            .filter(|n| (min..=max).contains(n))
            .map(toml::Value::Integer)
            .or_else(|| wrong(places)),
        (Ty::Strs | Ty::Ints(..), DeValue::Array(items)) => Some(array(items, ty, path, places)),
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
