//! `handoff` end to end on the three-leads template: the security lead hands its config to
//! the database lead, which completes its task and unblocks the database lead's.

use crate::common::{TestEnv, write_in};

#[test]
fn a_handoff_with_a_task_unblocks_the_receivers_task() {
    let env = TestEnv::new();
    env.gc(&["init", "--template", "three-leads"]).ok();
    let spawn = |id: &str, branch: &str| {
        let path = env.root().join(id);
        let shown = path.to_str().expect("utf-8").to_owned();
        env.gc(&["spawn", id, "--branch", branch, "--path", &shown])
            .ok();
        path
    };
    let sec = spawn("security", "feature/section-1a-security");
    let db = spawn("database", "feature/section-1d-database");
    env.gc_in(&db, &["task", "start", "db-schema"]).code(1);
    env.gc_in(&sec, &["task", "start", "sec-config"]).ok();
    // Only committed files are handed over.
    write_in(
        &sec,
        "config/settings.py",
        "import os\nKEY = os.environ['KEY']\n",
    );
    let run = env.gc_in(
        &sec,
        &[
            "handoff",
            "--to",
            "database",
            "--note",
            "config ready",
            "--task",
            "sec-config",
            "config/settings.py",
        ],
    );
    run.code(2);
    assert!(
        run.stderr.contains("is not on feature/section-1a-security"),
        "{}",
        run.stderr
    );
    env.git_in(&sec, &["add", "config/settings.py"]).ok();
    env.git_in(&sec, &["commit", "-qm", "settings from the environment"])
        .ok();
    // Not another's task.
    env.gc_in(
        &db,
        &[
            "handoff",
            "--to",
            "security",
            "--note",
            "mine?",
            "--task",
            "sec-config",
        ],
    )
    .code(1);
    let tip = env
        .git_in(&sec, &["rev-parse", "HEAD"])
        .ok()
        .trim()
        .to_owned();
    let run = env.gc_in(
        &sec,
        &[
            "handoff",
            "--to",
            "database",
            "--note",
            "config ready",
            "--task",
            "sec-config",
            "config/settings.py",
        ],
    );
    assert!(
        run.ok().contains("(task sec-config done)"),
        "{}",
        run.stdout
    );
    let next = env.json_in(&db, &["next"]);
    assert_eq!(next["task"]["id"], "db-schema", "{next}");
    assert_eq!(
        next["handoffs"][0]["handoff"]["commit"],
        tip.as_str(),
        "{next}"
    );
    assert_eq!(
        next["handoffs"][0]["handoff"]["files"][0],
        "config/settings.py"
    );
    let inbox = env.gc_in(&db, &["inbox"]);
    assert!(
        inbox
            .ok()
            .contains("handoff: config/settings.py at feature/section-1a-security@"),
        "{}",
        inbox.stdout
    );
    env.gc_in(&db, &["task", "start", "db-schema"]).ok();
    let log = env.gc(&["log", "-n", "2"]);
    assert!(
        log.ok()
            .contains("handoff m1 to database: config ready (task sec-config done)"),
        "{}",
        log.stdout
    );
}
