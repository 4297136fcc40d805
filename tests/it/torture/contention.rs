//! Contention: eight processes of mixed operations at once. Every operation that succeeded
//! is in the log exactly once, in its writer's order, and none that was refused is;
//! replaying the log serially never lets an agent take what another holds, explains every
//! refusal, and gives the final locks, claims, messages, memory and notes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Barrier;
use std::time::Instant;

use serde_json::{Value, json};

use super::{Rng, count, holds, log_records, seed};
use crate::common::{Run, TestEnv, run_of};

const WRITERS: usize = 8;
/// Paths every writer may lock: the contended ones.
const SHARED: [&str; 3] = ["shared/schema.sql", "shared/api.rs", "shared/README.md"];
/// Tasks every writer may claim: exactly one claim of each wins.
const TASKS: [&str; 3] = ["c1", "c2", "c3"];

/// One operation a writer ran: what its record holds, what it contends for with the other
/// writers (a shared path, or `task:ID`), and how it ended.
struct Done {
    record: Value,
    contends: Option<String>,
    run: Run,
}

#[test]
fn eight_writers_of_mixed_operations_equal_a_serial_replay_of_the_log() {
    let ops = count(15, 200);
    let seed = seed("contention");
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    for w in 0..WRITERS {
        let (id, branch) = (format!("w{w}"), format!("b{w}"));
        env.gc(&["agent", "add", &id, "--branch", &branch]).ok();
    }
    for task in TASKS {
        env.gc(&["task", "add", task, "--title", "contended"]).ok();
    }
    let setup = env.state_commits();

    let started = Instant::now();
    let start = Barrier::new(WRITERS);
    let done: Vec<Vec<Done>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (env, start) = (&env, &start);
                scope.spawn(move || {
                    start.wait();
                    writer(env, w, seed, ops)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("writer thread"))
            .collect()
    });
    let took = started.elapsed();

    for d in done.iter().flatten() {
        let refusal = d.contends.is_some() && d.run.stderr.starts_with("refused: ");
        assert!(
            d.run.code == 0 || (d.run.code == 1 && refusal),
            "{}: {:?}",
            d.record,
            d.run
        );
    }
    let records = log_records(&env);
    let ours = &records[setup..];
    let succeeded = done.iter().flatten().filter(|d| d.run.code == 0).count();
    assert_eq!(ours.len(), succeeded, "one record per successful operation");
    let replay = Replay::of(ours);
    for (w, ops) in done.iter().enumerate() {
        each_writer_in_order(ours, w, ops, &replay);
    }
    final_state_is_the_replay(&env, &replay);
    let merges = env.git(&[
        "rev-list",
        "--min-parents=2",
        "--count",
        "refs/gitcoord/state",
    ]);
    assert_eq!(merges.ok().trim(), "0", "the history is one chain");
    eprintln!(
        "torture contention: {WRITERS} writers x {ops} operations: {succeeded} succeeded, \
         {} refused; {took:.1?}",
        WRITERS * ops - succeeded
    );
}

