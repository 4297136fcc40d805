//! The command line: clap types, and a flat dispatcher to one module per subcommand.

mod agent;
mod agent_edit;
mod brief;
mod check;
mod check_pr;
mod check_push;
mod checkin;
mod checks;
mod completions;
mod conflicts;
mod ctx;
mod decision;
mod demo;
mod doctor;
mod environment;
mod error;
mod format;
mod graph;
mod guard;
mod halt;
mod handoff;
mod hint;
mod hook;
mod hooks_off;
mod init;
mod install;
mod integration;
mod json;
mod lock;
mod log;
mod memory;
mod msg;
mod notice;
mod paths;
mod plan;
mod report;
mod report_file;
mod rollback;
mod scan;
mod spawn;
mod status;
mod sync;
mod table;
mod task;
mod templates;
mod ui;
mod verify;
mod wave;
mod whoami;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use ctx::Ctx;
pub use error::{CliError, ErrorKind, Outcome, exit_code};
pub use json::parse_failed;
pub use ui::Ui;

/// The help heading of the options every subcommand takes.
const GLOBAL: &str = "Global options";

/// `--json` for a subcommand that has no JSON form: accepted as everywhere (and refused
/// or ignored by the subcommand), but not offered in its help.
fn hidden_json() -> clap::Arg {
    clap::Arg::new("json")
        .long("json")
        .action(clap::ArgAction::SetTrue)
        .hide(true)
}

/// Coordinate several coding agents on one git repository: locks, boundaries, merge order,
/// secrets and an emergency halt, kept in `refs/gitcoord/state` and enforced by git hooks.
#[derive(Parser, Debug)]
#[command(
    name = "gitcoord",
    version,
    about,
    propagate_version = true,
    after_help = environment::SHORT,
    after_long_help = environment::HELP
)]
pub struct Cli {
    /// Print machine-readable JSON instead of text (where a command prints state).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,
    /// Act as this agent (overrides GITCOORD_AGENT, worktree binding, config and branch).
    #[arg(long, global = true, value_name = "ID", help_heading = GLOBAL)]
    pub agent: Option<String>,
    /// Run as if started in DIR.
    #[arg(short = 'C', global = true, value_name = "DIR", help_heading = GLOBAL)]
    pub dir: Option<std::path::PathBuf>,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses a command line (program name first). `gitcoord hook NAME ARGS…`, which the
    /// shims run on every commit and push, is recognised without building clap's tree of
    /// every subcommand (0.18 ms of a 3 ms hook here); any flag in it goes through clap.
    pub fn parse_from_args(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
        match hook_fast_path(&args) {
            Some(cli) => Ok(cli),
            None => Cli::try_parse_from(args),
        }
    }
}

