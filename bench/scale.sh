#!/usr/bin/env bash
# Scale of the state: the same commands on a small and a large state, side by side in one run.
#
# Three copies of one 5,000-file repository (src/mod0..99/file0..49.rs), each with a state
# built through the CLI (one `agent add` per agent, one `lock P1 P2 ...` per agent):
#   small       10 agents, 200 locks, 50 boundary globs (5 per agent);
#   large       100 agents, 10,000 locks, 500 boundary globs, and a state history of
#               100,000 more operations (HISTORY);
#   large-short the same state as large, without the 100,000 operations of history.
# Agent a owns src/mod$a/file{0..4}*.rs; agents 1.. hold the locks (evenly), on their own
# files, on new files beside them and, one lock in 20, on a directory glob; agent0 holds
# none and is the agent acting in the timed commands.
# The history is padding written by bench/scale_history.py with one `git fast-import` (a
# few seconds): a chain of commits that all reuse the current state's tree, their messages
# and authors copied from a real lock, unlock and checkin (agent, path and times replaced),
# then a copy of the real state commit on top; it does not depend on the state's format.
#
# Measured, on all three repositories:
#   - `lock` (a fresh lock of one path), `status`, `locks`, `check pre-commit` (20 staged
#     files), `git commit` of those 20 files with the gitcoord hook, and `log -n 20`, each
#     (a) right after a state change and (b) warm. The commands take turns round by round
#     (bench/roundrobin.py), so a drift of the machine weighs on all alike; ratios are
#     medians of the per-round ratios, large/small and large/large-short (the history's
#     effect). roundrobin.py runs a prepare step, untimed, before every timed command: it
#     resets the three repositories to the same 20 staged edits and releases agent0's lock
#     from a timed `lock`, then
#       (a) makes a state change in each repository: `checkin --note <nanoseconds>`, which
#           changes the state's tree every time (the script checks it), so the timed command
#           is the first reader of a new tree, exactly as after another agent's operation:
#           the state cache (common git dir, keyed by tree) then holds whatever the writer
#           left there (cold for the new tree unless the writer caches the tree it made);
#       (b) runs `status` in each repository, so the cache holds the current tree.
#     Timing the change and the command together and subtracting the change alone would
#     add the noise of two measurements to a difference; the untimed prepare step avoids it.
#   - bytes of new objects per operation: OPS operations (lock and unlock of a new path by
#     agents 1..), the growth of .git/objects (loose objects and packs, file sizes) / OPS;
#   - `git gc` of each repository (wall time, once) and the state's packed size:
#     `git pack-objects --revs` of refs/gitcoord/state (whole history) and of its tip alone.
# Git's automatic gc is off in the three repositories so it cannot start during a timing.
#   bench/scale.sh [RUNS]          (environment: OPS=40, HISTORY=100000, KEEP, BENCH_BIN)
set -euo pipefail
runs=${1:-20}
ops=${OPS:-40}
history=${HISTORY:-100000}
. "$(dirname "$0")/lib.sh"
bench_env
started=$(date +%s)
echo "machine: $(nproc) cores, $(uname -sr), $(git --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# The repository: 5,000 files in one commit, packed.
git init -q -b main "$work/base"
(cd "$work/base" && write_5000_files && git add -A && git commit -qm "5,000 files" &&
  git config gc.auto 0 && git gc -q)
base=$(git -C "$work/base" rev-parse HEAD)

