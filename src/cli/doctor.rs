//! `gitcoord doctor`: is coordination really enforced here, and is the team healthy? The
//! installed pre-commit hook of every worktree is run as `git commit` would run it (nothing
//! is committed) and the guard is asked about an edit; then the state, the agents'
//! worktrees, stale agents, overdue answers and port clashes. One line per finding with its
//! fix; exit 1 when something needs fixing.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

use super::{CliError, Ctx, Outcome};
use crate::git::Repo;
use crate::hooks::install::{HOOKS, is_shim};
use crate::hooks::{health, managers};
use crate::model::{State, message, time};

/// One finding.
#[derive(Serialize, Debug)]
pub struct Finding {
    /// What was checked.
    pub check: &'static str,
    /// Whether it is healthy.
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// What to do, when it is not.
    #[serde(skip_serializing_if = "crate::model::keys::none")]
    pub fix: Option<String>,
}

fn good(check: &'static str, detail: String) -> Finding {
    Finding {
        check,
        ok: true,
        detail,
        fix: None,
    }
}

fn bad(check: &'static str, detail: String, fix: String) -> Finding {
    Finding {
        check,
        ok: false,
        detail,
        fix: Some(fix),
    }
}

/// The hooks of the worktree at `root`: installed, and running — the pre-commit hook run
/// as `git commit` runs it judges the staged change (exit 0 or 1), whatever it holds.
fn hooks_of(root: &Path, recorded: Option<&str>, out: &mut Vec<Finding>) {
    let shown = root.display();
    let dir = match Repo::hooks_dir_of(root) {
        Ok(dir) => dir,
        Err(e) => {
            out.push(bad(
                "hooks",
                format!("{shown}: cannot find its hooks directory: {e}"),
                "check the worktree with `git status` there".into(),
            ));
            return;
        }
    };
    // Hooks that are all absent are "not installed" (below); one that is there and no longer
    // runs gitcoord means enforcement was switched off behind the user's back.
    let present = HOOKS.iter().any(|h| dir.join(h).exists());
    let off = recorded
        .filter(|_| present)
        .and_then(|r| health::check_in(root, &dir, r));
    if let Some(off) = off {
        out.push(bad(
            "hooks",
            format!(
                "{shown}: enforcement is OFF for {}: {}",
                off.hooks.join(", "),
                off.why
            ),
            off.fix,
        ));
        return;
    }
    let managed = managers::detect(root, &dir)
        .filter(|m| managers::MANAGED_HOOKS.iter().all(|h| m.runs(root, h)));
    let missing: Vec<&str> = HOOKS
        .iter()
        .copied()
        .filter(|h| !is_shim(&dir.join(h)))
        .collect();
    if !missing.is_empty() && managed.is_none() {
        out.push(bad(
            "hooks",
            format!(
                "{shown}: {} not installed in {}",
                missing.join(", "),
                dir.display()
            ),
            format!("run `gitcoord install` in {shown}"),
        ));
        return;
    }
    let hook = dir.join("pre-commit");
    let ran = Command::new(&hook)
        .current_dir(root)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null())
        .output();
    match ran {
        Ok(o) if matches!(o.status.code(), Some(0 | 1)) => out.push(good(
            "hooks",
            format!(
                "{shown}: {}; pre-commit runs and judges (exit {})",
                managed.map_or_else(
                    || "pre-commit, pre-merge-commit and pre-push installed".to_owned(),
                    |m| format!("{} runs gitcoord for pre-commit and pre-push", m.name())
                ),
                o.status.code().unwrap_or(0)
            ),
        )),
        Ok(o) => out.push(bad(
            "hooks",
            format!(
                "{shown}: the pre-commit hook exits {} without judging: {}",
                o.status
                    .code()
                    .map_or("by a signal".to_owned(), |c| c.to_string()),
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
            ),
            "put gitcoord on PATH (or set GITCOORD_BIN), then `gitcoord install --force`".into(),
        )),
        Err(e) => out.push(bad(
            "hooks",
            format!("{shown}: the pre-commit hook cannot run: {e}"),
            "make it executable, or `gitcoord install --force`".into(),
        )),
    }
}

