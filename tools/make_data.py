#!/usr/bin/env python3
"""Makes the small data files the repository bundles, from ../shared/data (see its README for
sources and licences). Run once; the outputs are committed. Deterministic.

  examples/data/glove25k.fvecs     first 25,000 rows of glove100-angular_base (most frequent words)
  examples/data/glove25k.words     their words, one per line
  examples/data/glove_query.fvecs  the 1,000 held-out glove100-angular queries (not in the base)
  tests/data/fiori_*               fiori-minilm384-angular as is (678 base, 100 queries, top-100)
  tests/data/mnist_*               mnist10k-784-euclidean: the first 50 queries and a 1,000-row base
                                   that holds every true top-10 neighbour of those queries plus
                                   evenly spaced other rows; ground truth = the shared top-10,
                                   renumbered (still exact: the true neighbours are all present)
"""
import os
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")


def read_vecs(path):
    rows = []
    with open(path, "rb") as f:
        data = f.read()
    off = 0
    while off < len(data):
        (d,) = struct.unpack_from("<i", data, off)
        rows.append(data[off + 4 : off + 4 + 4 * d])
        off += 4 + 4 * d
    return rows


def write_vecs(path, rows):
    with open(path, "wb") as f:
        for r in rows:
            f.write(struct.pack("<i", len(r) // 4))
            f.write(r)


def ints(row):
    return list(struct.unpack("<%di" % (len(row) // 4), row))


def main():
    ex = os.path.join(ROOT, "examples", "data")
    td = os.path.join(ROOT, "tests", "data")
    os.makedirs(ex, exist_ok=True)
    os.makedirs(td, exist_ok=True)

    base = read_vecs(os.path.join(SHARED, "glove100-angular_base.fvecs"))
    write_vecs(os.path.join(ex, "glove25k.fvecs"), base[:25000])
    with open(os.path.join(SHARED, "glove100-angular_words.txt"), encoding="utf-8") as f:
        words = f.read().split("\n")
    if words[0].startswith("# "):  # header line: "# line i = word of base vector i ..."
        words = words[1:]
    with open(os.path.join(ex, "glove25k.words"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(words[:25000]) + "\n")
    shutil.copyfile(
        os.path.join(SHARED, "glove100-angular_query.fvecs"), os.path.join(ex, "glove_query.fvecs")
    )

    for part in ("base.fvecs", "query.fvecs", "groundtruth.ivecs"):
        shutil.copyfile(
            os.path.join(SHARED, "fiori-minilm384-angular_" + part), os.path.join(td, "fiori_" + part)
        )

    mb = read_vecs(os.path.join(SHARED, "mnist10k-784-euclidean_base.fvecs"))
    mq = read_vecs(os.path.join(SHARED, "mnist10k-784-euclidean_query.fvecs"))[:50]
    gt = [ints(r)[:10] for r in read_vecs(os.path.join(SHARED, "mnist10k-784-euclidean_groundtruth.ivecs"))[:50]]
    keep = set(i for row in gt for i in row)
    step = len(mb) // (1000 - len(keep)) + 1
    i = 0
    while len(keep) < 1000:
        if i not in keep:
            keep.add(i)
        i = (i + step) % len(mb) if i + step < len(mb) else (i + 1) % step
    ids = sorted(keep)
    new = {old: k for k, old in enumerate(ids)}
    write_vecs(os.path.join(td, "mnist_base.fvecs"), [mb[i] for i in ids])
    write_vecs(os.path.join(td, "mnist_query.fvecs"), mq)
    write_vecs(
        os.path.join(td, "mnist_groundtruth.ivecs"),
        [struct.pack("<10i", *[new[i] for i in row]) for row in gt],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
