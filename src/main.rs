//! The `gitcoord` binary: parse the command line and hand it to the library.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match gitcoord::cli::Cli::parse_from_args(std::env::args_os().collect()) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            if e.use_stderr() {
                let _ = writeln!(
                    std::io::stderr(),
                    "  next: run the command with --help for what it takes"
                );
            }
            return ExitCode::from(code);
        }
    };
    gitcoord::cli::run(cli)
}
