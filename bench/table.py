#!/usr/bin/env python3
"""Turns ruv_bench JSON lines into a Markdown table, one row per ef_search with the libraries side
by side, plus the QPS ratio of the first library to the second.

    ruv_bench ... | python3 bench/table.py
    python3 bench/table.py results.jsonl
"""
import fileinput
import json
import sys


def main():
    rows = [json.loads(line) for line in fileinput.input() if line.startswith("{")]
    rows = [r for r in rows if "params" in r]  # ANN lines only (not --persist timings)
    if not rows:
        return 1
    libs = []
    for r in rows:
        if r["lib"] not in libs:
            libs.append(r["lib"])
    by = {}
    for r in rows:
        by.setdefault(r["params"].get("ef_search", 0), {})[r["lib"]] = r
    first = rows[0]
    print(
        "%s (%s, n=%d, dim=%d, nq=%d), M=%s, ef_construction=%s"
        % (
            first["dataset"],
            first["metric"],
            first["n"],
            first["dim"],
            first["nq"],
            first["params"].get("M", "-"),
            first["params"].get("ef_construction", "-"),
        )
    )
    print()
    head = "| ef_search |"
    sep = "|---|"
    for lib in libs:
        head += " %s recall@10 | %s QPS |" % (lib, lib)
        sep += "---|---|"
    if len(libs) == 2:
        head += " QPS ratio |"
        sep += "---|"
    print(head)
    print(sep)
    for ef in sorted(by):
        line = "| %s |" % ef
        for lib in libs:
            r = by[ef].get(lib)
            line += " %.4f | %.0f |" % (r["recall10"], r["qps"]) if r else " - | - |"
        if len(libs) == 2 and all(lib in by[ef] for lib in libs):
            line += " %.2fx |" % (by[ef][libs[0]]["qps"] / by[ef][libs[1]]["qps"])
        print(line)
    print()
    for lib in libs:
        r = next(x for x in rows if x["lib"] == lib)
        print("- %s: build %.1f s, %.0f bytes/vector" % (lib, r["build_s"], r["bytes_per_vec"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
