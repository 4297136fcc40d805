//! Shell completions and the manual page: generated from the parser's own definition, for
//! every shell clap_complete knows, anywhere (no repository needed).

use std::process::Command;

use crate::common::TestEnv;

/// Whether `shell` is installed here.
fn has(shell: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {shell}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn completions_are_generated_for_every_shell_and_parse() {
    let env = TestEnv::new();
    let outside = env.root().join("not-a-repository");
    std::fs::create_dir_all(&outside).expect("mkdir");
    for (shell, marker) in [
        ("bash", "_gitcoord()"),
        ("zsh", "#compdef gitcoord"),
        ("fish", "complete -c gitcoord"),
        ("elvish", "edit:completion:arg-completer[gitcoord]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = env.gc_in(&outside, &["completions", shell]);
        let script = run.ok();
        assert!(script.contains(marker), "{shell}: {script:.300}");
        // Every subcommand is offered, the newest included.
        for command in ["lock", "sync", "completions", "man"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
        if matches!(shell, "bash" | "zsh" | "fish") && has(shell) {
            let file = env.root().join(format!("gitcoord.{shell}"));
            std::fs::write(&file, script).expect("write the script");
            let check = Command::new(shell)
                .arg("-n")
                .arg(&file)
                .output()
                .expect("run the shell");
            assert!(
                check.status.success(),
                "{shell} -n: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
    let unknown = env.gc_in(&outside, &["completions", "tcsh"]);
    unknown.code(2);
    assert!(
        unknown.stderr.contains("possible values"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn the_manual_page_is_roff_and_json_is_refused() {
    let env = TestEnv::new();
    let page = env.gc(&["man"]);
    let text = page.ok();
    assert!(text.contains(".TH gitcoord 1"), "{text:.300}");
    assert!(text.contains("completions"), "subcommands listed");
    for command in [&["--json", "man"][..], &["--json", "completions", "bash"]] {
        let refused = env.gc(command);
        refused.code(2);
        // Under --json the refusal is the error object on stdout (docs/json.md).
        let error = crate::common::parse_json(&refused.stdout);
        assert_eq!(error["exit"], 2, "{error:#}");
        assert!(
            refused.stderr.contains("without --json"),
            "{}",
            refused.stderr
        );
    }
}
