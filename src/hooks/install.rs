//! Installing and removing the hook shims, in the hooks directory git really uses for all
//! worktrees, chaining any hook already there.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::health::RECORD_KEY;
use super::managers::{self, MANAGED_HOOKS, Manager};
use crate::git::Repo;

/// The hooks gitcoord installs.
pub const HOOKS: [&str; 3] = ["pre-commit", "pre-merge-commit", "pre-push"];

/// The line that marks a file as a gitcoord shim.
pub const MARKER: &str = "# gitcoord-shim";

const SHIM: &str = include_str!("../../hooks/shim.sh");

/// The suffix a chained (pre-existing) hook is renamed to.
pub const CHAINED: &str = ".gitcoord-chained";

/// What an install or uninstall did.
#[derive(Serialize, Debug, Default)]
pub struct Report {
    /// The hooks directory.
    pub dir: PathBuf,
    /// Hooks written now.
    pub installed: Vec<String>,
    /// Hooks that were already gitcoord shims (left as they were).
    pub unchanged: Vec<String>,
    /// Pre-existing hooks kept and chained (run first).
    pub chained: Vec<String>,
    /// Hooks removed by uninstall.
    pub removed: Vec<String>,
    /// Chained hooks put back by uninstall.
    pub restored: Vec<String>,
    /// What was done to `core.hooksPath`, if anything.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub hooks_path: Option<String>,
    /// The hook manager that runs the hooks here, and how it runs gitcoord.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub manager: Option<Managed>,
}

/// A hook manager's integration: gitcoord writes no shims where a manager rewrites the
/// hook files; the manager's configuration runs `gitcoord hook` instead.
#[derive(Serialize, Debug)]
pub struct Managed {
    /// Which manager.
    pub manager: Manager,
    /// Its configuration file (husky: its directory).
    pub config: PathBuf,
    /// Whether its configuration runs gitcoord for pre-commit and pre-push.
    pub runs_gitcoord: bool,
    /// The entries to add when it does not (empty when it does).
    pub entries: String,
    /// The files `--write` changed now.
    pub written: Vec<PathBuf>,
    /// What to run next, when something is still to do.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub next: Option<String>,
}

/// The directory a team commits its hooks in, which `install` activates when it finds
/// gitcoord's shims there.
pub const COMMITTED_DIR: &str = ".githooks";

/// Why hooks could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A hook manager's configuration could not be updated.
    #[error(transparent)]
    Config(#[from] super::managers::Error),
    /// git could not say where the hooks directory is, or not set it.
    #[error("cannot find or set the hooks directory")]
    HooksDir(#[source] crate::git::command::Error),
    /// `--hooks-dir` names no directory inside the worktree.
    #[error("'{0}' is not a directory inside the worktree")]
    Outside(String),
    /// Pointing `core.hooksPath` elsewhere would silently stop hooks that run now.
    #[error("{what}; moving the hooks to {dir} would stop them running")]
    WouldDisable {
        /// The hooks that run now, and where.
        what: String,
        /// The directory asked for.
        dir: String,
    },
    /// A hook and the one kept from before gitcoord both exist.
    #[error("both {hook} and {kept} exist")]
    BothKept {
        /// The hook.
        hook: std::path::PathBuf,
        /// The hook kept and chained.
        kept: std::path::PathBuf,
    },
    /// Writing to the hooks directory failed.
    #[error("{context} {}", path.display())]
    Io {
        /// What was being done.
        context: &'static str,
        /// The file or directory.
        path: std::path::PathBuf,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
}

fn io(context: &'static str, path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        context,
        path: path.to_path_buf(),
        source,
    }
}

/// The shim text for one hook.
pub fn shim(hook: &str) -> String {
    SHIM.replace("@HOOK@", hook)
}

/// Whether the file at `path` is a gitcoord shim.
pub fn is_shim(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|t| t.lines().any(|l| l.starts_with(MARKER)))
}

