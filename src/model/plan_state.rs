//! The part of a plan the state keeps besides agents and tasks (`plan.toml`): settings,
//! authority, file rules, checks, and the waves with where each stands.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::plan::{Check, FileRule, Settings, WaveMode};

/// Where a wave stands: waves open one at a time, in plan order.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum WaveStatus {
    /// Not open yet.
    #[default]
    Pending,
    /// Its tasks may start.
    Open,
    /// Its checkpoint passed.
    Done,
}

impl WaveStatus {
    /// The status as written.
    pub fn name(self) -> &'static str {
        match self {
            WaveStatus::Pending => "pending",
            WaveStatus::Open => "open",
            WaveStatus::Done => "done",
        }
    }
}

/// A wave of the plan and where it stands.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Wave {
    /// The wave id.
    pub id: String,
    /// Sequential or parallel.
    #[serde(default)]
    pub mode: WaveMode,
    /// Its checkpoint's checks.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty")]
    pub checks: Vec<String>,
    /// Where it stands.
    #[serde(default)]
    pub status: WaveStatus,
    /// When it opened.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub opened: Option<Timestamp>,
    /// When its checkpoint passed.
    #[serde(default, skip_serializing_if = "crate::model::keys::none")]
    pub closed: Option<Timestamp>,
}

/// What the state keeps of the plan applied last (`plan.toml`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct PlanState {
    /// `[settings]`.
    #[serde(default)]
    pub settings: Settings,
    /// Area glob → the agent with final say.
    #[serde(default, skip_serializing_if = "crate::model::keys::empty_map")]
    pub authority: BTreeMap<String, String>,
    /// File-organisation rules.
    #[serde(
        default,
        rename = "rule",
        skip_serializing_if = "crate::model::keys::empty"
    )]
    pub rules: Vec<FileRule>,
    /// Checks.
    #[serde(
        default,
        rename = "check",
        skip_serializing_if = "crate::model::keys::empty"
    )]
    pub checks: Vec<Check>,
    /// Waves in plan order, with their status.
    #[serde(
        default,
        rename = "wave",
        skip_serializing_if = "crate::model::keys::empty"
    )]
    pub waves: Vec<Wave>,
}

impl PlanState {
    /// The open wave, if any.
    pub fn open_wave(&self) -> Option<&Wave> {
        self.waves.iter().find(|w| w.status == WaveStatus::Open)
    }
}