/// Runs `ops` operations of writer `w` in turn, each a `gitcoord` process.
fn writer(env: &TestEnv, w: usize, seed: u64, ops: usize) -> Vec<Done> {
    let stream = u64::try_from(w + 1).expect("a small number");
    let mut rng = Rng::new(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let agent = format!("w{w}");
    let mut held: Vec<String> = Vec::new();
    let mut claimed: Vec<&str> = Vec::new();
    let mut done = Vec::new();
    for n in 0..ops {
        let token = format!("w{w}-{n}");
        let (args, mut record, contends) = choose(&mut rng, w, &token, &held, &claimed);
        record["actor"] = json!({"kind": "agent", "id": agent});
        let mut all = vec!["--agent", &agent];
        all.extend(args.iter().map(String::as_str));
        let run = run_of(env.gc_command(&all).output().expect("run gitcoord"));
        if run.code == 0 {
            let first = |key: &str| record[key][0].as_str().unwrap_or_default().to_owned();
            match record["op"].as_str() {
                Some("lock") if !held.contains(&first("patterns")) => {
                    held.push(first("patterns"));
                }
                Some("unlock") => held.retain(|p| *p != first("patterns")),
                Some("task-claim") => {
                    claimed.extend(TASKS.iter().find(|t| record["id"] == **t).copied())
                }
                _ => {}
            }
        }
        done.push(Done {
            record,
            contends,
            run,
        });
    }
    done
}

/// The next operation of writer `w`, who holds the locks `held` and has claimed `claimed`:
/// its arguments, what its record holds, and what it contends for.
fn choose(
    rng: &mut Rng,
    w: usize,
    token: &str,
    held: &[String],
    claimed: &[&str],
) -> (Vec<String>, Value, Option<String>) {
    let lock = |path: String| {
        let record = json!({"op": "lock", "patterns": [path], "reason": token});
        let args = vec!["lock".into(), path.clone(), "--reason".into(), token.into()];
        let contends = path.starts_with("shared/").then_some(path);
        (args, record, contends)
    };
    let free: Vec<&str> = TASKS.into_iter().filter(|t| !claimed.contains(t)).collect();
    match rng.below(10) {
        0..=2 => lock(SHARED[rng.below(SHARED.len())].to_owned()),
        3 => lock(format!("w{w}/d{}", rng.below(3))),
        4 | 5 if !held.is_empty() => {
            let path = held[rng.below(held.len())].clone();
            let record = json!({"op": "unlock", "patterns": [path]});
            (vec!["unlock".into(), path], record, None)
        }
        4 | 5 => lock(SHARED[rng.below(SHARED.len())].to_owned()),
        7 => {
            let record = json!({"op": "msg-send", "to": "all", "subject": token});
            let args = ["msg", "send", "--to", "all", "--subject", token];
            (args.map(String::from).to_vec(), record, None)
        }
        8 => {
            let key = format!("w{w}/k{}", rng.below(2));
            let record = json!({"op": "memory-set", "key": key, "value": token});
            let args = vec!["memory".into(), "set".into(), key, token.into()];
            (args, record, None)
        }
        9 if !free.is_empty() => {
            let task = free[rng.below(free.len())];
            let record = json!({"op": "task-claim", "id": task});
            let args = ["task", "claim", task].map(String::from).to_vec();
            (args, record, Some(format!("task:{task}")))
        }
        _ => {
            let record = json!({"op": "checkin", "note": token});
            let args = ["checkin", "--note", token].map(String::from).to_vec();
            (args, record, None)
        }
    }
}

/// The log replayed serially, record by record.
#[derive(Default)]
struct Replay {
    /// Who holds each lock and claim, before each record and after the last.
    holders: Vec<BTreeMap<String, String>>,
    /// The locks at the end: path to holder and reason.
    locks: BTreeMap<String, (String, String)>,
    /// The messages' subjects.
    messages: BTreeSet<String>,
    /// The memory: key to value.
    memory: BTreeMap<String, String>,
    /// Each agent's last checkin note.
    notes: BTreeMap<String, String>,
}

impl Replay {
    /// Replays `records` in order; a lock or claim taken from another agent, or an unlock
    /// of a lock the actor does not hold, fails the test.
    fn of(records: &[Value]) -> Replay {
        let mut replay = Replay::default();
        let mut holders: BTreeMap<String, String> = BTreeMap::new();
        let text = |v: &Value| v.as_str().expect("a string").to_owned();
        for (k, record) in records.iter().enumerate() {
            replay.holders.push(holders.clone());
            let actor = text(&record["actor"]["id"]);
            let taken_from = |what: &str| holders.get(what).filter(|h| **h != actor).cloned();
            match record["op"].as_str().expect("an op") {
                "lock" => {
                    let path = text(&record["patterns"][0]);
                    let holder = taken_from(&path);
                    assert_eq!(holder, None, "record {k} took {path} from its holder");
                    holders.insert(path.clone(), actor.clone());
                    replay.locks.insert(path, (actor, text(&record["reason"])));
                }
                "unlock" => {
                    let path = text(&record["patterns"][0]);
                    let holder = holders.remove(&path);
                    assert_eq!(holder.as_ref(), Some(&actor), "record {k} unlocked {path}");
                    replay.locks.remove(&path);
                }
                "task-claim" => {
                    let task = format!("task:{}", text(&record["id"]));
                    assert_eq!(holders.get(&task), None, "record {k} claimed {task} again");
                    holders.insert(task, actor);
                }
                "msg-send" => {
                    replay.messages.insert(text(&record["subject"]));
                }
                "memory-set" => {
                    replay
                        .memory
                        .insert(text(&record["key"]), text(&record["value"]));
                }
                "checkin" => {
                    replay.notes.insert(actor, text(&record["note"]));
                }
                op => panic!("record {k} is a {op}, which no writer ran: {record}"),
            }
        }
        replay.holders.push(holders);
        replay
    }
}

/// Writer `w`'s records are its successful operations, in the order it ran them, and each
/// of its refusals is explained: while it ran, another agent held what it asked for.
#[track_caller]
fn each_writer_in_order(records: &[Value], w: usize, ops: &[Done], replay: &Replay) {
    let agent = format!("w{w}");
    let positions: Vec<usize> = (0..records.len())
        .filter(|&k| records[k]["actor"]["id"] == agent.as_str())
        .collect();
    let succeeded: Vec<&Done> = ops.iter().filter(|d| d.run.code == 0).collect();
    assert_eq!(positions.len(), succeeded.len(), "{agent}'s records");
    for (&k, d) in positions.iter().zip(&succeeded) {
        assert!(
            holds(&records[k], &d.record),
            "{}\n{}",
            records[k],
            d.record
        );
    }
    let mut landed = 0_usize;
    for d in ops {
        if d.run.code == 0 {
            landed += 1;
            continue;
        }
        // The refused operation read a state between its predecessor's record and its
        // successor's: one of those states has another agent holding what it asked for.
        let from = landed.checked_sub(1).map_or(0, |p| positions[p] + 1);
        let to = positions.get(landed).copied().unwrap_or(records.len());
        let what = d
            .contends
            .as_deref()
            .expect("only contended operations are refused");
        let explained = replay.holders[from..=to]
            .iter()
            .any(|holders| holders.get(what).is_some_and(|h| *h != agent));
        assert!(
            explained,
            "{agent} was refused {what} while nobody else held it"
        );
    }
}

/// What the commands show at the end equals the replay: the locks with their reasons, the
/// claims, the messages, the memory and the checkin notes.
#[track_caller]
fn final_state_is_the_replay(env: &TestEnv, replay: &Replay) {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let locks: BTreeMap<String, (String, String)> = list(env, &["locks"])
        .iter()
        .map(|l| {
            (
                text(&l["pattern"]),
                (text(&l["holder"]), text(&l["reason"])),
            )
        })
        .collect();
    assert_eq!(locks, replay.locks);

    let claims: BTreeMap<String, String> = list(env, &["task", "list"])
        .iter()
        .filter(|t| !t["assignee"].is_null())
        .map(|t| (format!("task:{}", text(&t["id"])), text(&t["assignee"])))
        .collect();
    let last = replay
        .holders
        .last()
        .expect("the state after the last record");
    let replayed = last.iter().filter(|(k, _)| k.starts_with("task:"));
    let replayed: BTreeMap<String, String> =
        replayed.map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(claims, replayed);

    let inbox = env.json(&["--agent", "w0", "inbox", "--all"]);
    let subjects: BTreeSet<String> = inbox["messages"]
        .as_array()
        .expect("inbox lists messages")
        .iter()
        .map(|m| text(&m["subject"]))
        .collect();
    assert_eq!(subjects, replay.messages);

    let memory: BTreeMap<String, String> = list(env, &["memory", "list"])
        .iter()
        .map(|m| (text(&m["key"]), text(&m["value"])))
        .collect();
    assert_eq!(memory, replay.memory);

    let status = env.json(&["status"]);
    let notes: BTreeMap<String, String> = status["agents"]
        .as_array()
        .expect("status lists the agents")
        .iter()
        .filter(|a| !a["note"].is_null())
        .map(|a| (text(&a["id"]), text(&a["note"])))
        .collect();
    assert_eq!(notes, replay.notes);
}

/// The list a `--json` command prints.
#[track_caller]
fn list(env: &TestEnv, args: &[&str]) -> Vec<Value> {
    match env.json(args) {
        Value::Array(items) => items,
        other => panic!("{args:?} printed no list: {other}"),
    }
}
