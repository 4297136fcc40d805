//! Crash safety: writes killed with SIGKILL at a random point of their run. After each kill
//! the state reads, the ref is on a complete commit (the killed write's, whole, or the one
//! before), and the next write succeeds; at the end `git fsck` finds no corruption.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Rng, assert_fsck_clean, count, holds, log_records, seed};
use crate::common::{STATE_REF, TestEnv, parse_json, run_of};

const AGENTS: [&str; 2] = ["w0", "w1"];
const PATHS: [&str; 3] = ["src/a.rs", "src/b.rs", "docs/c.md"];

/// One write: its arguments, what its record holds, and whether it is refused (exit 1).
struct Write {
    args: Vec<String>,
    record: Value,
    refused: bool,
}

/// How a started write ended.
#[derive(Clone, Copy, Debug)]
enum End {
    Killed,
    Exited(i32),
}

/// What the runs came to, for the figures.
#[derive(Default, Debug)]
struct Tally {
    killed_landed: usize,
    killed_not_landed: usize,
    finished_first: usize,
    ref_lock_left: usize,
    temp_files_left: usize,
}

#[test]
fn writers_killed_at_random_points_leave_a_readable_state() {
    let kills = count(60, 1000);
    let mut rng = Rng::new(seed("crash"));
    let started = Instant::now();
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    for (n, agent) in AGENTS.iter().enumerate() {
        env.gc(&["agent", "add", agent, "--branch", &format!("b{n}")])
            .ok();
    }
    let ref_lock = env.repo.join(".git").join(format!("{STATE_REF}.lock"));
    let mut tally = Tally::default();
    let mut locks = BTreeMap::new();
    // How long a write takes, measured on the writes that are not killed, as the machine's
    // load changes: the kill delays (0 to that) cover a whole run.
    let mut times: Vec<Duration> = Vec::new();
    let mut before = tip(&env);
    for n in 0..5 {
        let (next, took) = next_write_succeeds(&env, &before, &format!("warm-up {n}"));
        before = next;
        times.push(took);
    }
    for n in 0..kills {
        let typical = median(&times[times.len().saturating_sub(9)..]);
        let write = pick(&mut rng, n, &locks);
        let delay = typical.mul_f64(rng.below(1001) as f64 / 1000.0);
        let end = kill_after(&env, &write, delay);
        if ref_lock.exists() {
            tally.ref_lock_left += 1;
        }
        let after = tip(&env);
        match (end, landed(&before, &after, &write, end)) {
            (End::Killed, true) => tally.killed_landed += 1,
            (End::Killed, false) => tally.killed_not_landed += 1,
            (End::Exited(_), _) => tally.finished_first += 1,
        }
        locks = current_locks(&env);
        let (next, took) = next_write_succeeds(&env, &after, &format!("after kill {n}"));
        assert!(!ref_lock.exists(), "the next write leaves no ref lock file");
        before = next;
        times.push(took);
    }
    assert_eq!(log_records(&env).len(), env.state_commits());
    assert_fsck_clean(&env);
    tally.temp_files_left = temp_files(&env.repo.join(".git"));
    eprintln!(
        "torture crash: {kills} writes, typical {:?}: {tally:?}; {:.1?}",
        median(&times),
        started.elapsed()
    );
    let killed = tally.killed_landed + tally.killed_not_landed;
    assert!(
        killed > kills / 3,
        "the kills land within the writes: {tally:?}"
    );
}

/// The files named `.tmp…` in the git dir and its object store: objects and cache files
/// that killed writers wrote but had not yet renamed into place (garbage, not corruption).
fn temp_files(git_dir: &Path) -> usize {
    [git_dir.to_path_buf(), git_dir.join("objects")]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).expect("read the git dir"))
        .filter(|entry| {
            let entry = entry.as_ref().expect("a directory entry");
            entry.file_name().to_string_lossy().starts_with(".tmp")
        })
        .count()
}

/// The median of `times`.
fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// A write of the mix: lock or unlock on a few paths (refused when another agent holds
/// the path), checkin, message, memory and task add. `locks` maps each locked path to its
/// holder, so an unlock is always of a lock its agent holds.
fn pick(rng: &mut Rng, n: usize, locks: &BTreeMap<String, String>) -> Write {
    let mut agent = AGENTS[rng.below(AGENTS.len())].to_owned();
    let token = format!("crash-{n}");
    let (args, record) = match rng.below(7) {
        kind @ (0..=2) => {
            let held: Vec<(&String, &String)> = locks.iter().collect();
            if kind == 2 && !held.is_empty() {
                let (path, holder) = held[rng.below(held.len())];
                agent.clone_from(holder);
                let record = json!({"op": "unlock", "patterns": [path]});
                (vec!["unlock".into(), path.clone()], record)
            } else {
                let path = PATHS[rng.below(PATHS.len())];
                let record = json!({"op": "lock", "patterns": [path], "reason": token});
                let args = vec!["lock".into(), path.into(), "--reason".into(), token];
                (args, record)
            }
        }
        3 => {
            let record = json!({"op": "checkin", "note": token});
            (vec!["checkin".into(), "--note".into(), token], record)
        }
        4 => {
            let record = json!({"op": "msg-send", "to": "all", "subject": token});
            let args = ["msg", "send", "--to", "all", "--subject", &token];
            (args.map(String::from).to_vec(), record)
        }
        5 => {
            let key = format!("notes/k{}", n % 4);
            let record = json!({"op": "memory-set", "key": key, "value": token});
            (vec!["memory".into(), "set".into(), key, token], record)
        }
        _ => {
            let id = format!("t{n}");
            let record = json!({"op": "task-add", "id": id, "task": {"title": token}});
            let args = ["task", "add", &id, "--title", &token];
            (args.map(String::from).to_vec(), record)
        }
    };
    let refused = record["op"] == "lock"
        && locks
            .get(record["patterns"][0].as_str().expect("a path"))
            .is_some_and(|holder| *holder != agent);
    let mut record = record;
    record["actor"] = json!({"kind": "agent", "id": agent});
    let mut all = vec!["--agent".to_owned(), agent];
    all.extend(args);
    Write {
        args: all,
        record,
        refused,
    }
}

