//! Messages between agents (`messages/ID.toml`): sending, acknowledging, the inbox, and how
//! long a message is kept.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::OpError;
use super::op::{Applied, Record};
use super::{State, id};

/// The recipient that addresses every agent.
pub const ALL: &str = "all";
/// How long after sending an acknowledged message is kept: the state stays small, and the
/// state ref's history keeps every message ever sent.
pub const KEEP_ACKNOWLEDGED: SignedDuration = SignedDuration::from_hours(7 * 24);

/// One message.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// `m1`, `m2`, … in the order sent.
    pub id: String,
    /// The sender: an agent id or `user:NAME`.
    pub from: String,
    /// What was sent: recipient, subject, body, reply.
    #[serde(flatten)]
    pub draft: Draft,
    /// When it was sent.
    pub sent: Timestamp,
    /// Who has acknowledged it (agent ids or `user:NAME`), in order.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub acked_by: Vec<String>,
    /// When an answer is due, for a message that requires a response.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub due: Option<Timestamp>,
}

impl Message {
    /// Whether `reader` (an actor label) is a recipient: the addressee, or anyone but the
    /// sender for a message to `all`.
    pub fn is_for(&self, reader: &str) -> bool {
        self.draft.to == reader || (self.draft.to == ALL && self.from != reader)
    }

    /// Whether `reader` has yet to acknowledge it.
    pub fn is_unread_by(&self, reader: &str) -> bool {
        self.is_for(reader) && !self.acked_by.iter().any(|a| a == reader)
    }

    /// Whether its addressee has acknowledged it (a message to `all`: anyone).
    pub fn is_acknowledged(&self) -> bool {
        if self.draft.to == ALL {
            !self.acked_by.is_empty()
        } else {
            self.acked_by.contains(&self.draft.to)
        }
    }

    /// Whether it can be dropped at `now`: acknowledged, and sent a week ago or more.
    fn is_done(&self, now: Timestamp) -> bool {
        self.is_acknowledged() && now.duration_since(self.sent) >= KEEP_ACKNOWLEDGED
    }
}

/// What a `msg send` asks for.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// An agent id, `user:NAME`, or `all`.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The body, if any.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub body: Option<String>,
    /// Whether the sender waits for an answer.
    #[serde(default, skip_serializing_if = "crate::model::keys::no")]
    pub requires_response: bool,
    /// The message this one answers.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub reply_to: Option<String>,
    /// How long the recipient has to answer, in seconds (default: the plan's
    /// `response_deadline`, else 4 hours); only with `requires_response`.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub within_secs: Option<i64>,
    /// What a handoff hands over.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub handoff: Option<Handoff>,
}

/// Work handed from one agent to another: files at a commit of the sender's branch, and
/// the sender's task it completes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Handoff {
    /// The sender's branch.
    pub branch: String,
    /// Its tip when handed over (full hex id).
    pub commit: String,
    /// The files handed over, as they are at `commit`.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub files: Vec<String>,
    /// The sender's task the handoff completes.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub task: Option<String>,
}

/// Hands work over: completes the sender's task (when one is named; refused as `task done`
/// would be) and sends `draft`, in one operation.
pub fn handoff(state: &mut State, record: &Record, draft: &Draft) -> Result<Applied, OpError> {
    let Some(what) = &draft.handoff else {
        return send(state, record, draft);
    };
    if draft.to == ALL || draft.to.starts_with("user:") {
        return Err(OpError::HandoffRecipient {
            to: draft.to.clone(),
        });
    }
    OpError::one_line("note", &draft.subject)?;
    let done = match &what.task {
        Some(task) => Some(super::task::done(state, record, task)?),
        None => None,
    };
    let mut applied = send(state, record, draft)?;
    let completed = match (&what.task, &done) {
        (Some(t), Some(d)) if !d.unchanged => format!(" (task {t} done)"),
        _ => String::new(),
    };
    applied.summary = format!(
        "handoff {} to {}: {}{completed}",
        applied.id.as_deref().unwrap_or_default(),
        draft.to,
        super::text::one_line(&draft.subject),
    );
    if let Some(done) = done.filter(|d| d.unchanged) {
        applied.notes.push(done.summary);
    }
    Ok(applied)
}

