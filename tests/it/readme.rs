//! The README's commands run as written: its "first session" block, line by line, in a
//! fresh repository, each through `sh` with the built gitcoord first on `PATH`.

use std::process::Command;

use crate::common::{TestEnv, bin, run_of};

/// The lines of the first ```sh block after `heading` in the README, comments kept.
fn block_after(heading: &str) -> Vec<String> {
    let readme = include_str!("../../README.md");
    let from = readme
        .find(heading)
        .unwrap_or_else(|| panic!("the README has no {heading:?}"));
    let rest = &readme[from..];
    let start = rest.find("```sh\n").expect("a sh block after the heading") + "```sh\n".len();
    let end = rest[start..].find("```").expect("the block ends") + start;
    rest[start..end]
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readmes_first_session_runs_as_written() {
    let env = TestEnv::new();
    let lines = block_after("## A first session");
    assert!(lines.len() >= 10, "{lines:?}");
    let dir = bin()
        .parent()
        .expect("the binary's directory")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for line in &lines {
        let mut cmd = Command::new("sh");
        env.hermetic(&mut cmd);
        cmd.env("PATH", &path)
            .args(["-c", line])
            .current_dir(&env.repo);
        let run = run_of(cmd.output().expect("run sh"));
        assert_eq!(
            run.code, 0,
            "the README's line\n  {line}\nfailed:\n{}{}",
            run.stdout, run.stderr
        );
    }
    // What the lines did is there to see.
    let status = env.gc(&["status"]);
    assert!(status.stdout.contains("bad migration"), "{}", status.stdout);
    let log = env.gc(&["log"]).stdout;
    for op in [
        "add agent org",
        "lock config/settings.py by sec",
        "message m1 to sec",
        "acknowledge m1 by sec",
        "to agent org",
        "halt: bad migration",
    ] {
        assert!(log.contains(op), "{op}: {log}");
    }
}
