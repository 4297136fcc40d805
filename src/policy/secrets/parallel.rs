//! Work sharing over the machine's cores: each thread pulls the next item and keeps its own results.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Finding, ScanStats};

/// Less work than this many bytes is scanned on the calling thread: starting threads would
/// cost more than they save (a hook's few staged lines).
const SERIAL_BELOW: u64 = 256 << 10;

/// Runs `work` over `items` on all available cores; returns each thread's accumulated state.
pub fn run<T: Sync, S: Default + Send>(items: &[T], work: impl Fn(&T, &mut S) + Sync) -> Vec<S> {
    run_with(items, || (), |item, _: &mut (), state| work(item, state))
}

/// Like [`run`], on the calling thread alone when the items hold fewer than [`SERIAL_BELOW`]
/// bytes in all.
pub fn run_sized<T: Sync, S: Default + Send>(
    items: &[T],
    bytes: u64,
    work: impl Fn(&T, &mut S) + Sync,
) -> Vec<S> {
    if bytes < SERIAL_BELOW {
        let mut state = S::default();
        for item in items {
            work(item, &mut state);
        }
        return vec![state];
    }
    run(items, work)
}

/// Like [`run`], with a per-thread resource made by `init` that never leaves its thread.
pub fn run_with<T: Sync, L, S: Default + Send>(
    items: &[T],
    init: impl Fn() -> L + Sync,
    work: impl Fn(&T, &mut L, &mut S) + Sync,
) -> Vec<S> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut local = init();
        let mut state = S::default();
        while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
            work(item, &mut local, &mut state);
        }
        state
    };
    if threads <= 1 {
        return vec![worker()];
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Joins per-thread findings and counters; findings are sorted by file, line, column and rule.
pub fn merge(parts: Vec<(Vec<Finding>, ScanStats)>) -> (Vec<Finding>, ScanStats) {
    let mut findings = Vec::new();
    let mut stats = ScanStats::default();
    for (f, s) in parts {
        findings.extend(f);
        stats.add(&s);
    }
    sort(&mut findings);
    (findings, stats)
}

/// Sorts findings into report order: file, line, column, rule, commit.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.rule_id, &a.commit)
            .cmp(&(&b.file, b.line, b.column, &b.rule_id, &b.commit))
    });
}
