#!/usr/bin/env bash
# The sync round trip: what `gitcoord sync` costs against a bare remote reached through
# file:// (git's own transport: upload-pack and receive-pack processes, as for any remote
# but the network), beside the raw git it cannot do with less: `git fetch` of the state
# ref and `git push` of the state's new commits. Round-robin runs (bench/roundrobin.py:
# every round runs an untimed prepare step before each command, the order rotating), so a
# drift of the machine's speed weighs on every contender alike; compare ratios within one
# part, not parts with each other.
#
# The state (built through the CLI, then synced to the remote and pulled into a second
# clone, B): 10 agents agent0..9, 200 locks held by agents 1..9 (LOCKS; part 4: BIG_LOCKS),
# 50 messages between them. Then the clone that syncs, A, makes 100 operations without
# syncing (25 locks of new paths, 25 unlocks of existing locks, 25 more locks, 25 messages,
# interleaved, by agents 0..9), and B makes 20 (10 locks of new paths, 10 messages) and
# syncs them to the remote: the two sides have diverged. (A and B joined the state as
# sites on their first sync, so their message ids differ and nothing is renamed.)
#
# BENCH_BASE names another build (e.g. the one before a change) whose sync is timed beside
# in every part; the script checks that both leave the same state commit.
#
#   1. No change: A and the remote hold the same state. `sync` is a fetch and nothing else;
#      beside it the same `git fetch` (same refspecs and flags as sync's), and
#      `gitcoord --version`, the floor of a process start.
#   2. One local operation: A is one lock ahead of the remote (A's first operation above).
#      `sync` fetches and fast-forwards the remote (push); beside it `git fetch` and `git
#      push` of the state ref (sync's refspecs and flags), chained by `sh -c`, and each of
#      the two alone (the push from a copy of A that has fetched).
#   3. 100 local operations on a diverged state: `sync` fetches B's 20 operations, replays
#      A's 100 on them (100 new state commits) and pushes. Beside it `git fetch` (bringing
#      B's operations) and `git push` of A's 100 commits to a new ref of the remote (the
#      same number of commits and changed files as the replayed chain sync pushes: the
#      script prints both object counts), chained and alone.
#   4. Part 3 on a larger state: BIG_LOCKS (2,000) locks instead of 200.
#
# Each timed run starts from a fresh copy of the case's two repositories (A and the
# remote, as the operations left them: A's state commits loose objects, the remote's
# pushes a pack or loose objects), copied by the untimed prepare step: after a fetch or a
# push the objects would be there already, and a second fetch of objects git holds
# transfers nothing. git's defaults are kept (auto gc and maintenance checks after fetch
# and push; the copies stay far below their thresholds). The `sh -c` of the chained git
# commands costs about one `sh` start; the contenders alone show it.
#
# With valgrind installed (INSTR=0 skips it), each part also counts the user-space
# instructions of one run of each command (callgrind, summed over the processes it starts),
# and of sync the share of the gitcoord process itself (the rest is git); and lists the git
# processes one sync runs (GIT_TRACE). Then, for parts 2-4, where one sync's wall time goes
# (PHASE_RUNS runs, 20, GIT_TRACE2_EVENT): the median of each git command sync starts and
# of gitcoord's own time between them (which includes starting the next git process up to
# its trace; before the fetch: the process start; between the merge-base and the push: the
# replay).
#
#   bench/sync.sh [RUNS]    (environment: PARTS="1 2 3 4", LOCKS=200, BIG_LOCKS=2000,
#                            PHASE_RUNS=20, INSTR, KEEP, BENCH_BIN, BENCH_BASE, TMPDIR)
set -euo pipefail
runs=${1:-100}
parts=${PARTS:-1 2 3 4}
locks=${LOCKS:-200}
big_locks=${BIG_LOCKS:-2000}
phase_runs=${PHASE_RUNS:-20}
base=""
[ -z "${BENCH_BASE:-}" ] || base=$(realpath "$BENCH_BASE")
. "$(dirname "$0")/lib.sh"
bench_env
echo "machine: $(nproc) cores, $(uname -sr), $(git --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $bin${base:+; beside it (BENCH_BASE): $base}"

run="$work/run"
fetch_flags="fetch --quiet --no-tags --no-write-fetch-head --prune --no-recurse-submodules"
fetch_specs="+refs/gitcoord/state*:refs/gitcoord/remotes/origin/state* +refs/gitcoord/snapshots/*:refs/gitcoord/remotes/origin/snapshots/*"
fetch_args="$fetch_flags origin $fetch_specs"
push_args="push --porcelain --no-verify --no-recurse-submodules origin"
snap_spec="refs/gitcoord/snapshots/*:refs/gitcoord/snapshots/*"

