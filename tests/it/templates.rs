//! The five built-in templates end to end, each on a real repository with a bare `origin`
//! and worktrees spawned for its agents: the template applied, its boundaries and rules
//! refusing a real `git commit`, its merge order refusing a real out-of-order push (where it
//! has one), its dependencies and waves refusing an early `task start`, and `verify`
//! failing before the work and passing after it. Then `graph` of each template.

use std::path::{Path, PathBuf};

use crate::common::{Run, TestEnv, write_in};

/// A repository pushed to a bare `origin`, with a Makefile whose `test` target runs
/// `test_cmd` (the project's tests), then `init --template NAME`.
fn from_template(name: &str, test_cmd: &str) -> TestEnv {
    let env = TestEnv::new();
    env.with_origin();
    env.write(
        "Makefile",
        &format!("test:\n\t{test_cmd}\nlint:\n\t@true\n"),
    );
    env.git(&["add", "Makefile"]).ok();
    env.git(&["commit", "-q", "-m", "the project's make targets"])
        .ok();
    env.git(&["push", "-q", "origin", "main"]).ok();
    let run = env.gc(&["init", "--template", name]);
    assert!(run.ok().contains("apply the plan"), "{}", run.stdout);
    env
}

/// Spawns a worktree for each agent, on its branch; returns them in order.
fn spawn(env: &TestEnv, agents: &[(&str, &str)]) -> Vec<PathBuf> {
    agents
        .iter()
        .map(|(id, branch)| {
            let path = env.root().join(id);
            let shown = path.to_str().expect("utf-8 temp path");
            env.gc(&["spawn", id, "--branch", branch, "--path", shown])
                .ok();
            path
        })
        .collect()
}

/// Writes and commits `files` in the worktree `wt` with a real `git commit`.
fn commit(env: &TestEnv, wt: &Path, files: &[(&str, &str)]) -> Run {
    for (file, text) in files {
        write_in(wt, file, text);
        env.git_in(wt, &["add", file]).ok();
    }
    env.git_in(wt, &["commit", "-q", "-m", files[0].0])
}

/// Starts and finishes task `id` as the agent of worktree `wt`.
fn finish(env: &TestEnv, wt: &Path, id: &str) {
    env.gc_in(wt, &["task", "start", id]).ok();
    env.gc_in(wt, &["task", "done", id]).ok();
}

fn refused(run: &Run, rule: &str) {
    assert_eq!(run.code, 1, "expected a refusal: {run:?}");
    assert!(
        run.stderr.contains(&format!("[{rule}]")),
        "{rule}: {}",
        run.stderr
    );
}

/// Commits `files` in `wt`, asserts `rule` refuses it, and takes the files away again.
fn refused_commit(env: &TestEnv, wt: &Path, files: &[(&str, &str)], rule: &str) {
    refused(&commit(env, wt, files), rule);
    for (file, _) in files {
        env.git_in(wt, &["rm", "-q", "--cached", file]).ok();
        std::fs::remove_file(wt.join(file)).expect("remove the refused file");
    }
}

/// Merges `branches` into main in that order and pushes main.
fn merge_and_push(env: &TestEnv, branches: &[&str]) -> Run {
    for branch in branches {
        crate::push::merge(env, branch);
    }
    crate::push::push(env, &["main"])
}

#[test]
fn three_leads() {
    let env = from_template("three-leads", "@true");
    let wts = spawn(
        &env,
        &[
            ("security", "feature/section-1a-security"),
            ("organization", "feature/section-1b-cleanup"),
            ("database", "feature/section-1d-database"),
        ],
    );
    let (sec, org, db) = (&wts[0], &wts[1], &wts[2]);
    // Do-not-touch: the organization lead may not touch the security configuration.
    refused_commit(
        &env,
        org,
        &[("config/logging.py", "LEVEL = 1\n")],
        "boundary-deny",
    );
    // The start condition: the database lead waits for the security lead's config.
    let run = env.gc_in(db, &["task", "start", "db-schema"]);
    run.code(1);
    assert!(
        run.stderr.contains("task sec-config is claimed"),
        "{}",
        run.stderr
    );
    env.gc(&["verify"]).code(1);

    commit(
        &env,
        sec,
        &[("config/settings.py", "import os\nKEY = os.environ['KEY']\n")],
    )
    .ok();
    finish(&env, sec, "sec-config");
    commit(
        &env,
        db,
        &[
            ("db/schema.sql", "create table t();\n"),
            ("migrations/0001_initial.sql", "create table t();\n"),
        ],
    )
    .ok();
    finish(&env, db, "db-schema");
    commit(&env, org, &[("docs/STRUCTURE.md", "# Layout\n")]).ok();
    finish(&env, org, "org-imports");
    // The merge order: database before organization and security is refused at push.
    refused(
        &merge_and_push(&env, &["feature/section-1d-database"]),
        "merge-order",
    );
    env.git(&["reset", "-q", "--hard", "origin/main"]).ok();
    merge_and_push(
        &env,
        &[
            "feature/section-1a-security",
            "feature/section-1b-cleanup",
            "feature/section-1d-database",
        ],
    )
    .ok();
    let run = env.gc(&["verify"]);
    assert!(run.ok().contains("all 4 check(s) pass"), "{}", run.stdout);
}

