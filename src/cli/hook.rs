//! `gitcoord hook NAME`: the entry point the installed shims call.

use clap::Args;

use super::{CliError, Ctx, Outcome, check, check_push};

/// Arguments of `hook`.
#[derive(Args, Debug)]
pub struct HookArgs {
    /// The hook git is running: pre-commit or pre-push (or pre-commit-framework, for the
    /// pre-commit framework's stages).
    pub name: String,
    /// The arguments git gave the hook.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// Dispatches a hook name to its checks. `GITCOORD=0` skips them all, and says so, whatever
/// runs the hook: gitcoord's shim, husky, lefthook or the pre-commit framework.
pub fn run(ctx: &mut Ctx, args: HookArgs) -> Result<Outcome, CliError> {
    if std::env::var_os("GITCOORD").is_some_and(|v| v == "0") {
        ctx.ui.note(&format!(
            "gitcoord: {} checks skipped for this command (GITCOORD=0)",
            crate::model::text::one_line(&args.name)
        ));
        return Ok(Outcome::Clean);
    }
    super::sync::refresh_for_hook(ctx);
    match args.name.as_str() {
        "pre-commit" => check::pre_commit(ctx, true),
        "pre-merge-commit" => check::pre_merge_commit(ctx),
        "pre-push" => check_push::run(ctx, check_push::PrePushArgs::from_hook(&args.args), true),
        // One entry for the pre-commit framework's pre-commit and pre-push stages.
        "pre-commit-framework" if check_push::in_pre_commit_push_stage() => {
            check_push::run(ctx, check_push::PrePushArgs::from_hook(&[]), true)
        }
        "pre-commit-framework" => check::pre_commit(ctx, true),
        other => Err(CliError::usage(
            format!("gitcoord has no '{other}' hook"),
            "re-install the shims with `gitcoord install --force`",
        )),
    }
}