/// Starts `write` and sends it SIGKILL after `delay`, unless it ended first.
fn kill_after(env: &TestEnv, write: &Write, delay: Duration) -> End {
    let args: Vec<&str> = write.args.iter().map(String::as_str).collect();
    let mut child: Child = env.gc_command(&args).spawn().expect("start gitcoord");
    std::thread::sleep(delay);
    // Killing a process that has just exited (not yet reaped) does nothing; the status
    // below tells which happened.
    let _ = child.kill();
    let out = child.wait_with_output().expect("reap gitcoord");
    match out.status.signal() {
        Some(9) => End::Killed,
        Some(signal) => panic!("gitcoord died of signal {signal}: {:?}", run_of(out)),
        None => {
            let run = run_of(out);
            assert!(
                matches!(run.code, 0 | 1),
                "a write ended with exit {}: {run:?}",
                run.code
            );
            End::Exited(run.code)
        }
    }
}

/// The state ref's commit, its parent and its record.
struct Tip {
    commit: String,
    parent: String,
    record: Value,
}

/// Where the state ref is: on a commit (or `git log` fails) whose message carries a record.
#[track_caller]
fn tip(env: &TestEnv) -> Tip {
    let at = format!("{STATE_REF}^{{commit}}");
    let run = env.git(&["log", "-1", "--format=%H%n%P%n%B", &at]);
    let mut lines = run.ok().lines();
    let mut line = || lines.next().unwrap_or_default().to_owned();
    let (commit, parent) = (line(), line());
    let json = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Gitcoord-Record: "))
        .unwrap_or_else(|| panic!("the state commit carries no record:\n{}", run.stdout));
    let record = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    Tip {
        commit,
        parent,
        record,
    }
}

/// Whether `write`, which ended as `end`, landed: the ref is either still on `before` or on
/// one new commit on it that holds `write`'s record, as its exit (if any) says.
#[track_caller]
fn landed(before: &Tip, after: &Tip, write: &Write, end: End) -> bool {
    let landed = after.commit != before.commit;
    if landed {
        assert_eq!(
            after.parent, before.commit,
            "one commit on the state before"
        );
        assert!(
            holds(&after.record, &write.record),
            "the new state commit is not the write's\nwrote: {:?}\nrecord: {}",
            write.args,
            after.record
        );
    }
    match end {
        End::Exited(0) => assert!(landed && !write.refused, "{:?} exited 0", write.args),
        End::Exited(_) => assert!(!landed && write.refused, "{:?} exited 1", write.args),
        End::Killed => assert!(!(landed && write.refused), "{:?} landed", write.args),
    }
    landed
}

/// The live locks, path to holder, as `status --json` tells them (which reads the state).
#[track_caller]
fn current_locks(env: &TestEnv) -> BTreeMap<String, String> {
    let status = parse_json(env.gc(&["--json", "status"]).ok());
    let text = |v: &Value| v.as_str().expect("a string").to_owned();
    status["locks"]
        .as_array()
        .expect("status lists the locks")
        .iter()
        .map(|l| (text(&l["pattern"]), text(&l["holder"])))
        .collect()
}

/// The next write after a kill succeeds, whatever the killed one left behind, and lands as
/// one commit on `before`. Returns where the ref is then, and how long the write took.
#[track_caller]
fn next_write_succeeds(env: &TestEnv, before: &Tip, note: &str) -> (Tip, Duration) {
    let mut write = env.gc_command(&["--agent", "w1", "checkin", "--note", note]);
    let child = write.spawn().expect("start gitcoord");
    // Timed as the kill delays are: from the start of the process to its end.
    let start = Instant::now();
    run_of(child.wait_with_output().expect("run gitcoord")).ok();
    let took = start.elapsed();
    let after = tip(env);
    assert_eq!(after.parent, before.commit);
    assert!(holds(
        &after.record,
        &json!({"op": "checkin", "note": note})
    ));
    (after, took)
}
