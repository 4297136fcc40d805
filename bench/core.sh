#!/usr/bin/env bash
# Benchmark of the core state store, run by hand (not a test): `bench/core.sh`.
#
# Measures, in throw-away repositories under a temp dir, with the release binary:
#   1. `gitcoord lock` as a whole process: p50 / p90 over RUNS runs (target p50 <= 5 ms);
#   2. WRITERS concurrent writer processes x OPS operations each: lost updates and ops/s
#      (target 0 lost, >= 300 ops/s);
#   3. `gitcoord status` after 20 and after 5,000 operations (must stay flat: reading the
#      state costs O(current state), not O(history)).
# Needs git, hyperfine and python3 (to read hyperfine's JSON).
set -euo pipefail

RUNS=${RUNS:-300}
WRITERS=${WRITERS:-8}
OPS=${OPS:-100}
LONG=${LONG:-5000}

cd "$(dirname "$0")/.."
if ! command -v hyperfine >/dev/null; then
  echo "hyperfine is missing; installing it (Debian: apt-get install hyperfine)" >&2
  apt-get install -y hyperfine >/dev/null
fi
if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$(realpath "$BENCH_BIN")
else
  cargo build --release --quiet
  BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/gitcoord"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export HOME="$TMP/home" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 USER=bench
unset GITCOORD_AGENT GITCOORD_NOW GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$HOME"

# A repository with one commit and the gitcoord state.
new_repo() {
  git init -q -b main "$1"
  git -C "$1" -c user.name=bench -c user.email=bench@example.com commit -q --allow-empty -m init
  (cd "$1" && "$BIN" init >/dev/null)
}

# Prints "p50 p90 cpu" in milliseconds (cpu: mean user + system time) from a hyperfine JSON export.
percentiles() {
  python3 - "$1" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))["results"][0]
times = sorted(result["times"])
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
cpu = (result["user"] + result["system"]) * 1000
print(f"{pick(0.5):.2f} {pick(0.9):.2f} {cpu:.2f}")
PY
}

commits() { git -C "$1" rev-list --count refs/gitcoord/state; }

echo "machine: $(nproc) cores, $(uname -sr), $(git --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. One lock, as a whole process, on a state of 8 agents and 40 locks.
A="$TMP/latency"
new_repo "$A"
cd "$A"
for w in $(seq 8); do "$BIN" agent add "agent$w" --branch "feature/$w" >/dev/null; done
for w in $(seq 8); do
  for n in $(seq 5); do "$BIN" --agent "agent$w" lock "area$w/file$n.rs" >/dev/null; done
done
hyperfine -N --style none --warmup 20 --runs "$RUNS" --export-json "$TMP/lock.json" \
  "$BIN lock src/main.rs --reason bench" >/dev/null
read -r p50 p90 cpu < <(percentiles "$TMP/lock.json")
echo "lock (whole process, $RUNS runs): p50 ${p50} ms, p90 ${p90} ms, CPU (user+sys) ${cpu} ms"

# 2. Concurrent writers: each locks and unlocks paths of its own, OPS operations in all.
B="$TMP/contention"
new_repo "$B"
cd "$B"
before=$(commits "$B")
start=$(date +%s%N)
for w in $(seq "$WRITERS"); do
  (
    for n in $(seq $((OPS / 2))); do
      "$BIN" lock "w$w/f$n" >/dev/null 2>>"$TMP/errors" || echo "w$w lock f$n" >>"$TMP/failed"
      "$BIN" unlock "w$w/f$n" >/dev/null 2>>"$TMP/errors" || echo "w$w unlock f$n" >>"$TMP/failed"
    done
  ) &
done
wait
end=$(date +%s%N)
total=$((WRITERS * (OPS / 2) * 2))
written=$(($(commits "$B") - before))
failed=0
if [ -f "$TMP/failed" ]; then failed=$(wc -l <"$TMP/failed"); fi
left=$("$BIN" --json locks | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
ms=$(((end - start) / 1000000))
rate=$(python3 -c "print(f'{$total / ($ms / 1000):.0f}')")
echo "contention: $WRITERS writers x $OPS ops = $total ops in ${ms} ms = ${rate} ops/s;" \
  "commits written $written, failed $failed, lost $((total - written)), locks left $left"

# 3. status after 20 and after LONG operations (lock/unlock pairs keep the state small).
C="$TMP/history"
new_repo "$C"
cd "$C"
grow_to() {
  local missing=$(($1 - $(commits "$C")))
  for _ in $(seq $(((missing + 1) / 2))); do
    "$BIN" lock "grow/file.rs" >/dev/null
    "$BIN" unlock "grow/file.rs" >/dev/null
  done
}
"$BIN" agent add alice --branch feature/a >/dev/null
"$BIN" --agent alice lock "src/**" >/dev/null
grow_to 20
hyperfine -N --style none --warmup 20 --runs "$RUNS" --export-json "$TMP/s20.json" "$BIN status" >/dev/null
read -r s20 s20p90 s20cpu < <(percentiles "$TMP/s20.json")
n20=$(commits "$C")
grow_to "$LONG"
hyperfine -N --style none --warmup 20 --runs "$RUNS" --export-json "$TMP/s5k.json" "$BIN status" >/dev/null
read -r s5k s5kp90 s5kcpu < <(percentiles "$TMP/s5k.json")
n5k=$(commits "$C")
echo "status after $n20 operations: p50 ${s20} ms, p90 ${s20p90} ms, CPU ${s20cpu} ms"
echo "status after $n5k operations: p50 ${s5k} ms, p90 ${s5kp90} ms, CPU ${s5kcpu} ms"