# The locks of the base state: lock l held by agent 1 + l % 9, on src/mod(l % 50)/file(l / 50).rs.
lock_path() { echo "src/mod$(($1 % 50))/file$(($1 / 50)).rs"; }
lock_agent() { echo "agent$((1 + $1 % 9))"; }

# build DIR LOCKS: the repositories of the three cases under DIR/tpl/{c1,c2,c3}, each
# holding `a` (origin: file://$run/remote.git) and `remote.git`; c2 and c3 also `a-fetched`,
# A after `git fetch` of the remote's state, where `git push` alone is timed (without the
# fetch, A does not have the remote's state commit, and git would push the whole history
# that the remote's advertised refs do not reach).
build() {
  local d=$1 n=$2 a l i p
  mkdir -p "$d"
  git init -q --bare -b main "$d/remote.git"
  git init -q -b main "$d/a"
  (cd "$d/a" && echo "# bench" >README.md && git add -A && git commit -qm init &&
    git remote add origin "file://$d/remote.git" && git push -q origin main)
  cd "$d/a"
  "$bin" init >/dev/null
  for a in $(seq 0 9); do "$bin" agent add "agent$a" --branch "feature/agent$a" >/dev/null; done
  for a in $(seq 1 9); do
    p=()
    for l in $(seq $((a - 1)) 9 $((n - 1))); do p+=("$(lock_path "$l")"); done
    "$bin" --agent "agent$a" lock "${p[@]}" --ttl 8h --reason "agent$a at work" >/dev/null
  done
  for i in $(seq 1 50); do
    "$bin" --agent "agent$((i % 10))" msg send --to "agent$(((i + 3) % 10))" \
      --subject "Message $i: about src/mod$((i % 50))" --body "Details of message $i: what changed and what is needed." >/dev/null
  done
  "$bin" sync >/dev/null
  git clone -q "file://$d/remote.git" "$d/b"
  "$bin" -C "$d/b" sync >/dev/null
  # B's first sync joined it as a site (an operation of its own): A takes it in.
  "$bin" sync >/dev/null
  cp -a "$d/remote.git" "$d/remote-S0.git"
  cp -a "$d/a" "$d/a-S0"
  # A's 100 operations; the copy after the first is case 2's.
  for i in $(seq 0 99); do
    a="agent$((i % 10))"
    case $((i % 4)) in
      0 | 2) "$bin" --agent "$a" lock "src/local/$a/file$i.rs" --ttl 8h >/dev/null ;;
      1) "$bin" --agent "$a" msg send --to "agent$(((i + 1) % 10))" --subject "Local $i" --body "Sent from A." >/dev/null ;;
      3) l=$((i / 4)); "$bin" --agent "$(lock_agent "$l")" unlock "$(lock_path "$l")" >/dev/null ;;
    esac
    [ "$i" != 0 ] || cp -a "$d/a" "$d/a-1"
  done
  cd "$d/b"
  for i in $(seq 0 19); do
    a="agent$((i % 10))"
    if [ $((i % 2)) = 0 ]; then
      "$bin" --agent "$a" lock "src/remote/$a/file$i.rs" --ttl 8h >/dev/null
    else
      "$bin" --agent "$a" msg send --to "agent$(((i + 5) % 10))" --subject "Remote $i" --body "Sent from B." >/dev/null
    fi
  done
  "$bin" sync >/dev/null
  cd "$work"
  mkdir -p "$d/tpl/c1" "$d/tpl/c2" "$d/tpl/c3"
  mv "$d/a-S0" "$d/tpl/c1/a"
  cp -a "$d/remote-S0.git" "$d/tpl/c1/remote.git"
  mv "$d/a-1" "$d/tpl/c2/a"
  mv "$d/remote-S0.git" "$d/tpl/c2/remote.git"
  mv "$d/a" "$d/tpl/c3/a"
  mv "$d/remote.git" "$d/tpl/c3/remote.git"
  for c in c2 c3; do
    cp -a "$d/tpl/$c/a" "$d/tpl/$c/a-fetched"
    git -C "$d/tpl/$c/a-fetched" $fetch_flags "file://$d/tpl/$c/remote.git" $fetch_specs
  done
  for a in "$d"/tpl/*/a*; do git -C "$a" remote set-url origin "file://$run/remote.git"; done
}

# fresh DIR: the prepare step: the last run's repositories moved aside (deleted at the end
# of the part, so that no timed run creates its files right after many were deleted: ext4
# skips recently freed inodes when it allocates) and the case's copied to $run. Part 3 or 4
# keeps up to RUNS x 5 copies of about 20 MB (loose objects) until its end.
mkdir -p "$work/used"
fresh() { echo "if [ -e $run ]; then mv $run $work/used/\$(date +%s%N); fi; cp -a $1 $run"; }

# instr_sync BIN: instructions of one sync by BIN in a fresh $run: the total, and the
# gitcoord process's own.
instr_sync() {
  local d
  d=$(mktemp -d "$work/cg.XXXXXX")
  valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$d/cg.%p" "$1" -C "$run/a" sync >/dev/null 2>"$d/log" ||
    { echo "sync.sh: under valgrind, sync failed:" >&2; cat "$d/log" >&2; exit 1; }
  for f in "$d"/cg.*; do
    awk -v bin="$1" '/^cmd:/ {own = ($2 == bin)} /^summary:/ {print own, $2}' "$f"
  done | awk '{t += $2; if ($1) o += $2} END {printf "%.2f M (the gitcoord process %.2f M, git %.2f M)", t / 1e6, o / 1e6, (t - o) / 1e6}'
}

# git_procs: the git processes of one sync in a fresh $run (GIT_TRACE), in order.
git_procs() {
  GIT_TRACE="$work/trace" "$bin" -C "$run/a" sync >/dev/null
  grep -o 'built-in: git [a-z-]*' "$work/trace" | sed 's/built-in: git //' | tr '\n' ' '
  rm -f "$work/trace"
}

# phases.py RUNS PREPARE CMD...: runs PREPARE, then CMD with GIT_TRACE2_EVENT, RUNS times;
# prints the median wall time of each git command CMD starts (not those git starts) and of
# CMD's own time before, between and after them.
cat >"$work/phases.py" <<'PY'
import datetime, json, os, statistics, subprocess, sys, time
runs, prepare, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
trace = sys.argv[0] + ".trace"
rows = {}
for r in range(runs):
    subprocess.run(["sh", "-c", prepare], check=True)
    if os.path.exists(trace):
        os.remove(trace)
    t0 = time.time()
    subprocess.run(cmd, env=dict(os.environ, GIT_TRACE2_EVENT=trace), check=True, stdout=subprocess.DEVNULL)
    t1 = time.time()
    procs = {}
    for line in open(trace):
        e = json.loads(line)
        if "/" in e["sid"]:
            continue
        p = procs.setdefault(e["sid"], {})
        if e["event"] == "cmd_name":
            p["name"] = e["name"]
        elif e["event"] == "exit":
            p["end"] = datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp()
            p["start"] = p["end"] - e["t_abs"]
    phases, last = [], t0
    for p in sorted(procs.values(), key=lambda p: p["start"]):
        phases += [("gitcoord", p["start"] - last), ("git " + p["name"], p["end"] - p["start"])]
        last = p["end"]
    phases += [("gitcoord", t1 - last), ("the whole sync", t1 - t0)]
    for i, (name, s) in enumerate(phases):
        rows.setdefault((i, name), []).append(s * 1e3)
print(" | ".join(f"{name} {statistics.median(ms):.1f}" for (i, name), ms in sorted(rows.items())) + " (ms, medians)")
PY

# case_run TPL CASE: times case TPL/CASE (c1, c2, c3): sync (and the BENCH_BASE build's),
# beside the git round trip (fetch and push chained, and each alone).
case_run() {
  local tpl=$1 c=$2 A="$run/a" prep out there here synced want target=refs/gitcoord/state s g
  prep=$(fresh "$tpl/$c")
  sh -c "$prep"
  there=$(git -C "$run/remote.git" rev-parse refs/gitcoord/state)
  here=$(git -C "$A" rev-parse refs/gitcoord/state)
  out=$("$bin" -C "$A" sync)
  echo "sync says: $(echo "$out" | head -1) ($(echo "$out" | grep -c '^renamed:') renamed, $(echo "$out" | grep -c '^dropped:') dropped)"
  case $c in
    c1) want="up to date with origin" ;;
    c2) want="pushed 1 operation(s) to origin" ;;
    c3) want="replayed 100 local operation(s) on top of 20 new on origin" ;;
  esac
  case $out in "$want"*) ;; *) echo "sync.sh: sync did not say '$want'" >&2; exit 1 ;; esac
  synced=$(git -C "$A" rev-parse refs/gitcoord/state)
  [ "$synced" = "$(git -C "$run/remote.git" rev-parse refs/gitcoord/state)" ] ||
    { echo "sync.sh: after sync, A and the remote hold different states" >&2; exit 1; }
  local rr=()
  rr+=("gitcoord sync" "$bin -C $A sync")
  if [ -n "$base" ]; then
    # The commits of a replay are a function of the records and the remote state: both
    # builds must leave the same state commit.
    sh -c "$prep"
    "$base" -C "$A" sync >/dev/null
    [ "$(git -C "$A" rev-parse refs/gitcoord/state)" = "$synced" ] ||
      { echo "sync.sh: BENCH_BASE's sync left another state commit" >&2; exit 1; }
    rr+=("gitcoord sync, BENCH_BASE build" "$base -C $A sync")
  fi
  if [ "$c" = c1 ]; then
    rr+=("git fetch (sync's)" "git -C $A $fetch_args" "gitcoord --version (process floor)" "$bin --version")
  else
    # Case 3: A's own 100 commits, to a new ref (they do not fast-forward the remote's).
    [ "$c" = c2 ] || target=refs/gitcoord/bench
    echo "objects pushed: sync $(git -C "$A" rev-list --objects "$synced" --not "$there" | wc -l)," \
      "git push $(git -C "$A" rev-list --objects "$here" --not "$there" | wc -l)" \
      "(commits: $(git -C "$A" rev-list --count "$synced" --not "$there") and $(git -C "$A" rev-list --count "$here" --not "$there"))"
    rr+=("git fetch && git push (sh -c)" "sh -c 'git -C $A $fetch_args && git -C $A $push_args $here:$target $snap_spec'"
      "git fetch alone" "git -C $A $fetch_args"
      "git push alone (after a fetch)" "git -C $run/a-fetched $push_args $here:$target $snap_spec")
  fi
  python3 "$root/bench/roundrobin.py" --runs "$runs" --export "$work/$(basename "$(dirname "$tpl")")-$c.json" --prepare "$prep" "${rr[@]}"
  if [ -n "$instr_on" ]; then
    sh -c "$prep"
    echo "git processes of one sync: $(git_procs)"
    sh -c "$prep"
    s=$(instr_sync "$bin")
    sh -c "$prep"
    if [ "$c" = c1 ]; then
      g=$(instr git -C "$A" $fetch_args)
    else
      g=$(instr sh -c "git -C $A $fetch_args && git -C $A $push_args $here:$target $snap_spec")
    fi
    echo "instructions: sync $s; git $g"
    if [ -n "$base" ]; then
      sh -c "$prep"
      echo "instructions: sync, BENCH_BASE build $(instr_sync "$base")"
    fi
  fi
  if [ "$c" != c1 ] && [ "$phase_runs" -gt 0 ]; then
    echo "where one sync's time goes ($phase_runs runs): $(python3 "$work/phases.py" "$phase_runs" "$prep" "$bin" -C "$A" sync)"
  fi
  rm -rf "$work/used" "$run"
  mkdir "$work/used"
}

if part 1 || part 2 || part 3; then
  t=$(date +%s)
  build "$work/small" "$locks"
  echo "state: $("$bin" -C "$work/small/tpl/c1/a" --json agent list | grep -c '"branch"') agents," \
    "$("$bin" -C "$work/small/tpl/c1/a" --json locks | grep -c '"expires_in_secs"') locks," \
    "$(git -C "$work/small/tpl/c1/a" ls-tree -r --name-only refs/gitcoord/state messages/ | wc -l) messages" \
    "(built in $(($(date +%s) - t)) s)"
fi
if part 1; then
  echo "== 1. no change: A and the remote agree"
  case_run "$work/small/tpl" c1
fi
if part 2; then
  echo "== 2. one local operation: a fast-forward push"
  case_run "$work/small/tpl" c2
fi
if part 3; then
  echo "== 3. 100 local operations on a diverged state ($locks locks)"
  case_run "$work/small/tpl" c3
fi
if part 4; then
  echo "== 4. 100 local operations on a diverged state ($big_locks locks)"
  t=$(date +%s)
  build "$work/big" "$big_locks"
  echo "state: $("$bin" -C "$work/big/tpl/c1/a" --json locks | grep -c '"expires_in_secs"') locks (built in $(($(date +%s) - t)) s)"
  case_run "$work/big/tpl" c3
fi
