//! The state's format on disk: a state of format 1 (one file per concern) is read as it is
//! and migrated by the next write, as one operation of its own, losing nothing.

use crate::common::{STATE_REF, TestEnv};

/// A format-1 state as gitcoord 0.1 wrote it: two agents, three locks, two messages, a halt.
const FORMAT_1: &[(&str, &str)] = &[
    (
        "gitcoord.toml",
        "# gitcoord state: format and settings\nformat = 1\ncreated = \"2026-03-01T11:00:00Z\"\nintegration_branch = \"main\"\nlast_message = 2\n",
    ),
    (
        "agents.toml",
        "# gitcoord agents\n[agent.api]\nbranch = \"feature/api\"\nrole = \"backend\"\nowns = [\"api/**\"]\nadded = \"2026-03-01T11:00:00Z\"\nstatus = \"working\"\n\n[agent.web]\nbranch = \"feature/web\"\ndeny = [\"api/**\"]\nafter = [\"api\"]\nadded = \"2026-03-01T11:00:00Z\"\n",
    ),
    (
        "locks.toml",
        "# gitcoord file locks\n[[lock]]\npattern = \"api/models/user.py\"\nholder = \"api\"\nreason = \"schema change\"\nacquired = \"2026-03-01T11:30:00Z\"\nexpires = \"2026-03-01T13:30:00Z\"\n\n[[lock]]\npattern = \"*.md\"\nholder = \"web\"\nacquired = \"2026-03-01T11:30:00Z\"\nexpires = \"2026-03-01T13:30:00Z\"\n\n[[lock]]\npattern = \"web/**\"\nholder = \"web\"\nacquired = \"2026-03-01T11:30:00Z\"\nexpires = \"2026-03-01T13:30:00Z\"\n",
    ),
    (
        "messages.toml",
        "# gitcoord messages\n[[message]]\nid = \"m1\"\nfrom = \"web\"\nto = \"api\"\nsubject = \"is the schema final?\"\nrequires_response = true\nsent = \"2026-03-01T11:40:00Z\"\n\n[[message]]\nid = \"m2\"\nfrom = \"api\"\nto = \"web\"\nsubject = \"yes\"\nreply_to = \"m1\"\nsent = \"2026-03-01T11:45:00Z\"\nacked_by = [\"web\"]\n",
    ),
    (
        "halt.toml",
        "# gitcoord emergency halt\nreason = \"release freeze\"\nby = \"user:lead\"\nat = \"2026-03-01T11:50:00Z\"\n",
    ),
];

/// Points the state ref at a one-commit format-1 state made with plain git.
fn write_format_1(env: &TestEnv) {
    let mut listing = String::new();
    for (name, text) in FORMAT_1 {
        let blob = env.git_stdin(&["hash-object", "-w", "--stdin"], text);
        listing.push_str(&format!("100644 blob {}\t{name}\n", blob.trim()));
    }
    let tree = env.git_stdin(&["mktree"], &listing);
    let commit = env
        .git(&[
            "commit-tree",
            "-m",
            "create the coordination state",
            tree.trim(),
        ])
        .ok()
        .trim()
        .to_owned();
    env.git(&["update-ref", STATE_REF, &commit]).ok();
}

/// What `status`, `locks` and `inbox` show, the parts a migration must not change.
fn everything(env: &TestEnv) -> Vec<serde_json::Value> {
    let mut status = env.json(&["status"]);
    // The state commit's id changes with any write.
    if let Some(map) = status.as_object_mut() {
        map.remove("state");
    }
    vec![
        status,
        env.json(&["locks"]),
        env.json(&["--agent", "api", "inbox", "--all"]),
        env.json(&["--agent", "web", "inbox", "--all"]),
        env.json(&["agent", "list"]),
    ]
}

