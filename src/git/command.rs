//! Running the real `git` binary, for what gix does not do (worktree add, push, fetch) or
//! where git's own answer is the reference (the hooks directory).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::Repo;

/// The environment variables git sets for one repository (as `git rev-parse
/// --local-env-vars` lists them). A hook inherits them; they must be cleared before git is
/// pointed at any other repository or worktree.
const LOCAL_ENV: &[&str] = &[
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_OBJECT_DIRECTORY",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX",
    "GIT_INTERNAL_SUPER_PREFIX",
    "GIT_SHALLOW_FILE",
    "GIT_COMMON_DIR",
];

/// A `git` command run in `dir`, with git's repository-local environment cleared.
pub fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    for var in LOCAL_ENV {
        cmd.env_remove(var);
    }
    cmd.current_dir(dir);
    cmd
}

/// Why a `git` command gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The binary could not be started.
    #[error("cannot run git; is git installed and on PATH?")]
    Spawn(#[source] std::io::Error),
    /// git ran and failed.
    #[error("`git {args}` failed: {stderr}")]
    Failed {
        /// The arguments, as typed.
        args: String,
        /// What git said on stderr.
        stderr: String,
    },
}

/// Runs a git command and returns its trimmed stdout, or what it said on failure.
pub fn output(mut cmd: Command) -> Result<String, Error> {
    let out: Output = cmd.output().map_err(Error::Spawn)?;
    finish(&cmd, out)
}

/// Like [`output`], with `input` written to git's stdin (by a thread of its own, so a git
/// that answers before it has read everything cannot block the write).
pub fn output_with_input(mut cmd: Command, input: Vec<u8>) -> Result<String, Error> {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(Error::Spawn)?;
    let mut stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        // A git that failed early closed its stdin: its exit status says why.
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(&input);
        }
    });
    let out = child.wait_with_output().map_err(Error::Spawn)?;
    let _ = writer.join();
    finish(&cmd, out)
}

/// Like [`output`], for at most `budget`: then git and every process it started (a
/// transport helper, ssh) are killed, and the command counts as failed.
pub fn output_within(mut cmd: Command, budget: Duration) -> Result<String, Error> {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().map_err(Error::Spawn)?;
    let pid = child.id();
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match result.recv_timeout(budget) {
        Ok(out) => finish(&cmd, out.map_err(Error::Spawn)?),
        Err(_) => {
            kill_group(pid);
            Err(Error::Failed {
                args: shown_args(&cmd),
                stderr: format!(
                    "no answer within {}",
                    crate::model::time::format_duration(
                        jiff::SignedDuration::try_from(budget).unwrap_or(jiff::SignedDuration::MAX)
                    )
                ),
            })
        }
    }
}

