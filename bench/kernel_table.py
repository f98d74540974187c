#!/usr/bin/env python3
"""Turns `ruv_bench kernels` JSON lines into Markdown tables: for each kernel, dim and placement,
ruvector's and SimSIMD's best AVX-512 and AVX2 figures (GB/s) and their ratio.

    ruv_bench kernels | python3 bench/kernel_table.py
"""
import fileinput
import json
import sys

AVX512 = {"avx512", "avx512_ice", "avx512_bf16", "skylake", "ice", "genoa", "sapphire"}
AVX2 = {"avx2", "haswell"}


def best(rows, lib, isas):
    cands = [r for r in rows if r["lib"] == lib and r["isa"] in isas]
    return max(cands, key=lambda r: r["gbps"]) if cands else None


def cell(r):
    return "%.1f (%s)" % (r["gbps"], r["isa"]) if r else "-"


def main():
    rows = [json.loads(l) for l in fileinput.input() if l.startswith("{")]
    groups = {}
    for r in rows:
        groups.setdefault((r["where"], r["kernel"], r["dim"]), []).append(r)
    for where in ("l1", "dram"):
        keys = [k for k in groups if k[0] == where]
        if not keys:
            continue
        print("\n#### data in %s (GB/s, higher is better)\n" % ("L1" if where == "l1" else "DRAM, random order"))
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
