//! Sync end to end: clones of one bare remote (over `file://` and over a `git daemon` on
//! loopback) act as machines, each with its own agent; their states diverge through
//! hundreds of operations and converge through `gitcoord sync`, losing nothing.

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Run, STATE_REF, TestEnv, parse_json, run_of};

/// A bare remote `<root>/remote/r.git` holding the test repository's `main`; returns its path.
fn bare_remote(env: &TestEnv) -> PathBuf {
    let dir = env.root().join("remote");
    std::fs::create_dir_all(&dir).expect("remote dir");
    let bare = dir.join("r.git");
    let shown = bare.to_str().expect("temp paths are UTF-8");
    env.git_in(&dir, &["init", "-q", "--bare", "-b", "main", shown])
        .ok();
    env.git(&["push", "-q", shown, "main"]).ok();
    bare
}

/// `file://` URL of a path.
fn file_url(path: &Path) -> String {
    format!("file://{}", path.to_str().expect("temp paths are UTF-8"))
}

/// Clones `url` to `<root>/<name>`.
fn clone(env: &TestEnv, url: &str, name: &str) -> PathBuf {
    let dir = env.root().join(name);
    let shown = dir.to_str().expect("temp paths are UTF-8");
    env.git_in(&env.root(), &["clone", "-q", url, shown]).ok();
    dir
}

/// The agent machine `i` acts as.
fn agent(i: usize) -> String {
    format!("a{}", i + 1)
}

/// `n` clones of `url`, the machines `c1`…: the first creates the state and publishes it,
/// each gets it by `sync`, registers its own agent `aN`, acts as it (`gitcoord.agent`) and
/// syncs; then every machine syncs once more, so each knows every agent.
fn machines(env: &TestEnv, url: &str, n: usize) -> Vec<PathBuf> {
    let clones: Vec<PathBuf> = (0..n)
        .map(|i| clone(env, url, &format!("c{}", i + 1)))
        .collect();
    env.gc_in(&clones[0], &["init"]).ok();
    for (i, dir) in clones.iter().enumerate() {
        sync(env, dir).ok();
        let id = agent(i);
        env.gc_in(
            dir,
            &["agent", "add", &id, "--branch", &format!("b{}", i + 1)],
        )
        .ok();
        env.git_in(dir, &["config", "gitcoord.agent", &id]).ok();
        sync(env, dir).ok();
    }
    for dir in &clones {
        sync(env, dir).ok();
    }
    clones
}

fn sync(env: &TestEnv, dir: &Path) -> Run {
    env.gc_in(dir, &["sync"])
}

/// The commit `refs/gitcoord/state` points at in `dir` (`None`: there is none).
fn state_head(env: &TestEnv, dir: &Path) -> Option<String> {
    let run = env.git_in(dir, &["rev-parse", "--verify", "-q", STATE_REF]);
    (run.code == 0).then(|| run.stdout.trim().to_owned())
}

/// The tree of the state in `dir`.
fn state_tree(env: &TestEnv, dir: &Path) -> String {
    let tree = format!("{STATE_REF}^{{tree}}");
    env.git_in(dir, &["rev-parse", &tree])
        .ok()
        .trim()
        .to_owned()
}

/// What machine `m` wrote: message subjects, memory keys, locked paths.
#[derive(Default)]
struct Written {
    subjects: BTreeSet<String>,
    keys: BTreeSet<String>,
    locks: BTreeSet<String>,
}

/// Operation `n` of machine `m`: a message to all, a memory entry, a lock on a path of the
/// machine's own, or a checkin, in turn.
fn operation(env: &TestEnv, dir: &Path, m: usize, n: usize, written: &mut Written) {
    let tag = format!("c{}-{n}", m + 1);
    match n % 4 {
        0 => {
            let subject = format!("subject {tag}");
            env.gc_in(dir, &["msg", "send", "--to", "all", "--subject", &subject])
                .ok();
            written.subjects.insert(subject);
        }
        1 => {
            let key = format!("area/key-{tag}");
            env.gc_in(dir, &["memory", "set", &key, &format!("value {tag}")])
                .ok();
            written.keys.insert(key);
        }
        2 => {
            let path = format!("c{}/file-{n}.rs", m + 1);
            env.gc_in(dir, &["lock", &path]).ok();
            written.locks.insert(path);
        }
        _ => {
            env.gc_in(dir, &["checkin", "--status", "working"]).ok();
        }
    }
}