/// Kills the process group `pgid` (a child started with `process_group(0)` leads a group
/// of its own id) with the shell's `kill`, so no unsafe code is needed.
pub fn kill_group(pgid: u32) {
    #[cfg(unix)]
    let _ = Command::new("sh")
        .args(["-c", "kill -s KILL -- \"-$1\"", "sh", &pgid.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn shown_args(cmd: &Command) -> String {
    let args: Vec<String> = cmd
        .get_args()
        .map(|a| crate::model::text::shell_word(&a.to_string_lossy()))
        .collect();
    args.join(" ")
}

fn finish(cmd: &Command, out: Output) -> Result<String, Error> {
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
    } else {
        Err(Error::Failed {
            args: shown_args(cmd),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}

impl Repo {
    /// The directory git runs hooks from for every worktree of this repository
    /// (`core.hooksPath` when set, else the common dir's `hooks`).
    pub fn hooks_dir(&self) -> Result<PathBuf, Error> {
        Repo::hooks_dir_of(self.workdir())
    }

    /// The directory git runs hooks from in the worktree at `root` (a worktree's own
    /// `core.hooksPath` may differ from the main worktree's).
    pub fn hooks_dir_of(root: &Path) -> Result<PathBuf, Error> {
        let mut cmd = git(root);
        cmd.args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"]);
        output(cmd).map(PathBuf::from)
    }
}

impl Repo {
    /// The roots of every worktree of this repository (`git worktree list`).
    pub fn worktree_roots(&self) -> Result<Vec<PathBuf>, Error> {
        let mut cmd = git(self.workdir());
        cmd.args(["worktree", "list", "--porcelain", "-z"]);
        let text = output(cmd)?;
        Ok(text
            .split('\0')
            .filter_map(|field| field.strip_prefix("worktree "))
            .map(PathBuf::from)
            .collect())
    }

    /// Sets `key` to `value` in the repository's own config (`git config`), or unsets it
    /// with `None`.
    /// Another git writing the config at the same moment (two `init`s, an IDE) holds its
    /// lock file for milliseconds: the write is tried again for up to about a second.
    pub fn set_local_config(&self, key: &str, value: Option<&str>) -> Result<(), Error> {
        let mut attempt = 0;
        loop {
            let mut cmd = git(self.workdir());
            cmd.args(["config", "--local"]);
            match value {
                Some(value) => cmd.args([key, value]),
                None => cmd.args(["--unset", key]),
            };
            match output(cmd) {
                Err(e) if attempt < 20 && e.to_string().contains("could not lock config file") => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(5 * attempt));
                }
                result => return result.map(drop),
            }
        }
    }

    /// The main worktree's root (the common dir's parent for a non-bare repository).
    pub fn main_worktree(&self) -> PathBuf {
        let common = self.common_dir();
        match common.file_name() {
            Some(name) if name == ".git" => common
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| self.workdir().to_path_buf()),
            _ => self.workdir().to_path_buf(),
        }
    }

    /// Whether the local branch `name` exists.
    pub fn branch_exists(&self, name: &str) -> bool {
        self.inner
            .try_find_reference(format!("refs/heads/{name}").as_str())
            .ok()
            .flatten()
            .is_some()
    }

    /// `git worktree add` at `path` on `branch`, creating the branch from HEAD if needed.
    pub fn add_worktree(&self, path: &Path, branch: &str) -> Result<(), Error> {
        let mut cmd = git(self.workdir());
        cmd.args(["worktree", "add", "--quiet"]);
        if self.branch_exists(branch) {
            cmd.arg(path).arg(branch);
        } else {
            cmd.arg("-b").arg(branch).arg(path);
        }
        output(cmd).map(drop)
    }
}

/// Runs `git ARGS` in `dir` with extra environment, returning its full output (for the demo
/// and tools that show git's own words).
pub fn run_in(dir: &Path, args: &[&str], envs: &[(&str, String)]) -> std::io::Result<Output> {
    let mut cmd = git(dir);
    cmd.args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output()
}

/// A worktree and the branch it has checked out.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// The worktree's root.
    pub root: PathBuf,
    /// The branch (`refs/heads/` stripped), unless detached.
    pub branch: Option<String>,
}

impl Repo {
    /// Every worktree with its branch (`git worktree list --porcelain`).
    pub fn checkouts(&self) -> Result<Vec<Checkout>, Error> {
        let mut cmd = git(self.workdir());
        cmd.args(["worktree", "list", "--porcelain", "-z"]);
        let text = output(cmd)?;
        let mut out: Vec<Checkout> = Vec::new();
        for field in text.split('\0') {
            if let Some(root) = field.strip_prefix("worktree ") {
                out.push(Checkout {
                    root: PathBuf::from(root),
                    branch: None,
                });
            } else if let (Some(branch), Some(last)) =
                (field.strip_prefix("branch "), out.last_mut())
            {
                last.branch = Some(
                    branch
                        .strip_prefix("refs/heads/")
                        .unwrap_or(branch)
                        .to_owned(),
                );
            }
        }
        Ok(out)
    }

    /// Whether the worktree at `root` has uncommitted changes to tracked files.
    pub fn is_dirty(root: &Path) -> Result<bool, Error> {
        let mut cmd = git(root);
        cmd.args(["status", "--porcelain", "--untracked-files=no"]);
        Ok(!output(cmd)?.is_empty())
    }

    /// Why the worktree at `root` could not move to commit `to` (`git reset --keep`), as
    /// git would say it (an untracked file in the way…); `None` when it can. Nothing is
    /// written (`git read-tree --dry-run`).
    pub fn cannot_move_checkout(root: &Path, to: &str) -> Result<Option<String>, Error> {
        // Stale stat data would read as changes: refresh it first, as `git status` does.
        let mut refresh = git(root);
        refresh.args(["update-index", "-q", "--refresh"]);
        let _ = refresh.output().map_err(Error::Spawn)?;
        let mut cmd = git(root);
        cmd.args(["read-tree", "-n", "-m", "-u", "HEAD", to]);
        let out = cmd.output().map_err(Error::Spawn)?;
        if out.status.success() {
            return Ok(None);
        }
        let said = String::from_utf8_lossy(&out.stderr);
        let why: Vec<&str> = said
            .lines()
            .map(|l| l.trim_start_matches("error: ").trim())
            .filter(|l| !l.is_empty())
            .collect();
        Ok(Some(why.join("; ")))
    }

    /// Moves `branch` to `to`: in `checkout` (which has it checked out) with
    /// `git reset --keep`, which refuses rather than lose a change; else the ref alone,
    /// only from `from` (compare-and-swap).
    pub fn move_branch(
        &self,
        branch: &str,
        from: &str,
        to: &str,
        checkout: Option<&Path>,
    ) -> Result<(), Error> {
        let cmd = match checkout {
            Some(root) => {
                let mut cmd = git(root);
                cmd.args(["reset", "--quiet", "--keep", to]);
                cmd
            }
            None => {
                let mut cmd = git(self.workdir());
                let name = format!("refs/heads/{branch}");
                cmd.args(["update-ref", "-m", "gitcoord rollback", &name, to, from]);
                cmd
            }
        };
        output(cmd).map(drop)
    }
}
