#!/usr/bin/env bash
# Agents talking: what `brief` (the SessionStart hook) and `notice --hook` (the PostToolUse
# hook, run after every tool call of an agent) cost on a busy state, beside `status`.
# Round-robin runs (bench/roundrobin.py: the order rotating from round to round), so a
# drift of the machine's speed weighs on every contender alike; compare ratios within one
# part, not parts with each other.
#
# The state (built through the CLI): a plan of six agents (backend, frontend, infra, docs,
# security, qa; each owning two or three globs, merge order a chain) and 20 tasks t00..t19
# (each after one or two earlier ones, a third assigned, a third suggested); 50 messages
# between the agents (every third to backend, every fifth to all, every fourth asking an
# answer with `--requires-response --within 1h`); 30 locks (five per agent, in its own
# area, 8h so none nears expiry while timing).
#
#   1. Nothing changes between runs (the script checks the state ref afterwards):
#      `status`; `--agent backend brief`, `brief --hook`; `--agent backend notice --hook`
#      when nothing is new (run once before timing to set backend's baseline; the script
#      checks that it prints nothing); `gitcoord --version`, the floor of a process start.
#   2. Something new: the untimed prepare step puts the state ref back to the state of part
#      1 and backend's notice baseline back to what it was there, then frontend sends
#      backend a message (so every run sees the same state plus one message); timed
#      beside it: `status`, `--agent backend notice --hook` (the script checks that it
#      tells of the message), `--version`.
#
# With valgrind installed (INSTR=0 skips it), each part also counts the user-space
# instructions of one run of each command (callgrind): exact where the wall times of a
# shared machine are not.
#
#   bench/agents.sh [RUNS]    (environment: PARTS="1 2", INSTR, KEEP, BENCH_BIN, TMPDIR)
set -euo pipefail
runs=${1:-200}
parts=${PARTS:-1 2}
. "$(dirname "$0")/lib.sh"
bench_env
echo "machine: $(nproc) cores, $(uname -sr), $(git --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $bin"

agents=(backend frontend infra docs security qa)
plan="$work/plan.toml"
python3 - "$plan" <<'PY'
import random, sys
rnd = random.Random(14)
owns = {
    "backend": ["src/server/**", "src/db/**", "migrations/**"],
    "frontend": ["web/**", "assets/**"],
    "infra": ["deploy/**", ".github/**", "docker/**"],
    "docs": ["docs/**", "*.md"],
    "security": ["src/auth/**", "src/crypto/**"],
    "qa": ["tests/**", "fixtures/**"],
}
q = lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"
L = ["version = 1", "", "[settings]", 'integration_branch = "main"', ""]
names = list(owns)
for i, a in enumerate(names):
    L += ["[[agent]]", f'id = "{a}"', f'branch = "feature/{a}"', f'role = "{a}"',
          f"owns = {q(owns[a])}", f"after = {q([names[i - 1]] if i else [])}"]
    if a == "backend":
        L.append("coordinator = true")
    L.append("")
for i in range(20):
    L += ["[[task]]", f'id = "t{i:02d}"', f'title = "Task {i}: {names[i % 6]} work item"']
    if i % 3 == 0:
        L.append(f'assign = "{names[i % 6]}"')
    elif i % 3 == 1:
        L.append(f'suggest = "{names[(i * 5) % 6]}"')
    if i:
        deps = sorted(rnd.sample(range(max(0, i - 5), i), min(i, rnd.choice([1, 2]))))
        L.append(f"after = {q([f't{d:02d}' for d in deps])}")
    L += [f"priority = {1 + i % 5}", ""]
open(sys.argv[1], "w").write("\n".join(L))
PY

repo="$work/repo"
git init -q -b main "$repo"
(cd "$repo" && echo "# bench" >README.md && git add -A && git commit -qm init && git config gc.auto 0 &&
  for a in "${agents[@]}"; do git branch "feature/$a"; done && "$bin" init >/dev/null)
"$bin" -C "$repo" plan apply "$plan" >/dev/null 2>&1
# 50 messages.
for i in $(seq 1 50); do
  from=${agents[$(((i + 1) % 6))]}
  if [ $((i % 5)) = 0 ]; then to=all
  elif [ $((i % 3)) = 0 ]; then to=backend
  else to=${agents[$(((i + 3) % 6))]}; fi
  [ "$from" = "$to" ] && from=qa
  [ "$from" = "$to" ] && from=docs
  extra=()
  [ $((i % 4)) = 0 ] && extra=(--requires-response --within 1h)
  "$bin" -C "$repo" --agent "$from" msg send --to "$to" --subject "Message $i: about the $to side of task t$(printf %02d $((i % 20)))" \
    --body "Details of message $i, a few lines long: what changed, what is needed, and by when." "${extra[@]}" >/dev/null