fn require_message<'s>(state: &'s State, id: &str) -> Result<&'s Message, OpError> {
    state
        .messages
        .iter()
        .find(|m| m.id == id)
        .ok_or_else(|| OpError::NoSuchMessage { id: id.to_owned() })
}

/// Drops the messages done with at `now`; returns how many.
pub fn prune(state: &mut State, now: Timestamp) -> usize {
    let before = state.messages.len();
    state.messages.retain(|m| !m.is_done(now));
    before - state.messages.len()
}

/// Sends `draft` as `record`'s actor.
pub fn send(state: &mut State, record: &Record, draft: &Draft) -> Result<Applied, OpError> {
    if let Some(user) = draft.to.strip_prefix("user:") {
        // The lead and other unbound users, by the name `whoami` shows them under.
        if user.trim().is_empty() || user.contains(['\n', '\r', '\0']) {
            return Err(OpError::NoSuchUser {
                to: draft.to.clone(),
            });
        }
    } else if draft.to != ALL {
        id::validate_agent_id(&draft.to).map_err(|reason| OpError::BadRecipient { reason })?;
        if !state.agents.contains_key(&draft.to) {
            return Err(OpError::NoSuchRecipient {
                id: draft.to.clone(),
            });
        }
    }
    OpError::one_line("subject", &draft.subject)?;
    let from = record.actor.label();
    if let Some(parent) = &draft.reply_to {
        let parent = require_message(state, parent)?;
        if parent.from != from && !parent.is_for(&from) {
            return Err(OpError::NotInThread {
                id: parent.id.clone(),
                from: parent.from.clone(),
                to: parent.draft.to.clone(),
            });
        }
    }
    let due = match (draft.requires_response, draft.within_secs) {
        (false, Some(_)) => return Err(OpError::WithinNeedsResponse),
        (false, None) => None,
        (true, within) => {
            let within = match within {
                Some(secs) if secs > 0 => SignedDuration::from_secs(secs),
                Some(_) => return Err(OpError::WithinNeedsResponse),
                None => state.response_deadline(),
            };
            Some(
                record
                    .at
                    .saturating_add(within)
                    .map_err(|_| OpError::WithinNeedsResponse)?,
            )
        }
    };
    let id = match super::site::mint(state, record, super::site::Kind::Message) {
        Some(id) => id,
        None => {
            // Numbered past every id ever given, kept or pruned, so an id names one message.
            let number = state
                .messages
                .iter()
                .filter_map(|m| m.id.strip_prefix('m')?.parse::<u64>().ok())
                .fold(state.meta.last_message, u64::max)
                + 1;
            state.meta.last_message = number;
            format!("m{number}")
        }
    };
    state.messages.push(Message {
        id: id.clone(),
        from,
        draft: draft.clone(),
        sent: record.at,
        acked_by: Vec::new(),
        due,
    });
    let mut applied = Applied::new(format!("message {id} to {}: {}", draft.to, draft.subject));
    applied.id = Some(id);
    Ok(applied)
}

/// Acknowledges message `id` as `record`'s actor.
pub fn ack(state: &mut State, record: &Record, id: &str) -> Result<Applied, OpError> {
    let reader = record.actor.label();
    let message = require_message(state, id)?;
    if !message.is_for(&reader) {
        return Err(OpError::NotYourMessage {
            id: id.to_owned(),
            to: message.draft.to.clone(),
            reader,
        });
    }
    let mut applied = Applied::new(format!("acknowledge {id} by {reader}"));
    if message.acked_by.contains(&reader) {
        applied.notes.push("it was already acknowledged".into());
    } else if let Some(m) = state.messages.iter_mut().find(|m| m.id == id) {
        m.acked_by.push(reader);
    }
    Ok(applied)
}

