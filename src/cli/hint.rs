//! The one place that says what to do next: each typed error of the layers below becomes a
//! [`CliError`] of the right kind, with the commands that get the user going again.

use super::error::{CliError, ErrorKind};
use crate::enforce::report::advice;
use crate::enforce::{self, secrets};
use crate::git::{self, command, repo, revs, store};
use crate::hooks::{claude, install};
use crate::model::{OpError, OpErrorKind, identity};

impl From<OpError> for CliError {
    fn from(e: OpError) -> Self {
        let kind = match e.kind() {
            OpErrorKind::Refused => ErrorKind::Refused,
            OpErrorKind::Invalid => ErrorKind::Invalid,
        };
        let hints = op_hints(&e);
        hints
            .into_iter()
            .fold(CliError::new(kind, e), CliError::hint)
    }
}

/// What to do after an operation was refused or found invalid.
fn op_hints(e: &OpError) -> Vec<String> {
    let one = |s: &str| vec![s.to_owned()];
    match e {
        OpError::NoSuchAgent { .. } => one(
            "see `gitcoord agent list`, or register it with `gitcoord agent add ID --branch BRANCH`",
        ),
        OpError::NoSuchRecipient { .. } => {
            one("see `gitcoord agent list`; --to all reaches every agent")
        }
        OpError::BadAgentId { .. } => one("choose another id"),
        OpError::AgentExists { id } => vec![format!(
            "see `gitcoord agent show {id}`; remove it first with `gitcoord agent remove {id}` to re-register"
        )],
        OpError::OwnsOverlap { agent, .. } => vec![format!(
            "give each agent an area of its own: narrow the glob, or see what {agent} owns with `gitcoord agent show {agent}`"
        )],
        OpError::BranchTaken { agent, .. } => vec![format!(
            "give the new agent a branch of its own (--branch), or move '{agent}' first: identity by branch must name one agent"
        )],
        OpError::AfterItself { .. } => one("drop it from --after"),
        OpError::MergeCycle { .. } => one("drop one --after so the order has a first agent"),
        OpError::StillAfter { waiting, id } => vec![format!(
            "take it out of {waiting}'s merge order first: `gitcoord agent edit {waiting} --remove-after {id}`"
        )],
        OpError::AgentBusy { id, locks, .. } => {
            let mut steps = Vec::new();
            if !locks.is_empty() {
                steps.push(format!(
                    "{}   # or let it release them",
                    crate::model::text::shell_line(
                        ["gitcoord", "unlock", "--force"]
                            .into_iter()
                            .chain(locks.iter().map(String::as_str))
                    )
                ));
            }
            steps.push(format!(
                "{}   # releases its locks and drops its binding, in one operation",
                crate::model::text::shell_line(["gitcoord", "agent", "remove", id, "--force"])
            ));
            steps
        }
        OpError::NotInList { id, .. } => {
            vec![format!("see what it has: `gitcoord agent show {id}`")]
        }
        OpError::CheckinNeedsAgent => {
            one("pass --agent ID, set GITCOORD_AGENT, or run it from the agent's worktree")
        }
        OpError::HaltNeedsReason => one("pass --reason 'why work must stop'"),
        OpError::NotHalted => one("nothing to resume; see `gitcoord status`"),
        OpError::LockHeld { held, .. } => advice::lock_held(&held.holder, &held.pattern),
        OpError::NoLockMatches { .. } => one("see `gitcoord locks` for the locks held now"),
        OpError::HeldByOther { pattern, holder } => advice::lock_held(holder, pattern),
        OpError::ForceNotAllowed { .. } => vec![advice::force_not_allowed()],
        OpError::LockInBoundary { pattern, owner, .. } => {
            let mut steps = Vec::new();
            if let Some(owner) = owner {
                steps.push(
                    crate::model::text::shell_line([
                        "gitcoord",
                        "msg",
                        "send",
                        "--to",
                        owner,
                        "--subject",
                        &format!("please change {pattern}"),
                    ]) + "   # ask the owner",
                );
            }
            steps.push(format!(
                "{}   # the lead or a coordinator only",
                crate::model::text::shell_line(["gitcoord", "lock", "--force", pattern])
            ));
            steps
        }
        OpError::NotOneLine { field } => vec![match *field {
            "subject" => "pass --subject 'one line'; put longer text in --body".to_owned(),
            "input" => "pass --text 'one line'".to_owned(),
            field => format!("pass --{field} 'one line'"),
        }],
        OpError::NoSuchUser { .. } => {
            one("pass --to user:NAME with the name `gitcoord whoami` shows for them")
        }
        OpError::BadRecipient { .. } => one("pass --to AGENT, --to user:NAME or --to all"),
        OpError::NoSuchMessage { .. } => {
            one("see `gitcoord inbox --all` for the messages kept now")
        }
        OpError::NotYourMessage { .. } => {
            one("acknowledge only your own messages; see `gitcoord inbox`")
        }
        OpError::NoSuchTask { .. } => one("see `gitcoord task list`"),
        OpError::BadTaskId { .. } => one("choose another id"),
        OpError::PlanWaves { .. } => {
            one("edit the plan, check it with `gitcoord plan check`, and apply it again")
        }
        OpError::NotInThread { .. } => one(
            "answer only messages you sent or received; start a new thread with `gitcoord msg send` without --reply-to",
        ),
        OpError::WithinNeedsResponse => {
            one("pass --requires-response --within DUR, e.g. --within 2h")
        }
        OpError::NoSuchDecision { .. } => one("see `gitcoord decision list`"),
        OpError::DecisionResolved { id, .. } => vec![format!(
            "see `gitcoord decision show {id}`; propose a new decision to revisit it"
        )],
        OpError::NotYourDecision { .. } => {
            one("add your view with `gitcoord decision input ID --text T` and ask one of them")
        }
        OpError::BadDecision { .. } => one("see `gitcoord decision --help`"),
        OpError::HandoffRecipient { .. } => {
            one("pass --to AGENT; tell everyone with `gitcoord msg send --to all`")
        }
        OpError::BadMemoryKey { .. } => {
            one("name it area/topic, e.g. `gitcoord memory set api/schema VALUE`")
        }
        OpError::MemoryTooLarge { .. } => {
            one("keep the note short and point to a file in the repository for the rest")
        }
        OpError::NoSuchMemory { .. } => one("see `gitcoord memory list`"),
        OpError::BadTask { .. } => one("fix the task's definition and add it again"),
        OpError::TaskExists { id } => vec![format!(
            "see `gitcoord task show {id}`, or choose another id"
        )],
        OpError::NoSuchWave { .. } => one("see `gitcoord wave list`; waves come from the plan"),
        OpError::TaskCycle { .. } => one("drop one --after so the tasks have a first one"),
        OpError::TaskNeedsAgent => {
            one("pass --agent ID, set GITCOORD_AGENT, or run it from the agent's worktree")
        }
        OpError::TaskIsDone { id } => vec![format!(
            "see `gitcoord task show {id}`; `gitcoord task reopen {id}` opens it again"
        )],
        OpError::TaskTaken { assignee, id } => vec![
            format!("ask them: gitcoord msg send --to {assignee} --subject 'about task {id}'"),
            "see `gitcoord next` for a task that is yours or free".to_owned(),
        ],
        OpError::NotYourTask { id, .. } => vec![format!(
            "see `gitcoord task show {id}`; the lead or a coordinator may act on any task"
        )],
        OpError::TaskNotReady { .. } => {
            one("see `gitcoord next` for what to do meanwhile, and `gitcoord wave status`")
        }
        OpError::WaveNotOpen { .. } => one("see `gitcoord wave list`"),
        OpError::WaveIncomplete { .. } => {
            one("finish them (`gitcoord task done ID`), or see `gitcoord wave status`")
        }
    }
}

