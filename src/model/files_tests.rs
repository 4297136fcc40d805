//! Round trips of the state files, malformed names and formats.

use super::*;
use jiff::Timestamp;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("valid timestamp in test")
}

#[test]
fn round_trip() {
    let mut state = State::new(ts("2026-01-01T00:00:00Z"));
    state.agents.insert(
        "alice".into(),
        Agent {
            branch: "feature/a".into(),
            owns: vec!["src/a/**".into()],
            added: ts("2026-01-01T00:00:00Z"),
            ..Agent::default()
        },
    );
    state.locks.push(Lock {
        pattern: "src/a/x.rs".into(),
        holder: "alice".into(),
        reason: Some("refactor".into()),
        acquired: ts("2026-01-01T00:00:00Z"),
        expires: ts("2026-01-01T00:30:00Z"),
    });
    state.halt = Some(Halt {
        reason: "broken main".into(),
        by: "user:lead".into(),
        at: ts("2026-01-01T00:01:00Z"),
    });
    state.meta.last_message = 1;
    state.messages.push(Message {
        id: "m1".into(),
        from: "user:lead".into(),
        draft: crate::model::message::Draft {
            to: "alice".into(),
            subject: "release src/a/x.rs".into(),
            body: Some("two lines\nof body".into()),
            requires_response: true,
            reply_to: None,
            within_secs: Some(3600),
            handoff: None,
        },
        sent: ts("2026-01-01T00:02:00Z"),
        acked_by: vec!["alice".into()],
        due: Some(ts("2026-01-01T01:02:00Z")),
    });
    let files = to_files(&state);
    assert_eq!(files.len(), 5);
    assert_eq!(from_files(&files).expect("round trip"), state);
}

#[test]
fn malformed_names_file_and_line() {
    let mut files = to_files(&State::new(ts("2026-01-01T00:00:00Z")));
    files.insert(
        "locks/src.toml".into(),
        "[[lock]]\npattern = \"src/x\"\nholder = \n".into(),
    );
    let err = from_files(&files).expect_err("malformed");
    let text = err.to_string();
    assert!(text.contains("locks/src.toml"), "{text}");
    assert!(text.contains("line 3"), "{text}");
}

#[test]
fn newer_format_is_refused() {
    let mut files = BTreeMap::new();
    files.insert(
        META_FILE.to_owned(),
        "format = 99\ncreated = \"2026-01-01T00:00:00Z\"\n".to_owned(),
    );
    assert!(matches!(
        from_files(&files),
        Err(Error::TooNew { found: 99 })
    ));
}
