//! The decision log end to end on the three-leads template: only the area's authority (or
//! a coordinator, or an unbound user) resolves; a resolved decision is final.

use crate::common::TestEnv;

#[test]
fn only_the_authority_resolves_and_a_resolution_is_final() {
    let env = TestEnv::new();
    env.gc(&["init", "--no-hooks", "--template", "three-leads"])
        .ok();
    let run = env.gc(&[
        "--agent",
        "organization",
        "decision",
        "propose",
        "--title",
        "Where do secrets live?",
        "--option",
        "env: simple; visible in ps",
        "--option",
        "vault: audited; one more service",
        "--input-from",
        "database",
        "--area",
        "config/",
        "--deadline",
        "1d",
    ]);
    assert!(run.ok().contains("decision d1 proposed"), "{}", run.stdout);
    env.gc(&[
        "--agent",
        "database",
        "decision",
        "input",
        "d1",
        "--text",
        "vault please",
    ])
    .ok();
    let run = env.gc(&[
        "--agent",
        "organization",
        "decision",
        "resolve",
        "d1",
        "--choice",
        "env",
        "--rationale",
        "simple",
    ]);
    run.code(1);
    assert!(
        run.stderr.contains("can be resolved by security"),
        "{}",
        run.stderr
    );
    env.gc(&[
        "--agent",
        "security",
        "decision",
        "resolve",
        "d1",
        "--choice",
        "nope",
        "--rationale",
        "x",
    ])
    .code(2);
    env.gc(&[
        "--agent",
        "security",
        "decision",
        "resolve",
        "d1",
        "--choice",
        "vault",
        "--rationale",
        "we audit anyway",
    ])
    .ok();
    let show = env.gc(&["decision", "show", "d1"]);
    let out = show.ok();
    assert!(out.contains("* vault: audited"), "{out}");
    assert!(out.contains("input from database"), "{out}");
    assert!(out.contains("resolved by security"), "{out}");
    assert!(out.contains("we audit anyway"), "{out}");
    let v = env.json(&["decision", "show", "d1"]);
    assert_eq!(v["decision"]["resolution"]["choice"], "vault");
    // Final: no one changes it, not even the lead.
    env.gc(&[
        "decision",
        "resolve",
        "d1",
        "--choice",
        "env",
        "--rationale",
        "again",
    ])
    .code(1);
    env.gc(&["decision", "show", "d9"]).code(2);
    let open = env.json(&["decision", "list", "--open"]);
    assert_eq!(open.as_array().map(Vec::len), Some(0), "{open}");
    let log = env.gc(&["log", "-n", "3"]);
    assert!(
        log.ok().contains("decision d1 resolved by security: vault"),
        "{}",
        log.stdout
    );
}
