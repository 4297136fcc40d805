//! The `gitcoord` binary: parse the command line and hand it to the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match gitcoord::cli::Cli::parse_from_args(args.clone()) {
        Ok(cli) => gitcoord::cli::run(cli),
        Err(e) => gitcoord::cli::parse_failed(&e, &args),
    }
}
