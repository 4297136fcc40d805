#!/usr/bin/env bash
# Cost of the pre-push hook: `git push` of 50 new commits to a local bare remote, in a
# 5,000-file repository with 11 agents, 200 locks and 50 boundary globs, with the gitcoord
# hook and with no hook, side by side in one run, the four pushes taking turns
# (bench/roundrobin.py):
#   1. agent0's branch of 50 commits (locks and boundaries on each commit);
#   2. the integration branch merging agents 1..10 (chained by merge order), 5 commits
#      each, in order: the same checks plus merge order over 10 merges.
#   bench/prepush.sh [RUNS]
set -euo pipefail
runs=${1:-30}
. "$(dirname "$0")/lib.sh"
bench_env
mkdir -p "$work/nohooks"
repo="$work/repo"
git init -q --bare -b main "$work/origin.git"
git init -q -b main "$repo"
cd "$repo"
git remote add origin "$work/origin.git"
write_5000_files
git add -A && git commit -qm "5,000 files"
git gc -q
"$bin" init >/dev/null
for a in $(seq 0 10); do
  args=(agent add "agent$a" --branch "feature/agent$a")
  [ "$a" -eq 10 ] || for g in $(seq 0 4); do args+=(--owns "src/mod$((a * 10 + g))/**"); done
  [ "$a" -le 1 ] || args+=(--after "agent$((a - 1))")
  "$bin" "${args[@]}" >/dev/null
done
take_200_locks
git push -q --no-verify origin main
# agent0: 50 commits of 3 files each in its own directories.
git checkout -q -b feature/agent0
for c in $(seq 1 50); do
  for i in 0 1 2; do echo "// $c" >>"src/mod$(((c + i) % 5))/file$i.rs"; done
  git commit -q --no-verify -am "agent0 commit $c"
done
# agents 1..10: 5 commits each, merged into main in merge order.
git checkout -q main
for a in $(seq 1 10); do
  git checkout -q -b "feature/agent$a" main
  for c in $(seq 1 5); do
    mkdir -p "src/mod$((a * 10))"
    echo "// $c" >>"src/mod$((a * 10))/file$((10 + c)).rs"
    git add -A && git commit -q --no-verify -m "agent$a commit $c"
  done
done
git checkout -q main
for a in $(seq 1 10); do git merge -q --no-ff --no-verify -m "merge agent$a" "feature/agent$a"; done
echo "repository: $(git ls-files | wc -l) files, 11 agents, $("$bin" locks | wc -l) locks, 50 boundary globs"
echo "branch push: $(git rev-list --count main..feature/agent0) commits; main push: $(git rev-list --count origin/main..main) commits"
# Each run first removes the pushed ref from the remote (and its tracking ref), so the
# same commits are new again.
reset_branch="git push -q --no-verify origin --delete feature/agent0 2>/dev/null; true"
reset_main="git push -q --no-verify --force origin $(git rev-parse origin/main):refs/heads/main"
nohook="git -c core.hooksPath=$work/nohooks"
python3 "$root/bench/roundrobin.py" --runs "$runs" --warmup 3 --export "$work/result.json" \
  --prepare "$reset_branch; $reset_main" \
  "push branch, 50 commits (no hook)" "$nohook push -q origin feature/agent0" \
  "push branch, 50 commits (gitcoord hook)" "git push -q origin feature/agent0" \
  "push main, 10 merges + 50 commits (no hook)" "$nohook push -q origin main" \
  "push main, 10 merges + 50 commits (gitcoord hook)" "git push -q origin main"
python3 - "$work/result.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
for k in (0, 2):
    base, hook = r["ms"][k], r["ms"][k + 1]
    b, h = statistics.median(base), statistics.median(hook)
    paired = statistics.median(y - x for x, y in zip(base, hook))
    name = r["names"][k].split(" (")[0]
    print(f"{name}: median no hook {b:.1f} ms, gitcoord hook {h:.1f} ms, "
          f"hook cost {h - b:.1f} ms (median of the rounds' differences {paired:.1f} ms)")
PY
