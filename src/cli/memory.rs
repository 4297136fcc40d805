//! `gitcoord memory set|get|list|rm`: the shared key-value memory, `area/topic` keys, each
//! value with who set it and when.

use clap::Subcommand;
use serde::Serialize;

use super::{CliError, Ctx, Outcome, report_applied};
use crate::model::memory::{Entry, MAX_VALUE};
use crate::model::shard::Scope;
use crate::model::{Op, State, time};

/// `memory` subcommands.
#[derive(Subcommand, Debug)]
pub enum MemoryCommand {
    /// Set KEY (area/topic) to VALUE, or to the text of --file.
    Set {
        /// The key, e.g. api/schema.
        key: String,
        /// The value.
        #[arg(required_unless_present = "file", conflicts_with = "file")]
        value: Option<String>,
        /// Read the value from this file (`-`: standard input).
        #[arg(long, value_name = "FILE")]
        file: Option<std::path::PathBuf>,
    },
    /// Print the value of KEY (exit 1 when it is not set).
    Get {
        /// The key.
        key: String,
    },
    /// The keys (under PREFIX), with who set each and when.
    List {
        /// Only keys starting with this, e.g. api/.
        prefix: Option<String>,
    },
    /// Remove KEY.
    Rm {
        /// The key.
        key: String,
    },
}

#[derive(Serialize)]
struct Shown<'a> {
    key: &'a str,
    #[serde(flatten)]
    entry: &'a Entry,
}

/// Runs a `memory` subcommand.
pub fn run(ctx: &mut Ctx, cmd: MemoryCommand) -> Result<Outcome, CliError> {
    let op = match cmd {
        MemoryCommand::Set { key, value, file } => Op::MemorySet {
            value: match (value, file) {
                (Some(value), _) => value,
                (None, Some(file)) => read_value(ctx, &file)?,
                (None, None) => {
                    return Err(CliError::usage(
                        "memory set needs a value",
                        "pass the value, or --file FILE",
                    ));
                }
            },
            key,
        },
        MemoryCommand::Rm { key } => Op::MemoryRm { key },
        MemoryCommand::Get { key } => return get(ctx, &key),
        MemoryCommand::List { prefix } => return list(ctx, prefix.as_deref()),
    };
    let applied = ctx.run_op(op)?;
    report_applied(ctx, &applied)
}

/// The value in `file` (`-`: standard input), refused over the cap before it is all read.
fn read_value(ctx: &Ctx, file: &std::path::Path) -> Result<String, CliError> {
    let shown = file.display().to_string();
    let mut bytes = Vec::new();
    let limit = (MAX_VALUE + 1) as u64;
    let read = if shown == "-" {
        std::io::Read::read_to_end(
            &mut std::io::Read::take(std::io::stdin(), limit),
            &mut bytes,
        )
    } else {
        std::fs::File::open(ctx.cwd().join(file)).and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, limit), &mut bytes)
        })
    };
    read.map_err(|e| {
        CliError::usage(
            format!("cannot read {shown}: {e}"),
            "pass --file a readable file, or the value itself",
        )
    })?;
    String::from_utf8(bytes).map_err(|_| {
        CliError::usage(
            format!("{shown} is not UTF-8 text"),
            "memory holds text; keep binary files in the repository",
        )
    })
}

fn memory(ctx: &Ctx) -> Result<State, CliError> {
    let snapshot = ctx.repo()?.read_state_in(&Scope::core().with_memory())?;
    Ok(snapshot
        .ok_or_else(|| {
            CliError::usage(
                "this repository has no gitcoord state yet",
                "run `gitcoord init` first",
            )
        })?
        .state)
}

fn get(ctx: &mut Ctx, key: &str) -> Result<Outcome, CliError> {
    crate::model::memory::validate_key(key).map_err(CliError::from)?;
    let state = memory(ctx)?;
    let Some(entry) = state.memory.get(key) else {
        return Err(CliError::from(crate::model::OpError::NoSuchMemory {
            key: key.to_owned(),
        }));
    };
    ctx.ui.emit(&Shown { key, entry }, |out| {
        // The value as set, but never a terminal escape.
        let shown: String = entry
            .value
            .chars()
            .map(|c| {
                if c.is_control() && c != '\n' && c != '\t' {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        write!(out, "{shown}")?;
        if !shown.ends_with('\n') {
            writeln!(out)?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}

fn list(ctx: &mut Ctx, prefix: Option<&str>) -> Result<Outcome, CliError> {
    let state = memory(ctx)?;
    let now = ctx.now()?;
    let shown: Vec<Shown> = state
        .memory
        .iter()
        .filter(|(k, _)| prefix.is_none_or(|p| k.starts_with(p)))
        .map(|(key, entry)| Shown { key, entry })
        .collect();
    ctx.ui.emit(&shown, |out| {
        if shown.is_empty() {
            return writeln!(
                out,
                "memory holds nothing{}",
                prefix.map(|p| format!(" under {p}")).unwrap_or_default()
            );
        }
        for s in &shown {
            let first = s.entry.value.lines().next().unwrap_or_default();
            let mut first = crate::model::text::one_line(first);
            if first.chars().count() > 60 {
                first = first.chars().take(59).collect::<String>() + "…";
            }
            writeln!(
                out,
                "{:<28} {:<14} {:>10}  {first}",
                s.key,
                s.entry.by,
                time::ago(s.entry.at, now)
            )?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}
