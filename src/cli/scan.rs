//! `gitcoord scan`: secret scanning of paths, the staged change, a commit range or the history.

use std::path::PathBuf;

use clap::Args;

use super::format::Format;
use super::report_file;
use super::{CliError, Ctx, Outcome};
use crate::enforce::report::Findings;
use crate::enforce::secrets::{self, Setup};
use crate::policy::secrets::{DEFAULT_MAX_FILE_SIZE, report};

/// Arguments of `scan`.
#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files or directories to scan (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Scan the lines the staged change adds (what `git commit` would record).
    #[arg(long, conflicts_with_all = ["range", "history", "paths"])]
    pub staged: bool,
    /// Scan the lines each commit of a range adds, and the final content of the files it
    /// changes, e.g. `main..HEAD`.
    #[arg(long, value_name = "A..B", conflicts_with_all = ["history", "paths"])]
    pub range: Option<String>,
    /// Scan the lines every commit reachable from HEAD added, and the files they changed as
    /// HEAD holds them.
    #[arg(long, conflicts_with = "paths")]
    pub history: bool,
    /// gitleaks TOML configuration (default: `.gitleaks.toml` at the repository root, if any).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// An earlier JSON report whose findings are not reported again.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Inside a repository, also scan files that `.gitignore` excludes.
    #[arg(long)]
    pub no_ignore: bool,
    /// Report format (default: text; `--json` is `--format json`).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Report findings but exit 0 (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Write the report, in `--format`, to FILE (replaced atomically); the terminal gets the
    /// text report and the summary.
    #[arg(long, value_name = "FILE")]
    pub report_path: Option<PathBuf>,
}

/// Runs `scan`: 0 when nothing is found, 1 with findings, 2 on errors.
pub fn run(ctx: &mut Ctx, args: ScanArgs) -> Result<Outcome, CliError> {
    let format = super::json::report_format(ctx.ui.json, args.format)?;
    let report_path = args.report_path.as_ref().map(|p| ctx.cwd().join(p));
    if let Some(path) = &report_path {
        report_file::check(path)?;
    }
    let git_mode = args.staged || args.range.is_some() || args.history;
    let root = match ctx.repo() {
        Ok(repo) => repo.workdir().to_path_buf(),
        Err(e) if git_mode => return Err(e),
        Err(_) => ctx.cwd().to_path_buf(),
    };
    let mut setup = Setup::load(&root, args.config.as_deref(), args.baseline.as_deref())?;
    setup.scanner = setup.scanner.with_max_file_size(args.max_file_size);
    if let (false, Ok(repo), Ok(cwd)) = (git_mode, ctx.repo(), std::fs::canonicalize(ctx.cwd())) {
        // Files are named from where the scan runs; git modes name them from the root.
        setup.names_from = Some((cwd, repo.workdir().to_path_buf()));
    }
    let outcome = if git_mode {
        let repo = ctx.repo()?;
        match (&args.range, args.staged) {
            (_, true) => secrets::staged(&setup, repo),
            (Some(range), _) => secrets::commits(&setup, repo, &[range.as_str()]),
            (None, _) => secrets::commits(&setup, repo, &["HEAD"]),
        }?
    } else {
        let roots = if args.paths.is_empty() {
            vec![ctx.cwd().to_path_buf()]
        } else {
            absolute(ctx, &args.paths)?
        };
        scan_tree(ctx, &setup, &roots, args.no_ignore)?
    };
    match &report_path {
        Some(path) => {
            let mut report = Vec::new();
            write_report(&mut report, &setup, &outcome, format)?;
            report_file::write(path, &report)?;
            write_report(ctx.ui.out(), &setup, &outcome, Format::Text)?;
        }
        None => write_report(ctx.ui.out(), &setup, &outcome, format)?,
    }
    summarize(ctx, &outcome, format);
    Ok(Outcome::found(
        !outcome.findings.is_empty() && !args.exit_zero,
    ))
}

/// Scans files and directories; inside a repository, files git ignores are left out.
fn scan_tree(
    ctx: &Ctx,
    setup: &Setup,
    roots: &[PathBuf],
    no_ignore: bool,
) -> Result<secrets::Outcome, CliError> {
    if let (false, Ok(repo)) = (no_ignore, ctx.repo()) {
        let canonical = |p: &std::path::Path| std::fs::canonicalize(p).ok();
        let inside = roots
            .iter()
            .all(|r| canonical(r).is_some_and(|c| c.starts_with(repo.workdir())));
        if inside {
            let files = repo.unignored_files(roots).map_err(secrets::Error::from)?;
            let base = canonical(ctx.cwd()).unwrap_or_else(|| ctx.cwd().to_path_buf());
            return Ok(secrets::files(setup, files, &base));
        }
    }
    Ok(secrets::paths(setup, roots, ctx.cwd()))
}

fn absolute(ctx: &Ctx, paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    paths
        .iter()
        .map(|p| {
            let full = ctx.cwd().join(p);
            if full.exists() {
                Ok(full)
            } else {
                Err(CliError::usage(
                    format!("{} does not exist", p.display()),
                    "name an existing file or directory",
                ))
            }
        })
        .collect()
}

fn write_report(
    out: &mut dyn std::io::Write,
    setup: &Setup,
    outcome: &secrets::Outcome,
    format: Format,
) -> Result<(), CliError> {
    let violations: Vec<_> = outcome.findings.iter().map(secrets::violation).collect();
    let findings = Findings {
        rules: setup.scanner.rule_list().collect(),
        violations: &violations,
        anchor: crate::enforce::report::ci::DEFAULT_ANCHOR,
    };
    if !findings.write_ci(out, format)? {
        match format {
            Format::Json => report::write_json(out, &outcome.findings)?,
            _ => report::write_text(&mut super::ui::printable(out), &outcome.findings)?,
        }
    }
    out.flush()?;
    Ok(())
}

/// The summary on stderr: findings, what was scanned (in human units) and what was skipped.
fn summarize(ctx: &mut Ctx, outcome: &secrets::Outcome, format: Format) {
    let s = &outcome.stats;
    let mut summary = format!(
        "gitcoord scan: {} in {}, {}",
        count(outcome.findings.len() as u64, "finding", "findings"),
        count(s.blobs_scanned, "blob", "blobs"),
        super::ui::human_size(s.bytes_scanned)
    );
    for (n, what) in [
        (s.skipped_binary, "binary"),
        (s.skipped_oversize, "over the size cap"),
        (s.skipped_allowlisted, "allowlisted or lock files"),
        (outcome.unreadable, "unreadable"),
    ] {
        if n > 0 {
            summary.push_str(&format!("; {n} {what}"));
        }
    }
    if outcome.suppressed > 0 {
        let suppressed = count(outcome.suppressed as u64, "finding", "findings");
        summary.push_str(&format!(
            "; {suppressed} suppressed by ignore file or baseline"
        ));
    }
    ctx.ui.note(&summary);
    if !outcome.findings.is_empty() && format == Format::Text {
        ctx.ui.note(&format!(
            "  next: {}",
            crate::enforce::report::advice::secret()
        ));
    }
}

/// `1 blob`, `3 blobs`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
