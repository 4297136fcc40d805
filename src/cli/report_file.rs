//! `--report-path FILE`: a report written whole or not at all, without replacing special files.

use std::io::Write;
use std::path::Path;

use super::CliError;

/// Refuses a report path that cannot take a file (a directory, a missing directory), before
/// anything is scanned.
pub fn check(path: &Path) -> Result<(), CliError> {
    if path.is_dir() {
        return Err(CliError::usage(
            format!("--report-path {} is a directory", path.display()),
            "name a file, e.g. --report-path report.json",
        ));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if parent.is_some_and(|p| !p.is_dir()) {
        return Err(CliError::usage(
            format!(
                "--report-path {}: its directory does not exist",
                path.display()
            ),
            "create the directory first, or name a file in an existing one",
        ));
    }
    Ok(())
}

/// Writes `bytes` to `path`: an existing special file (`/dev/null`, a pipe) is written to in
/// place, never replaced; anything else through a temporary file in the same directory,
/// renamed over `path`, so a reader never sees half a report.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let failed = |e: std::io::Error| {
        CliError::new(
            super::error::ErrorKind::Invalid,
            anyhow::Error::from(e)
                .context(format!("cannot write the report to {}", path.display())),
        )
        .hint("check that the report's directory exists and is writable")
    };
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    if special {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(failed)?;
        return file.write_all(bytes).map_err(failed);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    tmp.write_all(bytes).map_err(failed)?;
    tmp.as_file().sync_all().map_err(failed)?;
    tmp.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}
