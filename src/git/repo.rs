//! Opening the repository the user is in, and the facts about it gitcoord needs.

use std::path::{Path, PathBuf};

/// Why the repository could not be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No repository at or above the directory.
    #[error("{dir} is not inside a git repository")]
    NotARepo {
        /// Where the search started.
        dir: String,
    },
    /// A bare repository has no worktree to coordinate.
    #[error("{dir} is a bare repository, which has no worktree to coordinate")]
    Bare {
        /// The repository's git dir.
        dir: String,
    },
    /// Anything else gix reported.
    #[error("cannot open the repository at {dir}")]
    Open {
        /// Where.
        dir: String,
        /// gix's error.
        #[source]
        source: gix::Error,
    },
}

/// An open repository with a worktree.
pub struct Repo {
    pub(crate) inner: gix::Repository,
    workdir: PathBuf,
}

impl Repo {
    /// Finds the repository containing `dir`, honouring git's environment (`GIT_DIR`,
    /// `GIT_WORK_TREE`, `GIT_INDEX_FILE`) as git itself does inside hooks.
    pub fn discover(dir: &Path) -> Result<Repo, Error> {
        let shown = dir.display().to_string();
        let inner = gix::discover_with_environment_overrides(dir).map_err(|e| {
            // gix classifies "no repository at or above" as not-found.
            if e.is_not_found() {
                Error::NotARepo { dir: shown.clone() }
            } else {
                Error::Open {
                    dir: shown.clone(),
                    source: e,
                }
            }
        })?;
        let workdir = match inner.workdir() {
            Some(w) => std::fs::canonicalize(w).unwrap_or_else(|_| absolute(w)),
            None => {
                return Err(Error::Bare {
                    dir: inner.git_dir().display().to_string(),
                });
            }
        };
        Ok(Repo { inner, workdir })
    }

    /// The root of the current worktree, absolute.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The worktree root as the state records bindings: absolute, with `/` separators.
    pub fn workdir_key(&self) -> String {
        self.workdir.to_string_lossy().replace('\\', "/")
    }

    /// The repository's common git dir (shared by all worktrees).
    pub fn common_dir(&self) -> PathBuf {
        absolute(self.inner.common_dir())
    }

    /// The current worktree's private git dir.
    pub fn git_dir(&self) -> PathBuf {
        absolute(self.inner.git_dir())
    }

    /// The short name of the checked-out branch, if HEAD is on one.
    pub fn current_branch(&self) -> Option<String> {
        let name = self.inner.head_name().ok()??;
        Some(name.shorten().to_string())
    }

    /// A string value of git config (all scopes), e.g. `gitcoord.agent`.
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.inner
            .config_snapshot()
            .string(key)
            .map(|v| v.to_string())
    }

    /// The user's name for actions taken as no agent: git `user.name`, else the login.
    pub fn user_name(&self) -> String {
        let raw = self
            .config_string("user.name")
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "user".to_owned());
        let cleaned: String = raw
            .trim()
            .chars()
            .map(|c| if c.is_control() || c == '\n' { ' ' } else { c })
            .collect();
        if cleaned.is_empty() {
            "user".into()
        } else {
            cleaned
        }
    }
}

/// Makes a path absolute against the current directory, without resolving symlinks.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    // Normalise `a/./b` and `a/b/..` lexically so the same worktree always has one key.
    crate::model::id::lexical_path(&joined)
}

/// Whether `name` is a valid branch name by git's ref-name rules: the one check of
/// `model::id`, which a plan's branches also go through.
pub fn valid_branch_name(name: &str) -> bool {
    crate::model::id::validate_branch(name).is_ok()
}
