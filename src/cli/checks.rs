//! Running a plan's checks (`[[check]]`): a command in a worktree with a time limit and its
//! output kept short, or a built-in over the repository. Used by `task done`,
//! `wave advance` (and `verify`).

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jiff::SignedDuration;
use serde::Serialize;

use super::{CliError, Ctx};
use crate::enforce::secrets;
use crate::git::Repo;
use crate::model::plan::Check;
use crate::model::text::{one_line, printable_lines};
use crate::model::{State, time};

/// The default time a `run` check may take.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// How many lines of a failing check's output are shown.
const TAIL: usize = 15;
/// How many bytes of a command's output are kept, the most recent (enough for [`TAIL`]
/// ordinary lines; a command may write gigabytes).
const KEEP: usize = 64 * 1024;
/// The most characters of one output line shown.
const LINE_MAX: usize = 400;
/// How long to wait for the output to end once the command's processes were killed.
const AFTER_KILL: Duration = Duration::from_secs(2);

/// One check's result.
#[derive(Serialize, Debug)]
pub struct Verdict {
    /// The check id.
    pub id: String,
    /// Whether it passed.
    pub ok: bool,
    /// Why it failed (the last lines of a command's output), or what it found.
    pub detail: String,
}

/// The check `id` of the plan.
pub fn find<'s>(state: &'s State, id: &str) -> Result<&'s Check, CliError> {
    state
        .plan
        .as_ref()
        .and_then(|p| p.checks.iter().find(|c| c.id == id))
        .ok_or_else(|| {
            CliError::usage(
                format!("the plan has no check '{id}'"),
                "see the [[check]] tables of `gitcoord plan show`",
            )
        })
}

/// Runs `check` for `branch` (the agent's, else the current one) in the worktree `dir`.
pub fn run(ctx: &Ctx, state: &State, check: &Check, dir: &Path, branch: Option<&str>) -> Verdict {
    let result = match (&check.run, check.builtin.as_deref()) {
        (Some(command), _) => run_command(command, dir, timeout(check)),
        (None, Some("deliverables")) => ctx
            .repo()
            .map_err(|e| e.lines().join(": "))
            .and_then(|repo| deliverables(repo, state)),
        (None, Some("root-files")) => ctx
            .repo()
            .map_err(|e| e.lines().join(": "))
            .and_then(|repo| root_files(repo, branch, check.max.unwrap_or(0))),
        (None, Some("secrets-clean")) => secrets_clean(ctx, state, branch),
        (None, Some("merges-clean")) => merges_clean(ctx, state),
        (None, Some(other)) => Err(format!(
            "the built-in check '{other}' is not available in this version of gitcoord"
        )),
        (None, None) => Err("the check has neither run nor builtin".to_owned()),
    };
    match result {
        Ok(detail) => Verdict {
            id: check.id.clone(),
            ok: true,
            detail,
        },
        Err(detail) => Verdict {
            id: check.id.clone(),
            ok: false,
            detail,
        },
    }
}

