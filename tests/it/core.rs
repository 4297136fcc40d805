//! The state store and the core commands, end to end.

use crate::common::TestEnv;

#[test]
fn init_is_idempotent_and_tree_holds_only_toml() {
    let env = TestEnv::new();
    env.gc(&["init"]).ok();
    let again = env.gc(&["init"]);
    assert!(again.ok().contains("already exists"));
    env.gc(&["agent", "add", "alice", "--branch", "feature/a"])
        .ok();
    let tree = env.git(&["cat-file", "-p", "refs/gitcoord/state^{tree}"]);
    for line in tree.ok().lines() {
        assert!(
            line.starts_with("100644 blob ") && line.ends_with(".toml"),
            "{line}"
        );
    }
}
