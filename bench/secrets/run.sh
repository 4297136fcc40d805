#!/usr/bin/env bash
# Secret scanning, gitcoord against gitleaks, side by side in one run on this machine:
#   1. directory scan of a >= 200 MB source tree (copies of ~/.cargo/registry/src) with planted
#      secrets and decoys: wall time, MB/s, peak RSS, recall, false positives;
#   2. history scan of a repository built from one copy (`scan --history` vs `gitleaks git`);
#   3. staged-change latency (`scan --staged` vs `gitleaks git --pre-commit --staged`).
#   bench/secrets/run.sh            COPIES=3 RUNS=20 KEEP=1 to keep the work dir
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/secrets"
copies=${COPIES:-3}
runs=${RUNS:-20}
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
bash "$root/../shared/bench/install-gitleaks.sh" >/dev/null
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null; }
[ -x /usr/bin/time ] || { apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
gc="$root/target/release/gitcoord"
work=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
export HOME="$work/home" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
export GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
mkdir -p "$HOME" "$work/out"
out="$work/out"

echo "== building the corpus ($copies copies of the cargo registry sources)" >&2
corpus="$work/corpus"
mkdir -p "$corpus"
for i in $(seq 1 "$copies"); do
  mkdir -p "$corpus/c$i"
  for index in "$registry"/*/; do cp -r "$index". "$corpus/c$i/"; done
done
python3 "$here/plant.py" "$corpus" "$out/truth.json" --secrets 240 --decoys 240 >&2
bytes=$(du -sb "$corpus" | cut -f1)

echo "== directory scan" >&2
tar cf - -C "$corpus" . >/dev/null  # warm the page cache for both tools alike
(cd "$corpus" && /usr/bin/time -v "$gc" scan --format json . >"$out/gc-dir.json" 2>"$out/gc-dir.time") || true
(cd "$corpus" && /usr/bin/time -v gitleaks dir . --no-banner --redact --report-format json \
  --report-path "$out/gl-dir.json" --exit-code 0 2>"$out/gl-dir.time" >/dev/null) || true
python3 "$here/evaluate.py" "$out/truth.json" "$out/gc-dir.json" gitcoord "$corpus" >"$out/gc-dir.eval"
python3 "$here/evaluate.py" "$out/truth.json" "$out/gl-dir.json" gitleaks "$corpus" >"$out/gl-dir.eval"

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
(cd "$hist" && /usr/bin/time -v "$gc" scan --history --format json >"$out/gc-hist.json" 2>"$out/gc-hist.time") || true
(cd "$hist" && /usr/bin/time -v gitleaks git . --no-banner --redact --report-format json \
  --report-path "$out/gl-hist.json" --exit-code 0 2>"$out/gl-hist.time" >/dev/null) || true
python3 "$here/evaluate.py" "$out/truth-hist.json" "$out/gc-hist.json" gitcoord "$hist" >"$out/gc-hist.eval"
python3 "$here/evaluate.py" "$out/truth-hist.json" "$out/gl-hist.json" gitleaks "$hist" >"$out/gl-hist.eval"

echo "== staged latency" >&2
python3 "$here/plant.py" "$hist" "$out/truth-staged.json" --secrets 10 --decoys 10 --seed 99 >&2
git -C "$hist" add -A
(cd "$hist" && hyperfine -N -i --warmup 3 --runs "$runs" --export-json "$out/staged.json" \
  "$gc scan --staged" "gitleaks git --pre-commit --staged --no-banner --exit-code 0 ." >&2)
(cd "$hist" && "$gc" scan --staged --format json >"$out/gc-staged.json" 2>/dev/null) || true
(cd "$hist" && gitleaks git --pre-commit --staged --no-banner --redact --report-format json \
  --report-path "$out/gl-staged.json" --exit-code 0 . >/dev/null 2>&1) || true
python3 "$here/evaluate.py" "$out/truth-staged.json" "$out/gc-staged.json" gitcoord "$hist" >"$out/gc-staged.eval"
python3 "$here/evaluate.py" "$out/truth-staged.json" "$out/gl-staged.json" gitleaks "$hist" >"$out/gl-staged.eval"

python3 "$here/report.py" "$out" "$bytes" "$hist_bytes" "$n" "$(nproc)"
