#!/usr/bin/env bash
# Secret scanning, gitcoord beside gitleaks and ripsecrets, side by side in one run on this
# machine (a peer that cannot be installed is left out, with a note):
#   1. directory scan of a >= 200 MB source tree (copies of ~/.cargo/registry/src; CRATES=N
#      copies only the first N crates, for a smoke run) with planted secrets and decoys:
#      wall time (median of DIR_RUNS runs taking turns, with its range), MB/s, peak RSS,
#      recall, false positives;
#   2. history scan of a repository built from one copy (`scan --history` vs `gitleaks git`;
#      ripsecrets reads no history);
#   3. staged-change latency (`scan --staged` vs `gitleaks git --pre-commit --staged` vs
#      `ripsecrets --strict-ignore` of the staged files, as its pre-commit hook runs it).
#   bench/secrets/run.sh   (environment: COPIES=3, RUNS=20, DIR_RUNS=3, CRATES, KEEP=1 to
#                           keep the work dir, BENCH_BIN, RIPSECRETS: the peer's binary)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/secrets"
copies=${COPIES:-3}
runs=${RUNS:-20}
dir_runs=${DIR_RUNS:-3}
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
command -v gitleaks >/dev/null || bash "$root/bench/install-gitleaks.sh" >/dev/null 2>&1 ||
  echo "note: gitleaks could not be installed (bench/install-gitleaks.sh needs root and apt); measuring without it" >&2
gitleaks=$(command -v gitleaks || true)
ripsecrets=${RIPSECRETS:-$(command -v ripsecrets || true)}
[ -n "$ripsecrets" ] ||
  echo "note: ripsecrets is not installed (cargo install --locked ripsecrets; bench/run does it); measuring without it" >&2
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null; }
[ -x /usr/bin/time ] || { apt-get install -y -qq time >/dev/null; }
if [ -n "${BENCH_BIN:-}" ]; then
  gc=$(realpath "$BENCH_BIN")
else
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  gc="${CARGO_TARGET_DIR:-$root/target}/release/gitcoord"
fi
work=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
export HOME="$work/home" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
export GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
mkdir -p "$HOME" "$work/out"
out="$work/out"
echo "versions: $("$gc" --version); ${gitleaks:+gitleaks $(gitleaks version); }${ripsecrets:+$("$ripsecrets" --version)}" >&2

