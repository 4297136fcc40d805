#!/usr/bin/env bash
# Cost of the pre-commit hook: `git commit` of 20 staged files in a 5,000-file repository
# with 10 agents, 200 locks and 50 boundary globs, with the gitcoord hook and with no hook,
# measured side by side in one hyperfine run.
#   bench/commit-hook.sh [RUNS]
set -euo pipefail
runs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/gitcoord"
work=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
export HOME="$work/home" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GITCOORD_BIN="$bin"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
mkdir -p "$HOME"
repo="$work/repo"
git init -q -b main "$repo"
cd "$repo"
for d in $(seq 0 99); do
  mkdir -p "src/mod$d"
  for f in $(seq 0 49); do printf 'fn f%d() -> u32 { %d }\n' "$f" "$d" >"src/mod$d/file$f.rs"; done
done
git add -A && git commit -qm "5,000 files"
git gc -q
"$bin" init >/dev/null
for a in $(seq 0 9); do
  args=(agent add "agent$a" --branch "feature/agent$a")
  for g in $(seq 0 4); do args+=(--owns "src/mod$((a * 10 + g))/**"); done
  "$bin" "${args[@]}" >/dev/null
done
# 200 locks spread over agents 1..9 on files agent0 does not touch.
for l in $(seq 0 199); do
  a=$((1 + l % 9)); d=$((50 + l % 50)); f=$((l / 50))
  "$bin" --agent "agent$a" lock "src/mod$d/file$f.rs" --ttl 8h >/dev/null
done
# agent0 commits 20 files of its own (src/mod0..mod4 are its owns).
export GITCOORD_AGENT=agent0
prepare='for i in $(seq 0 19); do echo "// $RANDOM" >> src/mod$((i % 5))/file$i.rs; done; git add -A'
mkdir -p "$work/nohooks"
echo "repository: $(git ls-files | wc -l) files, $("$bin" --json agent list | grep -c '"id"') agents, $("$bin" locks | wc -l) locks, 50 boundary globs"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/result.json" \
  --prepare "sh -c '$prepare'" \
  -n "git commit (no hook)" "git -c core.hooksPath=$work/nohooks commit -q -m bench" \
  -n "git commit (gitcoord hook)" "git commit -q -m bench"
python3 - "$work/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base, hook = r[0]["median"], r[1]["median"]
print(f"median: no hook {base*1000:.2f} ms, gitcoord hook {hook*1000:.2f} ms, ratio {hook/base:.2f}x")
PY
