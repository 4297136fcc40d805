//! The torture suite: writers killed with SIGKILL at random points of their run, and eight
//! processes of mixed operations at once, checked against a serial replay of the log. The
//! fast mode runs with the other tests; `GITCOORD_TORTURE=long` runs the long counts, and
//! `GITCOORD_TORTURE_SEED` replays another seed. Figures are in docs/SECURITY.md.

mod contention;
mod crash;

use serde_json::Value;

use crate::common::{TestEnv, long_mode};

/// The seed both parts start from unless `GITCOORD_TORTURE_SEED` says otherwise.
const DEFAULT_SEED: u64 = 0x5EED_2026_0301_1200;

/// The fast count, or the long one in the long mode.
fn count(fast: usize, long: usize) -> usize {
    if long_mode() { long } else { fast }
}

/// The seed of this run, printed so that a failure can be replayed: `GITCOORD_TORTURE_SEED`
/// (decimal or 0x-prefixed hex), else [`DEFAULT_SEED`].
fn seed(part: &str) -> u64 {
    let seed = match std::env::var("GITCOORD_TORTURE_SEED") {
        Ok(text) => match text.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => text.parse(),
        }
        .unwrap_or_else(|e| panic!("GITCOORD_TORTURE_SEED={text} is not a number: {e}")),
        Err(_) => DEFAULT_SEED,
    };
    let mode = if long_mode() { "long" } else { "fast" };
    eprintln!("torture {part}: {mode} mode, seed {seed:#x} (GITCOORD_TORTURE_SEED replays it)");
    seed
}

/// A small deterministic generator (xorshift64*): the same seed gives the same run.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // xorshift never leaves zero; any other seed is as good as the next.
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).expect("usize fits in u64");
        usize::try_from(self.next() % n).expect("below n, which was a usize")
    }
}

/// Whether `record` holds everything `want` does: objects key by key (extra keys are fine),
/// anything else by equality.
fn holds(record: &Value, want: &Value) -> bool {
    match (record, want) {
        (Value::Object(have), Value::Object(want)) => want
            .iter()
            .all(|(k, w)| have.get(k).is_some_and(|h| holds(h, w))),
        _ => record == want,
    }
}

/// Every record of the state's history, oldest first, as `gitcoord log --json` tells them;
/// checks that each state commit has one.
#[track_caller]
fn log_records(env: &TestEnv) -> Vec<Value> {
    let log = env.json(&["log", "-n", "1000000"]);
    let mut records: Vec<Value> = log
        .as_array()
        .expect("log --json is a list")
        .iter()
        .map(|entry| entry["record"].clone())
        .collect();
    records.reverse();
    assert_eq!(records.len(), env.state_commits(), "one record per commit");
    assert!(records.iter().all(|r| r["op"].is_string()), "{records:#?}");
    records
}

/// `git fsck` finds no corruption (dangling objects from killed writers are expected).
#[track_caller]
fn assert_fsck_clean(env: &TestEnv) {
    let fsck = env.git(&["fsck", "--no-dangling", "--no-progress"]);
    fsck.ok();
    assert_eq!(
        fsck.stdout.trim(),
        "",
        "git fsck reports:\n{}{}",
        fsck.stdout,
        fsck.stderr
    );
}