/// Installs the shims; with `force`, rewrites shims already there. Under a hook manager it
/// writes no shim: it says (and with `write`, writes) what makes the manager run gitcoord.
pub fn install(repo: &Repo, force: bool, write: bool) -> Result<Report, Error> {
    let dir = repo.hooks_dir().map_err(Error::HooksDir)?;
    if committed_but_inactive(repo).is_none() {
        if let Some(manager) = managers::detect(repo.workdir(), &dir) {
            let report = managed(repo, &dir, manager, write)?;
            record(repo, &MANAGED_HOOKS)?;
            return Ok(report);
        }
    }
    if let Some(rel) = committed_but_inactive(repo) {
        // A clone of a repository whose team committed the shims: activate them, unless
        // that would stop hooks this clone runs now.
        if !force {
            if let Some(what) = hooks_that_would_stop(repo, &rel)? {
                return Err(Error::WouldDisable { what, dir: rel });
            }
            if let Some(what) = worktrees_without(repo, &rel)? {
                return Err(Error::WouldDisable { what, dir: rel });
            }
        }
        let mut report = Report {
            dir: repo.workdir().join(&rel),
            unchanged: HOOKS.iter().map(|h| (*h).to_owned()).collect(),
            ..Report::default()
        };
        report.hooks_path = activate(repo, &rel)?;
        record(repo, &HOOKS)?;
        return Ok(report);
    }
    fs::create_dir_all(&dir).map_err(|e| io("cannot create", &dir, e))?;
    let report = write_shims(&dir, force)?;
    record(repo, &HOOKS)?;
    Ok(report)
}

/// Records in the repository's config which hooks run gitcoord, so a hook displaced later
/// is noticed ([`super::health`]); a git process only when the record changes.
fn record(repo: &Repo, hooks: &[&str]) -> Result<(), Error> {
    let value = hooks.join(",");
    if repo.config_string(RECORD_KEY).as_deref() == Some(value.as_str()) {
        return Ok(());
    }
    repo.set_local_config(RECORD_KEY, Some(&value))
        .map_err(Error::HooksDir)
}

/// Integrates with `manager`: writes its entries with `write`; once its configuration runs
/// gitcoord, takes gitcoord's own shims out of its way (putting back what they chained),
/// since the manager's install would displace them or, for the pre-commit framework, run
/// them in a loop.
fn managed(repo: &Repo, dir: &Path, manager: Manager, write: bool) -> Result<Report, Error> {
    let root = repo.workdir();
    let written = if write {
        managers::write(repo, manager)?
    } else {
        Vec::new()
    };
    let runs = MANAGED_HOOKS.iter().all(|h| manager.runs(root, h));
    let mut report = Report {
        dir: dir.to_path_buf(),
        ..Report::default()
    };
    if runs && manager != Manager::Husky {
        unshim(dir, &MANAGED_HOOKS, &mut report)?;
    }
    let hooks = MANAGED_HOOKS.join(",");
    let next = if !runs {
        Some(manager.fix())
    } else if super::health::check_in(root, dir, &hooks).is_some() {
        manager.install_command().map(str::to_owned)
    } else {
        None
    };
    report.manager = Some(Managed {
        manager,
        config: manager.config(root),
        runs_gitcoord: runs,
        entries: if runs {
            String::new()
        } else {
            manager.entries()
        },
        written,
        next,
    });
    Ok(report)
}

/// Writes the shims into `dir`, chaining the hooks there; with `force`, rewrites shims.
fn write_shims(dir: &Path, force: bool) -> Result<Report, Error> {
    let mut report = Report {
        dir: dir.to_path_buf(),
        ..Report::default()
    };
    for hook in HOOKS {
        let path = dir.join(hook);
        let chained = dir.join(format!("{hook}{CHAINED}"));
        if path.exists() && is_shim(&path) {
            if !force {
                report.unchanged.push(hook.to_owned());
                continue;
            }
        } else if path.exists() {
            if chained.exists() {
                return Err(Error::BothKept {
                    hook: path.clone(),
                    kept: chained.clone(),
                });
            }
            fs::rename(&path, &chained).map_err(|e| io("cannot keep", &path, e))?;
            report.chained.push(hook.to_owned());
        }
        write_executable(&path, &shim(hook))?;
        report.installed.push(hook.to_owned());
    }
    Ok(report)
}

