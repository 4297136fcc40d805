//! `completions SHELL` and `man`: shell completions (clap_complete) and the manual page
//! (clap_mangen), generated from the very clap definition that parses the command line, so
//! they never drift from it.

use clap::CommandFactory;

use super::{Cli, CliError, Ctx, Outcome};

/// Arguments of `completions`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Install them where your shell looks, e.g.:
  gitcoord completions bash > ~/.local/share/bash-completion/completions/gitcoord
  gitcoord completions zsh > \"${fpath[1]}/_gitcoord\"
  gitcoord completions fish > ~/.config/fish/completions/gitcoord.fish")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for `args.shell` on stdout.
pub fn run_completions(ctx: &mut Ctx, args: CompletionsArgs) -> Result<Outcome, CliError> {
    refuse_json(ctx, "completions")?;
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "gitcoord", &mut script);
    ctx.ui.out().write_all(&script)?;
    ctx.ui.out().flush()?;
    Ok(Outcome::Clean)
}

/// Prints the manual page, roff, on stdout: `gitcoord man > gitcoord.1`, or `gitcoord man
/// | man -l -` to read it.
pub fn run_man(ctx: &mut Ctx) -> Result<Outcome, CliError> {
    refuse_json(ctx, "man")?;
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    ctx.ui.out().write_all(&page)?;
    ctx.ui.out().flush()?;
    Ok(Outcome::Clean)
}

/// A shell script or a roff page has no JSON form.
fn refuse_json(ctx: &Ctx, what: &str) -> Result<(), CliError> {
    if ctx.ui.json {
        return Err(CliError::usage(
            format!("`{what}` prints a file for the shell or for man, which has no JSON form"),
            format!("run `gitcoord {what}` without --json"),
        ));
    }
    Ok(())
}
