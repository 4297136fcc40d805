#!/usr/bin/env python3
"""Gives the gitcoord state of the repository in the current directory a history of N more
operations, fast: one `git fast-import` writes a chain of N synthetic operation commits, then
a copy of the real state commit on top, and the ref moves (compare-and-swap) to that copy.

  scale_history.py N AGENTS

Format-independent: every synthetic commit reuses the tree of the current state commit (so
the state files are whatever the binary under test wrote), and its message and author are
those of one of the three newest real state commits, which must be a `lock`, an `unlock` and
a `checkin` made by agent1 on the path src/mod1/pad.rs (bench/scale.sh makes them): the
agent id, the path and every ISO time in them are replaced, so the padding reads like
operations of agents 1..AGENTS-1 on their own paths, one a second, ending just before the
real tip. The real tip's copy keeps its tree, message, author and dates; only its parent
changes (the real history below it is dropped from the ref).
"""
import os
import re
import subprocess
import sys
import time

REF = "refs/gitcoord/state"
TMP_REF = "refs/bench/scale-history"
ISO = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
AGENT = re.compile(rb"agent1(?![0-9A-Za-z_.-])")
PATH = b"src/mod1/pad.rs"


def git(*args, data=None, env=None):
    return subprocess.run(["git", *args], input=data, stdout=subprocess.PIPE, check=True,
                          env=env).stdout


def raw_commit(rev):
    """(headers as {name: value}, message) of a commit object."""
    body = git("cat-file", "commit", rev)
    head, _, message = body.partition(b"\n\n")
    headers = {}
    for line in head.split(b"\n"):
        name, _, value = line.partition(b" ")
        headers.setdefault(name, value)
    return headers, message


def person(value):
    """b'Name <mail> 123 +0000' -> b'Name <mail>'."""
    return value.rsplit(b" ", 2)[0]


def main():
    n, agents = int(sys.argv[1]), int(sys.argv[2])
    tip = git("rev-parse", REF).strip()
    tree = git("rev-parse", REF + "^{tree}").strip()
    templates = [raw_commit(f"{REF}~{k}") for k in (2, 1, 0)]
    for headers, message in templates:
        if PATH not in message and b"checkin" not in message:
            sys.exit(f"scale_history.py: unexpected template commit: {message[:80]!r}")
    tip_headers, tip_message = raw_commit(tip.decode())
    end = int(tip_headers[b"committer"].rsplit(b" ", 2)[1])
    out = []
    for i in range(n):
        headers, message = templates[i % 3]
        a = 1 + (i // 3) % (agents - 1)
        at = end - n + i
        iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)).encode()
        path = b"src/mod%d/pad%d.rs" % (a, (i // 3) % 50)
        agent = b"agent%d" % a
        message = ISO.sub(iso, AGENT.sub(agent, message.replace(PATH, path)))
        who = AGENT.sub(agent, person(headers[b"author"]))
        out.append(b"commit %s\n" % TMP_REF.encode())
        out.append(b"author %s %d +0000\ncommitter %s %d +0000\n" % (who, at, who, at))
        out.append(b"data %d\n%s\n" % (len(message), message))
        if i == 0:
            out.append(b'M 040000 %s ""\n' % tree)
        out.append(b"\n")
    out.append(b"commit %s\n" % TMP_REF.encode())
    out.append(b"author %s\ncommitter %s\n" % (tip_headers[b"author"], tip_headers[b"committer"]))
    out.append(b"data %d\n%s\n" % (len(tip_message), tip_message))
    out.append(b'M 040000 %s ""\n\n' % tree)
    # glibc would return the heap to the system after every object (zlib's buffers): 200,000
    # brk calls, most of the time; a larger trim threshold keeps the heap.
    tunables = "glibc.malloc.top_pad=67108864:glibc.malloc.trim_threshold=134217728"
    git("fast-import", "--quiet", data=b"".join(out), env={**os.environ, "GLIBC_TUNABLES": tunables})
    new = git("rev-parse", TMP_REF).strip()
    git("update-ref", REF, new.decode(), tip.decode())
    git("update-ref", "-d", TMP_REF)


if __name__ == "__main__":
    main()
