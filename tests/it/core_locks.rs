//! `lock`, `unlock` and `locks`: directories, globs, overlap, first lock wins, expiry,
//! renewal and force-unlock.

use crate::common::{TestEnv, write_in};

/// An environment with the state, agents alice and bob, and coordinator carol.
fn team() -> TestEnv {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&["agent", "add", "alice", "--branch", "feature/a"])
        .ok();
    env.gc(&["agent", "add", "bob", "--branch", "feature/b"])
        .ok();
    env.gc(&["agent", "add", "carol", "--branch", "lead", "--coordinator"])
        .ok();
    env
}

fn patterns(env: &TestEnv, now: &str) -> Vec<(String, String)> {
    let run = env.gc_at(now, &["--json", "locks"]);
    let json = crate::common::parse_json(run.ok());
    json.as_array()
        .expect("a list")
        .iter()
        .map(|l| {
            let field = |k: &str| l[k].as_str().unwrap_or_default().to_owned();
            (field("pattern"), field("holder"))
        })
        .collect()
}

fn pair(pattern: &str, holder: &str) -> (String, String) {
    (pattern.to_owned(), holder.to_owned())
}

#[test]
fn a_directory_locks_everything_below_it() {
    let env = team();
    write_in(&env.repo, "backend/models.py", "x\n");
    let run = env.gc(&["--agent", "alice", "lock", "backend", "--reason", "schema"]);
    assert_eq!(run.ok().trim(), "lock backend/** by alice");
    let run = env.gc(&["--agent", "alice", "lock", "docs/"]);
    assert_eq!(run.ok().trim(), "lock docs/** by alice");
    assert_eq!(
        patterns(&env, crate::common::NOW),
        [pair("backend/**", "alice"), pair("docs/**", "alice")]
    );
    let text = env.gc_at("2026-03-01T12:05:00Z", &["locks"]);
    assert_eq!(
        text.ok().lines().nth(1),
        Some("backend/**  alice   5m ago  in 25m   schema")
    );
}

