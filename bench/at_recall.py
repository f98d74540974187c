#!/usr/bin/env python3
"""QPS at a recall floor: for each run, the highest QPS any configuration of each side reaches
with recall@10 >= the floor, and the ratio; then the median ratio over the runs. This is how the
"QPS at recall@10 >= x" targets are read off ruv_bench / wasm_bench JSON lines.

    python3 bench/at_recall.py 0.95 ruvector hnswlib run1.jsonl run2.jsonl ...
    python3 bench/at_recall.py 0.95 ruvector hnswlib-wasm f32-1.jsonl+sq8-1.jsonl ...
    python3 bench/at_recall.py 0.95 ruvector 'glass*' run1.jsonl ...

A run is one file, or several joined by '+' (e.g. the f32 and SQ8 invocations of one run). Lines
whose "lib" starts with the first name count for "ours" (every quantizer and re-rank factor);
lines whose "lib" equals the second name are the peer, or, if it ends in '*', whose "lib" starts
with what precedes it ('glass*': glass-sq8u and glass-sq4u, the peer's best of both). Non-JSON
lines are skipped.
"""
import json
import statistics
import sys


def best_per_side(files, floor, ours, peer):
    best = {}
    for name in files:
        with open(name) as f:
            for line in f:
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                if r.get("index") != "hnsw" or r["recall10"] < floor:
                    continue
                is_peer = (
                    r["lib"].startswith(peer[:-1]) if peer.endswith("*") else r["lib"] == peer
                )
                side = "ours" if r["lib"].startswith(ours) else "peer" if is_peer else None
                if side and r["qps"] > best.get(side, {"qps": 0})["qps"]:
                    best[side] = r
    return best


def describe(r):
    q = r.get("quant") or ("i8" if r.get("bench") == "int8" else "f32")
    rr = r.get("rerank")
    return "%s%s ef %s: %.0f QPS at %.4f" % (
        "%s %s" % (r["lib"], q if q != "none" else "f32"),
        " x%s" % rr if rr else "",
        r["params"].get("ef_search"),
        r["qps"],
        r["recall10"],
    )


def main():
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    floor, ours, peer = float(sys.argv[1]), sys.argv[2], sys.argv[3]
    ratios = []
    for run in sys.argv[4:]:
        best = best_per_side(run.split("+"), floor, ours, peer)
        if "ours" not in best or "peer" not in best:
            print("%s: a side never reaches recall %.2f" % (run, floor))
            continue
        ratio = best["ours"]["qps"] / best["peer"]["qps"]
        ratios.append(ratio)
        print("%s: %s | %s | %.2fx" % (run, describe(best["ours"]), describe(best["peer"]), ratio))
    if ratios:
        print("median ratio over %d runs: %.2fx" % (len(ratios), statistics.median(ratios)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