# build_state DIR AGENTS LOCKS: the state, through the CLI, in a copy of the repository.
build_state() {
  local dir=$1 agents=$2 locks=$3 a g k n args pats
  cp -a "$work/base" "$dir"
  cd "$dir"
  "$bin" init >/dev/null
  for a in $(seq 0 $((agents - 1))); do
    args=(agent add "agent$a" --branch "feature/agent$a")
    for g in $(seq 0 4); do args+=(--owns "src/mod$a/file$g*.rs"); done
    "$bin" "${args[@]}" >/dev/null
  done
  for a in $(seq 1 $((agents - 1))); do
    n=$((locks / (agents - 1) + (a - 1 < locks % (agents - 1) ? 1 : 0)))
    pats=()
    for k in $(seq 0 $((n - 1))); do
      if [ $((k % 20)) -eq 19 ]; then
        pats+=("src/mod$a/gen$k/**")
      elif [ "$k" -lt 50 ]; then
        pats+=("src/mod$a/file$k.rs")
      else
        pats+=("src/mod$a/new$k.rs")
      fi
    done
    "$bin" --agent "agent$a" lock "${pats[@]}" --ttl 8h >/dev/null
  done
  # A real lock, unlock and checkin: the templates of bench/scale_history.py.
  "$bin" --agent agent1 lock src/mod1/pad.rs >/dev/null
  "$bin" --agent agent1 unlock src/mod1/pad.rs >/dev/null
  "$bin" --agent agent1 checkin --status working >/dev/null
  cd "$work"
}
t=$(date +%s%N)
build_state "$work/small" 10 200
echo "small state built in $(ms_since "$t") ms"
t=$(date +%s%N)
build_state "$work/large" 100 10000
echo "large state built in $(ms_since "$t") ms"
cp -a "$work/large" "$work/large-short"
t=$(date +%s%N)
(cd "$work/large" && python3 "$root/bench/scale_history.py" "$history" 100)
echo "history of $history operations written in $(ms_since "$t") ms"
repos=(small large-short large)
for r in "${repos[@]}"; do
  [ "$(git -C "$work/$r" rev-parse 'refs/gitcoord/state^{tree}')" = \
    "$(git -C "$work/large-short" rev-parse 'refs/gitcoord/state^{tree}')" ] || [ "$r" = small ] ||
    { echo "scale.sh: $r and large-short hold different states" >&2; exit 1; }
done
fig="$work/figures"
: >"$fig"
for r in "${repos[@]}"; do
  cd "$work/$r"
  echo "$r agents $("$bin" --json agent list | grep -c '"id"')" >>"$fig"
  echo "$r locks $("$bin" --json locks | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" >>"$fig"
  echo "$r history $(git rev-list --count refs/gitcoord/state)" >>"$fig"
  t=$(date +%s%N)
  git gc -q
  echo "$r gc_ms $(ms_since "$t")" >>"$fig"
  echo "$r packed_all $(echo refs/gitcoord/state | git pack-objects --revs --stdout -q | wc -c)" >>"$fig"
  echo "$r packed_tip $(git rev-list --objects --no-walk refs/gitcoord/state | git pack-objects --stdout -q | wc -c)" >>"$fig"
done