#[test]
fn waves() {
    // The project's tests pass once the first wave's work is merged.
    let env = from_template("waves", "test -f build.lock");
    let wts = spawn(&env, &[("inst-01", "wave/inst-01")]);
    let inst = &wts[0];
    // W1's task cannot start, nor its instance commit, while W0 is open.
    let run = env.gc_in(inst, &["task", "start", "w1-build"]);
    run.code(1);
    assert!(run.stderr.contains("wave W1 is pending"), "{}", run.stderr);
    refused_commit(&env, inst, &[("build.lock", "pinned\n")], "wave-closed");
    env.gc(&["verify", "tests"]).code(1);
    // W0's checkpoint: its task done and the tests passing.
    let run = env.gc(&["wave", "advance"]);
    run.code(1);
    assert!(
        run.stderr.contains("task w0-baseline is claimed"),
        "{}",
        run.stderr
    );
    finish(&env, &env.repo, "w0-baseline");
    env.gc(&["wave", "advance"]).code(1); // the tests fail on main
    env.write("build.lock", "pinned\n");
    env.git(&["add", "build.lock"]).ok();
    env.git(&["commit", "-q", "-m", "pin the build"]).ok();
    env.gc(&["wave", "advance"]).ok();
    // W1 is open: the instance works, and the work reaches main.
    let snapshot = env
        .git(&["rev-parse", "refs/gitcoord/snapshots/W0/inst-01"])
        .ok()
        .trim()
        .to_owned();
    env.gc_in(inst, &["task", "start", "w1-build"]).ok();
    commit(&env, inst, &[("src/build.rs", "// reproducible\n")]).ok();
    env.gc_in(inst, &["task", "done", "w1-build"]).ok();
    env.gc(&["verify"]).ok();
    // Rollback to W0, the safety snapshot, restores the instance's branch and worktree.
    env.gc(&["rollback", "W0", "--yes"]).ok();
    assert_eq!(
        env.git(&["rev-parse", "wave/inst-01"]).ok().trim(),
        snapshot
    );
    assert!(!inst.join("src/build.rs").exists());
}

#[test]
fn backend_frontend() {
    let env = from_template("backend-frontend", "@true");
    let wts = spawn(
        &env,
        &[
            ("backend", "feature/backend"),
            ("frontend", "feature/frontend"),
        ],
    );
    let (back, front) = (&wts[0], &wts[1]);
    refused_commit(
        &env,
        front,
        &[("backend/app.py", "x = 1\n")],
        "boundary-deny",
    );
    // The handshake: the frontend cannot integrate a schema not yet published.
    let run = env.gc_in(front, &["task", "start", "schema-integrated"]);
    run.code(1);
    assert!(
        run.stderr.contains("task api-schema is claimed"),
        "{}",
        run.stderr
    );
    // Locks live 30 minutes, the template's lock_ttl.
    env.gc_at(
        "2026-01-01T10:00:00Z",
        &["--agent", "backend", "lock", "api/schema.json"],
    )
    .ok();
    let run = env.gc_at("2026-01-01T10:00:00Z", &["--json", "locks"]);
    assert!(
        run.ok().contains("\"expires_in_secs\": 1800"),
        "{}",
        run.stdout
    );
    env.gc(&["verify"]).code(1);

    commit(&env, back, &[("api/schema.json", "{}\n")]).ok();
    finish(&env, back, "api-schema");
    commit(
        &env,
        front,
        &[("frontend/src/api/client.ts", "export {};\n")],
    )
    .ok();
    finish(&env, front, "schema-integrated");
    refused(&merge_and_push(&env, &["feature/frontend"]), "merge-order");
    env.git(&["reset", "-q", "--hard", "origin/main"]).ok();
    merge_and_push(&env, &["feature/backend", "feature/frontend"]).ok();
    env.gc(&["verify"]).ok();
}