/// Installs the shims into `rel_dir`, a directory of the worktree that the team commits,
/// and points `core.hooksPath` at it. The shims hold no absolute path and the setting is
/// relative, so every clone and every worktree (each with its own checkout of the
/// directory) runs them once `gitcoord install` has set it there. Hooks that run now from
/// another directory are never silently stopped: without `force` that is refused.
pub fn install_committed(repo: &Repo, rel_dir: &str, force: bool) -> Result<Report, Error> {
    let rel = normalize_dir(rel_dir).ok_or_else(|| Error::Outside(rel_dir.to_owned()))?;
    if !force {
        if let Some(what) = hooks_that_would_stop(repo, &rel)? {
            return Err(Error::WouldDisable { what, dir: rel });
        }
    }
    let dir = repo.workdir().join(&rel);
    fs::create_dir_all(&dir).map_err(|e| io("cannot create", &dir, e))?;
    // Through a symlink the shims would land outside the worktree, uncommitted.
    let inside = fs::canonicalize(&dir).is_ok_and(|d| d.starts_with(repo.workdir()));
    if !inside {
        return Err(Error::Outside(rel_dir.to_owned()));
    }
    let mut report = write_shims(&dir, force)?;
    record(repo, &HOOKS)?;
    if !force {
        if let Some(what) = worktrees_without(repo, &rel)? {
            // The shims are written here, to be committed; the switch waits for them.
            report.hooks_path = Some(format!(
                "core.hooksPath not set: {what}; commit {rel}, check it out there, then run `gitcoord install --hooks-dir {rel}` again (or pass --force)"
            ));
            return Ok(report);
        }
    }
    report.hooks_path = activate(repo, &rel)?;
    Ok(report)
}

/// `rel` as a clean relative path inside the worktree (`./a//b/` → `a/b`), or `None`.
fn normalize_dir(rel: &str) -> Option<String> {
    let parts: Vec<&str> = rel
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    // git expands a leading `~` in core.hooksPath to a home directory.
    let ok = !rel.starts_with(['/', '~'])
        && !parts.is_empty()
        && parts
            .iter()
            .all(|p| *p != ".." && *p != ".git" && !p.contains(['\\', '\n']));
    ok.then(|| parts.join("/"))
}

/// What would stop running if `core.hooksPath` pointed at `rel`: another configured hooks
/// directory, or active hooks (not samples, not gitcoord's shims) in the default one.
fn hooks_that_would_stop(repo: &Repo, rel: &str) -> Result<Option<String>, Error> {
    if let Some(current) = repo.config_string("core.hooksPath") {
        let same = normalize_dir(&current).as_deref() == Some(rel);
        return Ok((!same).then(|| format!("core.hooksPath is '{current}'")));
    }
    let dir = repo.hooks_dir().map_err(Error::HooksDir)?;
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(None);
    };
    let mut active: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_executable(p) && p.extension().is_none_or(|x| x != "sample"))
        .filter(|p| !is_shim(p))
        .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
        .collect();
    active.sort();
    Ok((!active.is_empty()).then(|| {
        format!(
            "{} has hooks of its own ({})",
            dir.display(),
            active.join(", ")
        )
    }))
}

/// Whether git would run the file at `path` as a hook.
pub(crate) fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// The other worktrees whose checkout has no gitcoord shims in `rel`: git would run no
/// hook there once `core.hooksPath` (shared by all worktrees) points at `rel`.
fn worktrees_without(repo: &Repo, rel: &str) -> Result<Option<String>, Error> {
    let mut without: Vec<String> = repo
        .worktree_roots()
        .map_err(Error::HooksDir)?
        .into_iter()
        .filter(|root| {
            fs::canonicalize(root).map_or(true, |r| r != repo.workdir())
                && !HOOKS.iter().any(|h| is_shim(&root.join(rel).join(h)))
        })
        .map(|root| root.display().to_string())
        .collect();
    without.sort();
    Ok((!without.is_empty()).then(|| {
        format!(
            "the worktrees {} have no {rel} with gitcoord's shims checked out",
            without.join(", ")
        )
    }))
}