/// Every machine performs `ops` operations, `every` at a time (the machines at once, each
/// on its own clone), then each syncs in turn: every sync but the very first finds the
/// remote moved by others since its last one. Every sync must exit 0, dropping nothing.
/// Returns what was written and how many syncs replayed.
fn diverge(env: &TestEnv, clones: &[PathBuf], ops: usize, every: usize) -> (Written, usize) {
    let mut written = Written::default();
    let mut replayed = 0;
    for turn in 0..ops.div_ceil(every) {
        let batch = turn * every..((turn + 1) * every).min(ops);
        let batches: Vec<Written> = std::thread::scope(|scope| {
            let machines: Vec<_> = clones
                .iter()
                .enumerate()
                .map(|(m, dir)| {
                    let batch = batch.clone();
                    scope.spawn(move || {
                        let mut written = Written::default();
                        for n in batch {
                            operation(env, dir, m, n, &mut written);
                        }
                        written
                    })
                })
                .collect();
            machines
                .into_iter()
                .map(|h| h.join().expect("a machine's operations"))
                .collect()
        });
        for batch in batches {
            written.subjects.extend(batch.subjects);
            written.keys.extend(batch.keys);
            written.locks.extend(batch.locks);
        }
        for dir in clones {
            let run = env.gc_in(dir, &["--json", "sync"]);
            let report = parse_json(run.ok());
            assert_eq!(report["dropped"], serde_json::json!([]), "{report}");
            if report["how"] == "replayed" {
                replayed += 1;
            }
        }
    }
    (written, replayed)
}

/// Syncs every machine in turn, twice, each sync exiting 0.
fn converge(env: &TestEnv, clones: &[PathBuf]) {
    for _ in 0..2 {
        for dir in clones {
            sync(env, dir).ok();
        }
    }
}

