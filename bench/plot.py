#!/usr/bin/env python3
"""Recall@10 against queries per second from `ruv_bench` JSON lines, one curve per library and
configuration (median QPS over repeated runs of the same point), as a PNG.

    python3 bench/plot.py bench/results/glove100-hnsw-*-interleaved-2026-11-22-run*.jsonl \
        -o bench/results/glove100-recall-qps.png

Needs matplotlib (Debian: python3-matplotlib). Only HNSW search lines are drawn; --dataset picks
one data set when the file holds several.
"""
import argparse
import json
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def label(r):
    if r["lib"] != "ruvector":
        return r["lib"]
    q = r.get("quant") or "f32"
    if q == "f32" or q == "none":
        return "ruvector (f32)"
    rr = r.get("rerank")
    cp = r.get("rerank_dtype")
    return "ruvector (%s codes%s%s)" % (q.upper(), ", %s copies" % cp if cp and cp != "f32" else "",
                                        ", x%d re-rank" % rr if rr and rr > 1 else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--dataset")
    ap.add_argument("--title")
    a = ap.parse_args()
    rows = []
    for f in a.files:
        with open(f) as fh:
            rows += [json.loads(l) for l in fh if l.startswith("{")]
    rows = [r for r in rows if r.get("index") == "hnsw" and "qps" in r and "recall10" in r]
    if a.dataset:
        rows = [r for r in rows if r.get("dataset") == a.dataset]
    if not rows:
        sys.exit("no HNSW search lines")
    curves = {}
    for r in rows:
        ef = r["params"]["ef_search"]
        curves.setdefault(label(r), {}).setdefault(ef, []).append((r["recall10"], r["qps"]))
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    styles = ["o-", "s-", "^-", "d-", "v-", "x-"]
    for i, (name, pts) in enumerate(sorted(curves.items(), key=lambda kv: kv[0] != "hnswlib")):
        xs, ys = [], []
        for ef in sorted(pts):
            xs.append(statistics.median(p[0] for p in pts[ef]))
            ys.append(statistics.median(p[1] for p in pts[ef]))
        ax.plot(xs, ys, styles[i % len(styles)], label=name, markersize=4)
    ds = rows[0].get("dataset", "")
    meta = rows[0]
    ax.set_title(a.title or "%s: HNSW M=%d, ef_construction=%d, one thread" % (
        ds, meta["params"]["M"], meta["params"]["ef_construction"]))
    ax.set_xlabel("recall@10")
    ax.set_ylabel("queries per second (higher is better)")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.out)
    print("wrote", a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