/// The message that answers `message`: a reply to it from one of its recipients.
pub fn answer<'s>(state: &'s State, message: &Message) -> Option<&'s Message> {
    state
        .messages
        .iter()
        .find(|m| m.draft.reply_to.as_deref() == Some(&message.id) && message.is_for(&m.from))
}

/// The messages that require a response, have none, and are past their deadline at `now`.
pub fn overdue(state: &State, now: Timestamp) -> Vec<&Message> {
    state
        .messages
        .iter()
        .filter(|m| m.due.is_some_and(|due| due < now) && answer(state, m).is_none())
        .collect()
}

/// The thread `id` belongs to, oldest first: its first message and every reply under it.
pub fn thread<'s>(state: &'s State, id: &str) -> Result<Vec<&'s Message>, OpError> {
    let by_id = |id: &str| state.messages.iter().find(|m| m.id == id);
    let root_of = |mut m: &'s Message| {
        // Bounded: a reply names an earlier message, so the chain ends; the bound holds
        // even for a hand-edited state.
        for _ in 0..state.messages.len() {
            match m.draft.reply_to.as_deref().and_then(by_id) {
                Some(parent) => m = parent,
                None => break,
            }
        }
        m.id.as_str()
    };
    let root = root_of(require_message(state, id)?);
    let mut thread: Vec<&Message> = state
        .messages
        .iter()
        .filter(|m| root_of(m) == root)
        .collect();
    thread.sort_by_key(|m| {
        (
            m.sent,
            m.id.trim_start_matches('m').parse::<u64>().unwrap_or(0),
        )
    });
    Ok(thread)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Actor, Agent, Op};

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("valid timestamp in test")
    }

    fn state() -> State {
        let mut state = State::new(ts("2026-01-01T00:00:00Z"));
        for id in ["alice", "bob"] {
            state.agents.insert(id.into(), Agent::default());
        }
        state
    }

    fn record(actor: &str, at: &str) -> Record {
        Record {
            op: Op::Resume,
            actor: Actor::Agent { id: actor.into() },
            at: ts(at),
            site: None,
        }
    }

    fn draft(to: &str, subject: &str) -> Draft {
        Draft {
            to: to.into(),
            subject: subject.into(),
            body: None,
            requires_response: false,
            reply_to: None,
            within_secs: None,
            handoff: None,
        }
    }

    #[test]
    fn ids_count_up_and_never_come_back_after_pruning() {
        let mut s = state();
        let r = record("alice", "2026-01-01T00:00:00Z");
        let one = send(&mut s, &r, &draft("bob", "one")).expect("sent");
        assert_eq!(one.id.as_deref(), Some("m1"));
        ack(&mut s, &record("bob", "2026-01-01T00:01:00Z"), "m1").expect("acked");
        assert_eq!(prune(&mut s, ts("2026-01-07T00:00:00Z")), 0, "kept a week");
        assert_eq!(prune(&mut s, ts("2026-01-08T00:00:00Z")), 1);
        let two = send(&mut s, &r, &draft("bob", "two")).expect("sent");
        assert_eq!(two.id.as_deref(), Some("m2"));
    }

    #[test]
    fn recipients_and_acknowledgement() {
        let mut s = state();
        let r = record("alice", "2026-01-01T00:00:00Z");
        send(&mut s, &r, &draft("all", "standup")).expect("sent");
        let m = &s.messages[0];
        assert!(m.is_unread_by("bob"));
        assert!(!m.is_for("alice"), "not for its own sender");
        assert!(m.is_for("user:lead"));
        send(&mut s, &r, &draft("user:lead", "done")).expect("a user can be written to");
        assert!(s.messages[1].is_unread_by("user:lead"));
        assert!(!s.messages[1].is_for("bob"));
        let err = ack(&mut s, &r, "m1").expect_err("the sender cannot ack");
        assert!(err.to_string().contains("not for alice"), "{err}");
        ack(&mut s, &record("bob", "2026-01-01T00:00:00Z"), "m1").expect("acked");
        assert!(!s.messages[0].is_unread_by("bob"));
        let again = ack(&mut s, &record("bob", "2026-01-01T00:00:00Z"), "m1").expect("idem");
        assert_eq!(again.notes, ["it was already acknowledged"]);
        assert_eq!(s.messages[0].acked_by, ["bob"]);
    }

    #[test]
    fn bad_drafts_are_invalid() {
        let r = record("alice", "2026-01-01T00:00:00Z");
        for (d, want) in [
            (draft("carol", "x"), "no agent 'carol'"),
            (draft("bad id!", "x"), "bad id!"),
            (draft("bob", "  "), "a single line of text"),
            (draft("bob", "a\nb"), "a single line of text"),
            (draft("user: ", "x"), "names no user"),
            (
                Draft {
                    reply_to: Some("m9".into()),
                    ..draft("bob", "x")
                },
                "no message 'm9'",
            ),
        ] {
            let err = send(&mut state(), &r, &d).expect_err("invalid");
            assert_eq!(err.kind(), crate::model::OpErrorKind::Invalid, "{err}");
            let text = format!("{err} {:?}", err);
            assert!(text.contains(want), "{d:?}: {text}");
        }
        let err = ack(&mut state(), &r, "m1").expect_err("unknown");
        assert!(err.to_string().contains("no message 'm1'"), "{err}");
    }

    #[test]
    fn deadlines_answers_and_threads() {
        let mut s = state();
        s.agents.insert("carol".into(), Agent::default());
        let ask = Draft {
            requires_response: true,
            within_secs: Some(3600),
            handoff: None,
            ..draft("bob", "schema ready?")
        };
        send(&mut s, &record("alice", "2026-01-01T00:00:00Z"), &ask).expect("asked");
        assert_eq!(s.messages[0].due, Some(ts("2026-01-01T01:00:00Z")));
        assert!(overdue(&s, ts("2026-01-01T00:59:00Z")).is_empty());
        assert_eq!(overdue(&s, ts("2026-01-01T02:00:00Z")).len(), 1);
        // Only a party to the thread may answer it, and only a recipient's reply answers.
        let reply = |subject: &str| Draft {
            reply_to: Some("m1".into()),
            ..draft("alice", subject)
        };
        let err = send(
            &mut s,
            &record("carol", "2026-01-01T02:00:00Z"),
            &reply("me?"),
        )
        .expect_err("carol is not in the thread");
        assert_eq!(err.kind(), crate::model::OpErrorKind::Invalid);
        let follow_up = Draft {
            reply_to: Some("m1".into()),
            ..draft("bob", "ping")
        };
        send(&mut s, &record("alice", "2026-01-01T02:01:00Z"), &follow_up).expect("sender");
        assert_eq!(
            overdue(&s, ts("2026-01-01T02:05:00Z")).len(),
            1,
            "the sender's ping answers nothing"
        );
        send(
            &mut s,
            &record("bob", "2026-01-01T02:10:00Z"),
            &reply("yes"),
        )
        .expect("bob answers");
        assert!(overdue(&s, ts("2026-01-01T03:00:00Z")).is_empty());
        assert_eq!(
            answer(&s, &s.messages[0]).map(|m| m.id.as_str()),
            Some("m3")
        );
        let ids: Vec<&str> = thread(&s, "m3")
            .expect("thread")
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        assert_eq!(ids, ["m1", "m2", "m3"]);
        // The default deadline is the plan's, else 4 hours; --within needs a response.
        let asked = Draft {
            requires_response: true,
            ..draft("bob", "default")
        };
        send(&mut s, &record("alice", "2026-01-01T00:00:00Z"), &asked).expect("asked");
        assert_eq!(s.messages[3].due, Some(ts("2026-01-01T04:00:00Z")));
        let within = Draft {
            within_secs: Some(60),
            handoff: None,
            ..draft("bob", "x")
        };
        let err = send(&mut s, &record("alice", "2026-01-01T00:00:00Z"), &within)
            .expect_err("no response asked");
        assert_eq!(err.kind(), crate::model::OpErrorKind::Invalid);
    }
}