impl From<identity::UnknownAgent> for CliError {
    fn from(e: identity::UnknownAgent) -> Self {
        let hint = if e.via == identity::Source::Worktree {
            "bind this worktree to an agent with `gitcoord agent bind ID` (see `gitcoord agent list`), act as one with --agent ID, or remove the worktree with `git worktree remove`".to_owned()
        } else {
            format!(
                "see `gitcoord agent list`, or register it with `gitcoord agent add {} --branch BRANCH`",
                e.id
            )
        };
        CliError::new(ErrorKind::Invalid, e).hint(hint)
    }
}

impl From<store::Error> for CliError {
    fn from(e: store::Error) -> Self {
        let reset = |commit: &str| {
            format!(
                "inspect it with `git show {commit}`; to go back to the previous state run `git update-ref {0} {commit}^` (when it is the first state commit: `git update-ref -d {0}`, then `gitcoord init`)",
                git::STATE_REF
            )
        };
        let e = match e {
            store::Error::Op(op) => return op.into(),
            other => other,
        };
        let hint = match &e {
            store::Error::Op(_) => String::new(),
            store::Error::NotInitialized => "run `gitcoord init` first".to_owned(),
            store::Error::NotACommit { .. } => format!(
                "point it back at its last state commit without touching what it names: `git update-ref --no-deref {} COMMIT` (see `git reflog {}` or `git log --all --grep=Gitcoord-Record`)",
                git::STATE_REF,
                git::STATE_REF
            ),
            store::Error::Corrupt { commit, .. } | store::Error::Foreign { commit, .. } => {
                reset(commit)
            }
            store::Error::TooNew(_) => "upgrade gitcoord to read this state".to_owned(),
            store::Error::Contended => "try again; other writers were busy".to_owned(),
            store::Error::Scope(_) => {
                "this is a bug in gitcoord: please report it with the command you ran".to_owned()
            }
            store::Error::Git(_) => {
                "check the repository with `git fsck`, then try again".to_owned()
            }
        };
        CliError::new(ErrorKind::Invalid, e).hint(hint)
    }
}

