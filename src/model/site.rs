//! Sites: the clones that joined one shared state to sync it. Each gets a short tag, given
//! out in order by the state itself (`a`, `b`, … `z`, `aa`, …) through the remote's
//! compare-and-swap, so no two clones ever hold the same one; the ids a site gives out
//! (`m3b`, `d1b`) carry its tag and count on its own, so two machines never give out the
//! same id and a replayed operation keeps the id it had. A clone that never synced gives
//! out plain `m3`, `d1`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::State;
use super::op::{Applied, Record};

/// One site of the state (`[sites.TAG]` in `gitcoord.toml`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Who joined it (agent id or `user:NAME`).
    pub by: String,
    /// When.
    pub joined: Timestamp,
    /// The number of the last message it gave out (`m1b`, `m2b`, …).
    #[serde(default, skip_serializing_if = "crate::model::keys::zero")]
    pub messages: u64,
    /// The number of the last decision it gave out (`d1b`, …).
    #[serde(default, skip_serializing_if = "crate::model::keys::zero")]
    pub decisions: u64,
}

/// The kind of id a site gives out.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `m…`.
    Message,
    /// `d…`.
    Decision,
}

/// The tag of the `n`th site (1-based): `a`…`z`, then `aa`, `ab`, … (letters only, so an id
/// reads as its kind, its number, then its site).
pub fn tag(mut n: u64) -> String {
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// Whether `text` can be a site tag: 1 to 8 lowercase ASCII letters.
pub fn is_tag(text: &str) -> bool {
    (1..=8).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_lowercase())
}

/// Joins the state as a new site: the next tag, given out once.
pub fn join(state: &mut State, record: &Record) -> Applied {
    let mut n = state.meta.sites.len() as u64 + 1;
    while state.meta.sites.contains_key(&tag(n)) {
        n += 1;
    }
    let site = tag(n);
    state.meta.sites.insert(
        site.clone(),
        Site {
            by: record.actor.label(),
            joined: record.at,
            messages: 0,
            decisions: 0,
        },
    );
    let mut applied = Applied::new(format!("join as site {site}"));
    applied.id = Some(site);
    applied
}

/// The next id of `kind` given out by the record's site, when the record names a site the
/// state knows; `None` otherwise (the state's own numbering applies).
pub fn mint(state: &mut State, record: &Record, kind: Kind) -> Option<String> {
    let name = record.site.as_deref()?;
    let site = state.meta.sites.get_mut(name)?;
    let (counter, prefix) = match kind {
        Kind::Message => (&mut site.messages, 'm'),
        Kind::Decision => (&mut site.decisions, 'd'),
    };
    *counter += 1;
    Some(format!("{prefix}{counter}{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_letters_in_order_and_never_repeat() {
        let tags: Vec<String> = [1, 2, 26, 27, 28, 52, 53, 702, 703]
            .into_iter()
            .map(tag)
            .collect();
        assert_eq!(tags, ["a", "b", "z", "aa", "ab", "az", "ba", "zz", "aaa"]);
        let all: std::collections::BTreeSet<String> = (1..=20_000).map(tag).collect();
        assert_eq!(all.len(), 20_000);
        assert!(all.iter().all(|t| is_tag(t)));
    }
}