fn timeout(check: &Check) -> Duration {
    check
        .timeout
        .as_deref()
        .and_then(|t| time::parse_duration(t).ok())
        .and_then(|d| Duration::try_from(d).ok())
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// Runs `command` with `sh -c` in `dir`, its output merged, for at most `limit`: then it
/// and every process it started are killed. Only the end of its output is kept.
fn run_command(command: &str, dir: &Path, limit: Duration) -> Result<String, String> {
    let shown = one_line(command);
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("exec 2>&1; {command}"))
        .current_dir(dir)
        .env("GITCOORD", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    // Its own process group, so that what it starts (a pipeline, a background job) can be
    // killed with it.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut sh, 0);
    let mut child = sh.spawn().map_err(|e| format!("cannot run sh: {e}"))?;
    let (tail, closed) = read_tail(child.stdout.take());
    let deadline = Instant::now().checked_add(limit);
    let status = match wait_until(&mut child, deadline) {
        Ok(status) => status,
        Err(e) => {
            stop(&mut child);
            return Err(format!("cannot wait for `{shown}`: {e}"));
        }
    };
    // A process it left behind may hold the output open after it exited: wait for that
    // until the deadline too, never past it.
    let held = status.is_none() || !closes_by(&closed, deadline);
    if held {
        stop(&mut child);
        // Killed processes close the pipe at once; one that left the group may not.
        let _ = closed.recv_timeout(AFTER_KILL);
    }
    let output = tail.lock().unwrap_or_else(PoisonError::into_inner).render();
    let within =
        time::format_duration(SignedDuration::try_from(limit).unwrap_or(SignedDuration::MAX));
    let left = if held {
        format!(
            "\n(processes it left running kept its output open until the time limit of {within}, and were stopped)"
        )
    } else {
        String::new()
    };
    match status {
        Some(status) if status.success() => Ok(format!("{output}{left}")),
        Some(status) => Err(format!("`{shown}` failed ({status}):\n{output}{left}")),
        None => Err(format!(
            "`{shown}` did not finish within {within} and was stopped:\n{output}"
        )),
    }
}

/// Waits for `child` to exit until `deadline` (`None`: no deadline); `None` if it has not.
fn wait_until(child: &mut Child, deadline: Option<Instant>) -> std::io::Result<Option<ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether the output reader reports the end of the output before `deadline`.
fn closes_by(closed: &Receiver<()>, deadline: Option<Instant>) -> bool {
    match deadline {
        Some(d) => !matches!(
            closed.recv_timeout(d.saturating_duration_since(Instant::now())),
            Err(RecvTimeoutError::Timeout)
        ),
        None => {
            let _ = closed.recv();
            true
        }
    }
}

/// Kills `child` and every process of its group, then reaps it.
fn stop(child: &mut Child) {
    crate::git::command::kill_group(child.id());
    let _ = child.kill();
    let _ = child.wait();
}

/// Reads `out` to its end on a thread of its own, keeping its [`Tail`]; the receiver hears
/// when the output has ended, so nobody has to block on it.
fn read_tail(out: Option<ChildStdout>) -> (Arc<Mutex<Tail>>, Receiver<()>) {
    let tail = Arc::new(Mutex::new(Tail::default()));
    let (done, closed) = mpsc::channel();
    let keep = Arc::clone(&tail);
    std::thread::spawn(move || {
        let mut chunk = vec![0_u8; 16 * 1024];
        if let Some(mut out) = out {
            loop {
                match out.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => keep
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        }
        let _ = done.send(());
    });
    (tail, closed)
}

/// The most recent [`KEEP`] bytes of a command's output, however much it writes.
#[derive(Default)]
struct Tail {
    bytes: VecDeque<u8>,
    /// Whether older bytes were dropped.
    cut: bool,
}

impl Tail {
    fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend(chunk);
        let over = self.bytes.len().saturating_sub(KEEP);
        if over > 0 {
            self.bytes.drain(..over);
            self.cut = true;
        }
    }

    /// The last [`TAIL`] lines, each cut at [`LINE_MAX`] characters, safe to print.
    fn render(&self) -> String {
        let (front, back) = self.bytes.as_slices();
        let text = String::from_utf8_lossy(&[front, back].concat()).into_owned();
        let mut lines: Vec<&str> = text.lines().collect();
        if self.cut && lines.len() > 1 {
            // The first kept line lost its beginning.
            lines.remove(0);
        }
        let shown: Vec<String> = lines[lines.len().saturating_sub(TAIL)..]
            .iter()
            .map(|line| match line.char_indices().nth(LINE_MAX) {
                Some((end, _)) => format!("{} [line cut]", &line[..end]),
                None => (*line).to_owned(),
            })
            .collect();
        printable_lines(&shown.join("\n"))
    }
}

/// Every task's deliverables exist on its assignee's branch tip — the tasks due by now:
/// those of no wave, of a done wave or of the open wave (a later wave's are not expected
/// yet, so the built-in works as a wave's checkpoint too).
fn deliverables(repo: &Repo, state: &State) -> Result<String, String> {
    let mut missing = Vec::new();
    let mut count = 0;
    let pending = |wave: &String| {
        state.plan.as_ref().is_some_and(|p| {
            p.waves
                .iter()
                .any(|w| &w.id == wave && w.status == crate::model::plan_state::WaveStatus::Pending)
        })
    };
    for (id, task) in crate::model::task::in_order(state) {
        if task.wave.as_ref().is_some_and(pending) {
            continue;
        }
        let branch = task
            .assignee
            .as_ref()
            .and_then(|a| state.agents.get(a))
            .map(|a| a.branch.as_str());
        for file in &task.deliverables {
            count += 1;
            let present = branch
                .and_then(|b| repo.local_branch_tip(b))
                .is_some_and(|tip| repo.has_path(tip, file));
            if !present {
                missing.push(format!(
                    "{file} (task {id}, {})",
                    branch.unwrap_or("no assignee")
                ));
            }
        }
    }
    if missing.is_empty() {
        Ok(format!("{count} deliverable(s) present"))
    } else {
        Err(format!("missing on the branch tip: {}", missing.join(", ")))
    }
}

/// The repository root holds at most `max` files (at `branch`, else HEAD).
fn root_files(repo: &Repo, branch: Option<&str>, max: u32) -> Result<String, String> {
    let rev = branch.map_or_else(|| "HEAD".to_owned(), |b| format!("refs/heads/{b}"));
    let tip = repo.resolve_commit(&rev).map_err(|e| e.to_string())?;
    let files = repo.root_files(tip).map_err(|e| e.to_string())?;
    if files.len() <= max as usize {
        Ok(format!(
            "{} file(s) in the root (at most {max})",
            files.len()
        ))
    } else {
        Err(format!(
            "{} file(s) in the root, more than {max}: {}",
            files.len(),
            files.join(", ")
        ))
    }
}

/// Every agent's branch merges into the integration branch, in merge order, without a
/// conflict (played forward with `git merge-tree`, nothing checked out).
fn merges_clean(ctx: &Ctx, state: &State) -> Result<String, String> {
    let repo = ctx.repo().map_err(|e| e.lines().join(": "))?;
    let (integration, conflicts, merged) =
        super::conflicts::in_merge_order(repo, state).map_err(|e| e.lines().join(": "))?;
    if conflicts.is_empty() {
        Ok(format!(
            "{merged} branch(es) merge into {integration} cleanly, in merge order"
        ))
    } else {
        let each: Vec<String> = conflicts
            .iter()
            .map(|c| {
                format!(
                    "{} conflicts in {} (agent {})",
                    c.branch,
                    c.files.join(", "),
                    c.agent
                )
            })
            .collect();
        Err(format!(
            "merging into {integration} in merge order: {}",
            each.join("; ")
        ))
    }
}

/// No secret on `branch` (else HEAD) that the integration branch does not have already.
fn secrets_clean(ctx: &Ctx, state: &State, branch: Option<&str>) -> Result<String, String> {
    let repo = ctx.repo().map_err(|e| e.lines().join(": "))?;
    let setup = secrets::Setup::load(repo.workdir(), None, None).map_err(|e| e.to_string())?;
    let (integration, _) = super::integration::resolve(repo, state, "origin");
    let tip = branch.map_or_else(|| "HEAD".to_owned(), |b| format!("refs/heads/{b}"));
    let base = format!("^refs/heads/{integration}");
    let mut args = vec![tip.as_str()];
    if repo.local_branch_tip(&integration).is_some() && branch != Some(integration.as_str()) {
        args.push(base.as_str());
    }
    let outcome = secrets::commits(&setup, repo, &args).map_err(|e| e.to_string())?;
    if outcome.findings.is_empty() {
        Ok("no secrets".to_owned())
    } else {
        let found: Vec<String> = outcome
            .findings
            .iter()
            .take(TAIL)
            .map(|f| format!("{}:{} {}", f.file, f.line, f.rule_id))
            .collect();
        Err(format!(
            "{} secret(s): {}",
            outcome.findings.len(),
            found.join(", ")
        ))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// Runs `command` in a temporary directory with a time limit of `secs`, and how long
    /// the run took.
    fn timed(command: &str, secs: u64) -> (Result<String, String>, Duration) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let started = Instant::now();
        let result = run_command(command, dir.path(), Duration::from_secs(secs));
        (result, started.elapsed())
    }

    // Each of these would take 30 s if a process the check started kept it waiting; the
    // bound is generous for a busy machine and far below that.
    const BOUND: Duration = Duration::from_secs(15);

    #[test]
    fn the_time_limit_stops_a_pipeline_and_what_it_started() {
        let (result, took) = timed("sleep 30 | cat; echo done", 2);
        assert!(took < BOUND, "took {took:?}");
        let detail = result.expect_err("timed out");
        assert!(
            detail.starts_with("`sleep 30 | cat; echo done` did not finish within 2s"),
            "{detail}"
        );
        assert!(detail.ends_with("was stopped:\n"), "{detail}");
    }

    #[test]
    fn a_background_job_holding_the_output_does_not_outlive_the_limit() {
        let (result, took) = timed("(sleep 30 &); echo started; exit 1", 2);
        assert!(took < BOUND, "took {took:?}");
        let detail = result.expect_err("exit 1 fails");
        assert!(detail.contains("failed (exit status: 1)"), "{detail}");
        assert!(detail.contains("started"), "{detail}");
        assert!(
            detail.contains("kept its output open until the time limit of 2s"),
            "{detail}"
        );

        let (result, took) = timed("sleep 30 & echo ok", 2);
        assert!(took < BOUND, "took {took:?}");
        let detail = result.expect("exit 0 passes");
        assert!(detail.starts_with("ok\n"), "{detail}");
    }

    #[test]
    fn a_quick_command_passes_or_fails_with_its_last_lines() {
        let (result, took) = timed("echo one; echo two >&2", 2);
        assert_eq!(result, Ok("one\ntwo".to_owned()));
        assert!(took < BOUND, "took {took:?}");
        let (result, _) = timed("seq 1 40; exit 3", 2);
        let detail = result.expect_err("exit 3 fails");
        let lines: Vec<&str> = detail.lines().collect();
        assert_eq!(lines[0], "`seq 1 40; exit 3` failed (exit status: 3):");
        assert_eq!(
            lines[1..],
            [
                "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39",
                "40"
            ]
        );
    }

    #[test]
    fn endless_output_is_kept_short() {
        let (result, took) = timed("yes", 1);
        assert!(took < BOUND, "took {took:?}");
        let detail = result.expect_err("yes never ends");
        assert!(
            detail.starts_with("`yes` did not finish within 1s"),
            "{detail}"
        );
        assert_eq!(detail.lines().count(), 1 + TAIL, "{detail}");

        // 30 MB on one line: 400 characters of it are shown.
        let (result, _) = timed("head -c 30000000 /dev/zero | tr '\\0' x; exit 1", 10);
        let detail = result.expect_err("exit 1 fails");
        assert!(detail.len() < 1000, "{} bytes shown", detail.len());
        assert!(
            detail.ends_with(&format!("{} [line cut]", "x".repeat(LINE_MAX))),
            "{detail}"
        );
    }

    #[test]
    fn terminal_escapes_in_the_output_are_not_printed_raw() {
        let (result, _) = timed(r"printf 'a\033[2J\033]0;title\007b\rc\td\n'; exit 1", 2);
        let detail = result.expect_err("exit 1 fails");
        let output = detail.split_once('\n').map(|(_, o)| o).expect("output");
        assert_eq!(output, "a [2J ]0;title b c\td");
    }
}
