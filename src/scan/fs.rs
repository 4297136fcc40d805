//! Files and directories: walking, size checks before reading, and scanning in parallel.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::policy::secrets::{Blob, Finding, ScanStats, Scanner, parallel};

/// One file to scan and the name it is reported under.
struct Item {
    path: PathBuf,
    shown: String,
}

/// Scans every regular file under `roots`; returns findings, counters and unreadable files.
pub fn scan_paths(
    scanner: &Scanner,
    roots: &[PathBuf],
    base: &Path,
) -> (Vec<Finding>, ScanStats, u64) {
    let mut items = Vec::new();
    let mut unreadable = 0;
    for root in roots {
        let walk = WalkDir::new(root).follow_links(false).into_iter();
        for entry in walk.filter_entry(|e| e.file_name() != ".git" || e.depth() == 0) {
            match entry {
                Ok(e) if e.file_type().is_file() => items.push(e.into_path()),
                Ok(_) => {}
                Err(_) => unreadable += 1,
            }
        }
    }
    let (findings, stats, failed) = scan_files(scanner, items, base);
    (findings, stats, unreadable + failed)
}

/// Scans the given files in parallel; returns findings, counters and unreadable files.
pub fn scan_files(
    scanner: &Scanner,
    files: Vec<PathBuf>,
    base: &Path,
) -> (Vec<Finding>, ScanStats, u64) {
    let items: Vec<Item> = files
        .into_iter()
        .map(|path| Item {
            shown: shown(&path, base),
            path,
        })
        .collect();
    #[derive(Default)]
    struct Part {
        findings: Vec<Finding>,
        stats: ScanStats,
        unreadable: u64,
    }
    let parts = parallel::run(&items, |item, part: &mut Part| {
        match read_capped(&item.path, scanner.max_file_size()) {
            Ok(Some(bytes)) => {
                let blob = Blob {
                    path: &item.shown,
                    commit: None,
                    bytes: &bytes,
                    only_lines: None,
                };
                part.stats.add(&scanner.scan(&blob, &mut part.findings));
            }
            Ok(None) => part.stats.skipped_oversize += 1,
            Err(_) => part.unreadable += 1,
        }
    });
    let unreadable = parts.iter().map(|p| p.unreadable).sum::<u64>();
    let (findings, stats) =
        parallel::merge(parts.into_iter().map(|p| (p.findings, p.stats)).collect());
    (findings, stats, unreadable)
}

/// Reads a file unless it is larger than `max` bytes (then `None`, without reading it).
fn read_capped(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    if std::fs::metadata(path)?.len() > max {
        return Ok(None);
    }
    std::fs::read(path).map(Some)
}

/// The path as reported: relative to `base` when below it, with `/` separators.
fn shown(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let text = rel.to_string_lossy();
    let text = text.strip_prefix("./").unwrap_or(&text);
    if std::path::MAIN_SEPARATOR == '/' {
        text.to_owned()
    } else {
        text.replace('\\', "/")
    }
}
