//! `whoami`: every identity source of SPEC's Identity section, and their precedence.

use std::path::Path;

use crate::common::TestEnv;

/// Runs `whoami --json` in `dir` with `envs` and returns (actor, source).
fn whoami(env: &TestEnv, dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> (String, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    all.push("whoami");
    let run = env.gc_env(dir, envs, &all);
    let json = crate::common::parse_json(run.ok());
    let field = |k: &str| json[k].as_str().unwrap_or_default().to_owned();
    (field("actor"), field("source"))
}

fn pair(actor: &str, source: &str) -> (String, String) {
    (actor.to_owned(), source.to_owned())
}

#[test]
fn every_identity_source_in_order_of_precedence() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    for (id, branch) in [
        ("alice", "feature/a"),
        ("bob", "feature/b"),
        ("carol", "feature/c"),
    ] {
        env.gc(&["agent", "add", id, "--branch", branch]).ok();
    }
    let main = env.repo.clone();
    let wt = env.worktree("wt-a", "feature/a");

    // Nothing matches in the main worktree on `main`: an unbound user.
    assert_eq!(whoami(&env, &main, &[], &[]), pair("user:lead", "unbound"));
    let text = env.gc(&["whoami"]);
    assert_eq!(
        text.ok(),
        "user:lead\n  no agent matched: acting as an unbound user, bound by locks but by no agent's boundaries\n"
    );

    // The linked worktree is on alice's branch.
    assert_eq!(whoami(&env, &wt, &[], &[]), pair("alice", "branch"));

    // git config gitcoord.agent beats the branch.
    env.git(&["config", "gitcoord.agent", "carol"]).ok();
    assert_eq!(whoami(&env, &wt, &[], &[]), pair("carol", "config"));
    assert_eq!(whoami(&env, &main, &[], &[]), pair("carol", "config"));

    // Binding the linked worktree (from inside it) beats config, and only there.
    let bound = env.gc_in(&wt, &["agent", "bind", "bob"]);
    assert!(bound.ok().starts_with("bind "), "{}", bound.stdout);
    assert!(bound.stdout.trim_end().ends_with(" to agent bob"));
    assert_eq!(whoami(&env, &wt, &[], &[]), pair("bob", "worktree"));
    assert_eq!(whoami(&env, &main, &[], &[]), pair("carol", "config"));
    let bob = env.json(&["agent", "show", "bob"]);
    let recorded = bob["worktree"].as_str().expect("bob has a worktree");
    assert_eq!(Path::new(recorded), wt.as_path());

    // GITCOORD_AGENT beats the binding; --agent beats everything.
    let env_alice = [("GITCOORD_AGENT", "alice")];
    assert_eq!(whoami(&env, &wt, &env_alice, &[]), pair("alice", "env"));
    assert_eq!(
        whoami(&env, &wt, &env_alice, &["--agent", "carol"]),
        pair("carol", "flag")
    );

    // Each source is explained in words.
    let text = env.gc_in(&wt, &["whoami"]);
    assert_eq!(
        text.ok(),
        "bob\n  this worktree is bound to it (gitcoord spawn / agent bind)\n"
    );

    // Binding moves: a worktree belongs to one agent at a time.
    env.gc_in(&wt, &["agent", "bind", "carol"]).ok();
    assert_eq!(whoami(&env, &wt, &[], &[]), pair("carol", "worktree"));
    assert!(env.json(&["agent", "show", "bob"])["worktree"].is_null());
}

#[test]
fn an_unregistered_explicit_agent_is_an_error_not_a_fallback() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    let head = env.state_head();
    for (envs, args) in [
        (vec![], vec!["--agent", "ghost", "whoami"]),
        (vec![("GITCOORD_AGENT", "ghost")], vec!["whoami"]),
        (vec![("GITCOORD_AGENT", "ghost")], vec!["lock", "a.txt"]),
    ] {
        let run = env.gc_env(&env.repo, &envs, &args);
        run.code(2);
        assert!(
            run.stderr.contains("agent 'ghost'") && run.stderr.contains("not registered"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("gitcoord agent add ghost"),
            "{}",
            run.stderr
        );
    }
    env.git(&["config", "gitcoord.agent", "ghost"]).ok();
    let run = env.gc(&["whoami"]);
    run.code(2);
    assert!(
        run.stderr.contains("from git config gitcoord.agent"),
        "{}",
        run.stderr
    );
    assert_eq!(env.state_head(), head);
}
