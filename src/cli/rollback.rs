//! `gitcoord rollback W [--yes]`: every branch snapshotted as wave W opened goes back to
//! its snapshot. Never touches uncommitted work; without `--yes` it only says what it would do.

use clap::Args;
use serde::Serialize;

use super::{CliError, Ctx, ErrorKind, Outcome};
use crate::git::snapshots::SNAPSHOTS;

/// Arguments of `rollback`.
#[derive(Args, Debug)]
pub struct RollbackArgs {
    /// The wave whose snapshot to go back to.
    pub wave: String,
    /// Do it (without: only print what would move).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Serialize)]
struct Move {
    name: String,
    branch: String,
    from: Option<String>,
    to: String,
    worktree: Option<String>,
}

/// Moves the snapshotted branches of a wave back, or says what it would move.
pub fn run(ctx: &mut Ctx, args: RollbackArgs) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let state = &snapshot.state;
    let repo = ctx.repo()?;
    let (integration, _) = super::integration::resolve(repo, state, "origin");
    let mut names: Vec<(String, String)> = state
        .agents
        .iter()
        .map(|(id, a)| (id.clone(), a.branch.clone()))
        .collect();
    names.push(("integration".to_owned(), integration));
    let checkouts = repo.checkouts()?;
    let mut moves = Vec::new();
    for (name, branch) in names {
        let Some(to) = repo.ref_commit(&format!("{SNAPSHOTS}/{}/{name}", args.wave)) else {
            continue;
        };
        let from = repo.local_branch_tip(&branch);
        if from == Some(to) {
            continue;
        }
        // A worktree whose directory is gone (`git worktree prune` would drop it) has no
        // files to follow: its branch moves as a ref.
        let worktree = checkouts
            .iter()
            .find(|c| c.branch.as_deref() == Some(branch.as_str()) && c.root.is_dir())
            .map(|c| c.root.display().to_string());
        moves.push(Move {
            name,
            branch,
            from: from.map(|f| f.to_string()),
            to: to.to_string(),
            worktree,
        });
    }
    let any_snapshot = repo
        .ref_commit(&format!("{SNAPSHOTS}/{}/integration", args.wave))
        .is_some()
        || state.agents.keys().any(|id| {
            repo.ref_commit(&format!("{SNAPSHOTS}/{}/{id}", args.wave))
                .is_some()
        });
    if !any_snapshot {
        return Err(CliError::usage(
            format!("wave '{}' has no snapshot", args.wave),
            "snapshots are taken as a wave opens; see `gitcoord wave list` and `git for-each-ref refs/gitcoord/snapshots`",
        ));
    }
    let missing: Vec<&str> = names_without_snapshot(repo, state, &args.wave);
    // Uncommitted work is never touched: one dirty worktree, or one that cannot move (an
    // untracked file in the way), stops the whole rollback before anything moves.
    for m in &moves {
        if let Some(root) = &m.worktree {
            if crate::git::Repo::is_dirty(std::path::Path::new(root))? {
                return Err(CliError::refused(
                    format!(
                        "{root} has uncommitted changes on {}; nothing was moved",
                        m.branch
                    ),
                    format!(
                        "commit or stash them there (`git -C {} stash`), then run the rollback again",
                        crate::model::text::shell_word(root)
                    ),
                ));
            }
            if let Some(why) =
                crate::git::Repo::cannot_move_checkout(std::path::Path::new(root), &m.to)?
            {
                return Err(CliError::refused(
                    format!(
                        "{root} cannot go back to the snapshot of {}: {why}; nothing was moved",
                        m.branch
                    ),
                    "move or remove what is in the way there, then run the rollback again",
                ));
            }
        }
    }
    if args.yes {
        for m in &moves {
            let from = m.from.clone().unwrap_or_else(|| "0".repeat(40));
            let full_from = repo
                .local_branch_tip(&m.branch)
                .map(|f| f.to_string())
                .unwrap_or(from);
            repo.move_branch(&m.branch, &full_from, &m.to, m.worktree.as_deref().map(std::path::Path::new))
                .map_err(|e| {
                    CliError::new(ErrorKind::Invalid, e)
                        .hint("the branches moved before this one stay moved; run the rollback again once it is fixed")
                })?;
        }
    }
    let yes = args.yes;
    let wave = args.wave.clone();
    ctx.ui.emit(&moves, |out| {
        if moves.is_empty() {
            writeln!(out, "every branch is at its snapshot of wave {wave}")?;
        }
        let verb = if yes { "moved" } else { "would move" };
        for m in &moves {
            writeln!(
                out,
                "{verb} {} ({}) from {} to {}{}",
                m.branch,
                m.name,
                m.from
                    .as_deref()
                    .map_or("nothing", |f| f.get(..10).unwrap_or(f)),
                m.to.get(..10).unwrap_or(&m.to),
                m.worktree
                    .as_ref()
                    .map(|w| format!(", in {w}"))
                    .unwrap_or_default()
            )?;
        }
        if !missing.is_empty() {
            writeln!(
                out,
                "no snapshot of wave {wave} for: {} (their branches stay where they are)",
                missing.join(", ")
            )?;
        }
        if !yes && !moves.is_empty() {
            writeln!(out, "run `gitcoord rollback {wave} --yes` to do it")?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}

/// The agents with a branch here but no snapshot of `wave` (registered after it opened, or
/// a snapshot a killed process never wrote).
fn names_without_snapshot<'s>(
    repo: &crate::git::Repo,
    state: &'s crate::model::State,
    wave: &str,
) -> Vec<&'s str> {
    state
        .agents
        .iter()
        .filter(|(_, a)| repo.local_branch_tip(&a.branch).is_some())
        .filter(|(id, _)| {
            repo.ref_commit(&format!("{SNAPSHOTS}/{wave}/{id}"))
                .is_none()
        })
        .map(|(id, _)| id.as_str())
        .collect()
}
