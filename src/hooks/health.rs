//! Whether the hooks gitcoord installed still run it: a hook manager's own install (or any
//! other tool) can move or overwrite a shim, and enforcement must never be off silently.
//! Cheap enough for every command: the configuration gix has read, and a few small files.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::install::{CHAINED, MARKER, is_executable};
use super::managers::{Manager, is_framework, is_lefthook};
use crate::git::Repo;

/// The git config key `install` records the hooks it made run gitcoord in
/// (`pre-commit,pre-merge-commit,pre-push`); `uninstall` removes it.
pub const RECORD_KEY: &str = "gitcoord.hooks";

/// The file, under the common git dir, that holds when the last warning was printed.
const WARNED: &str = "gitcoord/warned-hooks";

/// How often at most every command repeats the warning.
const WARN_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// Enforcement that is off: hooks that should run gitcoord and do not.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Off {
    /// The hooks that no longer run gitcoord.
    pub hooks: Vec<String>,
    /// What happened to them.
    pub why: String,
    /// The one command that fixes it.
    pub fix: String,
}

impl Off {
    /// The warning every command prints: what is off, why, and the fix.
    pub fn warning(&self) -> String {
        format!(
            "warning: gitcoord's checks are OFF for {}: {}\n  next: {}",
            self.hooks.join(", "),
            self.why,
            self.fix
        )
    }
}

/// The hooks directory git uses, from the configuration alone (no git process).
pub fn hooks_dir(repo: &Repo) -> PathBuf {
    match repo.config_string("core.hooksPath") {
        Some(p) if Path::new(&p).is_absolute() => PathBuf::from(p),
        Some(p) => match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
            (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
            _ => repo.workdir().join(p),
        },
        None => repo.common_dir().join("hooks"),
    }
}

/// The hooks `install` made run gitcoord that no longer do; `None` when all still do, or
/// when gitcoord's hooks were never installed here.
pub fn check(repo: &Repo) -> Option<Off> {
    let recorded = repo.config_string(RECORD_KEY)?;
    check_in(repo.workdir(), &hooks_dir(repo), &recorded)
}

/// [`check`] for the worktree at `root` whose hooks run from `dir`.
pub fn check_in(root: &Path, dir: &Path, recorded: &str) -> Option<Off> {
    let mut off: Option<Off> = None;
    for hook in recorded.split(',').map(str::trim).filter(|h| !h.is_empty()) {
        let Some((why, fix)) = judge(root, dir, hook) else {
            continue;
        };
        match &mut off {
            Some(o) => o.hooks.push(hook.to_owned()),
            None => {
                off = Some(Off {
                    hooks: vec![hook.to_owned()],
                    why,
                    fix,
                });
            }
        }
    }
    off
}

/// Why `hook` in `dir` does not run gitcoord, and the fix; `None` when it does.
fn judge(root: &Path, dir: &Path, hook: &str) -> Option<(String, String)> {
    let path = dir.join(hook);
    if dir.components().any(|c| c.as_os_str() == ".husky") {
        return (!Manager::Husky.runs(root, hook)).then(|| {
            (
                format!("husky runs .husky/{hook}, which does not call `gitcoord hook`"),
                Manager::Husky.fix(),
            )
        });
    }
    let Ok(text) = fs::read_to_string(&path) else {
        return Some((
            format!("{} is gone", path.display()),
            "gitcoord install".to_owned(),
        ));
    };
    if text.contains(MARKER) || text.contains("gitcoord hook") {
        return (!is_executable(&path)).then(|| {
            (
                format!("{} is not executable, so git skips it", path.display()),
                "gitcoord install --force".to_owned(),
            )
        });
    }
    if is_lefthook(&text) {
        return (!Manager::Lefthook.runs(root, hook)).then(|| {
            (
                format!("lefthook's install replaced gitcoord's {hook} hook (kept as {hook}.old, which lefthook does not run), and lefthook's configuration does not run gitcoord"),
                Manager::Lefthook.fix(),
            )
        });
    }
    if is_framework(&text) {
        let legacy = dir.join(format!("{hook}.legacy"));
        let chained = fs::read_to_string(dir.join(format!("{hook}{CHAINED}")));
        if is_shim(&legacy) && chained.is_ok_and(|t| is_framework(&t)) {
            return Some((
                format!(
                    "the pre-commit framework runs gitcoord's shim ({hook}.legacy) in migration mode, and the shim runs the framework again, which fails every commit"
                ),
                Manager::PreCommit.fix(),
            ));
        }
        return (!is_shim(&legacy) && !Manager::PreCommit.runs(root, hook)).then(|| {
            (
                format!("the pre-commit framework's install replaced gitcoord's {hook} hook, and .pre-commit-config.yaml does not run gitcoord"),
                Manager::PreCommit.fix(),
            )
        });
    }
    Some((
        format!(
            "{} was replaced by a hook that does not call `gitcoord hook`",
            path.display()
        ),
        "gitcoord install   # keeps that hook and runs it first".to_owned(),
    ))
}

fn is_shim(path: &Path) -> bool {
    super::install::is_shim(path)
}

/// Whether the every-command warning is due: not printed within the last hour (by the
/// clock `now`). One small file read.
pub fn warning_due(common_dir: &Path, now: jiff::Timestamp) -> bool {
    let last = fs::read_to_string(common_dir.join(WARNED))
        .ok()
        .and_then(|t| t.trim().parse::<jiff::Timestamp>().ok());
    last.is_none_or(|t| now.duration_since(t) >= WARN_EVERY || t > now)
}

/// Notes that the warning was printed at `now`; a failure only means it is printed again.
pub fn warned(common_dir: &Path, now: jiff::Timestamp) {
    let path = common_dir.join(WARNED);
    if let Some(dir) = path.parent() {
        let _ = fs::create_dir_all(dir);
    }
    let _ = fs::write(path, format!("{now}\n"));
}