done
# 30 locks, five per agent in its own area.
lockpaths() {
  case $1 in
    backend) echo src/server/api.rs src/server/routes.rs src/db/schema.rs src/db/pool.rs migrations/0007.sql ;;
    frontend) echo web/app.ts web/login.tsx web/styles.css assets/logo.svg assets/fonts ;;
    infra) echo deploy/prod.yml deploy/staging.yml .github/workflows/ci.yml docker/Dockerfile docker/compose.yml ;;
    docs) echo docs/api.md docs/setup.md docs/arch.md README.md CHANGELOG.md ;;
    security) echo src/auth/session.rs src/auth/token.rs 'src/crypto/**' src/auth/mod.rs src/auth/oauth.rs ;;
    qa) echo tests/api.rs tests/login.rs 'fixtures/**' tests/db.rs tests/e2e.rs ;;
  esac
}
for a in "${agents[@]}"; do
  for p in $(lockpaths "$a"); do "$bin" -C "$repo" --agent "$a" lock "$p" --ttl 8h --reason "working on $p" >/dev/null; done
done

B="$bin -C $repo --agent backend"
brief_chars=$($B brief | wc -m)
echo "state: $("$bin" -C "$repo" --json agent list | grep -c '"branch"') agents," \
  "$("$bin" -C "$repo" --json task list | grep -c '"title"') tasks," \
  "$("$bin" -C "$repo" --agent backend --json inbox --all | grep -c '"subject"') messages," \
  "$("$bin" -C "$repo" locks | grep -c 'src/\|web/\|assets/\|deploy/\|docker/\|\.github/\|docs/\|\.md\|tests/\|fixtures/\|migrations/') locks;" \
  "brief $brief_chars chars, brief --hook $($B brief --hook | wc -m) chars, status $("$bin" -C "$repo" status | wc -m) chars"
[ "$brief_chars" -le 3200 ] || { echo "agents.sh: brief is $brief_chars chars, over 3200" >&2; exit 1; }

# The notice baseline: the first run only records; the second must print nothing.
$B notice --hook >/dev/null
[ -z "$($B notice --hook)" ] || { echo "agents.sh: notice --hook prints something when nothing is new" >&2; exit 1; }
seen="$repo/.git/gitcoord-notices/backend.json"
[ -f "$seen" ] || { echo "agents.sh: no notice baseline at $seen" >&2; exit 1; }
cp "$seen" "$work/seen.base"
base=$(git -C "$repo" rev-parse refs/gitcoord/state)
refs_before=$(git -C "$repo" for-each-ref | md5sum)

if part 1; then
  echo "== 1. nothing changes: status, brief, brief --hook, notice --hook (nothing new)"
  python3 "$root/bench/roundrobin.py" --runs "$runs" --export "$work/part1.json" \
    "status" "$bin -C $repo status" \
    "--agent backend brief" "$B brief" \
    "--agent backend brief --hook" "$B brief --hook" \
    "--agent backend notice --hook (nothing new)" "$B notice --hook" \
    "--version (process floor)" "$bin --version"
  [ "$(git -C "$repo" for-each-ref | md5sum)" = "$refs_before" ] || { echo "agents.sh: the refs moved during part 1" >&2; exit 1; }
  [ -z "$($B notice --hook)" ] || { echo "agents.sh: notice --hook printed something after part 1" >&2; exit 1; }
  cmp -s "$seen" "$work/seen.base" || { echo "agents.sh: the notice baseline changed during part 1" >&2; exit 1; }
  echo "state ref, refs and notice baseline unchanged after part 1"
  if [ -n "$instr_on" ]; then
    echo "instructions: status $(instr "$bin" -C "$repo" status);" \
      "brief $(instr $B brief); brief --hook $(instr $B brief --hook);" \
      "notice --hook (nothing new) $(instr $B notice --hook); --version $(instr "$bin" --version)"
  fi
fi

if part 2; then
  echo "== 2. something new: notice --hook right after a message to backend"
  # Back to part 1's state and baseline, then one new message (untimed).
  new="git -C $repo update-ref refs/gitcoord/state $base && cp $work/seen.base $seen &&"
  new+=" $bin -C $repo --agent frontend msg send --to backend --subject 'New: the login form posts to /api/v2' >/dev/null"
  sh -c "$new"
  out=$($B notice --hook)
  case $out in *"from frontend: New: the login form"*) ;; *) echo "agents.sh: notice --hook did not tell of the new message: $out" >&2; exit 1 ;; esac
  echo "notice after a message: $(printf %s "$out" | wc -m) chars: $out"
  python3 "$root/bench/roundrobin.py" --runs "$runs" --export "$work/part2.json" --prepare "$new" \
    "status (after a message)" "$bin -C $repo status" \
    "--agent backend notice --hook (a new message)" "$B notice --hook" \
    "--version (process floor)" "$bin --version"
  if [ -n "$instr_on" ]; then
    sh -c "$new"
    s=$(instr "$bin" -C "$repo" status)
    sh -c "$new"
    n=$(instr $B notice --hook)
    echo "instructions: status (after a message) $s; notice --hook (a new message) $n"
  fi
  git -C "$repo" update-ref refs/gitcoord/state "$base"
  cp "$work/seen.base" "$seen"
fi
