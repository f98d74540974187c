#!/usr/bin/env python3
"""Turns `ruv_bench kernels` JSON lines into Markdown tables: for each kernel, dim and placement,
ruvector's and SimSIMD's best AVX-512 and AVX2 figures (GB/s) and their ratio. Given the lines of
several runs (files or stdin), each cell is the median over the runs of that kernel x ISA.

    for r in 1 2 3; do ruv_bench kernels; done > k.jsonl && python3 bench/kernel_table.py k.jsonl
"""
import fileinput
import json
import statistics
import sys

TITLES = {
    "l1": "in L1, 64-byte aligned",
    "l1_off16": "in L1, both vectors 16 bytes past a 64-byte boundary",
    "dram": "in DRAM, random order",
    "dram_seq": "in DRAM, streamed in order",
}

AVX512 = {"avx512", "avx512_ice", "avx512_bf16", "skylake", "ice", "genoa", "sapphire"}
AVX2 = {"avx2", "haswell"}


def best(rows, lib, isas):
    cands = [r for r in rows if r["lib"] == lib and r["isa"] in isas]
    return max(cands, key=lambda r: r["gbps"]) if cands else None


def cell(r):
    return "%.1f (%s)" % (r["gbps"], r["isa"]) if r else "-"


def main():
    runs = {}
    for l in fileinput.input():
        if l.startswith("{"):
            r = json.loads(l)
            runs.setdefault((r["lib"], r["isa"], r["kernel"], r["dim"], r["where"]), []).append(r)
    rows = []
    for v in runs.values():
        r = dict(v[0])
        r["gbps"] = statistics.median(x["gbps"] for x in v)
        rows.append(r)
    groups = {}
    for r in rows:
        groups.setdefault((r["where"], r["kernel"], r["dim"]), []).append(r)
    for where in TITLES:
        keys = [k for k in groups if k[0] == where]
        if not keys:
            continue
        print("\n#### data %s (GB/s, higher is better)\n" % TITLES[where])
        print("| kernel | dim | ruvector AVX-512 | SimSIMD AVX-512 | ratio | ruvector AVX2 | SimSIMD AVX2 | ratio |")
        print("|---|---|---|---|---|---|---|---|")
        order = []
        for r in rows:
            k = (r["where"], r["kernel"], r["dim"])
            if k[0] == where and k not in order:
                order.append(k)
        for k in order:
            g = groups[k]
            line = "| %s | %d |" % (k[1], k[2])
            for isas in (AVX512, AVX2):
                a, b = best(g, "ruvector", isas), best(g, "simsimd", isas)
                ratio = "%.2fx" % (a["gbps"] / b["gbps"]) if a and b else "-"
                line += " %s | %s | %s |" % (cell(a), cell(b), ratio)
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
