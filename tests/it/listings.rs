//! Listings as people read them: `status` and `locks` as aligned tables cut to the width of
//! the output, `locks` filters, and the help (global options, ENVIRONMENT, `check pre-push`).

use crate::common::{TestEnv, parse_json, write_in};

/// An environment with the state and agents alice and bob.
fn team() -> TestEnv {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    for (id, branch) in [("alice", "feature/a"), ("bob", "feature/b")] {
        env.gc(&["agent", "add", id, "--branch", branch]).ok();
    }
    env
}

/// The patterns `--json locks ARGS…` lists.
fn listed(env: &TestEnv, dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--json", "locks"];
    all.extend_from_slice(args);
    let run = env.gc_in(dir, &all);
    parse_json(run.ok())
        .as_array()
        .expect("a list")
        .iter()
        .map(|l| l["pattern"].as_str().expect("a pattern").to_owned())
        .collect()
}

/// The patterns the text of `locks ARGS…` lists (the first column after the header).
fn listed_text(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let mut all = vec!["locks"];
    all.extend_from_slice(args);
    let run = env.gc(&all);
    let mut lines = run.ok().lines();
    assert!(lines.next().is_some_and(|h| h.starts_with("PATH ")));
    lines
        .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn locks_are_a_table_with_a_header_aligned_columns_and_reasons() {
    let env = team();
    write_in(&env.repo, "backend/models.py", "x\n");
    env.gc(&["--agent", "alice", "lock", "backend", "--reason", "schema"])
        .ok();
    env.gc(&["--agent", "bob", "lock", "docs/readme.md"]).ok();
    let run = env.gc_at("2026-03-01T12:05:00Z", &["locks"]);
    assert_eq!(
        run.ok(),
        "\
PATH            HOLDER  LOCKED  EXPIRES  REASON
backend/**      alice   5m ago  in 25m   schema
docs/readme.md  bob     5m ago  in 25m   -
"
    );
    // status shows the same table under its heading, and the agents as one.
    let status = env.gc_at("2026-03-01T12:05:00Z", &["status"]);
    let text = status.ok();
    assert!(
        text.starts_with(
            "\
agents (2)
  AGENT  BRANCH     STATUS  LOCKS  TASK  SEEN
  alice  feature/a  -           1  -     5m ago
  bob    feature/b  -           1  -     5m ago
"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "\
locks (2)
  PATH            HOLDER  LOCKED  EXPIRES  REASON
  backend/**      alice   5m ago  in 25m   schema
  docs/readme.md  bob     5m ago  in 25m   -
"
        ),
        "{text}"
    );
}

#[test]
fn long_values_are_cut_to_the_width_but_never_in_json() {
    let env = team();
    let name = "x".repeat(200);
    env.git(&["config", "user.name", &name]).ok();
    let deep = format!("src/{}/file.rs", ["deep"; 30].join("/"));
    env.gc(&["lock", &deep, "--reason", "a reason of some length"])
        .ok();
    let branch = format!("feature/{}", "b".repeat(200));
    env.gc(&["agent", "add", "carol", "--branch", &branch]).ok();
    let holder = format!("user:{name}");

    for (columns, width) in [(None, 80), (Some("120"), 120)] {
        let envs: Vec<(&str, &str)> = columns.iter().map(|c| ("COLUMNS", *c)).collect();
        for args in [&["locks"][..], &["status"]] {
            let run = env.gc_env(&env.repo, &envs, args);
            let text = run.ok();
            for line in text.lines() {
                assert!(line.chars().count() <= width, "{args:?} {width}: {line}");
            }
            assert!(text.contains('…'), "{text}");
            assert!(!text.contains(&holder) && !text.contains(&deep), "{text}");
        }
        let locks = env.gc_env(&env.repo, &envs, &["locks"]);
        let line = locks.ok().lines().nth(1).expect("a lock");
        // Both long columns are cut, to the same width, and the reason is kept whole.
        assert!(line.starts_with("src/deep/"), "{line}");
        assert!(line.ends_with("a reason of some length"), "{line}");
        assert_eq!(line.chars().count(), width, "{line}");
    }

    let json = env.json(&["locks"]);
    assert_eq!(json[0]["holder"], holder.as_str());
    assert_eq!(json[0]["pattern"], deep.as_str());
    let status = env.json(&["status"]);
    assert_eq!(status["agents"][2]["branch"], branch.as_str());
    assert!(
        env.gc_env(&env.repo, &[("COLUMNS", "1000")], &["locks"])
            .ok()
            .contains(&holder)
    );
}

#[test]
fn locks_filter_by_holder_identity_and_path_and_the_filters_combine() {
    let env = team();
    write_in(&env.repo, "backend/models.py", "x\n");
    write_in(&env.repo, "src/lib/x.rs", "x\n");
    env.gc(&["--agent", "alice", "lock", "backend", "src/a.rs"])
        .ok();
    env.gc(&[
        "--agent",
        "bob",
        "lock",
        "src/lib/*.rs",
        "docs/**",
        "gen/**",
    ])
    .ok();
    env.gc(&["lock", "README.md"]).ok();
    let repo = env.repo.clone();
    let all = listed(&env, &repo, &[]);
    assert_eq!(all.len(), 6, "{all:?}");

    let cases: [(&[&str], &[&str]); 12] = [
        (&["--holder", "bob"], &["docs/**", "gen/**", "src/lib/*.rs"]),
        (&["--holder", "user:lead"], &["README.md"]),
        (&["--mine"], &["README.md"]),
        (&["--agent", "alice", "--mine"], &["backend/**", "src/a.rs"]),
        (&["--path", "src"], &["src/a.rs", "src/lib/*.rs"]),
        (&["--path", "src/lib/x.rs"], &["src/lib/*.rs"]),
        (&["--path", "backend/models.py"], &["backend/**"]),
        // Not a directory here, but the locks under it count.
        (&["--path", "gen"], &["gen/**"]),
        (&["--path", "src/**/*.rs"], &["src/a.rs", "src/lib/*.rs"]),
        (&["--holder", "alice", "--path", "src"], &["src/a.rs"]),
        (
            &["--agent", "bob", "--mine", "--path", "src"],
            &["src/lib/*.rs"],
        ),
        (&["--holder", "alice", "--mine"], &[]),
    ];
    for (args, want) in cases {
        let mut got = listed(&env, &repo, args);
        got.sort();
        assert_eq!(got, want, "{args:?}");
        if !want.is_empty() {
            let mut text = listed_text(&env, args);
            text.sort();
            assert_eq!(text, want, "text of {args:?}");
        }
    }
    // A path is taken relative to where one stands, as `lock` takes it.
    assert_eq!(
        listed(&env, &repo.join("src/lib"), &["--path", "x.rs"]),
        ["src/lib/*.rs"]
    );
    let none = env.gc(&["locks", "--holder", "nobody"]);
    assert_eq!(
        none.ok(),
        "no live locks match (6 live in all; `gitcoord locks` lists them)\n"
    );
    let outside = env.gc(&["locks", "--path", "/"]);
    outside.code(2);
    assert!(outside.stderr.contains("next: "), "{}", outside.stderr);
}

#[test]
fn global_options_are_one_group_and_the_environment_is_listed() {
    let env = TestEnv::new();
    let help = env.gc(&["--help"]);
    let text = help.ok();
    assert_eq!(text.matches("Global options:").count(), 1, "{text}");
    for needle in [
        "ENVIRONMENT:",
        "GITCOORD=0",
        "GITCOORD_SKIP",
        "GITCOORD_AGENT",
        "GITCOORD_BIN",
        "GITCOORD_NOW",
        "NO_COLOR",
        "COLUMNS",
        "gitcoord.agent",
        "gitcoord.remote",
        "gitcoord.sync ",
        "gitcoord.syncTimeout",
        "gitcoord.site",
    ] {
        assert!(text.contains(needle), "--help lacks {needle}");
    }
    let short = env.gc(&["-h"]);
    assert!(
        short.ok().contains("see `gitcoord --help`"),
        "{}",
        short.stdout
    );

    let lock = env.gc(&["lock", "--help"]);
    let text = lock.ok();
    assert_eq!(text.matches("Global options:").count(), 1, "{text}");
    let (own, global) = text.split_once("Global options:").expect("the heading");
    assert!(
        own.contains("--reason") && !own.contains("--json"),
        "{text}"
    );
    assert!(
        global.contains("--json") && global.contains("--agent"),
        "{text}"
    );
    assert!(global.contains("-C <DIR>"), "{text}");

    // Where --json means nothing, the help does not offer it; it is still refused or ignored.
    for command in ["completions", "man", "hook", "guard"] {
        let run = env.gc(&[command, "--help"]);
        assert!(!run.ok().contains("--json"), "{command}: {}", run.stdout);
        assert!(run.stdout.contains("--agent"), "{command}: {}", run.stdout);
    }
    env.gc(&["completions", "--json", "bash"]).code(2);
    env.gc(&["--json", "man"]).code(2);

    let man = env.gc(&["man"]);
    let page = man.ok();
    assert!(page.contains("ENVIRONMENT"), "{page:.400}");
    assert!(page.contains("GITCOORD_SKIP"), "{page:.400}");
}

#[test]
fn check_pre_push_describes_itself() {
    let env = TestEnv::new();
    let check = env.gc(&["check", "--help"]);
    assert!(check.ok().contains("pre-push"), "{}", check.stdout);
    let help = env.gc(&["check", "pre-push", "--help"]);
    // Help is wrapped to the width: compare the words.
    let text = help.ok().split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "<local ref> <local sha> <remote ref> <remote sha>",
        "stdin",
        "merge order",
        "secrets",
        "[REMOTE]",
    ] {
        assert!(text.contains(needle), "lacks {needle}: {text}");
    }
}
