/* ruv_bench kernels: distance-kernel throughput, ruvector's every ISA this CPU runs and, in the
   same run, SimSIMD's and USearch's i8 kernels (when built with their headers), timed by the
   same loop.

     ruv_bench kernels [--dims 128,384,768,1024,1536] [--kernels dot_f32,l2sq_f32,...]
                       [--where l1,l1_off16,dram,dram_seq] [--reps 5] [--no-serial]

   One JSON line per kernel x library x ISA x dim x placement:
     {"lib":"ruvector","kernel":"dot_f32","isa":"avx512","dim":768,"where":"l1","gbps":..,"ns":..}
   dim counts dimensions (bits for *_bin: n = dim / 8 bytes). ns: time per call, median of --reps
   repeats; gbps: bytes of both inputs per call / ns. Placements:
     "l1":       one pair of vectors, each starting on a 64-byte boundary, called again and again
                 (in L1);
     "l1_off16": the same with both vectors 16 bytes past a 64-byte boundary (what malloc gives);
     "dram":     pairs drawn in random order from a 512 MiB buffer (vectors 64-byte aligned when
                 their size is a multiple of 64);
     "dram_seq": consecutive pairs streamed through the buffer: the most a kernel can draw from
                 DRAM on one core, for comparison.
   --no-serial leaves out both libraries' portable serial kernels. */
#define _POSIX_C_SOURCE 200809L
#include "../ruvector.h"
#include "peer.h"
#include "texmex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAM_BYTES (512u << 20)
#define DRAM_CALLS 200000u

static volatile float g_sink;

static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ns per call of fn: median over reps. In L1: the same pair; in DRAM: random pairs. */
static double time_kernel(peer_kernel_fn fn, const unsigned char *buf, size_t vbytes, size_t n,
                          int dram, int seq, const uint32_t *order, size_t nvec, unsigned reps) {
    double t[32], t0;
    unsigned r;
    size_t calls, i, gap = (vbytes + 63) / 64 * 64; /* in L1: the second vector's offset */
    float acc = 0;
    if (!dram) { /* calibrate to about 20 ms per repeat */
        calls = 1000;
        for (;;) {
            t0 = tx_now();
            for (i = 0; i < calls; i++)
                acc += fn(buf, buf + gap, n);
            if (tx_now() - t0 > 0.005)
                break;
            calls *= 4;
        }
        calls *= 4;
    } else
        calls = DRAM_CALLS;
    for (r = 0; r < reps && r < 32; r++) {
        t0 = tx_now();
        if (!dram)
            for (i = 0; i < calls; i++)
                acc += fn(buf, buf + gap, n);
        else if (!seq)
            for (i = 0; i < calls; i++)
                acc += fn(buf + (size_t)order[2 * i] * vbytes,
                          buf + (size_t)order[2 * i + 1] * vbytes, n);
        else /* sequential pairs, continuing through the buffer from one repeat to the next */
            for (i = 0; i < calls; i++) {
                size_t v = 2 * ((r * calls + i) % (nvec / 2));
                acc += fn(buf + v * vbytes, buf + (v + 1) * vbytes, n);
            }
        t[r] = (tx_now() - t0) * 1e9 / (double)calls;
    }
    g_sink = acc;
    qsort(t, r, sizeof t[0], cmp_dbl);
    return t[r / 2];
}

static size_t parse_list(const char *s, char out[][32], size_t cap) {
    size_t n = 0;
    while (*s && n < cap) {
        size_t len = strcspn(s, ",");
        snprintf(out[n++], 32, "%.*s", (int)len, s);
        s += len + (s[len] == ',');
    }
    return n;
}

/* Fills the buffer with values of type t: floats uniform in [-1, 1) (no denormals, which would
   time the CPU's microcode assists instead of the kernels), random bytes for i8/u8/bin. */
static void fill(unsigned char *buf, ruv_dtype t) {
    static float tmp[4096];
    uint64_t seed = 12345;
    size_t i, j, es = t == RUV_DTYPE_F32 ? 4 : (t == RUV_DTYPE_F16 || t == RUV_DTYPE_BF16) ? 2 : 1;
    ruv_kernels k;
    ruv_kernels_init(RUV_ISA_AUTO, &k);
    for (i = 0; i < DRAM_BYTES; i += 4096 * es) {
        unsigned char *p = buf + i;
        if (es == 1) {
            for (j = 0; j < 4096 * es; j += 8) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                memcpy(p + j, &seed, 8);
            }
            continue;
        }
        for (j = 0; j < 4096; j++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            tmp[j] = (float)((double)(seed >> 11) * (2.0 / 9007199254740992.0) - 1.0);
        }
        if (t == RUV_DTYPE_F32)
            memcpy(p, tmp, sizeof tmp);
        else if (t == RUV_DTYPE_F16)
            k.f32_to_f16(tmp, p, 4096);
        else
            k.f32_to_bf16(tmp, p, 4096);
    }
}

