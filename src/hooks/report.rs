//! How a refused commit or push is explained: one line per violation, then the exact
//! commands that get the agent unstuck.

use std::io::{self, Write};

use crate::policy::{Check, Violation};

/// Writes the violations and the next steps. `what` is "commit" or "push".
pub fn render(out: &mut dyn Write, what: &str, violations: &[Violation]) -> io::Result<()> {
    writeln!(
        out,
        "gitcoord: {what} refused ({} violation{})",
        violations.len(),
        if violations.len() == 1 { "" } else { "s" }
    )?;
    for v in violations {
        let at = v
            .commit
            .as_ref()
            .map(|c| format!("{} ", &c[..c.len().min(10)]))
            .unwrap_or_default();
        writeln!(out, "  {at}{}  [{}]", v.message, v.rule)?;
    }
    writeln!(out, "next:")?;
    for step in next_steps(violations) {
        writeln!(out, "  {step}")?;
    }
    Ok(())
}

/// The commands worth running, in order, without repeats.
pub fn next_steps(violations: &[Violation]) -> Vec<String> {
    let mut steps: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !steps.contains(&s) {
            steps.push(s);
        }
    };
    for v in violations {
        let path = v.path.as_deref().unwrap_or("");
        match v.check {
            Check::Halt => {
                push("wait for the lead to lift the halt (`gitcoord status` shows why); the lead runs `gitcoord resume`".into());
            }
            Check::Locks => {
                let holder = v.holder.as_deref().unwrap_or("the holder");
                push(format!(
                    "gitcoord msg send --to {holder} --subject 'please release {path}'   # ask the holder"
                ));
                push(
                    "gitcoord locks   # see when each lock expires; expired locks never block"
                        .into(),
                );
                push(format!(
                    "gitcoord unlock --force '{path}'   # the lead or a coordinator only"
                ));
            }
            Check::Boundaries => {
                push(format!(
                    "git restore --staged -- '{path}'   # leave it out of this commit"
                ));
                if let Some(owner) = &v.holder {
                    push(format!(
                        "gitcoord handoff --to {owner} --note 'needs a change in {path}'   # let the owner make it"
                    ));
                }
            }
            Check::Secrets => {
                push("remove the secret and rotate it; if it is not a secret, add `gitcoord:allow` on its line".into());
            }
            Check::MergeOrder => {
                push(
                    "merge the missing predecessors first (`gitcoord agent list` shows the order)"
                        .into(),
                );
            }
        }
    }
    push("GITCOORD_SKIP=<check> skips one check, GITCOORD=0 all; both are reported, and CI checks again".into());
    steps
}
