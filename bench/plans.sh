#!/usr/bin/env bash
# Plans, tasks and waves: what applying a plan costs, what a task operation costs beside a
# lock, and what the plan's file rules add to the pre-commit hook. Round-robin runs
# (bench/roundrobin.py: every round runs an untimed prepare step before each command, the
# order rotating), so a drift of the machine's speed weighs on every contender alike;
# compare ratios within one part, not parts with each other.
#
# The plan (generated): 15 agents (owning src/mod0..74, merge order a tree: agent i after
# agent (i-1)/2; agent0 the coordinator), 5 authority areas, 13 waves W0..W12 (sequential
# and parallel alternating, 4 with checkpoint checks), 100 tasks t000..t099 (TASKS) in
# wave order (task i in wave i*13/100, each after 1-2 earlier tasks, a third assigned, a
# third suggested, a third free; priorities, due dates, expertise, deliverables and checks
# on some), 5 checks (2 commands, 3 built-ins). Part 3 adds 20 [[rule]]s to it.
#
#   1. `plan check FILE`; `plan apply FILE` on a freshly init'ed repository (15 agent
#      branches, so the first wave's snapshot refs are written too; the copies are made
#      before timing and the prepare step puts the next one in place); beside it, git
#      writing the same state files as loose objects into a fresh copy (`git hash-object
#      -w`), the cost of creating that many object files on this file system; `plan apply
#      FILE` again on a repository holding the plan (writes nothing: the script checks that
#      the state ref and the object store do not change); `gitcoord --version`, the floor
#      of a process start.
#   2. On the repository holding the plan, agent5: `task claim t050` (a free task; the
#      prepare step declines it again) beside `lock src/mod25/file7.rs` (the prepare step
#      unlocks it), and the same `lock` in a twin repository with the same 15 agents but no
#      plan (no tasks, no waves).
#   3. `git commit` of 20 new files (src/mod0..4/newN.rs, allowed by every rule; agent0,
#      whose files they are) in copies of a 5,000-file repository with the gitcoord hooks
#      installed: the plan with 20 file rules (10 deny_new, 10 files/under); the same plan
#      without rules; a second copy of that one (the control: how far two identical
#      repositories differ in one run); the 15 agents only, no plan; and `git commit` with
#      no hook. The 20 files are written and staged once; the prepare step moves HEAD back
#      to the base commit (`reset --soft`, so nothing is deleted and created again between
#      runs), in the four repositories in random order (a fixed order can favour one).
#      Then `gitcoord hook pre-commit` alone in the four, on the same staged change.
#      Before timing, the script checks that a new root file is refused
#      with the rules and accepted without them.
#
# With valgrind installed (INSTR=0 skips it), each part also counts the user-space
# instructions of one run of each command (callgrind, summed over the processes it
# starts): exact where the wall times of a shared machine are not.
#
# The repositories live under TMPDIR (TMPDIR=/dev/shm: on tmpfs, without the file system's
# cost of creating files).
#
#   bench/plans.sh [RUNS]    (environment: TASKS=100, PARTS="1 2 3", INSTR, KEEP, BENCH_BIN)
set -euo pipefail
runs=${1:-100}
tasks=${TASKS:-100}
parts=${PARTS:-1 2 3}
. "$(dirname "$0")/lib.sh"
bench_env
echo "machine: $(nproc) cores, $(uname -sr), $(git --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $bin"