# Bytes of new objects per operation.
objects_bytes() { find "$1/.git/objects" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
for r in "${repos[@]}"; do
  cd "$work/$r"
  agents=$(awk -v r="$r" '$1 == r && $2 == "agents" {print $3}' "$fig")
  before=$(objects_bytes .)
  for i in $(seq 1 $((ops / 2))); do
    a=$((1 + i % (agents - 1)))
    "$bin" --agent "agent$a" lock "src/mod$a/op$i.rs" >/dev/null
    "$bin" --agent "agent$a" unlock "src/mod$a/op$i.rs" >/dev/null
  done
  echo "$r bytes_per_op $((($(objects_bytes .) - before) / (ops / 2 * 2)))" >>"$fig"
done

# The timed commands, agent0 acting, in the three repositories with the same 20 staged edits.
export GITCOORD_AGENT=agent0
for n in "${repos[@]}"; do
  r=$work/$n
  for i in $(seq 0 19); do echo '// ' >>"$r/src/mod0/file$i.rs"; done
  git -C "$r" add src/mod0
  git -C "$r" rev-parse refs/gitcoord/state >"$r.ref"
done
# The prepare steps. Each repository: HEAD back to the base, the 20 edits staying staged
# (after a timed commit too); if the state moved since the last prepare step (only a timed
# `lock` moves it), agent0's lock released; then a state change (`change`) or, when the
# release changed the state, a read (`warm`); the state's commit noted.
change="" warm=""
for n in "${repos[@]}"; do
  r=$work/$n
  moved="git -C $r reset -q --soft $base && if [ \$(git -C $r rev-parse refs/gitcoord/state) != \$(cat $r.ref) ]; then $bin -C $r unlock scratch/bench.rs >/dev/null"
  change+="$moved; fi && $bin -C $r checkin --note n\$(date +%s%N) >/dev/null && git -C $r rev-parse refs/gitcoord/state >$r.ref && "
  warm+="$moved && $bin -C $r status >/dev/null; fi && git -C $r rev-parse refs/gitcoord/state >$r.ref && "
done
change+="true"
warm+="true"
# The state change must change the state's tree, or the cache would stay warm.
tree() { git -C "$work/$1" rev-parse 'refs/gitcoord/state^{tree}'; }
for r in "${repos[@]}"; do
  t1=$(tree "$r")
  sh -c "$change"
  t2=$(tree "$r")
  sh -c "$change"
  [ "$t1" != "$t2" ] && [ "$t2" != "$(tree "$r")" ] ||
    { echo "scale.sh: the prepare step's checkin left the state's tree of $r unchanged" >&2; exit 1; }
done
contenders=()
for n in "${repos[@]}"; do
  r=$work/$n
  contenders+=("lock|$n" "$bin -C $r lock scratch/bench.rs")
  contenders+=("status|$n" "$bin -C $r status")
  contenders+=("locks|$n" "$bin -C $r locks")
  contenders+=("check pre-commit|$n" "$bin -C $r check pre-commit")
  contenders+=("git commit (hook)|$n" "git -C $r commit -q -m bench")
  contenders+=("log -n 20|$n" "$bin -C $r log -n 20")
done
for r in "${repos[@]}"; do
  [ -x "$work/$r/.git/hooks/pre-commit" ] || { echo "scale.sh: no pre-commit hook in $r" >&2; exit 1; }
done
echo "timing: $((${#contenders[@]} / 2)) commands, $runs rounds, after a state change and warm"
python3 "$root/bench/roundrobin.py" --runs "$runs" --warmup 3 --prepare "$change" \
  --export "$work/change.json" "${contenders[@]}" >/dev/null
for r in "${repos[@]}"; do "$bin" -C "$work/$r" status >/dev/null; done
python3 "$root/bench/roundrobin.py" --runs "$runs" --warmup 3 --prepare "$warm" \
  --export "$work/warm.json" "${contenders[@]}" >/dev/null
echo
python3 - "$fig" "$work/change.json" "$work/warm.json" "$runs" <<'PY'
import json, statistics, sys
fig = {}
for line in open(sys.argv[1]):
    r, k, v = line.split()
    fig[(r, k)] = int(v)
runs = {"after a change": json.load(open(sys.argv[2])), "warm": json.load(open(sys.argv[3]))}
repos = ["small", "large-short", "large"]
for r in repos:
    print(f"{r:>11}: {fig[(r, 'agents')]} agents, {fig[(r, 'locks')]:,} locks, "
          f"{5 * fig[(r, 'agents')]} boundary globs, {fig[(r, 'history')]:,} operations of history")
print(f"medians of {sys.argv[4]} rounds; l/s and l/ls: medians of the rounds' ratios large/small "
      "(the state's size) and large/large-short (its history)")
targets = {"lock": "l/s <= 1.5x, flat", "git commit (hook)": "l/s <= 1.2x, flat",
           "status": "flat", "log -n 20": "< 50 ms"}
line = lambda a, b, c, d, e, f, g: print(f"{a:<33}{b:>11}{c:>12}{d:>11}{e:>8}{f:>8}  {g}")
line("", "small", "large-short", "large", "l/s", "l/ls", "target")
for cmd in dict.fromkeys(n.split("|")[0] for n in runs["warm"]["names"]):
    for cond, run in runs.items():
        ms = {tuple(n.split("|")): t for n, t in zip(run["names"], run["ms"])}
        s, ls, l = (ms[(cmd, r)] for r in repos)
        ratio = lambda a, b: f"{statistics.median(y / x for x, y in zip(a, b)):.2f}x"
        line(f"{cmd}, {cond}", *(f"{statistics.median(t):.2f} ms" for t in (s, ls, l)),
             ratio(s, l), ratio(ls, l), targets.get(cmd, ""))
kib = lambda b: f"{b / 1024:.1f} KiB" if b < 1 << 20 else f"{b / (1 << 20):.1f} MiB"
for label, key, fmt, target in [
        ("new objects per operation", "bytes_per_op", kib, "large <= 64 KiB"),
        ("git gc (whole repository)", "gc_ms", lambda v: f"{v / 1000:.2f} s", ""),
        ("state packed, whole history", "packed_all", kib, ""),
        ("state packed, tip only", "packed_tip", kib, "")]:
    line(label, *(fmt(fig[(r, key)]) for r in repos), "", "", target)
PY
echo "whole run: $(($(date +%s) - started)) s (before deleting the temp dir)"
