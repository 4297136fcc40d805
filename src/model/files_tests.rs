//! Round trips of the state files, malformed names and formats.

use super::*;
use jiff::Timestamp;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("valid timestamp in test")
}

#[test]
fn round_trip() {
    let mut state = State::new(ts("2026-01-01T00:00:00Z"));
    state.agents.insert(
        "alice".into(),
        Agent {
            branch: "feature/a".into(),
            owns: vec!["src/a/**".into()],
            added: ts("2026-01-01T00:00:00Z"),
            ..Agent::default()
        },
    );
    state.locks.push(Lock {
        pattern: "src/a/x.rs".into(),
        holder: "alice".into(),
        reason: Some("refactor".into()),
        acquired: ts("2026-01-01T00:00:00Z"),
        expires: ts("2026-01-01T00:30:00Z"),
    });
    state.halt = Some(Halt {
        reason: "broken main".into(),
        by: "user:lead".into(),
        at: ts("2026-01-01T00:01:00Z"),
    });
    state.meta.last_message = 1;
    state.messages.push(Message {
        id: "m1".into(),
        from: "user:lead".into(),
        draft: crate::model::message::Draft {
            to: "alice".into(),
            subject: "release src/a/x.rs".into(),
            body: Some("two lines\nof body".into()),
            requires_response: true,
            reply_to: None,
            within_secs: Some(3600),
            handoff: None,
        },
        sent: ts("2026-01-01T00:02:00Z"),
        acked_by: vec!["alice".into()],
        due: Some(ts("2026-01-01T01:02:00Z")),
    });
    let files = to_files(&state);
    assert_eq!(files.len(), 5);
    assert_eq!(from_files(&files).expect("round trip"), state);
}

#[test]
fn malformed_names_file_and_line() {
    let mut files = to_files(&State::new(ts("2026-01-01T00:00:00Z")));
    files.insert(
        "locks/src.toml".into(),
        "[[lock]]\npattern = \"src/x\"\nholder = \n".into(),
    );
    let err = from_files(&files).expect_err("malformed");
    let text = err.to_string();
    assert!(text.contains("locks/src.toml"), "{text}");
    assert!(text.contains("line 3"), "{text}");
}

#[test]
fn newer_format_is_refused() {
    let mut files = BTreeMap::new();
    files.insert(
        META_FILE.to_owned(),
        "format = 99\ncreated = \"2026-01-01T00:00:00Z\"\n".to_owned(),
    );
    assert!(matches!(
        from_files(&files),
        Err(Error::TooNew { found: 99 })
    ));
}

/// Every key's locks compared, as `changes` did before it compared only the keys of the
/// locks outside the lists' common start and end.
fn lock_files_by_every_key(old: &State, new: &State) -> Vec<(String, Option<String>)> {
    let by_key = |locks: &[Lock]| {
        let mut map: BTreeMap<String, Vec<Lock>> = BTreeMap::new();
        for lock in locks {
            let key = shard::lock_key(&lock.pattern).to_owned();
            map.entry(key).or_default().push(lock.clone());
        }
        map
    };
    let (before, after) = (by_key(&old.locks), by_key(&new.locks));
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|key| before.get(*key) != after.get(*key))
        .map(|key| {
            let text = after
                .get(key)
                .map(|locks| render_locks(key, &locks.iter().collect::<Vec<_>>()));
            (shard::lock_file(key), text)
        })
        .collect()
}

#[test]
fn lock_changes_are_those_of_every_key_compared() {
    let patterns = [
        "README.md",
        "*.toml",
        "src/a/x.rs",
        "src/a/y.rs",
        "src/a/deep/er/z.rs",
        "src/b/**",
        "src/b/w.rs",
        "docs/*.md",
        "src/c/v.rs",
    ];
    let lock = |i: usize, n: u64| Lock {
        pattern: patterns[i % patterns.len()].into(),
        holder: format!("agent{}", n % 3),
        reason: None,
        acquired: ts("2026-01-01T00:00:00Z"),
        expires: ts("2026-01-01T08:00:00Z"),
    };
    // A small linear congruential generator: the same cases on every run.
    let mut seed: u64 = 7;
    let mut next = |bound: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % bound
    };
    for _ in 0..2000 {
        let mut old = State::new(ts("2026-01-01T00:00:00Z"));
        for _ in 0..next(8) {
            let (i, n) = (next(patterns.len()), next(3) as u64);
            old.locks.push(lock(i, n));
        }
        let mut new = old.clone();
        for _ in 0..next(3) {
            match next(4) {
                0 => {
                    let (i, n) = (next(patterns.len()), next(3) as u64);
                    new.locks.push(lock(i, n));
                }
                1 if !new.locks.is_empty() => {
                    let at = next(new.locks.len());
                    new.locks.remove(at);
                }
                2 if !new.locks.is_empty() => {
                    let at = next(new.locks.len());
                    new.locks[at].holder = "someone else".into();
                }
                _ => {
                    let (i, n) = (next(patterns.len()), next(3) as u64);
                    let at = next(new.locks.len() + 1);
                    new.locks.insert(at, lock(i, n));
                }
            }
        }
        let changed: Vec<_> = changes(&old, &new, &Scope::all())
            .expect("the whole scope")
            .into_iter()
            .filter(|(file, _)| file.starts_with("locks/"))
            .collect();
        assert_eq!(
            changed,
            lock_files_by_every_key(&old, &new),
            "{:?} -> {:?}",
            old.locks,
            new.locks
        );
    }
}