# gen_plan FILE TASKS RULES: the plan described above, with RULES [[rule]]s (0 or 20).
gen_plan() {
  python3 - "$@" <<'PY'
import random, sys
out, ntasks, nrules = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(12)
AGENTS, WAVES = 15, 13
skills = ["backend", "frontend", "security", "infra", "docs"]
L = ["version = 1", "", "[settings]", 'integration_branch = "main"', 'lock_ttl = "30m"',
     'stale_after = "24h"', 'response_deadline = "4h"', "enforce_waves = false", ""]
q = lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"
for a in range(AGENTS):
    L += ["[[agent]]", f'id = "agent{a}"', f'branch = "feature/agent{a}"',
          f'role = "{skills[a % 5]} {a}"', f"expertise = {q([skills[a % 5], skills[(a + 2) % 5]])}",
          f"owns = {q([f'src/mod{a * 5 + g}/**' for g in range(5)])}"]
    if a % 4 == 3:
        L.append(f"deny = {q(['config/**'])}")
    L.append(f"after = {q([f'agent{(a - 1) // 2}'] if a else [])}")
    if a == 0:
        L.append("coordinator = true")
    L += [f"ports = [{8000 + a}]", ""]
L.append("[authority]")
for a in range(5):
    L.append(f'"src/mod{a * 5}/**" = "agent{a}"')
L.append("")
deny_new = ["*", "**/*.tmp", "**/*.bak", "**/*.orig", "**/.DS_Store", "build/**", "dist/**",
            "**/node_modules/**", "**/*.log", "src/**/*.py"]
files_under = [("**/test_*.py", ["tests/**"]), ("**/*_test.rs", ["tests/**", "src/**/tests/**"]),
               ("**/*.md", ["docs/**"]), ("**/*.sql", ["migrations/**"]),
               ("**/*.proto", ["proto/**"]), ("**/*.rs", ["src/**", "tests/**", "benches/**"]),
               ("**/*.sh", ["scripts/**"]), ("**/Dockerfile*", ["docker/**"]),
               ("**/*.yml", [".github/**", "config/**"]), ("**/*.json", ["config/**", "fixtures/**"])]
for r in range(nrules):
    if r % 2 == 0:
        g = deny_new[(r // 2) % len(deny_new)]
        L += ["[[rule]]", f'id = "deny-{r}"', f"deny_new = {q([g])}",
              f'message = "no new {g} files"', ""]
    else:
        f, u = files_under[(r // 2) % len(files_under)]
        L += ["[[rule]]", f'id = "place-{r}"', f"files = {q([f])}", f"under = {q(u)}", ""]
for i in range(ntasks):
    w = i * WAVES // ntasks
    L += ["[[task]]", f'id = "t{i:03d}"', f'title = "Task {i} of wave W{w}"']
    if i % 3 == 0:
        L.append(f'assign = "agent{i % AGENTS}"')
    elif i % 3 == 1:
        L.append(f'suggest = "agent{(i * 7) % AGENTS}"')
    if i:
        deps = sorted(rnd.sample(range(max(0, i - 12), i), min(i, rnd.choice([1, 2]))))
        L.append(f"after = {q([f't{d:03d}' for d in deps])}")
    L += [f'wave = "W{w}"', f"priority = {1 + i % 5}", f'due = "2026-{1 + i % 12:02d}-{1 + i % 28:02d}"',
          f'expertise = "{skills[i % 5]}"']
    if i % 4 == 0:
        L.append(f"deliverables = {q([f'docs/t{i:03d}.md'])}")
    if i % 5 == 0:
        L.append(f"checks = {q(['tests'] if i % 10 else ['tests', 'lint'])}")
    L.append("")
wave_checks = {3: ["secrets"], 6: ["deliverables"], 9: ["root"], 12: ["secrets", "tests"]}
for w in range(WAVES):
    L += ["[[wave]]", f'id = "W{w}"', f'mode = "{"sequential" if w % 2 else "parallel"}"']
    if w in wave_checks:
        L.append(f"checks = {q(wave_checks[w])}")
    L.append("")
L += ["[[check]]", 'id = "tests"', 'run = "true"', "",
      "[[check]]", 'id = "lint"', 'run = "true"', 'timeout = "2m"', "",
      "[[check]]", 'id = "secrets"', 'builtin = "secrets-clean"', "",
      "[[check]]", 'id = "deliverables"', 'builtin = "deliverables"', "",
      "[[check]]", 'id = "root"', 'builtin = "root-files"', "max = 20", ""]
open(out, "w").write("\n".join(L))
PY
}
plan="$work/plan.toml"
rules_plan="$work/plan-rules.toml"
gen_plan "$plan" "$tasks" 0
gen_plan "$rules_plan" "$tasks" 20
"$bin" plan check "$plan"
"$bin" plan check "$rules_plan"
echo "plan: $(wc -c <"$plan") bytes, $(wc -l <"$plan") lines; with rules: $(wc -c <"$rules_plan") bytes"

# Counts the files of the object store (loose objects and packs) and the bytes they hold.
objects() { find "$1/.git/objects" -type f -printf '%s\n' | awk '{n++; s += $1} END {print n + 0, s + 0}'; }

# agents_only DIR: the plan's agents added to DIR's state through the CLI (in merge order),
# without the plan: no tasks, waves, rules or checks.
python3 - "$plan" <<'PY' >"$work/agents.sh"
import shlex, sys, tomllib
plan = tomllib.load(open(sys.argv[1], "rb"))
for a in plan["agent"]:
    args = ["agent", "add", a["id"], "--branch", a["branch"]]
    for g in a.get("owns", []): args += ["--owns", g]
    for g in a.get("deny", []): args += ["--deny", g]
    for p in a.get("after", []): args += ["--after", p]
    print('"$bin" -C "$1" ' + " ".join(shlex.quote(x) for x in args) + " >/dev/null")
PY
agents_only() { . "$work/agents.sh" "$1"; }

# --- 1. plan check / apply -----------------------------------------------------------
tpl="$work/tpl"
git init -q -b main "$tpl"
(cd "$tpl" && echo "# bench" >README.md && git add -A && git commit -qm init &&
  git config gc.auto 0 &&
  for a in $(seq 0 14); do git branch "feature/agent$a"; done &&
  "$bin" init >/dev/null)
cp -a "$tpl" "$work/applied"
"$bin" -C "$work/applied" plan apply "$plan" >/dev/null 2>&1
read -r n0 b0 < <(objects "$tpl")
read -r n1 b1 < <(objects "$work/applied")
echo "fresh apply: $((n1 - n0)) new object files ($(((b1 - b0) / 1024)) KiB)," \
  "$(git -C "$work/applied" ls-tree -r --name-only refs/gitcoord/state | wc -l) files in the state tree," \
  "$(git -C "$work/applied" for-each-ref refs/gitcoord/snapshots | wc -l) snapshot refs"
if part 1; then
  echo "== 1. plan check and plan apply ($tasks tasks)"
  ref_before=$(git -C "$work/applied" rev-parse refs/gitcoord/state)
  objects_before=$(objects "$work/applied")
  # Fresh copies made before timing: the prepare step puts the next one in place once the
  # last was used (it then has snapshot refs), and deletes or copies nothing while timing.
  # Beside it, git writing the state's files as loose objects in a fresh copy (`git
  # hash-object -w`): what creating that many object files costs on this file system.
  git -C "$work/applied" ls-tree -r --name-only refs/gitcoord/state | while read -r f; do
    mkdir -p "$work/statefiles/$(dirname "$f")"
    git -C "$work/applied" cat-file blob "refs/gitcoord/state:$f" >"$work/statefiles/$f"
  done
  statefiles=$(find "$work/statefiles" -type f | sort | tr '\n' ' ')
  first=$(git hash-object "$(find "$work/statefiles" -type f | sort | head -1)")
  mkdir -p "$work/pool" "$work/pool2" "$work/used"
  for k in $(seq 0 $((runs + 6))); do cp -a "$tpl" "$work/pool/$k"; cp -a "$tpl" "$work/pool2/$k"; done
  mv "$work/pool/0" "$work/fresh"
  mv "$work/pool2/0" "$work/fresh2"
  next="if [ -e $work/fresh/.git/refs/gitcoord/snapshots ]; then mv $work/fresh $work/used/a\$(ls $work/used | wc -l) && mv $work/pool/\$(ls $work/pool | head -1) $work/fresh; fi"
  next+="; if [ -e $work/fresh2/.git/objects/${first:0:2}/${first:2} ]; then mv $work/fresh2 $work/used/b\$(ls $work/used | wc -l) && mv $work/pool2/\$(ls $work/pool2 | head -1) $work/fresh2; fi"
  python3 "$root/bench/roundrobin.py" --runs "$runs" --export "$work/part1.json" --prepare "$next" \
    "plan check" "$bin -C $work/applied plan check $plan" \
    "plan apply, fresh repository" "$bin -C $work/fresh plan apply $plan" \
    "git hash-object -w of the state's $(echo $statefiles | wc -w) files, fresh repository" "git -C $work/fresh2 hash-object -w $statefiles" \
    "plan apply again (nothing changes)" "$bin -C $work/applied plan apply $plan" \
    "gitcoord --version (process floor)" "$bin --version"
  [ "$(git -C "$work/applied" rev-parse refs/gitcoord/state)" = "$ref_before" ] ||
    { echo "plans.sh: applying the plan again moved the state ref" >&2; exit 1; }
  [ "$(objects "$work/applied")" = "$objects_before" ] ||
    { echo "plans.sh: applying the plan again wrote objects" >&2; exit 1; }
  echo "plan apply again: state ref and object store unchanged after every run ($objects_before: object files, bytes)"
  if [ -n "$instr_on" ]; then
    sh -c "$next"
    echo "instructions: plan check $(instr "$bin" -C "$work/applied" plan check "$plan");" \
      "plan apply, fresh $(instr "$bin" -C "$work/fresh" plan apply "$plan");" \
      "plan apply again $(instr "$bin" -C "$work/applied" plan apply "$plan");" \
      "--version $(instr "$bin" --version)"
  fi
fi

# --- 2. task claim beside lock ----------------------------------------------------------
if part 2; then
  echo "== 2. task claim beside lock ($tasks tasks)"
  tasksrepo="$work/applied"
  twin="$work/twin"
  cp -a "$tpl" "$twin"
  agents_only "$twin"
  path=src/mod25/file7.rs
  echo "state: $("$bin" -C "$tasksrepo" --json task list | grep -c '"title"') tasks (t050: $("$bin" -C "$tasksrepo" task show t050 | grep status:));" \
    "twin: $("$bin" -C "$twin" --json agent list | grep -c '"id"') agents, no plan"
  a5="--agent agent5"
  # The prepare step undoes whichever of the three ran last (the others fail harmlessly).
  undo="$bin -C $tasksrepo $a5 task decline t050 --reason bench >/dev/null 2>&1; $bin -C $tasksrepo $a5 unlock $path >/dev/null 2>&1; $bin -C $twin $a5 unlock $path >/dev/null 2>&1; true"
  python3 "$root/bench/roundrobin.py" --runs "$runs" --export "$work/part2.json" --prepare "$undo" \
    "lock P (plan of $tasks tasks)" "$bin -C $tasksrepo $a5 lock $path" \
    "task claim T (plan of $tasks tasks)" "$bin -C $tasksrepo $a5 task claim t050" \
    "lock P (same agents, no plan)" "$bin -C $twin $a5 lock $path"
  if [ -n "$instr_on" ]; then
    sh -c "$undo"
    l=$(instr "$bin" -C "$tasksrepo" $a5 lock $path)
    sh -c "$undo"
    c=$(instr "$bin" -C "$tasksrepo" $a5 task claim t050)
    sh -c "$undo"
    t=$(instr "$bin" -C "$twin" $a5 lock $path)
    sh -c "$undo"
    echo "instructions: lock (plan) $l; task claim $c; lock (no plan) $t"
  fi
fi

# --- 3. the pre-commit hook with and without file rules --------------------------------
if part 3; then
  echo "== 3. pre-commit hook: plan with 20 file rules against the same plan without"
  base="$work/base"
  git init -q -b main "$base"
  (cd "$base" && write_5000_files && git add -A && git commit -qm "5,000 files" &&
    git config gc.auto 0 && git config maintenance.auto false && git gc -q)
  basecommit=$(git -C "$base" rev-parse HEAD)
  # Copied in random order: on ext4, copies made in a fixed order have committed several
  # percent apart for a whole run (up to 1.16x); the control shows how far they are.
  order=$(shuf -e rules norules control noplan | tr '\n' ' ')
  for n in $order; do
    cp -a "$base" "$work/$n"
    (cd "$work/$n" && "$bin" init >/dev/null && "$bin" install >/dev/null)
  done
  "$bin" -C "$work/rules" plan apply "$rules_plan" >/dev/null 2>&1
  "$bin" -C "$work/norules" plan apply "$plan" >/dev/null 2>&1
  "$bin" -C "$work/control" plan apply "$plan" >/dev/null 2>&1
  agents_only "$work/noplan"
  export GITCOORD_AGENT=agent0
  # The rules are in force in one repository only: a new root file is refused there.
  for n in rules norules; do
    echo x >"$work/$n/stray.txt"
    git -C "$work/$n" add stray.txt
    if git -C "$work/$n" commit -q -m stray >/dev/null 2>"$work/$n.err"; then
      echo "$n: a new root file is accepted"
    else
      echo "$n: a new root file is refused ($(grep -m1 -o 'deny-0' "$work/$n.err" || head -1 "$work/$n.err"))"
    fi
    git -C "$work/$n" reset -q --hard "$basecommit"
    git -C "$work/$n" clean -qfd
  done
  mkdir -p "$work/nohooks"
  # The 20 new files are written once and stay: the prepare step moves HEAD back to the base
  # (`reset --soft`), which leaves them staged as added, so nothing is deleted and created
  # again between runs. It resets the four repositories in random order.
  files=$(git -C "$work/rules" ls-files | wc -l)
  for n in rules norules control noplan; do
    for i in $(seq 0 19); do echo "fn new$i() {}" >"$work/$n/src/mod$((i % 5))/new$i.rs"; done
  done
  # Staged a second later, so that no index entry is racily clean; then the copies are
  # written back before timing.
  sleep 1
  for n in rules norules control noplan; do git -C "$work/$n" add -A; done
  sync
  stage="for r in \$(shuf -e $work/rules $work/norules $work/control $work/noplan); do git -C \$r reset -q --soft $basecommit || exit 1; done"
  echo "repositories (copied in the order $order): $files files and 20 new ones staged;" \
    "rules in the plan: $("$bin" -C "$work/rules" plan show | grep -c '^\[\[rule\]\]') / $("$bin" -C "$work/norules" plan show | grep -c '^\[\[rule\]\]' || true)"
  python3 "$root/bench/roundrobin.py" --runs "$runs" --export "$work/part3.json" --prepare "$stage" \
    "git commit, 20 new files (hook, plan without rules)" "git -C $work/norules commit -q -m bench" \
    "git commit, 20 new files (hook, plan with 20 rules)" "git -C $work/rules commit -q -m bench" \
    "git commit, 20 new files (hook, control: a copy without rules)" "git -C $work/control commit -q -m bench" \
    "git commit, 20 new files (hook, the 15 agents only, no plan)" "git -C $work/noplan commit -q -m bench" \
    "git commit, 20 new files (no hook)" "git -C $work/norules -c core.hooksPath=$work/nohooks commit -q -m bench"
  # The hook alone, on the same staged change (it changes nothing: no prepare step).
  sh -c "$stage"
  python3 "$root/bench/roundrobin.py" --runs "$runs" --export "$work/part3-hook.json" \
    "gitcoord hook pre-commit (plan without rules)" "$bin -C $work/norules hook pre-commit" \
    "gitcoord hook pre-commit (plan with 20 rules)" "$bin -C $work/rules hook pre-commit" \
    "gitcoord hook pre-commit (control: a copy without rules)" "$bin -C $work/control hook pre-commit" \
    "gitcoord hook pre-commit (the 15 agents only, no plan)" "$bin -C $work/noplan hook pre-commit"
  if [ -n "$instr_on" ]; then
    hn=$(cd "$work/norules" && instr "$bin" hook pre-commit)
    hr=$(cd "$work/rules" && instr "$bin" hook pre-commit)
    cn=$(instr git -C "$work/norules" commit -q -m bench)
    cr=$(instr git -C "$work/rules" commit -q -m bench)
    hp=$(cd "$work/noplan" && instr "$bin" hook pre-commit)
    sh -c "$stage"
    c0=$(instr git -C "$work/norules" -c core.hooksPath="$work/nohooks" commit -q -m bench)
    echo "instructions: hook alone, no rules $hn, 20 rules $hr, agents only (no plan) $hp; git commit, no rules $cn, 20 rules $cr, no hook $c0"
  fi
fi