/// The guard answers an edit event as Claude Code would send it.
fn guard_round_trip(root: &Path, out: &mut Vec<Finding>) {
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let event = serde_json::json!({
        "tool_name": "Edit",
        "cwd": root,
        "tool_input": { "file_path": root.join("gitcoord-doctor-probe.txt") },
    });
    let ran = Command::new(exe)
        .arg("guard")
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(event.to_string().as_bytes())?;
            }
            child.wait_with_output()
        });
    match ran {
        Ok(o) if o.status.success() => out.push(good("guard", "answers an edit event".into())),
        Ok(o) => out.push(bad(
            "guard",
            format!(
                "exits {:?} on an edit event: {}",
                o.status.code(),
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            "run `gitcoord status` to see why the state cannot be judged".into(),
        )),
        Err(e) => out.push(bad(
            "guard",
            format!("cannot run: {e}"),
            "reinstall gitcoord".into(),
        )),
    }
}

/// The gitcoord the hooks run (`GITCOORD_BIN`, else the first on PATH) is this one.
fn binary(out: &mut Vec<Finding>) {
    let me = std::env::current_exe().and_then(std::fs::canonicalize).ok();
    let called: Option<PathBuf> =
        std::env::var_os("GITCOORD_BIN")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                    .map(|d| d.join("gitcoord"))
                    .find(|p| p.is_file())
            });
    match (called.and_then(|p| std::fs::canonicalize(p).ok()), me) {
        (Some(c), Some(m)) if c == m => out.push(good(
            "binary",
            format!("the hooks run this gitcoord ({})", m.display()),
        )),
        (Some(c), Some(m)) => out.push(bad(
            "binary",
            format!(
                "the hooks run {}, not this gitcoord ({})",
                c.display(),
                m.display()
            ),
            "put one gitcoord on PATH (e.g. `cargo install --path .`), or set GITCOORD_BIN".into(),
        )),
        (None, _) => out.push(bad(
            "binary",
            "no gitcoord on PATH: the installed hooks cannot run it".into(),
            "put gitcoord on PATH (e.g. `cargo install --path .`), or set GITCOORD_BIN".into(),
        )),
        (Some(_), None) => {}
    }
}

/// The team: agents' worktrees present, stale agents, overdue answers, port clashes.
fn team(state: &State, now: jiff::Timestamp, out: &mut Vec<Finding>) {
    for (id, a) in &state.agents {
        if let Some(wt) = &a.worktree {
            if !Path::new(wt).is_dir() {
                out.push(bad("worktrees", format!("agent {id}'s worktree {wt} is gone"), format!("`git worktree prune`, then `gitcoord spawn {id} --branch {}` for a new one", a.branch)));
            }
        }
        if state.is_stale(a, now) {
            let seen = a.last_seen.map_or("never seen".to_owned(), |t| {
                format!("last seen {}", time::ago(t, now))
            });
            out.push(bad(
                "stale",
                format!("agent {id} is stale ({seen})"),
                format!("ask {id} to `gitcoord checkin`, or `gitcoord agent remove {id}`"),
            ));
        }
    }
    for m in message::overdue(state, now) {
        out.push(bad(
            "overdue",
            format!(
                "{} from {} to {} is unanswered past its deadline: {}",
                m.id,
                m.from,
                m.draft.to,
                crate::model::text::one_line(&m.draft.subject)
            ),
            format!(
                "{} answers with `gitcoord msg send --reply-to {} …`",
                m.draft.to, m.id
            ),
        ));
    }
    let mut ports: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
    for (id, a) in &state.agents {
        for p in &a.ports {
            ports.entry(*p).or_default().push(id);
        }
    }
    for (port, who) in ports.into_iter().filter(|(_, w)| w.len() > 1) {
        out.push(bad(
            "ports",
            format!("port {port} is used by {}", who.join(" and ")),
            "give each agent its own ports in the plan".into(),
        ));
    }
}

