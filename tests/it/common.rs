//! A hermetic test environment: temp HOME, no global or system git config, fixed dates,
//! a real repository, and helpers to run `git` and `gitcoord` in it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The fixed time every test runs at.
pub const NOW: &str = "2026-03-01T12:00:00Z";

/// A temp dir holding HOME and a repository.
pub struct TestEnv {
    _tmp: tempfile::TempDir,
    /// The temp HOME.
    pub home: PathBuf,
    /// The main worktree of the test repository.
    pub repo: PathBuf,
}

/// The result of a command: exit code, stdout, stderr.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts the exit code.
    #[track_caller]
    pub fn code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "expected exit {want}\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The variables a hermetic command keeps from the test process: where programs are, where
/// temporary files go, and how Rust reports panics and coverage.
pub const PASSED: [&str; 4] = ["PATH", "TMPDIR", "RUST_BACKTRACE", "LLVM_PROFILE_FILE"];

/// Whether the long mode of the torture suite and the property tests is asked for
/// (`GITCOORD_TORTURE=long`).
pub fn long_mode() -> bool {
    std::env::var("GITCOORD_TORTURE").is_ok_and(|v| v == "long")
}

/// The number in the environment variable `name`, if it is set; a value that is not a
/// number is a mistake in the test run, and stops it.
pub fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a number")),
    )
}

/// The built gitcoord binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gitcoord"))
}

impl TestEnv {
    /// A fresh environment with an initialised repository on `main` and one commit.
    pub fn new() -> TestEnv {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = std::fs::canonicalize(tmp.path()).expect("canonical temp dir");
        let home = root.join("home");
        let repo = root.join("repo");
        std::fs::create_dir_all(&home).expect("home");
        std::fs::create_dir_all(&repo).expect("repo");
        let env = TestEnv {
            _tmp: tmp,
            home,
            repo,
        };
        env.git(&["init", "-q", "-b", "main"]).ok();
        env.write("README.md", "hello\n");
        env.git(&["add", "README.md"]).ok();
        env.git(&["commit", "-q", "-m", "initial"]).ok();
        env
    }

    /// The temp root (parent of `repo`), for worktrees and remotes.
    pub fn root(&self) -> PathBuf {
        self.repo.parent().expect("repo has a parent").to_path_buf()
    }

    /// Applies the hermetic environment to a command: a cleared environment, the few
    /// variables of [`PASSED`] from the test process, and fixed identities, dates and paths.
    /// Nothing else leaks in (a CI runner's `GITHUB_STEP_SUMMARY`, a user's `GIT_DIR`).
    pub fn hermetic(&self, cmd: &mut Command) {
        cmd.env_clear();
        for name in PASSED {
            if let Some(value) = std::env::var_os(name) {
                cmd.env(name, value);
            }
        }
        cmd.env("HOME", &self.home)
            .env("LANG", "C.UTF-8")
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test Author")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "Test Committer")
            .env("GIT_COMMITTER_EMAIL", "committer@example.com")
            .env("GIT_AUTHOR_DATE", "2026-03-01T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-03-01T12:00:00Z")
            .env("GITCOORD_NOW", NOW)
            .env("GITCOORD_BIN", bin())
            .env("USER", "lead")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
    }

    /// Runs `git` in `dir` with extra environment variables (seen by the hooks too).
    pub fn git_env(&self, dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> Run {
        let mut cmd = Command::new("git");
        self.hermetic(&mut cmd);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        Run::from(cmd.args(args).current_dir(dir).output().expect("run git"))
    }

    /// Runs `git` in `dir` with `args`.
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> Run {
        self.git_env(dir, &[], args)
    }

    /// Runs `git` in the main worktree.
    pub fn git(&self, args: &[&str]) -> Run {
        self.git_in(&self.repo, args)
    }

    /// Runs `gitcoord` in `dir` with extra environment variables.
    pub fn gc_env(&self, dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> Run {
        let mut cmd = Command::new(bin());
        self.hermetic(&mut cmd);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        Run::from(
            cmd.args(args)
                .current_dir(dir)
                .output()
                .expect("run gitcoord"),
        )
    }

    /// Runs `gitcoord` in `dir`.
    pub fn gc_in(&self, dir: &Path, args: &[&str]) -> Run {
        self.gc_env(dir, &[], args)
    }

    /// Runs `gitcoord` in the main worktree.
    pub fn gc(&self, args: &[&str]) -> Run {
        self.gc_in(&self.repo, args)
    }

    /// Writes a file (creating directories) relative to the main worktree.
    pub fn write(&self, rel: &str, text: &str) {
        write_in(&self.repo, rel, text);
    }
}

/// Writes a file (creating directories) relative to `dir`.
pub fn write_in(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent dirs");
    }
    std::fs::write(path, text).expect("write file");
}

/// The state ref, as tests name it.
pub const STATE_REF: &str = "refs/gitcoord/state";

impl TestEnv {
    /// Runs `gitcoord` in the main worktree with the clock pinned at `now` (RFC 3339).
    pub fn gc_at(&self, now: &str, args: &[&str]) -> Run {
        self.gc_env(&self.repo, &[("GITCOORD_NOW", now)], args)
    }

