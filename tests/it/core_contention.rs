//! Contention between real processes: compare-and-swap loses no update, first lock wins.

use std::sync::{Arc, Barrier};
use std::thread;

use crate::common::{Run, TestEnv, run_of};

const WRITERS: usize = 8;

/// Runs `work(i)` for `i` in `0..WRITERS` on threads released together by a barrier; each
/// runs its `gitcoord` processes in turn. Returns every run, by writer.
fn together(env: &Arc<TestEnv>, work: fn(&TestEnv, usize) -> Vec<Run>) -> Vec<Vec<Run>> {
    let start = Arc::new(Barrier::new(WRITERS));
    let handles: Vec<_> = (0..WRITERS)
        .map(|i| {
            let (env, start) = (Arc::clone(env), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                work(&env, i)
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("writer thread"))
        .collect()
}

fn gc(env: &TestEnv, args: &[&str]) -> Run {
    run_of(env.gc_command(args).output().expect("run gitcoord"))
}

/// Each writer locks 30 paths of its own, then unlocks the first 20: 50 operations.
fn lock_unlock(env: &TestEnv, writer: usize) -> Vec<Run> {
    let agent = format!("w{writer}");
    let path = |n: usize| format!("w{writer}/f{n}.txt");
    let mut runs = Vec::new();
    for n in 0..30 {
        runs.push(gc(env, &["--agent", &agent, "lock", &path(n)]));
    }
    for n in 0..20 {
        runs.push(gc(env, &["--agent", &agent, "unlock", &path(n)]));
    }
    runs
}

/// A repository with a state and the agents w0..w7 registered.
fn env_with_writers() -> TestEnv {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    for w in 0..WRITERS {
        let (id, branch) = (format!("w{w}"), format!("b{w}"));
        env.gc(&["agent", "add", &id, "--branch", &branch]).ok();
    }
    env
}

#[test]
fn eight_writers_lose_no_update() {
    let env = env_with_writers();
    let before = env.state_commits();
    let env = Arc::new(env);
    let runs = together(&env, lock_unlock);
    for run in runs.iter().flatten() {
        run.ok();
    }
    let ops: usize = runs.iter().map(Vec::len).sum();
    assert_eq!(ops, WRITERS * 50);
    assert_eq!(
        env.state_commits(),
        before + ops,
        "one commit per operation"
    );

    let locks = env.json(&["locks"]);
    let mut held: Vec<(String, String)> = locks
        .as_array()
        .expect("a list")
        .iter()
        .map(|l| {
            let f = |k: &str| l[k].as_str().unwrap_or_default().to_owned();
            (f("holder"), f("pattern"))
        })
        .collect();
    held.sort();
    let mut want: Vec<(String, String)> = (0..WRITERS)
        .flat_map(|w| (20..30).map(move |n| (format!("w{w}"), format!("w{w}/f{n}.txt"))))
        .collect();
    want.sort();
    assert_eq!(held, want);

    // The history is one chain: every commit but the first has exactly one parent.
    let merges = env.git(&[
        "rev-list",
        "--min-parents=2",
        "--count",
        "refs/gitcoord/state",
    ]);
    assert_eq!(merges.ok().trim(), "0");
}

fn race_one_path(env: &TestEnv, writer: usize) -> Vec<Run> {
    let agent = format!("w{writer}");
    vec![gc(
        env,
        &[
            "--agent",
            &agent,
            "lock",
            "shared/schema.sql",
            "--reason",
            &agent,
        ],
    )]
}

#[test]
fn eight_writers_racing_for_one_path_one_wins() {
    let env = env_with_writers();
    let before = env.state_commits();
    let env = Arc::new(env);
    let runs: Vec<Run> = together(&env, race_one_path)
        .into_iter()
        .flatten()
        .collect();

    let winners: Vec<usize> = (0..WRITERS).filter(|&w| runs[w].code == 0).collect();
    assert_eq!(winners.len(), 1, "{runs:#?}");
    let winner = format!("w{}", winners[0]);
    for (w, run) in runs.iter().enumerate() {
        if w == winners[0] {
            assert_eq!(
                run.stdout.trim(),
                format!("lock shared/schema.sql by {winner}")
            );
            continue;
        }
        run.code(1);
        let want = format!("refused: 'shared/schema.sql' is locked by {winner} since");
        assert!(run.stderr.starts_with(&want), "{want}\n{}", run.stderr);
    }
    assert_eq!(env.state_commits(), before + 1, "only the winner wrote");
    let locks = env.json(&["locks"]);
    assert_eq!(locks.as_array().map(Vec::len), Some(1));
    assert_eq!(locks[0]["holder"], winner.as_str());
    assert_eq!(locks[0]["reason"], winner.as_str());
}

fn init(env: &TestEnv, _writer: usize) -> Vec<Run> {
    vec![gc(env, &["init"])]
}

#[test]
fn concurrent_inits_create_the_state_once() {
    let env = Arc::new(TestEnv::new());
    for run in together(&env, init).iter().flatten() {
        run.ok();
    }
    assert_eq!(env.state_commits(), 1);
    let log = env.gc(&["log"]);
    assert!(
        log.ok()
            .trim_end()
            .ends_with("create the coordination state")
    );
}

/// A writer that does not take turns (plain `git update-ref`, as a fetch or a hand edit
/// would) moves the ref while gitcoord waits for its turn: gitcoord re-validates its
/// operation against that newer state instead of overwriting it.
#[test]
fn a_writer_outside_gitcoord_is_never_overwritten() {
    use std::io::{BufRead, BufReader, Write};

    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "alice", "--branch", "feature/a"])
        .ok();
    let lock_file = env.repo.join(".git/gitcoord-writer.lock");
    let mut holder = std::process::Command::new("flock")
        .arg(&lock_file)
        .args(["sh", "-c", "echo held; read _"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run flock(1)");
    let mut held = String::new();
    BufReader::new(holder.stdout.take().expect("piped stdout"))
        .read_line(&mut held)
        .expect("flock reports the lock held");
    assert_eq!(held.trim(), "held");

    let waiting = env
        .gc_command(&["--agent", "alice", "lock", "x.rs"])
        .spawn()
        .expect("start gitcoord");
    let bobs = "# gitcoord file locks\n[[lock]]\npattern = \"x.rs\"\nholder = \"bob\"\nacquired = \"2026-03-01T12:00:00Z\"\nexpires = \"2026-03-01T13:00:00Z\"\n";
    let outside = env.hand_edit_state("locks/.toml", bobs);
    holder
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(b"go\n")
        .expect("release the lock");
    holder.wait().expect("flock exits");

    let run = run_of(waiting.wait_with_output().expect("gitcoord exits"));
    run.code(1);
    assert!(
        run.stderr.starts_with("refused: 'x.rs' is locked by bob"),
        "{}",
        run.stderr
    );
    assert_eq!(env.state_head().as_deref(), Some(outside.as_str()));
}

#[test]
fn a_ref_lock_file_left_by_a_killed_writer_does_not_block_the_next() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    let lock = env.repo.join(".git/refs/gitcoord/state.lock");
    std::fs::write(&lock, "").expect("a stale lock file");
    let started = std::time::Instant::now();
    env.gc(&["lock", "src/a.rs"]).ok();
    assert!(!lock.exists(), "the stale lock file is cleared");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "no long wait: {:?}",
        started.elapsed()
    );
    let locks = env.json(&["locks"]);
    assert_eq!(locks.as_array().map(Vec::len), Some(1), "{locks}");
}
