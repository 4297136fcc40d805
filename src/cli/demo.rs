//! `gitcoord demo`: a throw-away repository with three agents in their own worktrees, and
//! every enforcement shown live with the real `git commit` firing the installed hooks.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{CliError, Ctx, Outcome};
use crate::git::command::run_in;

/// Arguments of `demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Keep the demo repository instead of deleting it at the end.
    #[arg(long)]
    pub keep: bool,
}

struct Demo<'o> {
    root: PathBuf,
    exe: PathBuf,
    /// The command's output (the Ui's), so the demo prints like every other command.
    out: &'o mut dyn Write,
}

const ENV: [(&str, &str); 6] = [
    ("GIT_AUTHOR_NAME", "Demo Lead"),
    ("GIT_AUTHOR_EMAIL", "lead@example.com"),
    ("GIT_COMMITTER_NAME", "Demo Lead"),
    ("GIT_COMMITTER_EMAIL", "lead@example.com"),
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
];

impl Demo<'_> {
    fn say(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "\n== {text}")
    }

    fn show(&mut self, dir: &Path, shown: &str, out: &Output) -> std::io::Result<bool> {
        let wt = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        writeln!(self.out, "[{wt}]$ {shown}")?;
        for stream in [&out.stdout, &out.stderr] {
            for line in String::from_utf8_lossy(stream).lines() {
                writeln!(self.out, "    {line}")?;
            }
        }
        let ok = out.status.success();
        writeln!(self.out, "    -> exit {}", out.status.code().unwrap_or(-1))?;
        // Each step is shown as it ends, not when the demo does.
        self.out.flush()?;
        Ok(ok)
    }

    fn git(&mut self, dir: &Path, args: &[&str]) -> std::io::Result<bool> {
        let out = run_in(dir, args, &self.env())?;
        self.show(dir, &format!("git {}", quote(args)), &out)
    }

    fn quiet_git(&mut self, dir: &Path, args: &[&str]) -> std::io::Result<()> {
        run_in(dir, args, &self.env()).map(drop)
    }

    fn gc(&mut self, dir: &Path, args: &[&str]) -> std::io::Result<bool> {
        let mut cmd = Command::new(&self.exe);
        cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        for var in [
            "GITCOORD_AGENT",
            "GIT_DIR",
            "GIT_INDEX_FILE",
            "GIT_WORK_TREE",
        ] {
            cmd.env_remove(var);
        }
        let out = cmd.output()?;
        self.show(dir, &format!("gitcoord {}", quote(args)), &out)
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let mut env: Vec<(&str, String)> = ENV.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        env.push(("GITCOORD_BIN", self.exe.to_string_lossy().into_owned()));
        env.push((
            "HOME",
            self.root.join("home").to_string_lossy().into_owned(),
        ));
        env.push(("USER", "lead".to_owned()));
        env
    }

    fn write(&self, dir: &Path, rel: &str, text: &str) -> std::io::Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)
    }
}

/// Joins arguments as a shell would need them typed.
fn quote(args: &[&str]) -> String {
    crate::model::text::shell_line(args.iter().copied())
}