int ruv_bench_kernels(int argc, char **argv) {
    char dims_s[16][32], kern_s[64][32], where_s[4][32];
    const char *dims = "128,384,768,1024,1536", *wheres = "l1,l1_off16,dram,dram_seq";
    const char *kernels = "dot_f32,l2sq_f32,cos_f32,dot_f16,l2sq_f16,dot_bf16,l2sq_bf16,dot_i8,"
                          "l2sq_i8,cos_i8,dot_u8,l2sq_u8,hamming_bin,jaccard_bin";
    size_t nd, nk, nw, d, k, w, i;
    unsigned reps = 5;
    int filled = -1, no_serial = 0;
    unsigned char *raw, *buf;
    uint32_t *order;
    uint64_t seed = 1;
    int a;
    for (a = 1; a < argc; a += 2) {
        if (!strcmp(argv[a], "--no-serial")) {
            no_serial = 1;
            a--;
        } else if (a + 1 == argc)
            break;
        else if (!strcmp(argv[a], "--dims"))
            dims = argv[a + 1];
        else if (!strcmp(argv[a], "--kernels"))
            kernels = argv[a + 1];
        else if (!strcmp(argv[a], "--where"))
            wheres = argv[a + 1];
        else if (!strcmp(argv[a], "--reps"))
            reps = (unsigned)atoi(argv[a + 1]);
        else
            break;
    }
    if (a < argc || reps == 0) {
        fprintf(stderr, "usage: ruv_bench kernels [--dims 128,...] [--kernels dot_f32,...] "
                        "[--where l1,l1_off16,dram,dram_seq] [--reps 5] [--no-serial]\n");
        return 2;
    }
    nd = parse_list(dims, dims_s, 16);
    nk = parse_list(kernels, kern_s, 64);
    nw = parse_list(wheres, where_s, 4);
    for (w = 0; w < nw; w++)
        if (strcmp(where_s[w], "l1") && strcmp(where_s[w], "l1_off16") &&
            strcmp(where_s[w], "dram") && strcmp(where_s[w], "dram_seq")) {
            fprintf(stderr, "unknown placement '%s' (l1, l1_off16, dram, dram_seq)\n", where_s[w]);
            return 2;
        }
    raw = (unsigned char *)malloc(DRAM_BYTES + 128);
    buf = raw + ((64 - ((uintptr_t)raw & 63)) & 63); /* 64-byte aligned */
    order = (uint32_t *)malloc(2 * DRAM_CALLS * sizeof *order);
    if (!raw || !order) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (k = 0; k < nk; k++) {
        for (d = 0; d < nd; d++) {
            size_t dim = (size_t)atol(dims_s[d]);
            const char *name = kern_s[k], *us = strrchr(name, '_');
            int op, t, isa;
            size_t n, vbytes, nvec;
            if (!us)
                continue;
            for (op = 0;
                 op < RUV_OP_COUNT && strncmp(name, ruv_op_name((ruv_op)op), (size_t)(us - name));
                 op++)
                ;
            for (t = 0; t < RUV_DTYPE_COUNT && strcmp(us + 1, ruv_dtype_name((ruv_dtype)t)); t++)
                ;
            if (op == RUV_OP_COUNT || t == RUV_DTYPE_COUNT)
                continue;
            if (t != filled) {
                fill(buf, (ruv_dtype)t);
                filled = t;
            }
            n = t == RUV_DTYPE_BIN ? dim / 8 : dim;
            vbytes = t == RUV_DTYPE_F32                            ? 4 * n
                     : (t == RUV_DTYPE_F16 || t == RUV_DTYPE_BF16) ? 2 * n
                                                                   : n;
            nvec = DRAM_BYTES / vbytes;
            for (i = 0; i < 2 * DRAM_CALLS; i++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                order[i] = (uint32_t)((seed >> 33) % nvec);
            }
            for (w = 0; w < nw; w++) {
                int dram = !strncmp(where_s[w], "dram", 4), seq = !strcmp(where_s[w], "dram_seq");
                const unsigned char *base = buf + (strcmp(where_s[w], "l1_off16") ? 0 : 16);
                const char *pisa[8];
                peer_kernel_fn pfn[8];
                size_t np = 0, p;
                for (isa = no_serial ? RUV_ISA_SERIAL + 1 : RUV_ISA_SERIAL; isa < RUV_ISA_COUNT;
                     isa++) {
                    ruv_kernels kt;
                    double ns;
                    if (!ruv_kernels_init((ruv_isa)isa, &kt) || !kt.fn[op][t])
                        continue;
                    ns = time_kernel(kt.fn[op][t], base, vbytes, n, dram, seq, order, nvec, reps);
                    printf("{\"lib\":\"ruvector\",\"kernel\":\"%s\",\"isa\":\"%s\",\"dim\":%zu,"
                           "\"where\":\"%s\",\"gbps\":%.2f,\"ns\":%.2f}\n",
                           name, ruv_isa_name((ruv_isa)isa), dim, where_s[w],
                           2.0 * (double)vbytes / ns, ns);
                }
#ifdef RUV_BENCH_SIMSIMD
                np = peer_simsimd_kernels(name, pisa, pfn, 8);
#endif
                for (p = 0; p < np; p++) {
                    double ns;
                    if (no_serial && !strcmp(pisa[p], "serial"))
                        continue;
                    ns = time_kernel(pfn[p], base, vbytes, n, dram, seq, order, nvec, reps);
                    printf("{\"lib\":\"simsimd\",\"kernel\":\"%s\",\"isa\":\"%s\",\"dim\":%zu,"
                           "\"where\":\"%s\",\"gbps\":%.2f,\"ns\":%.2f}\n",
                           name, pisa[p], dim, where_s[w], 2.0 * (double)vbytes / ns, ns);
                }
#ifdef RUV_BENCH_USEARCH
                np = peer_usearch_kernels(name, pisa, pfn, 8);
                for (p = 0; p < np; p++) {
                    double ns = time_kernel(pfn[p], base, vbytes, n, dram, seq, order, nvec, reps);
                    printf("{\"lib\":\"usearch\",\"kernel\":\"%s\",\"isa\":\"%s\",\"dim\":%zu,"
                           "\"where\":\"%s\",\"gbps\":%.2f,\"ns\":%.2f}\n",
                           name, pisa[p], dim, where_s[w], 2.0 * (double)vbytes / ns, ns);
                }
#endif
                (void)pisa;
                (void)pfn;
                fflush(stdout);
            }
        }
    }
    free(raw);
    free(order);
    return 0;
}
