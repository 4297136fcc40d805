//! Files and directories: walking, size checks before reading, and scanning in parallel.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::policy::secrets::{Blob, Finding, Lines, ScanStats, Scanner, parallel};

/// How much of a file is read to tell a binary file (as the scanner does: a NUL byte).
const PROBE: u64 = 8 << 10;

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
            Ok(Content::Text(bytes)) => {
                let blob = Blob {
                    path: &item.shown,
                    commit: None,
                    bytes: &bytes,
                    lines: Lines::All,
                    hits: None,
                };
                part.stats.add(&scanner.scan(&blob, &mut part.findings));
            }
            Ok(Content::Binary) => part.stats.skipped_binary += 1,
            Ok(Content::Oversize) => part.stats.skipped_oversize += 1,
            Err(_) => part.unreadable += 1,
        }
    });
    let unreadable = parts.iter().map(|p| p.unreadable).sum::<u64>();
    let (findings, stats) =
        parallel::merge(parts.into_iter().map(|p| (p.findings, p.stats)).collect());
    (findings, stats, unreadable)
}

/// What reading a file gave.
enum Content {
    /// Text to scan.
    Text(Vec<u8>),
    /// A NUL byte in the first 8 KiB: binary, not read further.
    Binary,
    /// Larger than the cap: not read at all.
    Oversize,
}

/// Reads a file unless it is larger than `max` bytes or its first 8 KiB show it is binary.
fn read_capped(path: &Path, max: u64) -> std::io::Result<Content> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > max {
        return Ok(Content::Oversize);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    (&mut file).take(PROBE).read_to_end(&mut bytes)?;
    if memchr::memchr(0, &bytes).is_some() {
        return Ok(Content::Binary);
    }
    file.read_to_end(&mut bytes)?;
    Ok(Content::Text(bytes))
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