#[test]
fn registry() {
    let env = from_template("registry", "@true");
    let wts = spawn(
        &env,
        &[
            ("architect", "registry/architect"),
            ("backend", "registry/backend"),
            ("data", "registry/data"),
        ],
    );
    let (arch, back, data) = (&wts[0], &wts[1], &wts[2]);
    refused_commit(
        &env,
        back,
        &[("src/web/app.ts", "export {};\n")],
        "boundary-owned",
    );
    let run = env.gc_in(back, &["task", "start", "endpoints"]);
    run.code(1);
    assert!(
        run.stderr.contains("task design-api is open"),
        "{}",
        run.stderr
    );
    // `next` offers each agent what is suggested to it.
    let next = env.json_in(arch, &["next"]);
    assert_eq!(next["task"]["id"], "design-api", "{next}");
    env.gc(&["verify"]).code(1);

    env.gc_in(arch, &["task", "claim", "design-api"]).ok();
    commit(&env, arch, &[("docs/api.md", "# API\n")]).ok();
    finish(&env, arch, "design-api");
    env.gc_in(data, &["task", "claim", "schema"]).ok();
    commit(&env, data, &[("db/schema.sql", "create table t();\n")]).ok();
    finish(&env, data, "schema");
    env.gc_in(back, &["task", "start", "endpoints"]).ok();
    env.gc(&["verify"]).ok();
}

#[test]
fn swarm() {
    let env = from_template("swarm", "test -f src/feature.py");
    let wts = spawn(
        &env,
        &[("coder", "swarm/coder"), ("tester", "swarm/tester")],
    );
    let (coder, tester) = (&wts[0], &wts[1]);
    // The file-organisation rules, by a real `git commit`.
    refused_commit(&env, coder, &[("notes.txt", "x\n")], "file-rule");
    refused_commit(
        &env,
        tester,
        &[("src/test_feature.py", "def test(): pass\n")],
        "file-rule",
    );
    let run = env.gc_in(tester, &["task", "start", "feature-tests"]);
    run.code(1);
    assert!(
        run.stderr.contains("task feature is open"),
        "{}",
        run.stderr
    );
    env.gc(&["verify"]).code(1);
    // The quality gates run before `task done`: the tests fail until the feature exists.
    env.gc_in(coder, &["task", "start", "feature"]).ok();
    env.gc_in(coder, &["task", "done", "feature"]).code(1);
    commit(
        &env,
        coder,
        &[("src/feature.py", "def feature(): return 1\n")],
    )
    .ok();
    env.gc_in(coder, &["task", "done", "feature"]).ok();
    commit(
        &env,
        tester,
        &[("tests/test_feature.py", "def test(): pass\n")],
    )
    .ok();
    merge_and_push(&env, &["swarm/coder", "swarm/tester"]).ok();
    env.gc(&["verify"]).ok();
}

#[test]
fn graph_of_every_template_renders() {
    let dot = std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !dot {
        eprintln!("graphviz is not installed: the dot output is checked for balance only");
    }
    for name in [
        "three-leads",
        "waves",
        "backend-frontend",
        "registry",
        "swarm",
    ] {
        let env = TestEnv::new();
        env.gc(&["init", "--no-hooks", "--template", name]).ok();
        let mermaid = env.gc(&["graph"]);
        let text = mermaid.ok();
        assert!(text.starts_with("flowchart TD\n"), "{name}: {text}");
        let opened = text
            .lines()
            .filter(|l| l.trim_start().starts_with("subgraph "))
            .count();
        let closed = text.lines().filter(|l| l.trim() == "end").count();
        assert_eq!(opened, closed, "{name}: {text}");
        let declared: Vec<&str> = text
            .lines()
            .filter_map(|l| {
                l.trim()
                    .split_once("[\"")
                    .map(|(id, _)| id.trim_end_matches('('))
            })
            .map(|id| id.strip_prefix("subgraph ").unwrap_or(id))
            .collect();
        for line in text
            .lines()
            .filter(|l| l.contains("-->") || l.contains("==>"))
        {
            let words: Vec<&str> = line.split_whitespace().collect();
            for id in [words[0], words[2]] {
                assert!(declared.contains(&id), "{name}: {id} undeclared in {text}");
            }
        }
        let dot_text = env.gc(&["graph", "--format", "dot"]).ok().to_owned();
        assert_eq!(
            dot_text.matches('{').count(),
            dot_text.matches('}').count(),
            "{name}"
        );
        if dot {
            let mut child = std::process::Command::new("dot")
                .arg("-Tsvg")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run dot");
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(dot_text.as_bytes())
                .expect("write");
            let out = child.wait_with_output().expect("dot ends");
            assert!(
                out.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("<svg"),
                "{name}"
            );
        }
    }
}
