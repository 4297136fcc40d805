#!/usr/bin/env python3
"""Scores a gitcoord or gitleaks JSON report, or ripsecrets's text output, against
plant.py's ground truth.

    evaluate.py TRUTH.json REPORT gitcoord|gitleaks|ripsecrets CORPUS_PREFIX

Prints one JSON object: recall on planted secrets, false positives on planted decoys,
findings elsewhere in the corpus, and which secret kinds were missed.
"""
import json, re, sys
from collections import Counter


def norm(path, prefix):
    path = path.replace("\\", "/")
    for p in (prefix.rstrip("/") + "/", "./"):
        if path.startswith(p):
            path = path[len(p):]
    return path


def load(report, tool, prefix):
    if tool == "ripsecrets":
        # One line per finding, as grep prints it: PATH:LINE:TEXT (no rule names).
        found = []
        with open(report, errors="replace") as f:
            for line in f:
                m = re.match(r"(.*?):(\d+):", line)
                if m:
                    found.append((norm(m.group(1), prefix), int(m.group(2)), "ripsecrets"))
        return found
    with open(report) as f:
        data = json.load(f) or []
    if tool == "gitleaks":
        return [(norm(d["File"], prefix), d["StartLine"], d["RuleID"]) for d in data]
    return [(norm(d["file"], prefix), d["line"], d["rule_id"]) for d in data]


def main():
    truth_path, report, tool, prefix = sys.argv[1:5]
    with open(truth_path) as f:
        truth = json.load(f)
    found = load(report, tool, prefix)
    by_file = {}
    for file, line, rule in found:
        by_file.setdefault(file, []).append(line)
    hit = lambda t: any(t["start"] <= l <= t["end"] for l in by_file.get(t["file"], []))
    secrets = [t for t in truth if t["secret"]]
    decoys = [t for t in truth if not t["secret"]]
    caught = [t for t in secrets if hit(t)]
    flagged = [t for t in decoys if hit(t)]
    planted = {(t["file"], l) for t in truth for l in range(t["start"], t["end"] + 1)}
    elsewhere = [f for f in found if (f[0], f[1]) not in planted]
    print(json.dumps({
        "tool": tool,
        "findings": len(found),
        "secrets_planted": len(secrets),
        "secrets_found": len(caught),
        "recall": round(len(caught) / max(1, len(secrets)), 4),
        "decoys_planted": len(decoys),
        "decoys_flagged": len(flagged),
        "decoy_kinds_flagged": dict(Counter(t["kind"] for t in flagged)),
        "missed_kinds": dict(Counter(t["kind"] for t in secrets if not hit(t))),
        "findings_elsewhere": len(elsewhere),
        "elsewhere_rules": dict(Counter(f[2] for f in elsewhere).most_common(8)),
    }))


if __name__ == "__main__":
    main()
