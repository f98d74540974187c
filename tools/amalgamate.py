#!/usr/bin/env python3
"""Builds the single files ruvector_simd.h and ruvector.h from the sources in src/.

Each output is the concatenation of an explicit, ordered list of files (as SQLite's
mksqlite3c.tcl does): nothing is discovered from #include lines, so the order below is the
architecture. Every file is framed by findable banners,

    /************** Begin file src/hnsw.h *************************************************/
    /************** End of src/hnsw.h *****************************************************/

and with --line each file's text is preceded by a #line directive, so that compiler messages and
debuggers point at src/ (for development builds; the committed files carry no #line). Output is
deterministic (same inputs, same bytes), and a file is only rewritten when its text changes.

    python3 tools/amalgamate.py                 # writes ./ruvector_simd.h and ./ruvector.h
    python3 tools/amalgamate.py --check         # exit 1 if either is out of date
    python3 tools/amalgamate.py --line -o DIR   # both, with #line directives, into DIR
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The distance kernels, in dependency order: API, then the implementation section (opened by
# detect.h, closed by dispatch.h).
KERNEL_IMPL = [
    "src/simd/detect.h",      # ISA detection macros, intrinsic headers; opens the section
    "src/simd/serial.h",      # conversions, shared helpers, portable kernels, stamping macros
    "src/simd/neon.h",        # AArch64 / 32-bit ARM NEON kernels
    "src/simd/sve.h",         # AArch64 SVE kernels
    "src/simd/arm.h",         # ARM detection (HWCAP), quantization kernels, table
    "src/simd/wasm.h",        # WebAssembly SIMD128 kernels and table
    "src/simd/x86.h",         # x86-64 target attributes, cpuid / XGETBV detection
    "src/simd/x86_avx2.h",    # AVX2 kernels
    "src/simd/x86_avx512.h",  # AVX-512 kernels (+ VNNI, VPOPCNTDQ, BF16), x86 table
    "src/simd/dispatch.h",    # names, ruv_isa_best, ruv_kernels_init; closes the section
]

# ruvector.h: user documentation, the whole public API, then the implementation (kernels first).
RUVECTOR = [
    "src/doc.h",              # user documentation
    "src/simd/api.h",         # kernel API (ruv_kernels, ISAs, storage types, operations)
    "src/api.h",              # index API
    "src/api_compat.h",       # 0.1 names kept as deprecated aliases (RUV_NO_DEPRECATED)
    "src/sparse_api.h",       # sparse vectors: kernels and the sparse index
] + KERNEL_IMPL + [
    "src/core.h",             # opens the implementation: platform, memory, values, XXH64
    "src/ctx.h",              # search contexts (scratch)
    "src/index.h",            # the index object: layout, config, create/free, properties
    "src/codes.h",            # stored codes: encode, decode, query preparation, distances
    "src/tables.h",           # key and id hash tables, blob columns, growth
    "src/journal.h",          # journal: records before each write, replay, open_file, checkpoint
    "src/hnsw.h",             # HNSW graph: walk, beam search, selection, insert, compaction
    "src/train.h",            # quantizer training: SQ8 ranges, BIN means, PQ k-means
    "src/store.h",            # writes and lookups: add, put, update, remove, get
    "src/search.h",           # search: flat scan, filters, re-rank, HNSW, MMR, batch
    "src/range.h",            # range search: flat scan, HNSW beam search + flood fill
    "src/sparse.h",           # sparse vectors: kernels, inverted index, MaxScore
    "src/save.h",             # FORMAT specification and the writer
    "src/load.h",             # reader: header, sections, validation, load, view
    "src/sparse_io.h",        # sparse indexes: writer and reader (FORMAT kind 2)
    "src/file.h",             # files: atomic save, load; closes the implementation
    "src/license.h",
]

RUVECTOR_SIMD = ["src/simd/doc.h", "src/simd/api.h"] + KERNEL_IMPL + ["src/license.h"]

# (output, files): the generated single files, relative to the repository root.
TARGETS = [("ruvector_simd.h", RUVECTOR_SIMD), ("ruvector.h", RUVECTOR)]

WIDTH = 100


def banner(text):
    head = "/************** %s " % text
    return head + "*" * max(3, WIDTH - len(head) - 2) + "*/"


def build(files, line):
    out = ["/* GENERATED FILE: edit src/ and run tools/amalgamate.py (which lists the files in order)"
           " */"]
    for rel in files:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            text = f.read()
        if not text.endswith("\n"):
            sys.exit("%s: no newline at the end" % rel)
        out.append(banner("Begin file " + rel))
        if line:
            out.append('#line 1 "%s"' % os.path.join(ROOT, rel).replace(os.sep, "/"))
        out.extend(text[:-1].split("\n"))
        out.append(banner("End of " + rel))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if an output is out of date")
    ap.add_argument("--line", action="store_true", help="emit #line directives (development)")
    ap.add_argument("-o", "--outdir", default=ROOT, help="output folder (default: the root)")
    args = ap.parse_args()
    if args.check and args.line:
        ap.error("--check compares the committed files, which have no #line")
    status = 0
    for name, files in TARGETS:
        text = build(files, args.line)
        path = os.path.join(args.outdir, name)
        try:
            with open(path, encoding="utf-8", newline="") as f:
                current = f.read()
        except OSError:
            current = None
        if current == text:
            continue
        if args.check:
            sys.stderr.write("%s is out of date: run python3 tools/amalgamate.py\n" % path)
            status = 1
            continue
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