/// Runs the demo.
pub fn run(ctx: &mut Ctx, args: DemoArgs) -> Result<Outcome, CliError> {
    let tmp = tempfile::Builder::new()
        .prefix("gitcoord-demo-")
        .tempdir()?;
    let exe = std::env::current_exe()?;
    let root = std::fs::canonicalize(tmp.path())?;
    let mut demo = Demo {
        root: root.clone(),
        exe,
        out: ctx.ui.out(),
    };
    let result = script(&mut demo);
    demo.out.flush()?;
    if args.keep {
        let kept = tmp.keep();
        ctx.ui.note(&format!(
            "the demo repository is kept at {}",
            kept.display()
        ));
    }
    match result {
        Ok(true) => Ok(Outcome::Clean),
        Ok(false) => Err(CliError::usage(
            "a demo step did not behave as expected; the output above shows which",
            "make sure the gitcoord and git on PATH are the ones this demo was built with",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The scenario: the `three-leads` template (security, organization, database). Returns
/// false if any step did not turn out as the narration says.
fn script(d: &mut Demo) -> std::io::Result<bool> {
    let repo = d.root.join("app");
    setup(d, &repo)?;
    let mut ok = true;

    d.say("The lead starts from the three-leads template: agents, boundaries, tasks, merge order, checklist")?;
    ok &= d.gc(&repo, &["init", "--template", "three-leads"])?;
    let mut wts = Vec::new();
    for (id, branch) in LEADS {
        let path = d.root.join(id);
        let shown = path.to_string_lossy().into_owned();
        ok &= d.gc(&repo, &["spawn", id, "--branch", branch, "--path", &shown])?;
        wts.push(path);
    }
    let (sec, org, db) = (wts[0].clone(), wts[1].clone(), wts[2].clone());
    ok &= d.gc(&repo, &["task", "list"])?;

    d.say("the database lead starts after the security lead's config: it must wait")?;
    ok &= d.gc(&db, &["next"])?;
    ok &= !d.gc(&db, &["task", "start", "db-schema"])?;

    ok &= enforcement(d, &sec, &org, &db)?;

    d.say("the security lead delivers its config; the task is done only once it is committed")?;
    ok &= d.gc(&sec, &["task", "start", "sec-config"])?;
    d.write(
        &sec,
        "config/settings.py",
        "import os\n\nDEBUG = False\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\n",
    )?;
    ok &= !d.gc(&sec, &["task", "done", "sec-config"])?;
    d.quiet_git(&sec, &["add", "config/settings.py"])?;
    ok &= d.git(
        &sec,
        &["commit", "-qm", "read the key from the environment"],
    )?;
    ok &= d.gc(&sec, &["task", "done", "sec-config"])?;

    d.say("now the database lead's task is ready")?;
    ok &= d.gc(&db, &["next"])?;
    ok &= d.gc(&db, &["task", "start", "db-schema"])?;
    d.write(
        &db,
        "db/schema.sql",
        "create table users (id int primary key);\n",
    )?;
    d.write(
        &db,
        "migrations/0001_initial.sql",
        "create table users (id int primary key);\n",
    )?;
    d.quiet_git(&db, &["add", "-A"])?;
    ok &= d.git(&db, &["commit", "-qm", "schema and first migration"])?;
    ok &= d.gc(&db, &["task", "done", "db-schema"])?;
    d.write(
        &org,
        "docs/STRUCTURE.md",
        "# Layout\n\nsrc/ holds the code; one module per feature.\n",
    )?;
    d.quiet_git(&org, &["add", "-A"])?;
    ok &= d.git(&org, &["commit", "-qm", "document the layout"])?;
    ok &= d.gc(&org, &["task", "start", "org-imports"])?;
    ok &= d.gc(&org, &["task", "done", "org-imports"])?;

    ok &= merge_in_order(d, &repo)?;

    d.say("the integration checklist passes; one screen for the lead, and the audit trail")?;
    ok &= d.gc(&repo, &["verify"])?;
    ok &= d.gc(&repo, &["status"])?;
    ok &= d.gc(&repo, &["log", "-n", "6"])?;
    Ok(ok)
}

/// The three leads of the template, with their branches.
const LEADS: [(&str, &str); 3] = [
    ("security", "feature/section-1a-security"),
    ("organization", "feature/section-1b-cleanup"),
    ("database", "feature/section-1d-database"),
];

/// The app's repository with one commit, and a bare `origin` it is pushed to.
fn setup(d: &mut Demo, repo: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(d.root.join("home"))?;
    std::fs::create_dir_all(repo)?;
    d.quiet_git(repo, &["init", "-q", "-b", "main"])?;
    d.write(repo, "config/defaults.py", "DEBUG = False\n")?;
    d.write(
        repo,
        "src/app.py",
        "import os, sys\n\ndef main():\n    pass\n",
    )?;
    d.write(repo, "Makefile", "test:\n\t@echo 'tests pass'\n")?;
    d.quiet_git(repo, &["add", "-A"])?;
    d.quiet_git(repo, &["commit", "-q", "-m", "the app"])?;
    let origin = d.root.join("origin.git");
    let shown = origin.to_string_lossy().into_owned();
    d.quiet_git(
        &d.root.clone(),
        &["init", "-q", "--bare", "-b", "main", &shown],
    )?;
    d.quiet_git(repo, &["remote", "add", "origin", &shown])?;
    d.quiet_git(repo, &["push", "-q", "origin", "main"])
}

/// Locks, messages, do-not-touch lists, the halt and secret scanning, each refusing a real
/// `git commit`.
fn enforcement(d: &mut Demo, sec: &Path, org: &Path, db: &Path) -> std::io::Result<bool> {
    let mut ok = true;
    d.say("security locks src/app.py; organization's commit touching it is refused")?;
    ok &= d.gc(
        sec,
        &[
            "lock",
            "src/app.py",
            "--reason",
            "removing hardcoded paths",
            "--ttl",
            "45m",
        ],
    )?;
    d.write(
        org,
        "src/app.py",
        "import os\nimport sys\n\ndef main():\n    pass\n",
    )?;
    ok &= !d.git(org, &["commit", "-am", "sort imports"])?;

    d.say("organization asks, as the refusal suggests; security reads it and answers")?;
    ok &= d.gc(
        org,
        &[
            "msg",
            "send",
            "--to",
            "security",
            "--subject",
            "please release src/app.py",
        ],
    )?;
    ok &= d.gc(sec, &["inbox"])?;
    ok &= d.gc(sec, &["msg", "ack", "m1"])?;
    ok &= d.gc(
        sec,
        &[
            "msg",
            "send",
            "--to",
            "organization",
            "--reply-to",
            "m1",
            "--subject",
            "in 30 minutes, after the path fix",
        ],
    )?;

    d.say("organization may not touch security's config (its do-not-touch list)")?;
    d.quiet_git(org, &["checkout", "--", "src/app.py"])?;
    d.write(org, "config/defaults.py", "DEBUG = True\n")?;
    ok &= !d.git(org, &["commit", "-am", "debug on"])?;
    d.quiet_git(org, &["checkout", "--", "config/defaults.py"])?;

    d.say("work inside its bounds goes through")?;
    d.write(org, "src/util.py", "def helper():\n    return 1\n")?;
    d.quiet_git(org, &["add", "src/util.py"])?;
    ok &= d.git(org, &["commit", "-m", "add util"])?;

    d.say("the lead halts everything; every worktree is refused until resume")?;
    let main = d.root.join("app");
    ok &= d.gc(&main, &["halt", "--reason", "main is red, stop merging"])?;
    ok &= !d.git(db, &["commit", "--allow-empty", "-m", "wip"])?;
    ok &= d.gc(&main, &["resume"])?;

    d.say("a hardcoded secret never gets in, and is never printed whole")?;
    let token = format!("ghp_{}", "Zt7Qm2Wk9Lx4Rb8Nc3Vd6Hf1Jg5Ps0Ya7Ue3");
    d.write(
        org,
        "src/client.py",
        &format!("GITHUB_TOKEN = \"{token}\"\n"),
    )?;
    d.quiet_git(org, &["add", "src/client.py"])?;
    ok &= !d.git(org, &["commit", "-m", "add client"])?;
    d.quiet_git(org, &["rm", "-q", "--cached", "src/client.py"])?;
    std::fs::remove_file(org.join("src/client.py"))?;
    d.quiet_git(sec, &["checkout", "--", "."])?;
    ok &= d.gc(sec, &["unlock", "src/app.py"])?;
    Ok(ok)
}

/// Merge order: database's branch pushed first is refused; in order, all go through.
fn merge_in_order(d: &mut Demo, repo: &Path) -> std::io::Result<bool> {
    let mut ok = true;
    d.say("merge order: security, then organization's cleanup, then database")?;
    ok &= d.gc(repo, &["conflicts"])?;
    let db_branch = LEADS[2].1;
    ok &= d.git(
        repo,
        &["merge", "-q", "--no-ff", "-m", "merge database", db_branch],
    )?;
    ok &= !d.git(repo, &["push", "origin", "main"])?;
    d.quiet_git(repo, &["reset", "-q", "--hard", "origin/main"])?;
    for (_, branch) in LEADS {
        ok &= d.git(
            repo,
            &[
                "merge",
                "-q",
                "--no-ff",
                "-m",
                &format!("merge {branch}"),
                branch,
            ],
        )?;
    }
    ok &= d.git(repo, &["push", "-q", "origin", "main"])?;
    Ok(ok)
}
