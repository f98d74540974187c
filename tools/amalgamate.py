#!/usr/bin/env python3
"""Builds the single files ruvector_simd.h and ruvector.h from src/.

Every `#include "name.h"` whose file exists in the project (looked up beside the including file,
then at the repository root) is replaced by that file's text, once; a later include of the same
file is dropped. System includes (<...>) are kept. The output is deterministic: same inputs, same
bytes.

    python3 tools/amalgamate.py                 # writes ./ruvector_simd.h and ./ruvector.h
    python3 tools/amalgamate.py --check         # exit 1 if either is out of date
    python3 tools/amalgamate.py -o other.h SRC  # one other input or output
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')


def expand(path, seen):
    out = []
    rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    in_comment = False
    for line in lines:
        m = None if in_comment else INCLUDE.match(line)
        # track /* ... */ so that an include written in a comment is left alone
        pos = 0
        while True:
            tok = "*/" if in_comment else "/*"
            j = line.find(tok, pos)
            if j < 0:
                break
            in_comment = not in_comment
            pos = j + 2
        if not m:
            out.append(line)
            continue
        name = m.group(1)
        target = None
        for base in (os.path.dirname(path), ROOT):
            cand = os.path.normpath(os.path.join(base, name))
            if os.path.isfile(cand):
                target = cand
                break
        if target is None:
            out.append(line)
            continue
        if target in seen:
            continue
        seen.add(target)
        trel = os.path.relpath(target, ROOT).replace(os.sep, "/")
        out.append("/* ---- begin %s (inlined from %s) ---- */" % (trel, rel))
        out.extend(expand(target, seen))
        out.append("/* ---- end %s ---- */" % trel)
    return out


def build(src):
    src = os.path.abspath(src)
    body = expand(src, {src})
    banner = "/* GENERATED FILE from %s: edit src/, then run tools/amalgamate.py. */" % (
        os.path.relpath(src, ROOT).replace(os.sep, "/")
    )
    return banner + "\n" + "\n".join(body) + "\n"


# The generated single files: (source, output), relative to the repository root.
TARGETS = [("src/ruvector_simd.h", "ruvector_simd.h"), ("src/ruvector.h", "ruvector.h")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?", help="one source to build (default: every target)")
    ap.add_argument("-o", "--output", help="output path for SRC")
    ap.add_argument("--check", action="store_true", help="fail if an output is out of date")
    args = ap.parse_args()
    if args.src:
        jobs = [(args.src, args.output or os.path.join(ROOT, os.path.basename(args.src)))]
    else:
        jobs = [(os.path.join(ROOT, s), os.path.join(ROOT, o)) for s, o in TARGETS]
    status = 0
    for src, output in jobs:
        text = build(src)
        if args.check:
            try:
                with open(output, encoding="utf-8") as f:
                    current = f.read()
            except OSError:
                current = None
            if current != text:
                sys.stderr.write("%s is out of date: run python3 tools/amalgamate.py\n" % output)
                status = 1
            continue
        with open(output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