/// The [`Cli`] for `PROGRAM hook NAME ARGS…` with a hook name the shims use and no
/// argument that looks like a flag; `None` leaves the parsing to clap.
fn hook_fast_path(args: &[std::ffi::OsString]) -> Option<Cli> {
    let [_, command, name, rest @ ..] = args else {
        return None;
    };
    let name = name.to_str()?;
    if command != "hook"
        || !matches!(
            name,
            "pre-commit" | "pre-merge-commit" | "pre-push" | "pre-commit-framework"
        )
    {
        return None;
    }
    let rest = rest
        .iter()
        .map(|a| {
            a.to_str()
                .filter(|a| !a.starts_with('-'))
                .map(str::to_owned)
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Cli {
        json: false,
        agent: None,
        dir: None,
        command: Command::Hook(hook::HookArgs {
            name: name.to_owned(),
            args: rest,
        }),
    })
}

/// Arguments of `notice`.
#[derive(clap::Args, Debug)]
pub struct NoticeArgs {
    /// Answer in Claude Code's PostToolUse hook protocol (the only mode there is).
    #[arg(long)]
    pub hook: bool,
}

/// Every subcommand.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the coordination state (idempotent).
    Init(init::InitArgs),
    /// Install the hook shims (chaining existing hooks).
    Install(install::InstallArgs),
    /// Remove the hook shims and restore chained hooks.
    Uninstall(install::UninstallArgs),
    /// Register, list, show, remove or bind agents.
    #[command(subcommand)]
    Agent(agent::AgentCommand),
    /// Create a worktree for an agent, bound to it, with hooks installed.
    Spawn(spawn::SpawnArgs),
    /// Print the acting agent and how it was resolved.
    Whoami,
    /// Heartbeat: report status, task and note; renews your locks.
    Checkin(checkin::CheckinArgs),
    /// Lock files, directories or globs (first lock wins).
    Lock(lock::LockArgs),
    /// Release locks.
    Unlock(lock::UnlockArgs),
    /// List the live locks (`--mine`, `--holder ID`, `--path P` filter them).
    Locks(lock::LocksArgs),
    /// Emergency halt: refuse every commit and push until resumed.
    Halt(halt::HaltArgs),
    /// Lift the emergency halt.
    Resume,
    /// One screen: halt, agents, locks.
    Status,
    /// The state's history, one operation per line.
    Log(log::LogArgs),
    /// Show or set the integration branch, and show the merge order.
    Integration(integration::IntegrationArgs),
    /// Run the enforcement checks by hand.
    #[command(subcommand)]
    Check(check::CheckCommand),
    /// Entry point of the installed hook shims.
    #[command(arg = hidden_json())]
    Hook(hook::HookArgs),
    /// Pre-edit check for agent tools (Claude Code PreToolUse hook on stdin).
    #[command(arg = hidden_json())]
    Guard,
    /// Build a throw-away repository with three agents and show each enforcement.
    Demo(demo::DemoArgs),
    /// Print shell completions: bash, zsh, fish, elvish or powershell.
    #[command(arg = hidden_json())]
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff): `gitcoord man | man -l -`.
    #[command(arg = hidden_json())]
    Man,
    /// Scan paths, the staged change, a commit range or the history for secrets.
    Scan(scan::ScanArgs),
    /// Send or acknowledge messages.
    #[command(subcommand)]
    Msg(msg::MsgCommand),
    /// Your unacknowledged messages (`--all`: every message kept).
    Inbox(msg::InboxArgs),
    /// Check, apply or show the plan: agents, rules, tasks, waves and checks in one file.
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// The task queue: add, list, show, claim, decline, start, done, block, reopen.
    #[command(subcommand)]
    Task(task::TaskCommand),
    /// What the acting agent should do now: its task, or why it must wait.
    Next,
    /// Waves: list, status, advance.
    #[command(subcommand)]
    Wave(wave::WaveCommand),
    /// Agents, tasks with dependencies, waves and merge order as a graph (mermaid or dot).
    Graph(graph::GraphArgs),
    /// Sync the state with a git remote: fetch, fast-forward or replay, push.
    Sync(sync::SyncArgs),
    /// Run the plan's checks as a checklist: one ✓/✗ line each, exit 1 if any fails.
    Verify(verify::VerifyArgs),
    /// Health: enforcement proven in every worktree, the state, stale agents, overdue answers, ports.
    Doctor,
    /// Your startup checklist: halt, who you are, your next task, what waits on you.
    Brief(brief::BriefArgs),
    /// PostToolUse hook for agent tools: what is new for the acting agent, told once.
    Notice(NoticeArgs),
    /// Hand work to another agent: files at your branch tip, and your task done.
    Handoff(handoff::HandoffArgs),
    /// The decision log: propose, input, resolve, list, show.
    #[command(subcommand)]
    Decision(decision::DecisionCommand),
    /// The shared memory: set, get, list, rm (area/topic keys).
    #[command(subcommand)]
    Memory(memory::MemoryCommand),
    /// Forecast merge conflicts between agents' branches, pairwise and in merge order.
    Conflicts,
    /// Move every branch snapshotted as wave W opened back to its snapshot (--yes to do it).
    Rollback(rollback::RollbackArgs),
}

/// Runs a parsed command line on the process's stdout and stderr; returns the exit code
/// after printing any error.
pub fn run(cli: Cli) -> ExitCode {
    let (mut ui, result) = run_with(Ui::stdio(cli.json), cli);
    if let Err(e) = &result {
        ui.error(e);
    }
    ExitCode::from(exit_code(&result))
}

/// Runs a parsed command line with its output going to `ui`, which is handed back.
pub fn run_with(ui: Ui, cli: Cli) -> (Ui, Result<Outcome, CliError>) {
    let cwd = match cli.dir.clone() {
        Some(dir) if !dir.is_dir() => {
            let e = CliError::usage(
                format!("-C {}: no such directory", dir.display()),
                "pass -C a directory that exists",
            );
            return (ui, Err(e));
        }
        Some(dir) => dir,
        None => match std::env::current_dir() {
            Ok(dir) => dir,
            Err(e) => {
                let e = CliError::from(
                    anyhow::Error::from(e).context("cannot read the current directory"),
                )
                .hint("cd into a directory that exists, or pass -C DIR");
                return (ui, Err(e));
            }
        },
    };
    let mut ctx = Ctx::new(ui, cli.agent.clone(), cwd);
    let warn = hooks_off::warns_after(&cli.command);
    let result = dispatch(&mut ctx, cli.command);
    if warn {
        hooks_off::warn_once_an_hour(&mut ctx);
    }
    (ctx.ui, result)
}

