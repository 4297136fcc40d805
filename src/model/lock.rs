//! A file lock: a repository-relative path, directory or glob held by one actor until it
//! expires; and the operations that take, renew and release locks.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::OpError;
use super::State;
use super::op::{Actor, Applied, Record};
use crate::model::glob::Glob;

/// The default time a lock lives without renewal.
pub const DEFAULT_LOCK_TTL: SignedDuration = SignedDuration::from_mins(30);

/// One lock of a lock file (`locks/KEY.toml`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    /// The normalised pattern: a path, `dir/**`, or a glob, relative to the repository root.
    pub pattern: String,
    /// The actor holding it: an agent id or `user:NAME`.
    pub holder: String,
    /// Why it is held.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub reason: Option<String>,
    /// When it was first acquired.
    pub acquired: Timestamp,
    /// When it stops blocking anyone.
    pub expires: Timestamp,
}

impl Lock {
    /// Whether the lock still blocks others at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires > now
    }
}

/// Extends every lock held by `holder` by its original lifetime from `now`.
pub(super) fn renew_all(state: &mut State, holder: &str, now: Timestamp) -> usize {
    let mut n = 0;
    for lock in state.locks.iter_mut().filter(|l| l.holder == holder) {
        let ttl = lock
            .expires
            .duration_since(lock.acquired)
            .max(SignedDuration::ZERO);
        let ttl = if ttl.is_zero() { DEFAULT_LOCK_TTL } else { ttl };
        lock.acquired = now;
        lock.expires = now.saturating_add(ttl).unwrap_or(now);
        n += 1;
    }
    n
}

/// Takes (or renews) `patterns` for `record`'s actor, all or none; the first lock wins. A
/// lock that reaches into another agent's `owns` (it would block the owner) or into the
/// locker's own `deny` is refused unless forced by a coordinator or a user.
pub(super) fn take(
    state: &mut State,
    record: &Record,
    patterns: &[String],
    reason: &Option<String>,
    ttl_secs: i64,
    force: bool,
) -> Result<Applied, OpError> {
    if let Some(reason) = reason {
        OpError::no_line_break("reason", reason)?;
    }
    let holder = record.actor.label();
    let now = record.at;
    if force && !may_force(state, &record.actor) {
        return Err(OpError::ForceNotAllowed { actor: holder });
    }
    for pattern in patterns {
        if !force && let Some(err) = into_boundary(state, &record.actor, pattern) {
            return Err(err);
        }
    }
    for pattern in patterns {
        let glob = Glob::new(pattern);
        if let Some(other) = state.locks.iter().find(|l| {
            l.holder != holder
                && super::glob::may_overlap(pattern, &l.pattern)
                && glob.overlaps(&Glob::new(&l.pattern))
        }) {
            return Err(OpError::LockHeld {
                pattern: pattern.clone(),
                held: Box::new(other.clone()),
                at: now,
            });
        }
    }
    let expires = now
        .saturating_add(SignedDuration::from_secs(ttl_secs))
        .unwrap_or(now);
    let mut renewed = 0;
    for pattern in patterns {
        if let Some(existing) = state
            .locks
            .iter_mut()
            .find(|l| l.holder == holder && &l.pattern == pattern)
        {
            existing.acquired = now;
            existing.expires = expires;
            if reason.is_some() {
                existing.reason.clone_from(reason);
            }
            renewed += 1;
        } else {
            state.locks.push(Lock {
                pattern: pattern.clone(),
                holder: holder.clone(),
                reason: reason.clone(),
                acquired: now,
                expires,
            });
        }
    }
    let mut applied = Applied::new(format!("lock {} by {holder}", patterns.join(" ")));
    if renewed > 0 {
        applied
            .notes
            .push(format!("renewed {renewed} lock(s) already held"));
    }
    Ok(applied)
}

/// Whether a lock of `pattern` by `actor` reaches into another agent's `owns` or into the
/// actor's own `deny`: the refusal, naming the glob and whose it is.
fn into_boundary(state: &State, actor: &Actor, pattern: &str) -> Option<OpError> {
    let glob = Glob::new(pattern);
    let meets =
        |area: &str| super::glob::may_overlap(pattern, area) && glob.overlaps(&Glob::new(area));
    let me = actor.agent_id();
    if let Some(id) = me
        && let Some(agent) = state.agents.get(id)
        && let Some(area) = agent.deny.iter().find(|a| meets(a))
    {
        return Some(OpError::LockInBoundary {
            pattern: pattern.to_owned(),
            area: area.clone(),
            owner: None,
        });
    }
    state
        .agents
        .iter()
        .filter(|(id, _)| Some(id.as_str()) != me)
        .find_map(|(id, agent)| {
            let area = agent.owns.iter().find(|a| meets(a))?;
            Some(OpError::LockInBoundary {
                pattern: pattern.to_owned(),
                area: area.clone(),
                owner: Some(id.clone()),
            })
        })
}

fn may_force(state: &State, actor: &Actor) -> bool {
    match actor {
        Actor::User { .. } => true,
        Actor::Agent { id } => state.agents.get(id).is_some_and(|a| a.coordinator),
    }
}

/// Releases `patterns`: one's own, or with `force` (coordinators and users) anyone's.
pub(super) fn release(
    state: &mut State,
    record: &Record,
    patterns: &[String],
    force: bool,
) -> Result<Applied, OpError> {
    let holder = record.actor.label();
    if force && !may_force(state, &record.actor) {
        return Err(OpError::ForceNotAllowed { actor: holder });
    }
    let mut released = Vec::new();
    for pattern in patterns {
        let exact: Vec<usize> = (0..state.locks.len())
            .filter(|&i| &state.locks[i].pattern == pattern)
            .collect();
        let hits = if exact.is_empty() {
            let glob = Glob::new(pattern);
            (0..state.locks.len())
                .filter(|&i| glob.matches(&state.locks[i].pattern))
                .collect()
        } else {
            exact
        };
        if hits.is_empty() {
            return Err(OpError::NoLockMatches {
                pattern: pattern.clone(),
            });
        }
        if let Some(&i) = hits.iter().find(|&&i| state.locks[i].holder != holder) {
            if !force {
                let other = &state.locks[i];
                return Err(OpError::HeldByOther {
                    pattern: other.pattern.clone(),
                    holder: other.holder.clone(),
                });
            }
        }
        released.extend(hits);
    }
    released.sort_unstable();
    released.dedup();
    let mut forced = Vec::new();
    for &i in released.iter().rev() {
        let lock = state.locks.remove(i);
        if lock.holder != holder {
            forced.push(format!("{} (held by {})", lock.pattern, lock.holder));
        }
    }
    let mut applied = Applied::new(format!("unlock {} by {holder}", patterns.join(" ")));
    if !forced.is_empty() {
        forced.reverse();
        applied.summary.push_str(" (forced)");
        applied
            .notes
            .push(format!("force-released {}", forced.join(", ")));
    }
    Ok(applied)
}
