#!/usr/bin/env python3
"""Times commands side by side in rounds: each round runs the prepare step and then one
command, for every command in turn (the order rotating from round to round), so that a
machine whose speed drifts during the run weighs on every command alike. Prints, per
command, the median wall time, its spread (the 10th to the 90th percentile of the rounds),
its ratio to the first command's median, and the median of the per-round ratios to the
first command (the figure least moved by drift).

  roundrobin.py --runs N [--warmup W] [--prepare 'SHELL CMD'] [--export FILE]
                NAME 'CMD' [NAME 'CMD']...

--export writes the times as JSON: {"names": [...], "ms": [[per round...] per command]}.

Commands are split like a shell would (no shell is started for them); each must exit 0.
"""
import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=60)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--prepare", default=None)
    p.add_argument("--export", default=None)
    p.add_argument("pairs", nargs="+", help="NAME CMD pairs")
    a = p.parse_args()
    if len(a.pairs) % 2:
        sys.exit("roundrobin.py: give each command a name: NAME 'CMD' ...")
    names = a.pairs[0::2]
    cmds = [shlex.split(c) for c in a.pairs[1::2]]
    times = [[] for _ in cmds]
    for r in range(a.warmup + a.runs):
        for k in range(len(cmds)):
            i = (r + k) % len(cmds)
            if a.prepare:
                subprocess.run(["sh", "-c", a.prepare], check=True)
            start = time.perf_counter_ns()
            done = subprocess.run(cmds[i], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            elapsed = time.perf_counter_ns() - start
            if done.returncode != 0:
                sys.exit(f"{names[i]} exited {done.returncode}: {done.stderr.decode(errors='replace')}")
            if r >= a.warmup:
                times[i].append(elapsed / 1e6)
    if a.export:
        with open(a.export, "w") as f:
            json.dump({"names": names, "ms": times}, f)
    base = statistics.median(times[0])
    print(f"{'median':>9} {'p10-p90':>17} {'ratio':>6} {'round ratio':>12}  command")
    for name, t in zip(names, times):
        paired = statistics.median(x / y for x, y in zip(t, times[0]))
        low, high = spread(t)
        span = f"{low:.2f}-{high:.2f} ms"
        print(f"{statistics.median(t):6.2f} ms {span:>17} {statistics.median(t) / base:5.2f}x "
              f"{paired:11.2f}x  {name}")


def spread(t):
    """The 10th and 90th percentiles of t (its extremes when there are fewer than 10)."""
    if len(t) < 10:
        return min(t), max(t)
    deciles = statistics.quantiles(t, n=10)
    return deciles[0], deciles[-1]


if __name__ == "__main__":
    main()
