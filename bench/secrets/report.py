#!/usr/bin/env python3
"""Prints run.sh's measurements as the Markdown tables of docs/BENCHMARKS.md.

    report.py OUT_DIR CORPUS_BYTES HISTORY_BYTES COMMITS CORES
"""
import json, re, sys


def time_v(path):
    text = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    h, mnt, s = (float(x) if x else 0.0 for x in m.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return h * 3600 + mnt * 60 + s, rss


def ev(path):
    return json.load(open(path))


def row(name, secs, rss, size, e):
    return (f"| {name} | {secs:.2f} s | {size / 1e6 / secs:.1f} MB/s | {rss / 1024:.0f} MiB | "
            f"{e['secrets_found']}/{e['secrets_planted']} ({e['recall']:.1%}) | "
            f"{e['decoys_flagged']}/{e['decoys_planted']} | {e['findings_elsewhere']} |")


def main():
    out, size, hist, commits, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    head = ("| tool | wall | throughput | peak RSS | planted secrets found | decoys flagged | other findings |\n"
            "|---|---|---|---|---|---|---|")
    for title, kind, nbytes in (("Directory scan", "dir", size), (f"History scan ({commits} commits)", "hist", hist)):
        gc_t, gc_r = time_v(f"{out}/gc-{kind}.time")
        gl_t, gl_r = time_v(f"{out}/gl-{kind}.time")
        print(f"\n{title}: {nbytes / 1e6:.0f} MB on {cores} cores\n\n{head}")
        print(row("gitcoord", gc_t, gc_r, nbytes, ev(f"{out}/gc-{kind}.eval")))
        print(row("gitleaks", gl_t, gl_r, nbytes, ev(f"{out}/gl-{kind}.eval")))
        print(f"\nspeed-up: {gl_t / gc_t:.1f}x; missed by gitcoord: {ev(f'{out}/gc-{kind}.eval')['missed_kinds']}; "
              f"missed by gitleaks: {ev(f'{out}/gl-{kind}.eval')['missed_kinds']}; "
              f"decoys gitleaks flagged: {ev(f'{out}/gl-{kind}.eval')['decoy_kinds_flagged']}")
    staged = json.load(open(f"{out}/staged.json"))["results"]
    print("\nStaged change (10 secrets and 10 decoys added to 20 files):\n")
    print("| tool | mean | median | min | max | planted found | decoys flagged |\n|---|---|---|---|---|---|---|")
    for r, kind in zip(staged, ("gc", "gl")):
        e = ev(f"{out}/{kind}-staged.eval")
        name = "gitcoord scan --staged" if kind == "gc" else "gitleaks git --pre-commit --staged"
        print(f"| {name} | {r['mean'] * 1000:.0f} ms | {r['median'] * 1000:.0f} ms | {r['min'] * 1000:.0f} ms | "
              f"{r['max'] * 1000:.0f} ms | {e['secrets_found']}/{e['secrets_planted']} | "
              f"{e['decoys_flagged']}/{e['decoys_planted']} |")


if __name__ == "__main__":
    main()
