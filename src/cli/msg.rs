//! `gitcoord msg send`, `msg ack` and `inbox`: messages between agents and their lead.

use clap::{Args, Subcommand};
use serde::Serialize;

use super::{CliError, Ctx, Outcome, report_applied};
use crate::model::message::Draft;
use crate::model::{Message, Op, message, text, time};

/// The `msg` subcommands.
#[derive(Subcommand, Debug)]
pub enum MsgCommand {
    /// Send a message to an agent, or to all of them.
    Send(SendArgs),
    /// Acknowledge a message you received (it leaves your inbox).
    Ack(AckArgs),
    /// A message's whole thread, oldest first.
    Show(AckArgs),
}

/// Arguments of `msg send`.
#[derive(Args, Debug)]
pub struct SendArgs {
    /// The recipient: an agent id, `user:NAME` (an unbound user, e.g. the lead), or `all`.
    #[arg(long, value_name = "ID|user:NAME|all")]
    pub to: String,
    /// One line saying what it is about.
    #[arg(long)]
    pub subject: String,
    /// The text, if the subject is not enough.
    #[arg(long, conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the text from this file (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<std::path::PathBuf>,
    /// Ask the recipient to answer (with `--reply-to`).
    #[arg(long)]
    pub requires_response: bool,
    /// How long the answer may take (default: the plan's response_deadline, else 4h).
    #[arg(long, value_name = "DUR", requires = "requires_response")]
    pub within: Option<String>,
    /// The message this one answers.
    #[arg(long, value_name = "MSG")]
    pub reply_to: Option<String>,
}

/// Arguments of `msg ack`.
#[derive(Args, Debug)]
pub struct AckArgs {
    /// The message id, e.g. m3.
    #[arg(value_name = "MSG")]
    pub id: String,
}

/// Arguments of `inbox`.
#[derive(Args, Debug)]
pub struct InboxArgs {
    /// Show every message kept in the state, acknowledged or not, to anyone.
    #[arg(long)]
    pub all: bool,
}

/// Dispatches a `msg` subcommand.
pub fn run(ctx: &mut Ctx, cmd: MsgCommand) -> Result<Outcome, CliError> {
    let op = match cmd {
        MsgCommand::Send(a) => Op::MsgSend(draft(ctx, a)?),
        MsgCommand::Ack(a) => Op::MsgAck { id: a.id },
        MsgCommand::Show(a) => return show(ctx, &a.id),
    };
    let applied = ctx.run_op(op)?;
    report_applied(ctx, &applied)
}

/// The message `msg send` asks for: the body read from `--body-file`, `--within` parsed.
fn draft(ctx: &Ctx, a: SendArgs) -> Result<Draft, CliError> {
    let body = match &a.body_file {
        Some(file) if file.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|e| {
                CliError::usage(
                    format!("cannot read the body from standard input: {e}"),
                    "pipe UTF-8 text in, or pass --body",
                )
            })?;
            Some(text)
        }
        Some(file) => {
            let path = ctx.cwd().join(file);
            Some(std::fs::read_to_string(&path).map_err(|e| {
                CliError::usage(
                    format!("cannot read the body from {}: {e}", file.display()),
                    "pass --body-file a UTF-8 text file, or --body TEXT",
                )
            })?)
        }
        None => a.body,
    };
    if body.as_ref().is_some_and(|b| b.len() > MAX_BODY) {
        return Err(CliError::usage(
            format!("the body is over {} KiB", MAX_BODY / 1024),
            "send a shorter body, and point to a file in the repository for the rest",
        ));
    }
    let within_secs = match &a.within {
        Some(text) => Some(
            time::parse_duration(text)
                .map_err(|m| CliError::usage(m, "e.g. --within 2h"))?
                .as_secs(),
        ),
        None => None,
    };
    Ok(Draft {
        to: a.to,
        subject: a.subject,
        body,
        requires_response: a.requires_response,
        reply_to: a.reply_to,
        within_secs,
        handoff: None,
    })
}

/// The largest body a message carries: the state stays small, and an agent's context too.
const MAX_BODY: usize = 64 * 1024;

#[derive(Serialize)]
struct Thread<'a> {
    id: &'a str,
    messages: Vec<&'a Message>,
}