echo "== building the corpus ($copies copies of the cargo registry sources)" >&2
corpus="$work/corpus"
mkdir -p "$corpus"
for i in $(seq 1 "$copies"); do
  mkdir -p "$corpus/c$i"
  for index in "$registry"/*/; do
    if [ -n "${CRATES:-}" ]; then
      mapfile -t crate_dirs < <(find "$index" -mindepth 1 -maxdepth 1 -type d | sort)
      [ ${#crate_dirs[@]} -eq 0 ] || cp -r -t "$corpus/c$i/" "${crate_dirs[@]:0:$CRATES}"
    else
      cp -r "$index". "$corpus/c$i/"
    fi
  done
done
python3 "$here/plant.py" "$corpus" "$out/truth.json" --secrets 240 --decoys 240 >&2
bytes=$(du -sb "$corpus" | cut -f1)

# timed TOOL KIND ROUND: one scan by TOOL (gc, gl, rs) of KIND (dir: the corpus, hist: the
# history repository) under /usr/bin/time -v: its times in $out/TOOL-KIND.ROUND.time, its
# report in $out/TOOL-KIND.json (.txt for ripsecrets). A scan that finds something exits 1.
timed() {
  local t="/usr/bin/time -v -o $out/$1-$2.$3.time"
  case $1-$2 in
    gc-dir) (cd "$corpus" && $t "$gc" scan --format json . >"$out/gc-dir.json") ;;
    gl-dir) (cd "$corpus" && $t gitleaks dir . --no-banner --redact --report-format json \
      --report-path "$out/gl-dir.json" --exit-code 0 >"$out/gl-dir.log" 2>&1) ;;
    rs-dir) (cd "$corpus" && $t "$ripsecrets" . >"$out/rs-dir.txt") ;;
    gc-hist) (cd "$hist" && $t "$gc" scan --history --format json >"$out/gc-hist.json") ;;
    gl-hist) (cd "$hist" && $t gitleaks git . --no-banner --redact --report-format json \
      --report-path "$out/gl-hist.json" --exit-code 0 >"$out/gl-hist.log" 2>&1) ;;
  esac || true
}
# rounds KIND TOOL...: DIR_RUNS rounds, each running every tool once, the order rotating.
rounds() {
  local kind=$1 r i n
  shift
  n=$#
  for r in $(seq 1 "$dir_runs"); do
    for i in $(seq 0 $((n - 1))); do
      local k=$(((r + i) % n + 1))
      timed "${!k}" "$kind" "$r"
    done
  done
}
tools=(gc)
[ -z "$gitleaks" ] || tools+=(gl)

echo "== directory scan" >&2
tar cf - -C "$corpus" . >/dev/null  # warm the page cache for every tool alike
rounds dir "${tools[@]}" ${ripsecrets:+rs}
python3 "$here/evaluate.py" "$out/truth.json" "$out/gc-dir.json" gitcoord "$corpus" >"$out/gc-dir.eval"
[ -z "$gitleaks" ] || python3 "$here/evaluate.py" "$out/truth.json" "$out/gl-dir.json" gitleaks "$corpus" >"$out/gl-dir.eval"
[ -z "$ripsecrets" ] || python3 "$here/evaluate.py" "$out/truth.json" "$out/rs-dir.txt" ripsecrets "$corpus" >"$out/rs-dir.eval"

echo "== history scan" >&2
hist="$work/hist"
git init -q -b main "$hist"
crates=$(ls "$corpus/c1")
n=0
for batch in $(seq 0 19); do
  for c in $(echo "$crates" | awk -v b="$batch" 'NR % 20 == b'); do cp -r "$corpus/c1/$c" "$hist/"; done
  git -C "$hist" add -A && git -C "$hist" commit -qm "batch $batch" && n=$((n + 1))
done
python3 -c "
import json,sys
t=[dict(x, file=x['file'][3:]) for x in json.load(open('$out/truth.json')) if x['file'].startswith('c1/')]
json.dump(t, open('$out/truth-hist.json','w'))"
hist_bytes=$(du -sb --exclude=.git "$hist" | cut -f1)
rounds hist "${tools[@]}"
python3 "$here/evaluate.py" "$out/truth-hist.json" "$out/gc-hist.json" gitcoord "$hist" >"$out/gc-hist.eval"
[ -z "$gitleaks" ] || python3 "$here/evaluate.py" "$out/truth-hist.json" "$out/gl-hist.json" gitleaks "$hist" >"$out/gl-hist.eval"

echo "== staged latency" >&2
python3 "$here/plant.py" "$hist" "$out/truth-staged.json" --secrets 10 --decoys 10 --seed 99 >&2
git -C "$hist" add -A
staged_files=$(git -C "$hist" diff --cached --name-only | tr '\n' ' ')
staged_cmds=("$gc scan --staged")
[ -z "$gitleaks" ] || staged_cmds+=("gitleaks git --pre-commit --staged --no-banner --exit-code 0 .")
[ -z "$ripsecrets" ] || staged_cmds+=("$ripsecrets --strict-ignore $staged_files")
(cd "$hist" && hyperfine -N -i --warmup 3 --runs "$runs" --export-json "$out/staged.json" "${staged_cmds[@]}" >&2)
(cd "$hist" && "$gc" scan --staged --format json >"$out/gc-staged.json" 2>/dev/null) || true
python3 "$here/evaluate.py" "$out/truth-staged.json" "$out/gc-staged.json" gitcoord "$hist" >"$out/gc-staged.eval"
if [ -n "$gitleaks" ]; then
  (cd "$hist" && gitleaks git --pre-commit --staged --no-banner --redact --report-format json \
    --report-path "$out/gl-staged.json" --exit-code 0 . >/dev/null 2>&1) || true
  python3 "$here/evaluate.py" "$out/truth-staged.json" "$out/gl-staged.json" gitleaks "$hist" >"$out/gl-staged.eval"
fi
if [ -n "$ripsecrets" ]; then
  # shellcheck disable=SC2086 # the staged files, one word each
  (cd "$hist" && "$ripsecrets" --strict-ignore $staged_files >"$out/rs-staged.txt" 2>/dev/null) || true
  python3 "$here/evaluate.py" "$out/truth-staged.json" "$out/rs-staged.txt" ripsecrets "$hist" >"$out/rs-staged.eval"
fi

python3 "$here/report.py" "$out" "$bytes" "$hist_bytes" "$n" "$(nproc)"
