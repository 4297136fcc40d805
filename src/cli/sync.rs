//! `gitcoord sync [--remote NAME]`: the state with a git remote, converging with no lost
//! operation; and what strict mode and the hooks share (which remote, which mode, how long
//! a hook waits for the remote). See `docs/distributed.md`.

use std::io::Write;
use std::time::Duration;

use clap::Args;

use super::{CliError, Ctx, Outcome};
use crate::git::sync::{How, Report};
use crate::model::State;
use crate::model::state::{SYNC_MODES, SYNC_STRICT};

/// How long a hook waits for the remote in strict mode, unless `gitcoord.syncTimeout` says.
const HOOK_BUDGET: Duration = Duration::from_secs(2);

/// Arguments of `sync`.
#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The remote (default: `git config gitcoord.remote`, else `origin`).
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
}

/// Runs `sync`: exit 1 when a local operation was dropped, 2 when the remote is out of reach.
pub fn run(ctx: &mut Ctx, args: SyncArgs) -> Result<Outcome, CliError> {
    let remote = remote(ctx, args.remote)?;
    let mut report = ctx.repo()?.sync(&remote)?;
    if ctx.site()?.is_none() {
        report.joined = Some(join(ctx, &remote)?);
    }
    ctx.ui.emit(&report, |out| print(out, &report))?;
    Ok(Outcome::found(!report.dropped.is_empty()))
}

/// Joins the state as a new site, published on `remote` before it counts (so no two clones
/// get one tag), and keeps the tag in this clone's config.
fn join(ctx: &Ctx, remote: &str) -> Result<String, CliError> {
    let repo = ctx.repo()?;
    let state = repo.read_state_in(&crate::model::shard::Scope::core())?;
    let (actor, _) = ctx.actor(state.as_ref().map(|s| &s.state))?;
    let record = crate::model::Record {
        op: crate::model::Op::SiteJoin,
        actor,
        at: ctx.now()?,
        site: None,
    };
    let (applied, _) = repo.update_strict(remote, &record)?;
    let tag = applied.id.unwrap_or_default();
    repo.set_local_config(super::ctx::SITE_KEY, Some(&tag))?;
    Ok(tag)
}

/// The remote to sync with: the flag, else `gitcoord.remote`, else `origin`.
pub fn remote(ctx: &Ctx, flag: Option<String>) -> Result<String, CliError> {
    let name = match flag {
        Some(name) => name,
        None => ctx
            .repo()?
            .config_string("gitcoord.remote")
            .unwrap_or_else(|| "origin".to_owned()),
    };
    if name.starts_with('-') || !ctx.repo()?.has_remote(&name) {
        return Err(crate::git::sync::Error::NoRemote(name).into());
    }
    Ok(name)
}

/// The remote exclusive operations must reach first, when strict mode is on.
pub fn strict_remote(ctx: &Ctx, state: Option<&State>) -> Result<Option<String>, CliError> {
    if !strict(ctx, state)? {
        return Ok(None);
    }
    remote(ctx, None).map(Some)
}

/// Whether strict mode is on: `git config gitcoord.sync strict`, or else the plan's
/// `sync = "strict"`.
pub fn strict(ctx: &Ctx, state: Option<&State>) -> Result<bool, CliError> {
    match ctx.repo()?.config_string("gitcoord.sync").as_deref() {
        Some(SYNC_STRICT) => Ok(true),
        Some(mode) if SYNC_MODES.contains(&mode) => Ok(false),
        Some(other) => Err(CliError::usage(
            format!("gitcoord.sync is '{other}', which is not a sync mode"),
            "set it to `strict` or `default` (`git config gitcoord.sync strict`)",
        )),
        None => Ok(state.is_some_and(State::strict_sync)),
    }
}

/// How long a hook waits for the remote (`gitcoord.syncTimeout`, e.g. `500ms` or `5s`).
pub fn hook_budget(ctx: &Ctx) -> Result<Duration, CliError> {
    let Some(text) = ctx.repo()?.config_string("gitcoord.syncTimeout") else {
        return Ok(HOOK_BUDGET);
    };
    crate::model::time::parse_duration(&text)
        .ok()
        .and_then(|d| Duration::try_from(d).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            CliError::usage(
                format!("gitcoord.syncTimeout is '{text}', which is not a duration"),
                "set a duration such as 2s or 500ms (`git config gitcoord.syncTimeout 2s`)",
            )
        })
}

/// In strict mode, brings the local state up to the remote's before a hook judges, within
/// the hook's time budget. Never fails the hook: what stops the refresh (the remote out of
/// reach or missing, a bad setting) is said on stderr, and the local copy is judged.
pub fn refresh_for_hook(ctx: &mut Ctx) {
    let refreshed = (|| -> Result<(), CliError> {
        let state = ctx
            .repo()?
            .read_state_in(&crate::model::shard::Scope::core())?;
        let Some(remote) = strict_remote(ctx, state.as_ref().map(|s| &s.state))? else {
            return Ok(());
        };
        let budget = hook_budget(ctx)?;
        ctx.repo()?.refresh_from(&remote, budget)?;
        Ok(())
    })();
    if let Err(e) = refreshed {
        ctx.ui.note(&format!(
            "gitcoord: strict sync: {}; judging against the local copy of the state",
            e.lines().join(": ")
        ));
    }
}

/// The report in text: one line for what happened, then each dropped operation, renamed
/// id and replaced memory entry.
pub fn print(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    let short = &report.state[..report.state.len().min(10)];
    let remote = &report.remote;
    match report.how {
        How::UpToDate => writeln!(out, "up to date with {remote} (state {short})")?,
        How::Pulled => writeln!(
            out,
            "pulled {} operation(s) from {remote} (state {short})",
            report.pulled
        )?,
        How::Pushed => writeln!(
            out,
            "pushed {} operation(s) to {remote} (state {short})",
            report.pushed
        )?,
        How::Replayed => writeln!(
            out,
            "replayed {} local operation(s) on top of {} new on {remote}, and pushed (state {short})",
            report.pushed, report.pulled
        )?,
    }
    for d in &report.dropped {
        writeln!(out, "dropped: {} — {}", d.summary, d.reason)?;
    }
    for r in &report.renamed {
        writeln!(
            out,
            "renamed: {} is now {} ({remote} had given {} first)",
            r.from, r.to, r.from
        )?;
    }
    for r in &report.replaced {
        match &r.by {
            Some(by) => writeln!(out, "memory {}: this write replaced {by}'s", r.key)?,
            None => writeln!(
                out,
                "memory {}: written again after {remote} removed it",
                r.key
            )?,
        }
    }
    if let Some(site) = &report.joined {
        writeln!(
            out,
            "this clone joined the state as site {site}: the ids it gives out end in {site} (e.g. m1{site})"
        )?;
    }
    if !report.dropped.is_empty() {
        writeln!(
            out,
            "{} local operation(s) no longer applied on {remote}'s state and were dropped",
            report.dropped.len()
        )?;
    }
    Ok(())
}