/// Every machine holds the same state tree, and in it everything any machine wrote: each
/// message once, with an id of its own, each memory key, each lock.
fn assert_converged(env: &TestEnv, clones: &[PathBuf], written: &Written) {
    let trees: Vec<String> = clones.iter().map(|c| state_tree(env, c)).collect();
    assert!(trees.iter().all(|t| t == &trees[0]), "trees: {trees:?}");

    let dir = &clones[0];
    let inbox = env.json_in(dir, &["inbox", "--all"]);
    let messages = inbox["messages"].as_array().expect("a list of messages");
    let subjects: Vec<&str> = messages
        .iter()
        .map(|m| m["subject"].as_str().expect("a subject"))
        .collect();
    let ids: BTreeSet<&str> = messages
        .iter()
        .map(|m| m["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(subjects.len(), written.subjects.len(), "each message once");
    assert_eq!(ids.len(), messages.len(), "message ids are distinct");
    let subjects: BTreeSet<String> = subjects.into_iter().map(str::to_owned).collect();
    assert_eq!(subjects, written.subjects);

    let memory = env.json_in(dir, &["memory", "list"]);
    let keys: BTreeSet<String> = memory
        .as_array()
        .expect("a list of entries")
        .iter()
        .map(|e| e["key"].as_str().expect("a key").to_owned())
        .collect();
    assert_eq!(keys, written.keys);

    let locks = env.json_in(dir, &["locks"]);
    let locked: BTreeSet<String> = locks
        .as_array()
        .expect("a list of locks")
        .iter()
        .map(|l| l["pattern"].as_str().expect("a pattern").to_owned())
        .collect();
    assert_eq!(locked, written.locks);
}

/// The whole scenario: `n` machines on `url`, `ops` operations each synced every `every`.
fn diverge_and_converge(env: &TestEnv, url: &str, n: usize, ops: usize, every: usize) {
    let clones = machines(env, url, n);
    let (written, replayed) = diverge(env, &clones, ops, every);
    assert!(
        replayed >= n,
        "the machines diverged: {replayed} syncs replayed"
    );
    converge(env, &clones);
    assert_converged(env, &clones, &written);
}

#[test]
fn three_machines_converge_through_a_file_remote() {
    let env = TestEnv::new();
    let url = file_url(&bare_remote(&env));
    diverge_and_converge(&env, &url, 3, 200, 20);
}

#[test]
fn machines_syncing_at_the_same_moment_all_get_through() {
    let env = TestEnv::new();
    let url = file_url(&bare_remote(&env));
    let clones = machines(&env, &url, 3);
    let mut written = Written::default();
    for turn in 0..3 {
        for (m, dir) in clones.iter().enumerate() {
            for n in turn * 4..(turn + 1) * 4 {
                operation(&env, dir, m, n, &mut written);
            }
        }
        // The pushes meet at the remote: the losers start again from the fetch.
        let syncs: Vec<Child> = clones
            .iter()
            .map(|dir| {
                gc_command(&env, dir, &["sync"])
                    .spawn()
                    .expect("start gitcoord sync")
            })
            .collect();
        for child in syncs {
            run_of(child.wait_with_output().expect("wait for gitcoord sync")).ok();
        }
    }
    converge(&env, &clones);
    assert_converged(&env, &clones, &written);
}

/// A `git daemon` serving `<root>/remote` on a free loopback port, with pushes enabled;
/// killed (with its connection handlers) when dropped, also when a test panics.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(env: &TestEnv) -> Daemon {
        let base = env.root().join("remote");
        let base = base.to_str().expect("temp paths are UTF-8");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut cmd = Command::new("git");
        env.hermetic(&mut cmd);
        cmd.args([
            "daemon",
            "--reuseaddr",
            &format!("--base-path={base}"),
            "--export-all",
            "--enable=receive-pack",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            base,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
        let mut daemon = Daemon {
            child: cmd.spawn().expect("start git daemon"),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = daemon.child.try_wait().expect("poll git daemon");
            assert!(exited.is_none(), "git daemon exited: {exited:?}");
            assert!(Instant::now() < deadline, "git daemon never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }

    fn url(&self) -> String {
        format!("git://127.0.0.1:{}/r.git", self.port)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        kill_group(self.child.id());
        let _ = self.child.wait();
    }
}

/// Kills the process group `pgid` with SIGKILL.
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[test]
fn two_machines_converge_through_a_git_daemon() {
    let env = TestEnv::new();
    bare_remote(&env);
    let daemon = Daemon::start(&env);
    diverge_and_converge(&env, &daemon.url(), 2, 200, 20);
}

#[test]
fn three_machines_converge_through_a_git_daemon() {
    let env = TestEnv::new();
    bare_remote(&env);
    let daemon = Daemon::start(&env);
    diverge_and_converge(&env, &daemon.url(), 3, 40, 8);
}

/// The live locks `dir` lists, as JSON.
fn locks(env: &TestEnv, dir: &Path) -> serde_json::Value {
    env.json_in(dir, &["locks"])
}

#[test]
fn a_lock_taken_on_two_machines_apart_goes_to_the_first_to_reach_the_remote() {
    let env = TestEnv::new();
    let url = file_url(&bare_remote(&env));
    let clones = machines(&env, &url, 2);
    let (first, second) = (&clones[0], &clones[1]);
    env.gc_in(first, &["lock", "shared/x.rs"]).ok();
    env.gc_in(second, &["lock", "shared/x.rs"]).ok();
    env.gc_in(second, &["msg", "send", "--to", "all", "--subject", "kept"])
        .ok();

    sync(&env, first).ok();
    let lost = sync(&env, second);
    lost.code(1);
    let dropped = lost
        .stdout
        .lines()
        .find(|l| l.starts_with("dropped:"))
        .unwrap_or_else(|| panic!("a dropped: line\n{}", lost.stdout));
    assert!(dropped.contains("shared/x.rs"), "{dropped}");
    assert!(dropped.contains("a1"), "names the holder: {dropped}");
    sync(&env, first).ok();

    let held = locks(&env, first);
    assert_eq!(held, locks(&env, second));
    let held = held.as_array().expect("a list of locks");
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["pattern"], "shared/x.rs");
    assert_eq!(held[0]["holder"], "a1");
    // What did not conflict was kept.
    let inbox = env.json_in(first, &["inbox", "--all"]);
    assert!(
        inbox["messages"]
            .as_array()
            .expect("a list of messages")
            .iter()
            .any(|m| m["subject"] == "kept"),
        "{inbox}"
    );
}

/// A `gitcoord` command in `dir`, hermetic, output piped, not yet started.
fn gc_command(env: &TestEnv, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = env.gc_command(args);
    cmd.current_dir(dir);
    cmd
}

#[test]
fn strict_machines_racing_for_one_lock_grant_it_once() {
    let env = TestEnv::new();
    let url = file_url(&bare_remote(&env));
    let clones = machines(&env, &url, 2);
    for dir in &clones {
        env.git_in(dir, &["config", "gitcoord.sync", "strict"]).ok();
    }
    let racers: Vec<Child> = clones
        .iter()
        .map(|dir| {
            gc_command(&env, dir, &["lock", "shared/x.rs"])
                .spawn()
                .expect("start gitcoord lock")
        })
        .collect();
    let runs: Vec<Run> = racers
        .into_iter()
        .map(|c| run_of(c.wait_with_output().expect("wait for gitcoord lock")))
        .collect();
    let winners: Vec<usize> = (0..runs.len()).filter(|&i| runs[i].code == 0).collect();
    assert_eq!(winners.len(), 1, "exactly one lock granted: {runs:#?}");
    let (winner, loser) = (winners[0], 1 - winners[0]);
    runs[loser].code(1);
    assert!(
        runs[loser].stderr.contains(&agent(winner)),
        "the refusal names the holder: {}",
        runs[loser].stderr
    );

    for dir in &clones {
        sync(&env, dir).ok();
    }
    for dir in &clones {
        let held = locks(&env, dir);
        let held = held.as_array().expect("a list of locks");
        assert_eq!(held.len(), 1, "{held:?}");
        assert_eq!(held[0]["holder"], agent(winner).as_str());
    }
}

#[test]
fn strict_lock_with_the_remote_out_of_reach_grants_nothing() {
    let env = TestEnv::new();
    let url = file_url(&bare_remote(&env));
    let clones = machines(&env, &url, 1);
    let dir = &clones[0];
    env.git_in(dir, &["config", "gitcoord.sync", "strict"]).ok();
    env.git_in(
        dir,
        &["remote", "set-url", "origin", "file:///nonexistent/r.git"],
    )
    .ok();
    let before = state_head(&env, dir);

    let refused = env.gc_in(dir, &["lock", "src/x.rs"]);
    refused.code(2);
    assert!(refused.stderr.contains("origin"), "{}", refused.stderr);
    assert_eq!(locks(&env, dir), serde_json::json!([]));
    assert_eq!(state_head(&env, dir), before, "the state did not move");
}

/// The real `git`, as the test process finds it on PATH.
pub(crate) fn real_git() -> PathBuf {
    let out = Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .expect("run sh");
    let path = String::from_utf8(out.stdout).expect("a UTF-8 path");
    PathBuf::from(path.trim())
}

/// A directory holding a `git` that runs the real one, except that `git push` hangs.
fn hanging_push_bin(env: &TestEnv) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = env.root().join("hanging-bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = push ]; then exec sleep 60; fi\nexec '{}' \"$@\"\n",
        real_git().display()
    );
    let git = bin.join("git");
    std::fs::write(&git, script).expect("write the git wrapper");
    std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    bin
}

/// Every message subject in `dir`'s state, in order, duplicates included.
fn subjects(env: &TestEnv, dir: &Path) -> Vec<String> {
    let inbox = env.json_in(dir, &["inbox", "--all"]);
    inbox["messages"]
        .as_array()
        .expect("a list of messages")
        .iter()
        .map(|m| m["subject"].as_str().expect("a subject").to_owned())
        .collect()
}

#[test]
fn a_sync_killed_between_fetch_and_push_loses_nothing() {
    let env = TestEnv::new();
    let url = file_url(&bare_remote(&env));
    let clones = machines(&env, &url, 2);
    let (here, there) = (&clones[0], &clones[1]);
    for n in 0..3 {
        let subject = format!("there {n}");
        env.gc_in(
            there,
            &["msg", "send", "--to", "all", "--subject", &subject],
        )
        .ok();
        let subject = format!("here {n}");
        env.gc_in(here, &["msg", "send", "--to", "all", "--subject", &subject])
            .ok();
    }
    sync(&env, there).ok();
    let published = state_head(&env, there);
    let before = state_head(&env, here);

    // The sync replays, moves the local state, then hangs in `git push`: killed there.
    let path = format!(
        "{}:{}",
        hanging_push_bin(&env).display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = gc_command(&env, here, &["sync"]);
    cmd.env("PATH", path).process_group(0);
    let mut stuck = cmd.spawn().expect("start gitcoord sync");
    let deadline = Instant::now() + Duration::from_secs(30);
    while state_head(&env, here) == before {
        assert!(
            stuck.try_wait().expect("poll sync").is_none(),
            "sync ended before the kill"
        );
        assert!(Instant::now() < deadline, "the local state never moved");
        std::thread::sleep(Duration::from_millis(20));
    }
    kill_group(stuck.id());
    stuck.wait().expect("reap the killed sync");

    // Both states are whole: the local one already holds the remote's operations, the
    // remote's is what the other machine published.
    env.gc_in(here, &["status"]).ok();
    let remote = bare_remote_dir(&env);
    env.git_in(&env.root(), &["--git-dir", &remote, "log", STATE_REF])
        .ok();
    let remote_state = env.git_in(&env.root(), &["--git-dir", &remote, "rev-parse", STATE_REF]);
    assert_eq!(Some(remote_state.ok().trim().to_owned()), published);

    sync(&env, here).ok();
    sync(&env, there).ok();
    assert_eq!(state_tree(&env, here), state_tree(&env, there));
    let mut seen = subjects(&env, there);
    seen.sort();
    let want: Vec<String> = [
        "here 0", "here 1", "here 2", "there 0", "there 1", "there 2",
    ]
    .map(str::to_owned)
    .to_vec();
    assert_eq!(seen, want, "each message once");
}

/// The bare remote's git dir, as an argument.
fn bare_remote_dir(env: &TestEnv) -> String {
    let path = env.root().join("remote").join("r.git");
    path.to_str().expect("temp paths are UTF-8").to_owned()
}

#[test]
fn sync_with_the_remote_out_of_reach_exits_2_and_keeps_the_state() {
    let env = TestEnv::new();
    let url = file_url(&bare_remote(&env));
    let clones = machines(&env, &url, 1);
    let dir = &clones[0];
    env.gc_in(dir, &["memory", "set", "area/topic", "kept"])
        .ok();
    env.git_in(
        dir,
        &["remote", "set-url", "origin", "file:///nonexistent/r.git"],
    )
    .ok();
    let before = state_head(&env, dir);

    let failed = sync(&env, dir);
    failed.code(2);
    assert!(
        failed.stderr.contains("cannot reach remote 'origin'"),
        "{}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("next:") && failed.stderr.contains("gitcoord sync"),
        "says what to do next: {}",
        failed.stderr
    );
    assert_eq!(state_head(&env, dir), before, "the state did not move");
    env.gc_in(dir, &["memory", "get", "area/topic"]).ok();

    let unknown = env.gc_in(dir, &["sync", "--remote", "nosuch"]);
    unknown.code(2);
    assert!(unknown.stderr.contains("nosuch"), "{}", unknown.stderr);
    assert_eq!(state_head(&env, dir), before, "the state did not move");
}

#[test]
fn wave_snapshots_travel_with_the_state_and_are_never_moved() {
    let env = TestEnv::new();
    let url = file_url(&bare_remote(&env));
    let clones = machines(&env, &url, 2);
    let (c1, c2) = (&clones[0], &clones[1]);
    let tip = env
        .git_in(c1, &["rev-parse", "HEAD"])
        .ok()
        .trim()
        .to_owned();
    env.git_in(c1, &["update-ref", "refs/gitcoord/snapshots/W0/a1", &tip])
        .ok();
    env.gc_in(c1, &["checkin", "--status", "wave W0 open"]).ok();
    sync(&env, c1).ok();
    // c2 had taken its own snapshot of W0/a2 and another of W0/a1 (a killed process, say).
    env.git_in(
        c2,
        &[
            "commit",
            "-q",
            "--allow-empty",
            "--no-verify",
            "-m",
            "c2 only",
        ],
    )
    .ok();
    let own = env
        .git_in(c2, &["rev-parse", "HEAD"])
        .ok()
        .trim()
        .to_owned();
    env.git_in(c2, &["update-ref", "refs/gitcoord/snapshots/W0/a2", &own])
        .ok();
    env.git_in(c2, &["update-ref", "refs/gitcoord/snapshots/W0/a1", &own])
        .ok();
    sync(&env, c2).ok();
    let at = |dir: &Path, name: &str| {
        env.git_in(
            dir,
            &["rev-parse", &format!("refs/gitcoord/snapshots/W0/{name}")],
        )
        .ok()
        .trim()
        .to_owned()
    };
    // The remote has c1's snapshot of a1 (first there wins) and c2's of a2.
    sync(&env, c1).ok();
    assert_eq!(at(c1, "a1"), tip);
    assert_eq!(at(c1, "a2"), own, "c2's snapshot travelled to c1");
    assert_eq!(at(c2, "a1"), own, "an existing snapshot is never moved");
    assert_eq!(state_tree(&env, c1), state_tree(&env, c2));
}
