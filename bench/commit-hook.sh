#!/usr/bin/env bash
# Cost of the pre-commit hook: `git commit` of 20 staged files in a 5,000-file repository
# with 10 agents, 200 locks and 50 boundary globs, measured side by side in one
# run: no hook; the floor of any hook (a shell script that exits 0) and of a shim like
# gitcoord's (a shell script exec'ing `gitcoord --version`); the peers running a
# trivial command (lefthook from npm, the pre-commit framework from PyPI, each skipped
# with a note when its registry cannot be reached); and the gitcoord hook. The commands
# take turns run by run (bench/roundrobin.py), so a drift of the machine's speed during
# the run weighs on all of them alike.
#   bench/commit-hook.sh [RUNS]
set -euo pipefail
runs=${1:-60}
. "$(dirname "$0")/lib.sh"
bench_env
mkdir -p "$work/peers"
# The peers, installed by this script into its temp dir.
# LEFTHOOK and PRE_COMMIT name binaries installed already (bench/run installs them once).
lefthook=${LEFTHOOK:-}
if [ -z "$lefthook" ]; then
  if (cd "$work/peers" && npm install --silent --no-audit --no-fund --ignore-scripts lefthook@1.13 >/dev/null 2>&1); then
    lefthook="$work/peers/node_modules/.bin/lefthook"
  else
    echo "note: lefthook could not be installed from npm; measuring without it" >&2
  fi
fi
precommit=${PRE_COMMIT:-}
if [ -z "$precommit" ]; then
  if python3 -m venv "$work/peers/venv" >/dev/null 2>&1 &&
    "$work/peers/venv/bin/pip" install -q pre-commit==4.* >/dev/null 2>&1; then
    precommit="$work/peers/venv/bin/pre-commit"
  else
    echo "note: pre-commit could not be installed from PyPI; measuring without it" >&2
  fi
fi
repo="$work/repo"
git init -q -b main "$repo"
cd "$repo"
write_5000_files
cat >lefthook.yml <<'YML'
pre-commit:
  commands:
    trivial:
      run: "true"
YML
cat >.pre-commit-config.yaml <<'YML'
repos:
  - repo: local
    hooks:
      - id: trivial
        name: trivial
        entry: "true"
        language: system
        pass_filenames: false
YML
git add -A && git commit -qm "5,000 files"
git gc -q
"$bin" init >/dev/null
for a in $(seq 0 9); do
  args=(agent add "agent$a" --branch "feature/agent$a")
  for g in $(seq 0 4); do args+=(--owns "src/mod$((a * 10 + g))/**"); done
  "$bin" "${args[@]}" >/dev/null
done
take_200_locks
# agent0 commits 20 files of its own (src/mod0..mod4 are its owns).
export GITCOORD_AGENT=agent0
# Every run commits onto the same base the same edit of 20 files (one comment line each):
# every command sees the same repository, however many runs came before.
base=$(git rev-parse HEAD)
prepare="git reset -q --hard $base; "'for i in $(seq 0 19); do echo "// " >> src/mod$((i % 5))/file$i.rs; done; git add -A'
# One hooks directory per contender, chosen per command with core.hooksPath.
mkdir -p "$work/hooks/none" "$work/hooks/sh" "$work/hooks/exec"
printf '#!/bin/sh\nexit 0\n' >"$work/hooks/sh/pre-commit"
# The floor of a shim like gitcoord's: a shell that execs the binary, which does nothing.
printf '#!/bin/sh\nexec "%s" --version >/dev/null\n' "$bin" >"$work/hooks/exec/pre-commit"
chmod +x "$work/hooks/sh/pre-commit" "$work/hooks/exec/pre-commit"
contenders=("git commit (no hook)" "git -c core.hooksPath=$work/hooks/none commit -q -m bench")
contenders+=("git commit (sh hook: exit 0)" "git -c core.hooksPath=$work/hooks/sh commit -q -m bench")
contenders+=("git commit (sh hook: exec gitcoord --version)" "git -c core.hooksPath=$work/hooks/exec commit -q -m bench")
if [ -n "$lefthook" ]; then
  # lefthook's own generated hook script, installed into a directory of its own.
  git config core.hooksPath "$work/hooks/lefthook"
  mkdir -p "$work/hooks/lefthook"
  LEFTHOOK_BIN="$lefthook" "$lefthook" install >/dev/null
  git config --unset core.hooksPath
  contenders+=("git commit (lefthook: true)" "git -c core.hooksPath=$work/hooks/lefthook commit -q -m bench")
fi
"$bin" uninstall >/dev/null
if [ -n "$precommit" ]; then
  # pre-commit refuses to install under core.hooksPath: install in .git/hooks, then move.
  "$precommit" install -t pre-commit >/dev/null
  mkdir -p "$work/hooks/pre-commit"
  mv .git/hooks/pre-commit "$work/hooks/pre-commit/pre-commit"
  contenders+=("git commit (pre-commit: true)" "git -c core.hooksPath=$work/hooks/pre-commit commit -q -m bench")
fi
"$bin" install >/dev/null
contenders+=("git commit (gitcoord hook)" "git commit -q -m bench")
echo "repository: $(git ls-files | wc -l) files, $("$bin" --json agent list | grep -c '"id"') agents, $("$bin" locks | wc -l) locks, 50 boundary globs"
python3 "$root/bench/roundrobin.py" --runs "$runs" --prepare "$prepare" "${contenders[@]}"