/// The remote the state syncs with: reachable, and holding the state ref (fetched into
/// `refs/gitcoord/remotes/NAME/state`, as `sync` would). No remote is fine unless strict
/// sync needs one.
fn remote(ctx: &Ctx, state: Option<&State>, out: &mut Vec<Finding>) -> Result<(), CliError> {
    let repo = ctx.repo()?;
    let strict = match super::sync::strict(ctx, state) {
        Ok(strict) => strict,
        Err(e) => {
            out.push(bad("sync", e.lines().join(": "), e.hints().join("; ")));
            return Ok(());
        }
    };
    let name = repo
        .config_string("gitcoord.remote")
        .unwrap_or_else(|| "origin".to_owned());
    if !repo.has_remote(&name) {
        if strict {
            out.push(bad(
                "remote",
                format!("strict sync is on, and there is no remote '{name}'"),
                format!(
                    "add it: `git remote add {name} URL`, or `git config gitcoord.remote NAME`"
                ),
            ));
        }
        return Ok(());
    }
    match repo.fetch_remote_state(&name, Some(REMOTE_BUDGET)) {
        Ok(Some(_)) => {
            let (ahead, behind) = repo.ahead_behind(&name)?.unwrap_or((0, 0));
            let finding = format!(
                "{name}: state fetched; this repository is {ahead} operation(s) ahead, {behind} behind"
            );
            out.push(good("remote", finding));
        }
        Ok(None) if strict => out.push(bad(
            "remote",
            format!("{name} has no gitcoord state, and strict sync needs it there"),
            "publish it: `gitcoord sync`".into(),
        )),
        Ok(None) => out.push(good(
            "remote",
            format!("{name} is reachable and has no gitcoord state yet (`gitcoord sync` publishes it)"),
        )),
        Err(e) => out.push(bad(
            "remote",
            format!("{e}"),
            format!(
                "check the network and credentials (`git ls-remote {name}`); the local state works meanwhile"
            ),
        )),
    }
    Ok(())
}

/// How long doctor waits for the remote.
const REMOTE_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs `doctor`: one line per finding, exit 1 when something needs fixing.
pub fn run(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    let repo = ctx.repo()?;
    let mut out = Vec::new();
    let state = match repo.read_state() {
        Ok(Some(s)) => {
            out.push(good(
                "state",
                format!("readable, at {}", s.commit.to_hex_with_len(10)),
            ));
            Some(s.state)
        }
        Ok(None) => {
            out.push(bad(
                "state",
                "no coordination state".into(),
                "run `gitcoord init`".into(),
            ));
            None
        }
        Err(e) => {
            out.push(bad(
                "state",
                format!("unreadable: {e}"),
                "see docs/state-format.md, *Recovering from a corrupt state*".into(),
            ));
            None
        }
    };
    let recorded = repo.config_string(health::RECORD_KEY);
    for checkout in repo.checkouts()? {
        if checkout.root.is_dir() {
            hooks_of(&checkout.root, recorded.as_deref(), &mut out);
        }
    }
    let root = repo.workdir().to_path_buf();
    binary(&mut out);
    if state.is_some() {
        guard_round_trip(&root, &mut out);
    }
    if let Some(state) = &state {
        team(state, ctx.now()?, &mut out);
    }
    remote(ctx, state.as_ref(), &mut out)?;
    let problems = out.iter().filter(|f| !f.ok).count();
    #[derive(Serialize)]
    struct Report<'a> {
        ok: bool,
        findings: &'a [Finding],
    }
    let report = Report {
        ok: problems == 0,
        findings: &out,
    };
    ctx.ui.emit(&report, |w| {
        for f in &out {
            writeln!(
                w,
                "{} {:<10} {}",
                if f.ok { "✓" } else { "✗" },
                f.check,
                f.detail
            )?;
            if let Some(fix) = &f.fix {
                writeln!(w, "    fix: {fix}")?;
            }
        }
        if problems == 0 {
            writeln!(w, "healthy")
        } else {
            writeln!(w, "{problems} problem(s) to fix")
        }
    })?;
    Ok(Outcome::found(problems > 0))
}