#[test]
fn a_format_1_state_is_migrated_by_the_next_write_as_one_operation_losing_nothing() {
    let env = TestEnv::new();
    write_format_1(&env);
    let before = everything(&env);
    assert_eq!(before[1].as_array().map(Vec::len), Some(3), "{}", before[1]);

    // Any write migrates first: here one that sets what is already set.
    env.gc(&["integration", "main"]).ok();
    let log = env.json(&["log", "-n", "2"]);
    let ops: Vec<&str> = log
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["record"]["op"].as_str().or(e["op"].as_str()))
        .collect();
    assert_eq!(ops, ["set-integration", "migrate"], "{log}");
    assert_eq!(
        env.state_commits(),
        3,
        "the migration is one commit of its own"
    );
    let migration = env.git(&["show", "-s", "--format=%B", "refs/gitcoord/state^"]);
    assert!(
        migration
            .ok()
            .starts_with("migrate the state from format 1 to format 2\n"),
        "{}",
        migration.stdout
    );
    assert_eq!(everything(&env), before, "nothing lost");

    // The new layout, file by file; the old files are gone.
    let files = env.git(&["ls-tree", "-r", "--name-only", "refs/gitcoord/state^"]);
    assert_eq!(
        files.ok().lines().collect::<Vec<_>>(),
        [
            "agents/api.toml",
            "agents/web.toml",
            "gitcoord.toml",
            "halt.toml",
            "locks/.toml",
            "locks/api/models.toml",
            "locks/web.toml",
            "messages/m1.toml",
            "messages/m2.toml",
        ]
    );
    let meta = env.state_file("gitcoord.toml").expect("gitcoord.toml");
    assert!(meta.contains("format = 2"), "{meta}");

    // And the hooks judge the migrated state: the lock of api still holds for web.
    env.gc(&["resume"]).ok();
    env.write("api/models/user.py", "x\n");
    env.git(&["add", "api/models/user.py"]).ok();
    let run = env.gc(&["--agent", "web", "check", "pre-commit"]);
    run.code(1);
    assert!(run.stdout.contains("locked by api"), "{}", run.stdout);
}

#[test]
fn a_corrupt_remote_state_is_never_adopted_and_the_local_one_stays() {
    let env = TestEnv::new();
    env.with_origin();
    env.gc(&["init"]).ok();
    env.gc(&["sync"]).ok();
    let good = env.state_head().expect("a state");
    // Another machine publishes a state that does not read.
    env.hand_edit_state("agents/x.toml", "branch = [\n");
    env.git(&["push", "-q", "origin", "refs/gitcoord/state"])
        .ok();
    env.git(&["update-ref", "refs/gitcoord/state", &good]).ok();
    let run = env.gc(&["sync"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("the state on remote 'origin' cannot be used"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("next: nothing changed here"),
        "{}",
        run.stderr
    );
    assert_eq!(env.state_head().as_deref(), Some(good.as_str()));
    env.gc(&["status"]).ok();
    // Diverged from it: the replay refuses it the same way.
    env.gc(&["agent", "add", "a", "--branch", "feature/a"]).ok();
    let mine = env.state_head().expect("a state");
    let run = env.gc(&["sync"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(env.state_head().as_deref(), Some(mine.as_str()));
}

#[test]
fn a_state_ref_that_is_symbolic_or_a_tag_is_refused_and_moves_nothing() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    let state = env.state_head().expect("a state");
    let main = env.git(&["rev-parse", "HEAD"]).ok().trim().to_owned();
    // A symbolic state ref naming a branch: a write would move the branch.
    env.git(&["symbolic-ref", "refs/gitcoord/state", "refs/heads/main"])
        .ok();
    for args in [&["status"][..], &["lock", "x.rs"][..]] {
        let run = env.gc(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("is a symbolic ref to refs/heads/main"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("update-ref --no-deref"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        env.git(&["rev-parse", "main"]).ok().trim(),
        main,
        "main stays"
    );
    // An annotated tag of the state commit is not one either.
    env.git(&["update-ref", "--no-deref", "refs/gitcoord/state", &state])
        .ok();
    env.git(&["tag", "-a", "-m", "t", "t1", &state]).ok();
    let tag = env.git(&["rev-parse", "t1"]).ok().trim().to_owned();
    env.git(&["update-ref", "--no-deref", "refs/gitcoord/state", &tag])
        .ok();
    let run = env.gc(&["status"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("is a tag"), "{}", run.stderr);
    // Pointed back as the hint says, all is well.
    env.git(&["update-ref", "--no-deref", "refs/gitcoord/state", &state])
        .ok();
    env.gc(&["lock", "x.rs"]).ok();
}
