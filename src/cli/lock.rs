//! `gitcoord lock`, `unlock` and `locks`: file locks, first lock wins.

use clap::Args;
use serde::Serialize;

use jiff::Timestamp;

use super::table::{self, Align, Table};
use super::{CliError, Ctx, Outcome, paths, report_applied};
use crate::model::{Lock, Op, glob, lock::DEFAULT_LOCK_TTL, time};

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

/// Arguments of `locks`: filters, which combine (a lock is listed when it passes each).
#[derive(Args, Debug)]
pub struct LocksArgs {
    /// Only the acting identity's locks (with `--agent ID`: that agent's).
    #[arg(long)]
    pub mine: bool,
    /// Only the locks this agent (or `user:NAME`) holds.
    #[arg(long, value_name = "ID")]
    pub holder: Option<String>,
    /// Only the locks that cover PATH or lie under it (a file, directory or glob, relative
    /// to where you stand, as `lock` takes it).
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
}

/// A lock as listed, with its remaining time.
#[derive(Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    lock: &'a Lock,
    expires_in_secs: i64,
}

/// What `locks` keeps: a holder and patterns a lock must overlap, each if asked for.
struct Filter {
    holders: Vec<String>,
    patterns: Vec<String>,
}

impl Filter {
    fn new(ctx: &Ctx, args: &LocksArgs, state: &crate::model::State) -> Result<Filter, CliError> {
        let mut holders: Vec<String> = args.holder.iter().cloned().collect();
        if args.mine {
            holders.push(ctx.actor(Some(state))?.0.label());
        }
        let patterns = match &args.path {
            None => Vec::new(),
            Some(raw) => {
                let pattern = paths::repo_pattern(ctx.repo()?, ctx.cwd(), raw)?;
                // A path that is no directory here may still be one in another worktree:
                // the locks under it count too.
                let literal = !pattern.contains(['*', '?', '[', '\\']);
                let under = literal.then(|| format!("{pattern}/**"));
                std::iter::once(pattern).chain(under).collect()
            }
        };
        Ok(Filter { holders, patterns })
    }

    fn keeps(&self, lock: &Lock) -> bool {
        self.holders.iter().all(|h| &lock.holder == h)
            && (self.patterns.is_empty()
                || self.patterns.iter().any(|p| {
                    glob::may_overlap(&lock.pattern, p) && glob::overlaps(&lock.pattern, p)
                }))
    }

    fn is_empty(&self) -> bool {
        self.holders.is_empty() && self.patterns.is_empty()
    }
}

/// Lists the live locks that pass the filters.
pub fn run_locks(ctx: &mut Ctx, args: LocksArgs) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let now = ctx.now()?;
    let filter = Filter::new(ctx, &args, &snapshot.state)?;
    let all = snapshot.state.live_locks(now);
    let total = all.len();
    let live: Vec<Listed> = all
        .into_iter()
        .filter(|lock| filter.keeps(lock))
        .map(|lock| Listed {
            lock,
            expires_in_secs: lock.expires.duration_since(now).as_secs(),
        })
        .collect();
    ctx.ui.emit(&live, |out| {
        if live.is_empty() && filter.is_empty() {
            return writeln!(out, "no live locks");
        }
        if live.is_empty() {
            return writeln!(
                out,
                "no live locks match ({total} live in all; `gitcoord locks` lists them)"
            );
        }
        let locks: Vec<&Lock> = live.iter().map(|l| l.lock).collect();
        table(&locks, now).write(out, "", table::output_width())
    })?;
    Ok(Outcome::Clean)
}

/// The locks as a table: pattern, holder, when taken, when they expire, and why.
pub fn table(locks: &[&Lock], now: Timestamp) -> Table {
    let mut t = Table::new(&[
        ("PATH", Align::Left),
        ("HOLDER", Align::Left),
        ("LOCKED", Align::Left),
        ("EXPIRES", Align::Left),
        ("REASON", Align::Left),
    ]);
    for l in locks {
        t.row(vec![
            l.pattern.clone(),
            l.holder.clone(),
            time::ago(l.acquired, now),
            format!(
                "in {}",
                time::format_duration(l.expires.duration_since(now))
            ),
            l.reason.clone().unwrap_or_default(),
        ]);
    }
    t
}
