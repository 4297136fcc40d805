//! What every command shares: the Ui, the global flags, the lazily opened repository,
//! the clock and the acting identity.

use std::cell::OnceCell;
use std::path::PathBuf;

use jiff::Timestamp;

use super::error::CliError;
use super::ui::Ui;
use crate::git::{Repo, Snapshot};
use crate::model::identity::{self, Source};
use crate::model::{Actor, Applied, Op, Record, State};

/// The environment variable that pins the clock (RFC 3339), for reproducible runs.
pub const NOW_ENV: &str = "GITCOORD_NOW";

/// The git config key holding the site this clone joined the state as.
pub const SITE_KEY: &str = "gitcoord.site";

/// The shared context of one command.
pub struct Ctx {
    /// Output.
    pub ui: Ui,
    /// `--agent`.
    pub agent_flag: Option<String>,
    cwd: PathBuf,
    repo: OnceCell<Repo>,
}

impl Ctx {
    /// A context for a command run in `cwd`.
    pub fn new(ui: Ui, agent_flag: Option<String>, cwd: PathBuf) -> Ctx {
        Ctx {
            ui,
            agent_flag,
            cwd,
            repo: OnceCell::new(),
        }
    }

    /// Runs the command as if started in `dir`; only before the repository is opened.
    pub fn set_cwd(&mut self, dir: PathBuf) {
        debug_assert!(self.repo.get().is_none(), "the repository is already open");
        self.cwd = dir;
    }

    /// The directory the command runs in.
    pub fn cwd(&self) -> &std::path::Path {
        &self.cwd
    }

    /// The repository, opened on first use.
    pub fn repo(&self) -> Result<&Repo, CliError> {
        if let Some(repo) = self.repo.get() {
            return Ok(repo);
        }
        let repo = Repo::discover(&self.cwd)?;
        Ok(self.repo.get_or_init(|| repo))
    }

    /// The repository, when the command has opened it (never opens it).
    pub fn opened_repo(&self) -> Option<&Repo> {
        self.repo.get()
    }

    /// The current time, or the time pinned by `GITCOORD_NOW`.
    pub fn now(&self) -> Result<Timestamp, CliError> {
        match std::env::var(NOW_ENV) {
            Ok(text) if !text.is_empty() => text.parse().map_err(|_| {
                CliError::usage(
                    format!("{NOW_ENV}='{text}' is not an RFC 3339 time"),
                    format!("unset {NOW_ENV} or set it like 2026-01-01T12:00:00Z"),
                )
            }),
            // Whole seconds: the state is read by people, and sub-second precision buys nothing.
            _ => Ok(Timestamp::from_second(Timestamp::now().as_second())
                .expect("the current time is within jiff's range")),
        }
    }

    /// Whether this runs in a CI job (`CI` set to anything but `false`/`0`, as GitHub
    /// Actions, GitLab CI and most others set it): refusals there suggest no local bypass.
    pub fn in_ci(&self) -> bool {
        std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "False"))
    }

    /// Who is acting, and why, given the current state.
    pub fn actor(&self, state: Option<&State>) -> Result<(Actor, Source), CliError> {
        self.actor_for(state, None)
    }

    /// Who performs `op`: as [`Ctx::actor`], except that binding this worktree anew is not
    /// stopped by the removal of the agent bound here before.
    fn actor_for(
        &self,
        state: Option<&State>,
        op: Option<&Op>,
    ) -> Result<(Actor, Source), CliError> {
        let repo = self.repo()?;
        let worktree = repo.workdir_key();
        let rebinding = matches!(op, Some(Op::AgentBind { worktree: w, .. }) if *w == worktree);
        let inputs = identity::Inputs {
            flag: self.agent_flag.clone(),
            env: std::env::var("GITCOORD_AGENT").ok(),
            worktree,
            config: repo.config_string("gitcoord.agent"),
            branch: repo.current_branch(),
            user_name: repo.user_name(),
            rebinding,
        };
        Ok(identity::resolve(state, &inputs)?)
    }

    /// The current state, or an error telling to run `gitcoord init`.
    pub fn snapshot(&self) -> Result<Snapshot, CliError> {
        Ok(self.repo()?.require_state()?)
    }

    /// Whether `op` would apply to the current state, without writing anything: what is
    /// refused or invalid is refused before slow work (running checks) is done for it.
    pub fn try_op(&self, op: &Op) -> Result<(), CliError> {
        let repo = self.repo()?;
        let snapshot = repo.read_state_in(&op.scope())?;
        let Some(mut snapshot) = snapshot else {
            return Ok(()); // run_op says there is no state
        };
        let (actor, _) = self.actor_for(Some(&snapshot.state), Some(op))?;
        let record = Record {
            op: op.clone(),
            actor,
            at: self.now()?,
            site: self.site()?,
        };
        crate::model::op::apply(&mut snapshot.state, &record)?;
        Ok(())
    }

    /// The site this clone joined the state as (`gitcoord.site`, set by its first `sync`).
    pub fn site(&self) -> Result<Option<String>, CliError> {
        match self.repo()?.config_string(SITE_KEY) {
            None => Ok(None),
            Some(tag) if crate::model::site::is_tag(&tag) => Ok(Some(tag)),
            Some(tag) => Err(CliError::usage(
                format!("{SITE_KEY} is '{tag}', which is not a site tag"),
                format!(
                    "unset it (`git config --unset {SITE_KEY}`); the next `gitcoord sync` joins the state as a new site"
                ),
            )),
        }
    }

    /// Applies `op` to the state as the acting identity (compare-and-swap, retried).
    pub fn run_op(&self, op: Op) -> Result<Applied, CliError> {
        let repo = self.repo()?;
        // The state is pushed like code: no secret goes into it.
        let secrets = crate::enforce::state_text::violations(repo, &op)?;
        if !secrets.is_empty() {
            return Err(super::hint::secrets_in_state(&secrets));
        }
        // Only what the operation reads and may change is loaded.
        let snapshot = repo.read_state_in(&op.scope())?;
        let (actor, _) = self.actor_for(snapshot.as_ref().map(|s| &s.state), Some(&op))?;
        let record = Record {
            op,
            actor,
            at: self.now()?,
            site: self.site()?,
        };
        // What grants exclusivity: a lock, a task taken (a start takes a task nobody has).
        if matches!(
            record.op,
            Op::Lock { .. } | Op::TaskClaim { .. } | Op::TaskStart { .. }
        ) {
            let state = snapshot.as_ref().map(|s| &s.state);
            if let Some(remote) = super::sync::strict_remote(self, state)? {
                // Exclusive: it counts only once the remote has it.
                let (mut applied, report) = repo.update_strict(&remote, &record)?;
                applied
                    .notes
                    .push(format!("published to {remote} (strict sync)"));
                applied.notes.extend(
                    report
                        .dropped
                        .iter()
                        .map(|d| format!("sync dropped: {} — {}", d.summary, d.reason)),
                );
                return Ok(applied);
            }
        }
        let (applied, _) = repo.update_from(snapshot, &record)?;
        Ok(applied)
    }
}
