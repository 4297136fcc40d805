//! One vocabulary for what the checks report: a [`Rule`] (a stable id, what it means, what
//! to do) for every check and every secret rule, and one [`fingerprint`] that names a
//! finding the same way in `scan`, the hooks and `check pr`.

use serde::Serialize;

/// A rule a violation breaks: what SARIF lists under `tool.driver.rules`, what reports
/// show in brackets, and what `GITCOORD_SKIP` and ignore files refer to.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule<'a> {
    /// The stable id, e.g. `lock`, `boundary-deny`, `github-pat`.
    pub id: &'a str,
    /// One sentence: what breaking it means.
    pub description: &'a str,
    /// One sentence: what to do about it.
    pub help: &'a str,
}

/// The repository is halted.
pub const HALT: Rule<'static> = Rule {
    id: "halt",
    description: "The repository is halted: every commit and push is refused.",
    help: "Wait for the lead to lift the halt; `gitcoord status` shows why.",
};

/// A changed file is locked by another agent.
pub const LOCK: Rule<'static> = Rule {
    id: "lock",
    description: "A changed file is locked by another agent.",
    help: "Ask the holder to release it, or wait until the lock expires.",
};

/// A changed file is on the agent's do-not-touch list.
pub const BOUNDARY_DENY: Rule<'static> = Rule {
    id: "boundary-deny",
    description: "A changed file is on the agent's do-not-touch list.",
    help: "Leave the file out of the change, or hand the work to an agent allowed to make it.",
};

/// A changed file is owned by another agent.
pub const BOUNDARY_OWNED: Rule<'static> = Rule {
    id: "boundary-owned",
    description: "A changed file is owned by another agent.",
    help: "Leave the file out of the change and ask its owner to make it.",
};

/// A changed file is outside the agent's allow list.
pub const BOUNDARY_ALLOW: Rule<'static> = Rule {
    id: "boundary-allow",
    description: "A changed file is outside the agent's allow list.",
    help: "Leave the file out of the change, or widen the agent's --allow list.",
};

/// An agent's work is merged before its predecessors'.
pub const MERGE_ORDER: Rule<'static> = Rule {
    id: "merge-order",
    description: "An agent's work is merged before its predecessors'.",
    help: "Merge the missing predecessors first; `gitcoord integration` shows the order.",
};

/// An added file breaks one of the plan's `[[rule]]`s.
pub const FILE_RULE: Rule<'static> = Rule {
    id: "file-rule",
    description: "An added file breaks the plan's file-organisation rules.",
    help: "Put the file where the plan's rules allow (`gitcoord plan show` lists them), then commit again.",
};

/// An agent commits while the wave of its task in progress is not open.
pub const WAVE_CLOSED: Rule<'static> = Rule {
    id: "wave-closed",
    description: "An agent commits only while the wave of its task is open (enforce_waves).",
    help: "Wait for the wave to open (`gitcoord wave list`), or work on the task `gitcoord next` names.",
};

/// What every secret rule asks of the user.
pub const SECRET_HELP: &str = "Remove the secret and rotate it; if it is not a secret, add `gitcoord:allow` on its line or its fingerprint to .gitcoordignore.";

/// Every rule the path and merge-order checks report, in reporting order.
pub const CHECK_RULES: [Rule<'static>; 8] = [
    HALT,
    LOCK,
    BOUNDARY_DENY,
    BOUNDARY_OWNED,
    BOUNDARY_ALLOW,
    FILE_RULE,
    WAVE_CLOSED,
    MERGE_ORDER,
];

/// The fingerprint of a finding: 16 hex digits of FNV-1a (64 bit) over the rule id, the
/// repository-relative path and a `subject` — the hashed secret value for a secret, the
/// holder or owner for a lock or boundary, empty otherwise. No line and no commit enter it,
/// so one finding keeps its fingerprint when lines move and across the commits, pushes and
/// pull requests that carry it; `scan`, the hooks and `check pr` compute the same one.
pub fn fingerprint(rule: &str, path: &str, subject: &str) -> String {
    format!("{:016x}", fnv1a([rule, path, subject]))
}

/// FNV-1a, 64 bits, over `parts` each followed by a NUL byte: stable across versions and
/// platforms, unlike std's hasher.
pub fn fnv1a<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    fnv1a_bytes(parts.into_iter().map(str::as_bytes))
}

/// [`fnv1a`] over byte strings.
pub fn fnv1a_bytes<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    parts.into_iter().fold(0xcbf2_9ce4_8422_2325, |hash, part| {
        fnv1a_extend(fnv1a_extend(hash, part), &[0])
    })
}

/// Continues an FNV-1a hash over `bytes` (no separator).
pub fn fnv1a_extend(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_depend_on_rule_path_and_subject_only() {
        let a = fingerprint("lock", "src/a.rs", "sec");
        assert_eq!(a.len(), 16);
        assert_eq!(a, fingerprint("lock", "src/a.rs", "sec"));
        assert_ne!(a, fingerprint("lock", "src/b.rs", "sec"));
        assert_ne!(a, fingerprint("lock", "src/a.rs", "db"));
        assert_ne!(a, fingerprint("boundary-deny", "src/a.rs", "sec"));
        // The separator keeps the parts apart.
        assert_ne!(fingerprint("ab", "c", ""), fingerprint("a", "bc", ""));
    }

    #[test]
    fn fnv1a_is_the_published_function() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; the NUL separator then goes in.
        let mut h: u64 = 0xaf63_dc4c_8601_ec8c;
        h ^= 0;
        h = h.wrapping_mul(0x0100_0000_01b3);
        assert_eq!(fnv1a(["a"]), h);
    }
}
