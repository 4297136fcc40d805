//! `gitcoord msg send`, `msg ack` and `inbox`: messages between agents and their lead.

use clap::{Args, Subcommand};
use serde::Serialize;

use super::{CliError, Ctx, Outcome, report_applied};
use crate::model::message::Draft;
use crate::model::{Message, Op, time};

/// The `msg` subcommands.
#[derive(Subcommand, Debug)]
pub enum MsgCommand {
    /// Send a message to an agent, or to all of them.
    Send(SendArgs),
    /// Acknowledge a message you received (it leaves your inbox).
    Ack(AckArgs),
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
    #[arg(long)]
    pub body: Option<String>,
    /// Ask the recipient to answer (with `--reply-to`).
    #[arg(long)]
    pub requires_response: bool,
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
        MsgCommand::Send(a) => Op::MsgSend(Draft {
            to: a.to,
            subject: a.subject,
            body: a.body,
            requires_response: a.requires_response,
            reply_to: a.reply_to,
        }),
        MsgCommand::Ack(a) => Op::MsgAck { id: a.id },
    };
    let applied = ctx.run_op(op)?;
    report_applied(ctx, &applied)
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
            if m.draft.requires_response && !m.acked_by.contains(&inbox.reader) {
                line.push_str("  [answer expected]");
            }
            if let Some(parent) = &m.draft.reply_to {
                line.push_str(&format!("  (re {parent})"));
            }
            writeln!(out, "{line}\n      {}", m.draft.subject)?;
            for line in m.draft.body.iter().flat_map(|b| b.lines()) {
                writeln!(out, "      | {line}")?;
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