/// Calls the subcommand.
fn dispatch(ctx: &mut Ctx, command: Command) -> Result<Outcome, CliError> {
    match command {
        Command::Init(args) => init::run(ctx, args),
        Command::Install(args) => install::run_install(ctx, args),
        Command::Uninstall(args) => install::run_uninstall(ctx, args),
        Command::Agent(cmd) => agent::run(ctx, cmd),
        Command::Spawn(args) => spawn::run(ctx, args),
        Command::Whoami => whoami::run(ctx),
        Command::Checkin(args) => checkin::run(ctx, args),
        Command::Lock(args) => lock::run_lock(ctx, args),
        Command::Unlock(args) => lock::run_unlock(ctx, args),
        Command::Locks(args) => lock::run_locks(ctx, args),
        Command::Halt(args) => halt::run_halt(ctx, args),
        Command::Resume => halt::run_resume(ctx),
        Command::Status => status::run(ctx),
        Command::Log(args) => log::run(ctx, args),
        Command::Integration(args) => integration::run(ctx, args),
        Command::Check(cmd) => check::run(ctx, cmd),
        Command::Hook(args) => hook::run(ctx, args),
        Command::Guard => guard::run(ctx),
        Command::Demo(args) => demo::run(ctx, args),
        Command::Completions(args) => completions::run_completions(ctx, args),
        Command::Man => completions::run_man(ctx),
        Command::Scan(args) => scan::run(ctx, args),
        Command::Msg(cmd) => msg::run(ctx, cmd),
        Command::Inbox(args) => msg::run_inbox(ctx, args),
        Command::Plan(cmd) => plan::run(ctx, cmd),
        Command::Task(cmd) => task::run(ctx, cmd),
        Command::Next => task::run_next(ctx),
        Command::Wave(cmd) => wave::run(ctx, cmd),
        Command::Rollback(args) => rollback::run(ctx, args),
        Command::Conflicts => conflicts::run(ctx),
        Command::Memory(cmd) => memory::run(ctx, cmd),
        Command::Decision(cmd) => decision::run(ctx, cmd),
        Command::Handoff(args) => handoff::run(ctx, args),
        Command::Brief(args) => brief::run(ctx, args),
        Command::Doctor => doctor::run(ctx),
        Command::Notice(_) => notice::run(ctx),
        Command::Verify(args) => verify::run(ctx, args),
        Command::Sync(args) => sync::run(ctx, args),
        Command::Graph(args) => graph::run(ctx, args),
    }
}

/// Prints what an operation did (summary and notes), or its JSON.
fn report_applied(ctx: &mut Ctx, applied: &crate::model::Applied) -> Result<Outcome, CliError> {
    // Summaries and notes carry free text (subjects, reasons): never a terminal escape.
    ctx.ui.emit(applied, |out| write_applied(out, applied))?;
    Ok(Outcome::Clean)
}

/// What an operation did as text: its summary, then each note, one line each.
fn write_applied(
    out: &mut dyn std::io::Write,
    applied: &crate::model::Applied,
) -> std::io::Result<()> {
    writeln!(out, "{}", crate::model::text::one_line(&applied.summary))?;
    for note in &applied.notes {
        writeln!(out, "  {}", crate::model::text::one_line(note))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clap_parse(args: &[&str]) -> String {
        format!(
            "{:?}",
            Cli::try_parse_from(args).expect("a valid command line")
        )
    }

    fn fast(args: &[&str]) -> Option<String> {
        let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        hook_fast_path(&args).map(|cli| format!("{cli:?}"))
    }

    #[test]
    fn the_command_tree_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn the_hook_fast_path_parses_as_clap_does() {
        for args in [
            &["gitcoord", "hook", "pre-commit"][..],
            &[
                "gitcoord",
                "hook",
                "pre-push",
                "origin",
                "git@example.com:a/b.git",
            ],
            &[
                "gitcoord",
                "hook",
                "pre-push",
                "origin",
                "https://example.com/a b",
            ],
            &["gitcoord", "hook", "pre-commit-framework"],
        ] {
            assert_eq!(fast(args), Some(clap_parse(args)), "{args:?}");
        }
    }

    #[test]
    fn anything_else_is_left_to_clap() {
        for args in [
            &["gitcoord", "hook", "pre-commit", "--json"][..],
            &["gitcoord", "hook", "--help"],
            &["gitcoord", "hook", "post-merge"],
            &["gitcoord", "--json", "hook", "pre-commit"],
            &["gitcoord", "-C", "dir", "hook", "pre-commit"],
            &["gitcoord", "hook"],
            &["gitcoord", "status"],
        ] {
            assert_eq!(fast(args), None, "{args:?}");
        }
    }
}
