//! `gitcoord lock`, `unlock` and `locks`: file locks, first lock wins.

use clap::Args;
use serde::Serialize;

use super::{CliError, Ctx, Outcome, paths, report_applied};
use crate::model::{Lock, Op, lock::DEFAULT_LOCK_TTL, time};

/// Arguments of `lock`.
#[derive(Args, Debug)]
pub struct LockArgs {
    /// Files, directories or globs, relative to where you stand.
    #[arg(required = true, value_name = "PATH_OR_GLOB")]
    pub paths: Vec<String>,
    /// Why you hold it (shown to whoever is blocked).
    #[arg(long)]
    pub reason: Option<String>,
    /// How long the lock lives without renewal, e.g. 10m, 2h (default 30m).
    #[arg(long, value_name = "DUR")]
    pub ttl: Option<String>,
    /// Lock inside another agent's `owns`, or your own `deny` (coordinator agents and
    /// unbound users only).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `unlock`.
#[derive(Args, Debug)]
pub struct UnlockArgs {
    /// Locked patterns to release (a glob releases every lock it matches).
    #[arg(required = true, value_name = "PATH_OR_GLOB")]
    pub paths: Vec<String>,
    /// Release locks held by others (coordinator agents and unbound users only).
    #[arg(long)]
    pub force: bool,
}

fn patterns(ctx: &Ctx, raw: &[String]) -> Result<Vec<String>, CliError> {
    let repo = ctx.repo()?;
    raw.iter()
        .map(|p| paths::repo_pattern(repo, ctx.cwd(), p))
        .collect()
}

/// Takes the locks, all or none.
pub fn run_lock(ctx: &mut Ctx, args: LockArgs) -> Result<Outcome, CliError> {
    let ttl = match &args.ttl {
        Some(text) => {
            time::parse_duration(text).map_err(|m| CliError::usage(m, "e.g. --ttl 45m"))?
        }
        // The plan's default, read from the core state (cached, cheap).
        None => ctx
            .repo()?
            .read_state_in(&crate::model::shard::Scope::core())?
            .map_or(DEFAULT_LOCK_TTL, |s| s.state.lock_ttl()),
    };
    let patterns = patterns(ctx, &args.paths)?;
    let applied = ctx.run_op(Op::Lock {
        patterns,
        reason: args.reason,
        ttl_secs: ttl.as_secs(),
        force: args.force,
    })?;
    report_applied(ctx, &applied)
}

/// Releases locks.
pub fn run_unlock(ctx: &mut Ctx, args: UnlockArgs) -> Result<Outcome, CliError> {
    let patterns = patterns(ctx, &args.paths)?;
    let applied = ctx.run_op(Op::Unlock {
        patterns,
        force: args.force,
    })?;
    report_applied(ctx, &applied)
}

/// A lock as listed, with its remaining time.
#[derive(Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    lock: &'a Lock,
    expires_in_secs: i64,
}

/// Lists the live locks.
pub fn run_locks(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let now = ctx.now()?;
    let live: Vec<Listed> = snapshot
        .state
        .live_locks(now)
        .into_iter()
        .map(|lock| Listed {
            lock,
            expires_in_secs: lock.expires.duration_since(now).as_secs(),
        })
        .collect();
    ctx.ui.emit(&live, |out| {
        if live.is_empty() {
            return writeln!(out, "no live locks");
        }
        for l in &live {
            writeln!(
                out,
                "{}  {}  {}, expires in {}{}",
                l.lock.pattern,
                l.lock.holder,
                time::ago(l.lock.acquired, now),
                time::format_duration(jiff::SignedDuration::from_secs(l.expires_in_secs)),
                l.lock
                    .reason
                    .as_ref()
                    .map(|r| format!("  ({r})"))
                    .unwrap_or_default()
            )?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}