impl From<git::sync::Error> for CliError {
    fn from(e: git::sync::Error) -> Self {
        use git::sync::Error as E;
        let hint = match e {
            E::Store(inner) => return inner.into(),
            E::Command(inner) => return inner.into(),
            E::NoRemote(ref name) => format!(
                "add it with `git remote add {} URL`, or name another with --remote (or `git config gitcoord.remote NAME`)",
                crate::model::text::shell_word(name)
            ),
            E::Unreachable { ref remote, .. } => format!(
                "nothing was lost: the local state is intact; check the network and `git ls-remote {}`, then run `gitcoord sync` again",
                crate::model::text::shell_word(remote)
            ),
            E::Refused { ref remote, .. } => format!(
                "the local state is intact; check your push rights to {} (a protected ref, a server hook) and run `gitcoord sync` again",
                crate::model::text::shell_word(remote)
            ),
            E::RemoteState {
                ref remote,
                ref source,
            } => match source {
                git::store::Error::TooNew(_) => {
                    "upgrade gitcoord: another machine wrote the state in a newer format".to_owned()
                }
                _ => format!(
                    "nothing changed here; repair the state on {0} from a clone whose state reads (`gitcoord sync` there pushes it once {0}'s ref is reset to a good commit)",
                    crate::model::text::shell_word(remote)
                ),
            },
            E::Nothing(_) => {
                "run `gitcoord init` here, then `gitcoord sync` to publish it".to_owned()
            }
            E::Contended { .. } => {
                "other machines kept syncing; run `gitcoord sync` again".to_owned()
            }
        };
        CliError::new(ErrorKind::Invalid, e).hint(hint)
    }
}

impl From<repo::Error> for CliError {
    fn from(e: repo::Error) -> Self {
        let hint = match &e {
            repo::Error::NotARepo { .. } => {
                "run gitcoord from a repository's worktree (or `git init` one first)"
            }
            repo::Error::Bare { .. } => {
                "run gitcoord from one of its worktrees (`git worktree add` or a clone)"
            }
            repo::Error::Open { .. } => "check that `git status` works here",
        };
        CliError::new(ErrorKind::Invalid, e).hint(hint)
    }
}

impl From<revs::Error> for CliError {
    fn from(e: revs::Error) -> Self {
        CliError::new(ErrorKind::Invalid, e).hint(
            "check the revisions and that the history is fetched (`git fetch`; in CI a full clone, e.g. fetch-depth: 0)",
        )
    }
}

