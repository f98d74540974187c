#!/usr/bin/env python3
"""Builds the single-file ruvector.h from src/ruvector.h.

Every `#include "name.h"` whose file exists in the project (looked up beside the including file,
then at the repository root) is replaced by that file's text, once; a later include of the same
file is dropped. System includes (<...>) are kept. The output is deterministic: same inputs, same
bytes.

    python3 tools/amalgamate.py                 # writes ./ruvector.h
    python3 tools/amalgamate.py --check         # exit 1 if ./ruvector.h is out of date
    python3 tools/amalgamate.py -o other.h SRC  # another input or output
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
    for line in lines:
        m = INCLUDE.match(line)
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
    banner = (
        "/* GENERATED FILE: edit src/ and ruvector_simd.h, then run tools/amalgamate.py. */"
    )
    return banner + "\n" + "\n".join(body) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?", default=os.path.join(ROOT, "src", "ruvector.h"))
    ap.add_argument("-o", "--output", default=os.path.join(ROOT, "ruvector.h"))
    ap.add_argument("--check", action="store_true", help="fail if the output is out of date")
    args = ap.parse_args()
    text = build(args.src)
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current != text:
            sys.stderr.write(
                "%s is out of date: run python3 tools/amalgamate.py\n" % args.output
            )
            return 1
        return 0
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
