# Set-up shared by the hook benchmarks; sourced by them, not run.

# Builds the release binary ($bin, under CARGO_TARGET_DIR when set; BENCH_BIN names another
# build to measure instead) and makes a throw-away work dir ($work, kept when KEEP is set)
# with a hermetic git environment, hyperfine installed if missing.
bench_env() {
  root=$(cd "$(dirname "$0")/.." && pwd)
  command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null; }
  if [ -n "${BENCH_BIN:-}" ]; then
    bin=$(realpath "$BENCH_BIN")
  else
    cargo build --release --quiet --manifest-path "$root/Cargo.toml"
    bin="${CARGO_TARGET_DIR:-$root/target}/release/gitcoord"
  fi
  work=$(mktemp -d)
  [ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
  export HOME="$work/home" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GITCOORD_BIN="$bin"
  export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com
  export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
  unset GITCOORD_AGENT GITCOORD_NOW GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
  mkdir -p "$HOME"
}

# Writes 5,000 small files (src/mod0..99/file0..49.rs) into the current directory.
write_5000_files() {
  for d in $(seq 0 99); do
    mkdir -p "src/mod$d"
    for f in $(seq 0 49); do printf 'fn f%d() -> u32 { %d }\n' "$f" "$d" >"src/mod$d/file$f.rs"; done
  done
}

# 200 locks held by agents 1..9 on files of src/mod50..99, which agent0 does not touch.
take_200_locks() {
  for l in $(seq 0 199); do
    a=$((1 + l % 9)); d=$((50 + l % 50)); f=$((l / 50))
    "$bin" --agent "agent$a" lock "src/mod$d/file$f.rs" --ttl 8h >/dev/null
  done
}

# part N: whether part N of a benchmark is asked for ($parts, e.g. PARTS="1 2").
part() { case " $parts " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# instr CMD...: user-space instructions of one run (callgrind), summed over its processes;
# $instr_on is set when valgrind is there and INSTR is not 0.
instr_on=""
if [ "${INSTR:-1}" != 0 ] && command -v valgrind >/dev/null; then instr_on=1; fi
instr() {
  local d
  d=$(mktemp -d "$work/cg.XXXXXX")
  valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$d/cg.%p" "$@" >/dev/null 2>"$d/log" ||
    { echo "$(basename "$0"): under valgrind, $* failed:" >&2; cat "$d/log" >&2; exit 1; }
  grep -h '^summary:' "$d"/cg.* | awk '{s += $2} END {printf "%.2f M", s / 1e6}'
}