impl From<git::changes::Error> for CliError {
    fn from(e: git::changes::Error) -> Self {
        CliError::new(ErrorKind::Invalid, e).hint("check that the index is readable (`git status`)")
    }
}

impl From<command::Error> for CliError {
    fn from(e: command::Error) -> Self {
        let hint = match &e {
            command::Error::Spawn(_) => "install git and put it on PATH",
            command::Error::Failed { .. } => "run the same git command by hand to see why",
        };
        CliError::new(ErrorKind::Invalid, e).hint(hint)
    }
}

impl From<secrets::Error> for CliError {
    fn from(e: secrets::Error) -> Self {
        let hint = match &e {
            secrets::Error::Config(_) => {
                "fix the secret-scanning configuration it names (.gitleaks.toml at the repository root, or scan's --config FILE); the hooks and checks skip the secrets check with GITCOORD_SKIP=secrets"
            }
            secrets::Error::Baseline { .. } => {
                "pass a JSON report written by `gitcoord scan --format json` or gitleaks"
            }
            secrets::Error::Read { .. } => "check that the file exists and is readable",
            secrets::Error::Extend { .. } => {
                "fix the [extend] path: gitleaks opens it relative to the directory it runs in (the repository root for hooks)"
            }
            secrets::Error::Git(git::blobs::Error::List { .. }) => {
                "check the revision range (e.g. `git log A..B`) and that the repository is readable"
            }
            secrets::Error::Git(_) | secrets::Error::Open(_) => {
                "check the repository with `git status` and `git fsck`"
            }
        };
        CliError::new(ErrorKind::Invalid, e).hint(hint)
    }
}

impl From<enforce::Error> for CliError {
    fn from(e: enforce::Error) -> Self {
        match e {
            enforce::Error::State(e) => e.into(),
            enforce::Error::Changes(e) => e.into(),
            enforce::Error::Revs(e) => e.into(),
            enforce::Error::Secrets(e) => e.into(),
        }
    }
}

impl From<install::Error> for CliError {
    fn from(e: install::Error) -> Self {
        let hints = match &e {
            install::Error::Config(_) => vec![
                "add the entries `gitcoord install` prints by hand, then run `gitcoord install` again to confirm".to_owned(),
            ],
            install::Error::Outside(_) => vec![
                "name a directory inside the worktree, relative to its root, e.g. --hooks-dir .githooks".to_owned(),
            ],
            install::Error::WouldDisable { .. } => vec![
                "move those hooks into the new directory first (gitcoord chains them), or pass --force to stop them".to_owned(),
            ],
            install::Error::BothKept { .. } => vec![
                "merge the two hooks by hand into one, then run `gitcoord install` again".to_owned(),
            ],
            install::Error::HooksDir(_) => {
                vec!["run `git rev-parse --git-path hooks` and `git config core.hooksPath` to see why".to_owned()]
            }
            install::Error::Io { path, .. } => vec![format!(
                "check that {} can be written (its permissions, the disk)",
                path.display()
            )],
        };
        hints
            .into_iter()
            .fold(CliError::new(ErrorKind::Invalid, e), CliError::hint)
    }
}

impl From<claude::Error> for CliError {
    fn from(e: claude::Error) -> Self {
        let hint = match &e {
            claude::Error::NotJson { .. } | claude::Error::Shape { .. } => {
                "fix the file, then run `gitcoord install --claude` again"
            }
            claude::Error::Io { .. } => "check the permissions of the .claude directory",
        };
        CliError::new(ErrorKind::Invalid, e).hint(hint)
    }
}

/// An operation refused for the secrets in its text: each finding redacted, and the ways on.
pub fn secrets_in_state(found: &[crate::policy::Violation]) -> CliError {
    let lines: Vec<String> = found
        .iter()
        .map(|v| format!("{} [{}]", v.message, v.rule))
        .collect();
    CliError::refused(
        format!(
            "this operation would store a secret in the coordination state, which is pushed like code: {}",
            lines.join("; ")
        ),
        "take the secret out of the text (say where it is kept instead); if it is no secret, end its line with `gitcoord:allow`, or add its fingerprint to .gitleaksignore",
    )
}