    /// Runs `gitcoord --json …` in `dir`, asserts success and parses stdout.
    #[track_caller]
    pub fn json_in(&self, dir: &Path, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = self.gc_in(dir, &all);
        parse_json(run.ok())
    }

    /// Runs `gitcoord --json …` in the main worktree, asserts success and parses stdout.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        self.json_in(&self.repo, args)
    }

    /// The commit the state ref points at, or `None` when it does not exist.
    pub fn state_head(&self) -> Option<String> {
        let run = self.git(&["rev-parse", "--verify", "-q", STATE_REF]);
        (run.code == 0).then(|| run.stdout.trim().to_owned())
    }

    /// How many commits the state ref's history holds.
    pub fn state_commits(&self) -> usize {
        match self.state_head() {
            None => 0,
            Some(_) => self
                .git(&["rev-list", "--count", STATE_REF])
                .ok()
                .trim()
                .parse()
                .expect("rev-list prints a count"),
        }
    }

    /// The text of one file of the current state tree, or `None` when the tree lacks it.
    pub fn state_file(&self, name: &str) -> Option<String> {
        let run = self.git(&["show", &format!("{STATE_REF}:{name}")]);
        (run.code == 0).then_some(run.stdout)
    }

    /// Adds a bare repository `<root>/origin.git` as the remote `origin`; returns its path.
    pub fn with_origin(&self) -> PathBuf {
        let remote = self.root().join("origin.git");
        let remote_arg = remote.to_str().expect("utf-8 temp path");
        self.git_in(
            &self.root(),
            &["init", "-q", "--bare", "-b", "main", remote_arg],
        )
        .ok();
        self.git(&["remote", "add", "origin", remote_arg]).ok();
        remote
    }

    /// Adds a linked worktree at `<root>/<name>` on the existing `branch`; returns its path.
    pub fn worktree_on(&self, name: &str, branch: &str) -> PathBuf {
        let path = self.root().join(name);
        let shown = path.to_str().expect("temp paths are UTF-8");
        self.git(&["worktree", "add", "-q", shown, branch]).ok();
        path
    }

    /// Adds a linked worktree at `<root>/<name>` on a new branch, and returns its path.
    pub fn worktree(&self, name: &str, branch: &str) -> PathBuf {
        let path = self.root().join(name);
        let shown = path.to_str().expect("temp paths are UTF-8");
        self.git(&["worktree", "add", "-q", "-b", branch, shown])
            .ok();
        path
    }

    /// Writes a state commit on top of the current one with plain git plumbing, replacing
    /// (or adding) the file `name` of the state tree by `text`, as a hand edit would.
    pub fn hand_edit_state(&self, name: &str, text: &str) -> String {
        let blob = self.git_stdin(&["hash-object", "-w", "--stdin"], text);
        // A scratch index holds the state tree, so a file in a subdirectory is edited too.
        let index = self.root().join("hand-edit.index");
        let index = index.to_str().expect("temp paths are UTF-8");
        let with_index = [("GIT_INDEX_FILE", index)];
        self.git_env(&self.repo, &with_index, &["read-tree", STATE_REF])
            .ok();
        let info = format!("100644,{},{name}", blob.trim());
        self.git_env(
            &self.repo,
            &with_index,
            &["update-index", "--add", "--cacheinfo", &info],
        )
        .ok();
        let tree = self.git_env(&self.repo, &with_index, &["write-tree"]);
        let tree = tree.ok().trim().to_owned();
        std::fs::remove_file(index).expect("remove the scratch index");
        let commit = self
            .git(&["commit-tree", "-p", STATE_REF, "-m", "hand edit", &tree])
            .ok()
            .trim()
            .to_owned();
        self.git(&["update-ref", STATE_REF, &commit]).ok();
        commit
    }

    /// Runs `git` in the main worktree with `input` on stdin; asserts success, returns stdout.
    #[track_caller]
    pub fn git_stdin(&self, args: &[&str], input: &str) -> String {
        use std::io::Write;
        let mut cmd = Command::new("git");
        self.hermetic(&mut cmd);
        let mut child = cmd
            .args(args)
            .current_dir(&self.repo)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn git");
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(input.as_bytes())
            .expect("write git's stdin");
        let run = Run::from(child.wait_with_output().expect("run git"));
        run.ok().to_owned()
    }

    /// Runs `gitcoord` in the main worktree with `input` on stdin, whatever its exit.
    pub fn gc_stdin(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .gc_command(args)
            .stdin(Stdio::piped())
            .spawn()
            .expect("spawn gitcoord");
        // A command that refuses early may close its stdin before reading it all.
        let _ = child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(input.as_bytes());
        Run::from(child.wait_with_output().expect("run gitcoord"))
    }

    /// A `gitcoord` command in the main worktree, hermetic, not yet started.
    pub fn gc_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        self.hermetic(&mut cmd);
        cmd.args(args)
            .current_dir(&self.repo)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }
}

/// Turns a finished child's output into a [`Run`].
pub fn run_of(out: Output) -> Run {
    Run::from(out)
}

/// Parses a command's stdout as JSON.
#[track_caller]
pub fn parse_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{text}"))
}