/// Prints the thread of message `id`, oldest first.
fn show(ctx: &mut Ctx, id: &str) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let now = ctx.now()?;
    let state = &snapshot.state;
    let thread = Thread {
        id,
        messages: message::thread(state, id)?,
    };
    ctx.ui.emit(&thread, |out| {
        for m in &thread.messages {
            let mut line = summary_line(m, now);
            line.push_str(&answer_mark(state, m, now));
            if let Some(parent) = &m.draft.reply_to {
                line.push_str(&format!("  (re {parent})"));
            }
            writeln!(out, "{line}\n      {}", text::one_line(&m.draft.subject))?;
            for line in m.draft.body.iter().flat_map(|b| b.lines()) {
                writeln!(out, "      | {}", text::one_line(line))?;
            }
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}

/// `handoff: FILES at BRANCH@COMMIT; task T done`: what a handoff hands over.
pub fn handoff_line(h: &crate::model::message::Handoff) -> String {
    let files = if h.files.is_empty() {
        "the branch".to_owned()
    } else {
        h.files.join(", ")
    };
    let task = h
        .task
        .as_ref()
        .map(|t| format!("; task {t} done"))
        .unwrap_or_default();
    format!(
        "handoff: {files} at {}@{}{task}",
        h.branch,
        h.commit.get(..10).unwrap_or(&h.commit)
    )
}

/// `  [answer by …]`, `  [OVERDUE since …]` or `  [answered in mN]` for a message that
/// requires a response; empty otherwise.
pub fn answer_mark(state: &crate::model::State, m: &Message, now: jiff::Timestamp) -> String {
    let Some(due) = m.due else {
        return String::new();
    };
    if let Some(answer) = message::answer(state, m) {
        return format!("  [answered in {}]", answer.id);
    }
    if due < now {
        format!("  [OVERDUE: answer was due {}]", time::ago(due, now))
    } else {
        format!("  [answer by {}]", due.strftime("%Y-%m-%d %H:%MZ"))
    }
}

#[derive(Serialize)]
struct Inbox<'a> {
    reader: String,
    messages: Vec<&'a Message>,
}

/// Lists the acting identity's unacknowledged messages (or, with `--all`, every one kept).
pub fn run_inbox(ctx: &mut Ctx, args: InboxArgs) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let (actor, _) = ctx.actor(Some(&snapshot.state))?;
    let now = ctx.now()?;
    let reader = actor.label();
    let inbox = Inbox {
        messages: snapshot
            .state
            .messages
            .iter()
            .filter(|m| args.all || m.is_unread_by(&reader))
            .collect(),
        reader,
    };
    ctx.ui.emit(&inbox, |out| {
        if inbox.messages.is_empty() {
            let what = if args.all { "kept" } else { "unread" };
            return writeln!(out, "no {what} messages for {}", inbox.reader);
        }
        for m in &inbox.messages {
            let mut line = summary_line(m, now);
            if m.due.is_some() {
                line.push_str(&answer_mark(&snapshot.state, m, now));
            } else if m.draft.requires_response && !m.acked_by.contains(&inbox.reader) {
                line.push_str("  [answer expected]");
            }
            if let Some(parent) = &m.draft.reply_to {
                line.push_str(&format!("  (re {parent})"));
            }
            writeln!(out, "{line}\n      {}", text::one_line(&m.draft.subject))?;
            for line in m.draft.body.iter().flat_map(|b| b.lines()) {
                writeln!(out, "      | {}", text::one_line(line))?;
            }
            if let Some(h) = &m.draft.handoff {
                writeln!(out, "      {}", handoff_line(h))?;
            }
            if args.all && !m.acked_by.is_empty() {
                writeln!(out, "      acknowledged by {}", m.acked_by.join(", "))?;
            }
        }
        if !args.all {
            writeln!(
                out,
                "acknowledge with `gitcoord msg ack ID`; answer with `gitcoord msg send --to SENDER --reply-to ID --subject ...`"
            )?;
        }
        Ok(())
    })?;
    Ok(Outcome::Clean)
}

/// `ID FROM -> TO  WHEN`: how a message is named in the inbox and in `status`.
pub fn summary_line(m: &Message, now: jiff::Timestamp) -> String {
    format!(
        "{:<5} {} -> {}  {}",
        m.id,
        m.from,
        m.draft.to,
        time::ago(m.sent, now)
    )
}
