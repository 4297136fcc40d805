//! How a refused commit, push or pull request is explained to people: one line per
//! violation, then the exact commands that get the agent unstuck.

use std::io::{self, Write};

use super::advice;
use crate::policy::{CheckKind, Violation};

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
            CheckKind::Halt => push(advice::halted()),
            CheckKind::Locks => {
                let holder = v.holder.as_deref().unwrap_or("the holder");
                advice::lock_held(holder, path)
                    .into_iter()
                    .for_each(&mut push);
            }
            CheckKind::Boundaries => advice::out_of_bounds(path, v.holder.as_deref())
                .into_iter()
                .for_each(&mut push),
            CheckKind::Secrets => push(advice::secret()),
            CheckKind::MergeOrder => push(advice::merge_order()),
        }
    }
    push(advice::skipping());
    steps
}