/// Points `core.hooksPath` at `rel` unless it already is; says what was done.
fn activate(repo: &Repo, rel: &str) -> Result<Option<String>, Error> {
    if repo.config_string("core.hooksPath").as_deref() == Some(rel) {
        return Ok(None);
    }
    repo.set_local_config("core.hooksPath", Some(rel))
        .map_err(Error::HooksDir)?;
    Ok(Some(format!("set core.hooksPath to {rel}")))
}

/// The committed hooks directory of this worktree when it holds gitcoord's shims but git
/// does not run it (a fresh clone: `core.hooksPath` is not shared by clones).
pub fn committed_but_inactive(repo: &Repo) -> Option<String> {
    let dir = repo.workdir().join(COMMITTED_DIR);
    let has_shims = HOOKS.iter().any(|h| is_shim(&dir.join(h)));
    let active = repo.config_string("core.hooksPath").is_some();
    (has_shims && !active).then(|| COMMITTED_DIR.to_owned())
}

/// Removes the shims and restores chained hooks.
pub fn uninstall(repo: &Repo) -> Result<Report, Error> {
    let dir = repo.hooks_dir().map_err(Error::HooksDir)?;
    let committed = repo
        .config_string("core.hooksPath")
        .and_then(|p| normalize_dir(&p))
        .filter(|rel| {
            HOOKS
                .iter()
                .any(|h| is_shim(&repo.workdir().join(rel).join(h)))
        });
    if let Some(rel) = committed {
        // The team's committed shims stay in the tree; only this clone stops running them.
        repo.set_local_config("core.hooksPath", None)
            .map_err(Error::HooksDir)?;
        if repo.config_string(RECORD_KEY).is_some() {
            repo.set_local_config(RECORD_KEY, None)
                .map_err(Error::HooksDir)?;
        }
        return Ok(Report {
            dir,
            hooks_path: Some(format!(
                "unset core.hooksPath; the shims committed in {rel} stay for the team"
            )),
            ..Report::default()
        });
    }
    let mut report = Report {
        dir: dir.clone(),
        ..Report::default()
    };
    unshim(&dir, &HOOKS, &mut report)?;
    if repo.config_string(RECORD_KEY).is_some() {
        repo.set_local_config(RECORD_KEY, None)
            .map_err(Error::HooksDir)?;
    }
    Ok(report)
}

/// Removes gitcoord's shims for `hooks` from `dir` and puts back the hooks they chained.
fn unshim(dir: &Path, hooks: &[&str], report: &mut Report) -> Result<(), Error> {
    for hook in hooks {
        let path = dir.join(hook);
        let chained = dir.join(format!("{hook}{CHAINED}"));
        if path.exists() && is_shim(&path) {
            fs::remove_file(&path).map_err(|e| io("cannot remove", &path, e))?;
            report.removed.push((*hook).to_owned());
        }
        if chained.exists() && !path.exists() {
            fs::rename(&chained, &path).map_err(|e| io("cannot restore", &chained, e))?;
            report.restored.push((*hook).to_owned());
        }
    }
    Ok(())
}

/// Writes `text` to `path` as an executable file, whole or not at all: written and made
/// executable under a temporary name beside it, then renamed into place. Another install
/// running at the same moment (two `init`s, `init` and `spawn`) never sees a half-written
/// hook, which it would take for a foreign one and chain.
fn write_executable(path: &Path, text: &str) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::Builder::new()
        .prefix(".gitcoord-hook")
        .tempfile_in(dir)
        .map_err(|e| io("cannot write", path, e))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|e| io("cannot write", path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(file.path(), fs::Permissions::from_mode(0o755))
            .map_err(|e| io("cannot make executable", path, e))?;
    }
    file.persist(path)
        .map_err(|e| io("cannot write", path, e.error))?;
    Ok(())
}
