//! Installing and removing the hook shims, in the hooks directory git really uses for all
//! worktrees, chaining any hook already there.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::git::Repo;

/// The hooks gitcoord installs.
pub const HOOKS: [&str; 2] = ["pre-commit", "pre-push"];

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
}

/// Why hooks could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `core.hooksPath` points at a hook manager's directory that it regenerates.
    #[error(
        "core.hooksPath is '{hooks_path}', managed by {manager}; writing shims there would be overwritten, so nothing was installed"
    )]
    Managed {
        /// The configured path.
        hooks_path: String,
        /// husky, lefthook, …
        manager: String,
        /// The exact lines to add.
        lines: String,
    },
    /// git could not say where the hooks directory is.
    #[error("cannot find the hooks directory")]
    HooksDir(#[source] crate::git::command::Error),
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

/// Installs the shims; with `force`, rewrites shims already there.
pub fn install(repo: &Repo, force: bool) -> Result<Report, Error> {
    let dir = repo.hooks_dir().map_err(Error::HooksDir)?;
    if check_manager(repo)? {
        // husky's own hook files already call gitcoord: nothing to write.
        return Ok(Report {
            dir,
            unchanged: HOOKS.iter().map(|h| (*h).to_owned()).collect(),
            ..Report::default()
        });
    }
    fs::create_dir_all(&dir).map_err(|e| io("cannot create", &dir, e))?;
    let mut report = Report {
        dir: dir.clone(),
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

/// Removes the shims and restores chained hooks.
pub fn uninstall(repo: &Repo) -> Result<Report, Error> {
    let dir = repo.hooks_dir().map_err(Error::HooksDir)?;
    let mut report = Report {
        dir: dir.clone(),
        ..Report::default()
    };
    for hook in HOOKS {
        let path = dir.join(hook);
        let chained = dir.join(format!("{hook}{CHAINED}"));
        if path.exists() && is_shim(&path) {
            fs::remove_file(&path).map_err(|e| io("cannot remove", &path, e))?;
            report.removed.push(hook.to_owned());
        }
        if chained.exists() && !path.exists() {
            fs::rename(&chained, &path).map_err(|e| io("cannot restore", &chained, e))?;
            report.restored.push(hook.to_owned());
        }
    }
    Ok(report)
}

fn write_executable(path: &Path, text: &str) -> Result<(), Error> {
    fs::write(path, text).map_err(|e| io("cannot write", path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755))
            .map_err(|e| io("cannot make executable", path, e))?;
    }
    Ok(())
}

/// Refuses to write into a directory a hook manager regenerates (husky's `.husky/_`) and
/// says the exact lines to add instead; `Ok(true)` when its hook files already call gitcoord.
fn check_manager(repo: &Repo) -> Result<bool, Error> {
    let Some(hooks_path) = repo.config_string("core.hooksPath") else {
        return Ok(false);
    };
    if !hooks_path.contains(".husky") {
        // A plain directory of hooks: git runs what is there, so installing there is right.
        return Ok(false);
    }
    let husky = repo.workdir().join(".husky");
    let lines: Vec<(String, String)> = HOOKS
        .iter()
        .map(|h| (format!(".husky/{h}"), format!("gitcoord hook {h} \"$@\"")))
        .filter(|(file, _)| {
            !fs::read_to_string(repo.workdir().join(file))
                .is_ok_and(|t| t.contains("gitcoord hook"))
        })
        .collect();
    if lines.is_empty() && husky.is_dir() {
        return Ok(true);
    }
    Err(Error::Managed {
        hooks_path,
        manager: "husky".into(),
        lines: lines
            .iter()
            .map(|(file, line)| format!("    echo '{line}' >> {file}"))
            .collect::<Vec<_>>()
            .join("\n"),
    })
}
