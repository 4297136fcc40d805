#!/usr/bin/env python3
"""Prints run.sh's measurements as the Markdown tables of docs/BENCHMARKS.md.

    report.py OUT_DIR CORPUS_BYTES HISTORY_BYTES COMMITS CORES

Directory and history scans: the median wall time of a tool's rounds (TOOL-KIND.N.time,
from /usr/bin/time -v) with their range, the highest peak RSS, and the findings of its
last round. Staged scans: hyperfine's median and range. A peer that was not installed has
no files in OUT_DIR and no row.
"""
import glob, json, os, re, statistics, sys

TOOLS = (("gc", "gitcoord"), ("gl", "gitleaks"), ("rs", "ripsecrets"))


def time_v(path):
    """Wall seconds and peak RSS (KiB) of one /usr/bin/time -v report."""
    text = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    h, mnt, s = (float(x) if x else 0.0 for x in m.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return h * 3600 + mnt * 60 + s, rss


def rounds(out, k, kind):
    """The wall times of every round of one tool, and its highest peak RSS."""
    runs = [time_v(p) for p in sorted(glob.glob(f"{out}/{k}-{kind}.*.time"))]
    return [w for w, _ in runs], max(r for _, r in runs)


def ev(path):
    return json.load(open(path))


def timings(path):
    """hyperfine's results, in the order of the tools that ran (gitcoord first)."""
    return json.load(open(path))["results"]


def main():
    out, size, hist, commits, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    head = ("| tool | wall, median (range) | ratio to gitcoord | throughput | peak RSS | "
            "planted secrets found | decoys flagged | other findings |\n|---|---|---|---|---|---|---|---|")
    for title, kind, nbytes in (("Directory scan", "dir", size), (f"History scan ({commits} commits)", "hist", hist)):
        ran = [(k, name) for k, name in TOOLS if os.path.exists(f"{out}/{k}-{kind}.eval")]
        walls = {k: rounds(out, k, kind) for k, _ in ran}
        base = statistics.median(walls["gc"][0])
        print(f"\n{title}: {nbytes / 1e6:.0f} MB on {cores} cores, {len(walls['gc'][0])} rounds\n\n{head}")
        for k, name in ran:
            times, rss = walls[k]
            med = statistics.median(times)
            e = ev(f"{out}/{k}-{kind}.eval")
            print(f"| {name} | {med:.2f} s ({min(times):.2f}-{max(times):.2f}) | {med / base:.1f}x | "
                  f"{nbytes / 1e6 / med:.1f} MB/s | {rss / 1024:.0f} MiB | "
                  f"{e['secrets_found']}/{e['secrets_planted']} ({e['recall']:.1%}) | "
                  f"{e['decoys_flagged']}/{e['decoys_planted']} | {e['findings_elsewhere']} |")
        for k, name in ran:
            e = ev(f"{out}/{k}-{kind}.eval")
            print(f"\nmissed by {name}: {e['missed_kinds']}; decoys it flagged: {e['decoy_kinds_flagged']}", end="")
        print()
    staged = timings(f"{out}/staged.json")
    ran = [(k, name) for k, name in TOOLS if os.path.exists(f"{out}/{k}-staged.eval")]
    print(f"\nStaged change (10 secrets and 10 decoys added to 20 files), {len(staged[0]['times'])} runs each:\n")
    print("| tool | median | range | ratio to gitcoord | planted found | decoys flagged |\n|---|---|---|---|---|---|")
    names = {"gc": "gitcoord scan --staged", "gl": "gitleaks git --pre-commit --staged",
             "rs": "ripsecrets --strict-ignore FILES"}
    for (k, _), r in zip(ran, staged):
        e = ev(f"{out}/{k}-staged.eval")
        print(f"| {names[k]} | {r['median'] * 1000:.0f} ms | {r['min'] * 1000:.0f}-{r['max'] * 1000:.0f} ms | "
              f"{r['median'] / staged[0]['median']:.1f}x | {e['secrets_found']}/{e['secrets_planted']} | "
              f"{e['decoys_flagged']}/{e['decoys_planted']} |")


if __name__ == "__main__":
    main()