#[test]
fn overlapping_locks_conflict_and_the_first_wins() {
    let env = team();
    env.gc(&[
        "--agent",
        "alice",
        "lock",
        "backend/**",
        "--reason",
        "schema change",
    ])
    .ok();
    let head = env.state_head();
    for (path, overlap) in [
        ("backend/models.py", true),
        ("backend/api/*.py", true),
        ("**/*.py", true),
        ("backend/**", false),
    ] {
        let run = env.gc_at("2026-03-01T12:07:00Z", &["--agent", "bob", "lock", path]);
        run.code(1);
        let want = if overlap {
            format!("refused: '{path}' overlaps 'backend/**', locked by alice")
        } else {
            "refused: 'backend/**' is locked by alice".to_owned()
        };
        assert!(run.stderr.starts_with(&want), "{want}\n{}", run.stderr);
        assert!(
            run.stderr
                .contains("since 2026-03-01 12:00:00Z (7m ago): schema change, until 12:30:00Z"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("\n  next: gitcoord msg send --to alice"),
            "{}",
            run.stderr
        );
        assert_eq!(env.state_head(), head, "a refused lock writes nothing");
    }
    // All or none: one conflicting pattern refuses the whole command.
    env.gc(&["--agent", "bob", "lock", "frontend/app.js", "backend/x.py"])
        .code(1);
    assert_eq!(env.state_head(), head);
    // Disjoint patterns do not conflict, and the holder may lock inside its own lock.
    env.gc(&["--agent", "bob", "lock", "frontend/**", "*.md"])
        .ok();
    env.gc(&["--agent", "alice", "lock", "backend/models.py"])
        .ok();
    assert_eq!(
        patterns(&env, crate::common::NOW),
        [
            pair("*.md", "bob"),
            pair("backend/**", "alice"),
            pair("backend/models.py", "alice"),
            pair("frontend/**", "bob"),
        ]
    );
}

#[test]
fn ttl_expiry_and_renewal() {
    let env = team();
    let run = env.gc(&["--agent", "alice", "lock", "a.rs", "--ttl", "10m"]);
    assert_eq!(run.ok().trim(), "lock a.rs by alice");
    assert_eq!(env.json(&["locks"])[0]["expires"], "2026-03-01T12:10:00Z");
    assert_eq!(env.json(&["locks"])[0]["expires_in_secs"], 600);

    // Locking again renews from now with the new lifetime.
    let run = env.gc_at(
        "2026-03-01T12:08:00Z",
        &["--agent", "alice", "lock", "a.rs", "--ttl", "10m"],
    );
    assert!(
        run.ok().contains("renewed 1 lock(s) already held"),
        "{}",
        run.stdout
    );
    env.gc_at("2026-03-01T12:17:00Z", &["--agent", "bob", "lock", "a.rs"])
        .code(1);

    // Past its expiry the lock blocks no one and is no longer listed...
    let later = "2026-03-01T12:19:00Z";
    assert!(env.gc_at(later, &["locks"]).ok().contains("no live locks"));
    assert!(env.gc_at(later, &["status"]).ok().contains("locks (0)"));
    assert!(
        env.state_file("locks/.toml")
            .is_some_and(|t| t.contains("a.rs"))
    );
    // ...and the next write, whatever it is, drops it from the state.
    let run = env.gc_at(later, &["--agent", "bob", "checkin"]);
    assert!(
        run.ok().contains("dropped 1 expired lock(s)"),
        "{}",
        run.stdout
    );
    assert_eq!(env.state_file("locks/.toml"), None);
    let run = env.gc_at(later, &["--agent", "bob", "lock", "a.rs"]);
    assert_eq!(run.ok().trim(), "lock a.rs by bob");
    assert_eq!(patterns(&env, later), [pair("a.rs", "bob")]);
}

#[test]
fn unlock_own_refused_for_others_and_forced_by_coordinator_or_user() {
    let env = team();
    env.gc(&["--agent", "alice", "lock", "a.rs", "b.rs", "c.rs"])
        .ok();
    env.gc(&["--agent", "bob", "lock", "d.rs"]).ok();

    let run = env.gc(&["--agent", "alice", "unlock", "a.rs"]);
    assert_eq!(run.ok().trim(), "unlock a.rs by alice");

    let head = env.state_head();
    let run = env.gc(&["--agent", "bob", "unlock", "b.rs"]);
    run.code(1);
    assert!(
        run.stderr
            .starts_with("refused: 'b.rs' is held by alice, not by you"),
        "{}",
        run.stderr
    );
    let run = env.gc(&["--agent", "bob", "unlock", "b.rs", "--force"]);
    run.code(1);
    assert!(run.stderr.contains("bob may not force"), "{}", run.stderr);
    let run = env.gc(&["--agent", "bob", "unlock", "nothing.rs"]);
    run.code(2);
    assert!(
        run.stderr.contains("no live lock matches 'nothing.rs'"),
        "{}",
        run.stderr
    );
    assert_eq!(env.state_head(), head, "refused unlocks write nothing");

    let run = env.gc(&["--agent", "carol", "unlock", "b.rs", "--force"]);
    let text = run.ok();
    assert!(text.starts_with("unlock b.rs by carol (forced)"), "{text}");
    assert!(
        text.contains("force-released b.rs (held by alice)"),
        "{text}"
    );
    let run = env.gc(&["unlock", "*.rs", "--force"]);
    assert!(
        run.ok()
            .contains("force-released c.rs (held by alice), d.rs (held by bob)"),
        "{}",
        run.stdout
    );
    assert!(env.gc(&["locks"]).ok().contains("no live locks"));

    let log = env.gc(&["log", "-n", "2"]);
    let lines: Vec<&str> = log.ok().lines().collect();
    assert!(
        lines[0].ends_with("user:lead      unlock *.rs by user:lead (forced)"),
        "{lines:?}"
    );
    assert!(
        lines[1].ends_with("carol          unlock b.rs by carol (forced)"),
        "{lines:?}"
    );
    let json = env.json(&["log", "-n", "1"]);
    assert_eq!(json[0]["record"]["op"], "unlock");
    assert_eq!(json[0]["record"]["force"], true);
    assert_eq!(json[0]["record"]["actor"]["kind"], "user");
}

/// A lock that reaches into another agent's `owns` would block the owner, and one inside
/// the locker's own `deny` is a lock on what it may not change: both are refused (exit 1,
/// nothing written) with the owner to ask; a coordinator or the lead may `--force` it.
#[test]
fn a_lock_into_another_agents_area_or_ones_own_deny_is_refused_unless_forced() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    env.gc(&[
        "agent",
        "add",
        "sec",
        "--branch",
        "fs",
        "--owns",
        "config/security/**",
    ])
    .ok();
    env.gc(&["agent", "add", "web", "--branch", "fw", "--deny", "db/**"])
        .ok();
    env.gc(&["agent", "add", "boss", "--branch", "fb", "--coordinator"])
        .ok();
    let head = env.state_head();
    for (pattern, says) in [
        (
            "config/security/keys.toml",
            "which sec owns: a lock there would block sec",
        ),
        ("config/**", "'config/**' reaches into 'config/security/**'"),
        ("db/schema.sql", "which your boundaries deny you"),
    ] {
        let run = env.gc(&["--agent", "web", "lock", pattern]);
        run.code(1);
        assert!(run.stderr.contains(says), "{pattern}: {}", run.stderr);
        assert!(
            run.stderr.contains("gitcoord lock --force"),
            "{}",
            run.stderr
        );
    }
    let run = env.gc(&["--agent", "web", "lock", "config/security/k.toml"]);
    assert!(
        run.stderr.contains(
            "gitcoord msg send --to sec --subject 'please change config/security/k.toml'"
        ),
        "{}",
        run.stderr
    );
    // --force is the lead's or a coordinator's.
    let run = env.gc(&[
        "--agent",
        "web",
        "lock",
        "--force",
        "config/security/k.toml",
    ]);
    run.code(1);
    assert!(run.stderr.contains("web may not force"), "{}", run.stderr);
    assert_eq!(env.state_head(), head, "nothing written");
    // The owner locks its own area; beside it, what no boundary names is free.
    env.gc(&["--agent", "sec", "lock", "config/security/keys.toml"])
        .ok();
    env.gc(&["--agent", "web", "lock", "config/web.toml"]).ok();
    env.gc(&[
        "--agent",
        "boss",
        "lock",
        "--force",
        "config/security/audit.toml",
    ])
    .ok();
    env.gc(&["lock", "--force", "db/seed.sql"]).ok();
    let locks = env.json(&["locks"]).to_string();
    for held in [
        "config/security/audit.toml",
        "db/seed.sql",
        "config/web.toml",
    ] {
        assert!(locks.contains(held), "{locks}");
    }
}
