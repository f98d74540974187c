/* Distance kernels and conversions: every kernel of every ISA this CPU runs against a
   double-precision reference computed here from the same stored values.
   Bounds (documented in ruvector_simd.h): floating types |err| <= 1e-5 * sum |a_i b_i| (dot),
   1e-5 * result (l2sq, l1), 1e-5 absolute (cos, where a squared norm below FLT_MIN counts as
   zero); integer types and binary: exact up to the final rounding to float. */
#include "test.h"

static const size_t k_esize[RUV_DTYPE_COUNT] = {4, 2, 2, 1, 1, 1};

/* Value i of a typed array as double (exact). */
static double kval(ruv_dtype t, const void *p, size_t i) {
    switch (t) {
    case RUV_DTYPE_F32:
        return ((const float *)p)[i];
    case RUV_DTYPE_F16:
        return ruv_f16_to_f32(((const uint16_t *)p)[i]);
    case RUV_DTYPE_BF16:
        return ruv_bf16_to_f32(((const uint16_t *)p)[i]);
    case RUV_DTYPE_I8:
        return ((const int8_t *)p)[i];
    default:
        return ((const uint8_t *)p)[i];
    }
}

/* Fills n random elements of type t; scale multiplies the floating values in [-1, 1). */
static void kfill(ruv_dtype t, void *p, size_t n, uint64_t seed, float scale) {
    size_t i;
    for (i = 0; i < n; i++) {
        float f = rng_unit(&seed) * scale;
        switch (t) {
        case RUV_DTYPE_F32:
            ((float *)p)[i] = f;
            break;
        case RUV_DTYPE_F16:
            ((uint16_t *)p)[i] = ruv_f32_to_f16(f);
            break;
        case RUV_DTYPE_BF16:
            ((uint16_t *)p)[i] = ruv_f32_to_bf16(f);
            break;
        default:
            ((uint8_t *)p)[i] = (uint8_t)(rng_next(&seed) >> 56);
        }
    }
}

static int kpop(unsigned x) {
    int c = 0;
    for (; x; x >>= 1)
        c += (int)(x & 1u);
    return c;
}

/* Reference of op on n elements, and the allowed error. */
static double kref(ruv_op op, ruv_dtype t, const void *a, const void *b, size_t n, double *bound) {
    double ab = 0, aa = 0, bb = 0, l2 = 0, l1 = 0, mag = 0, r;
    size_t i;
    int integer = t == RUV_DTYPE_I8 || t == RUV_DTYPE_U8;
    if (t == RUV_DTYPE_BIN) {
        long x = 0, an = 0, o = 0;
        for (i = 0; i < n; i++) {
            unsigned p = ((const uint8_t *)a)[i], q = ((const uint8_t *)b)[i];
            x += kpop(p ^ q), an += kpop(p & q), o += kpop(p | q);
        }
        *bound = op == RUV_OP_HAMMING ? 0 : 1e-6;
        return op == RUV_OP_HAMMING ? (double)x : o ? 1.0 - (double)an / (double)o : 0.0;
    }
    for (i = 0; i < n; i++) {
        double x = kval(t, a, i), y = kval(t, b, i);
        ab += x * y, aa += x * x, bb += y * y, l2 += (x - y) * (x - y), l1 += fabs(x - y);
        mag += fabs(x * y);
    }
    switch (op) {
    case RUV_OP_L2SQ:
        r = l2, *bound = (integer ? 1e-7 : 1e-5) * l2;
        break;
    case RUV_OP_DOT:
        r = ab, *bound = integer ? 1e-7 * fabs(ab) : 1e-5 * mag;
        break;
    case RUV_OP_L1:
        r = l1, *bound = (integer ? 1e-7 : 1e-5) * l1;
        break;
    default:
        r = aa >= FLT_MIN && bb >= FLT_MIN ? 1.0 - ab / sqrt(aa * bb) : 1.0;
        *bound = integer ? 1e-6 : 1e-5;
    }
    *bound += 1e-30;
    return r;
}

/* Checks one kernel on (a, b, n); prints the first few failures. */
static void kcheck(const ruv_kernels *k, ruv_op op, ruv_dtype t, const void *a, const void *b,
                   size_t n, const char *what) {
    double bound, ref = kref(op, t, a, b, n, &bound);
    float got = k->fn[op][t](a, b, n);
    if (!(fabs((double)got - ref) <= bound)) {
        if (g_failed_checks < 20)
            printf("  %s %s_%s n=%zu (%s): got %.9g, expected %.9g +- %.3g\n", ruv_isa_name(k->isa),
                   ruv_op_name(op), ruv_dtype_name(t), n, what, got, ref, bound);
        g_failed_checks++;
    }
}

/* Every (op, dtype) kernel of every available ISA: n = 0..300, 1536, 4096, 4097, pointers
   offset by 0..3 elements, and long vectors at every offset from a 64-byte boundary; random
   data. */
TEST(kernels) {
    size_t big = 4200 * 4, n;
    unsigned char *a = (unsigned char *)malloc(big), *b = (unsigned char *)malloc(big);
    int isa, tested = 0;
    REQUIRE(a && b);
    for (isa = RUV_ISA_SERIAL; isa < RUV_ISA_COUNT; isa++) {
        ruv_kernels k;
        int op, t;
        if (!ruv_kernels_init((ruv_isa)isa, &k))
            continue;
        tested++;
        CHECK_EQ_INT(k.isa, isa);
        for (t = 0; t < RUV_DTYPE_COUNT; t++) {
            size_t es = k_esize[t];
            int defined = 0;
            kfill((ruv_dtype)t, a, 4200, 100 + (uint64_t)t, 1.0f);
            kfill((ruv_dtype)t, b, 4200, 200 + (uint64_t)t, 1.0f);
            for (op = 0; op < RUV_OP_COUNT; op++) {
                if (!k.fn[op][t])
                    continue;
                defined++;
                for (n = 0; n <= 4097; n = n < 300     ? n + 1
                                           : n == 300  ? 1536
                                           : n == 1536 ? 4096
                                                       : n + 1) {
                    size_t off;
                    for (off = 0; off < 4; off++)
                        kcheck(&k, (ruv_op)op, (ruv_dtype)t, a + off * es, b + (3 - off) * es, n,
                               "random");
                }
                /* Long vectors start with a head up to a 64-byte boundary of a: every
                   misalignment, around the length where the head begins (1024 bytes). */
                {
                    static const size_t bytes[] = {1016, 1024, 1064, 4100};
                    size_t bi, off;
                    for (bi = 0; bi < sizeof bytes / sizeof bytes[0]; bi++)
                        for (off = 0; off < 64; off += es)
                            kcheck(&k, (ruv_op)op, (ruv_dtype)t, a + off,
                                   b + (off * 3 % 64) / es * es, bytes[bi] / es, "misaligned");
                }
            }
            /* bin: hamming and jaccard; the others: l2sq, dot, cos, l1 */
            CHECK_EQ_INT(defined, t == RUV_DTYPE_BIN ? 2 : 4);
        }
    }
    printf("  ISAs tested:");
    for (isa = RUV_ISA_SERIAL; isa < RUV_ISA_COUNT; isa++)
        if (ruv_isa_available((ruv_isa)isa))
            printf(" %s", ruv_isa_name((ruv_isa)isa));
    printf("\n");
    CHECK(tested >= 1);
    CHECK(ruv_isa_available(ruv_isa_best()));
    CHECK(!ruv_kernels_init((ruv_isa)99, NULL));
    CHECK(!ruv_kernels_init(RUV_ISA_SERIAL, NULL));
    free(a);
    free(b);
}

/* Every kernel gives the same bits for the same vectors wherever they lie in memory (floating
   sums keep an order that depends on n alone): copies at every offset from a 64-byte boundary
   against the result at offset 0, for lengths around and above the integer kernels' head. */
TEST(kernels_alignment_invariant) {
    static const size_t lens[] = {100, 384, 1024, 1536};
    unsigned char *a = (unsigned char *)malloc(8192 + 128),
                  *b = (unsigned char *)malloc(8192 + 128);
    unsigned char *src_a = (unsigned char *)malloc(8192), *src_b = (unsigned char *)malloc(8192);
    int isa;
    REQUIRE(a && b && src_a && src_b);
    for (isa = RUV_ISA_SERIAL; isa < RUV_ISA_COUNT; isa++) {
        ruv_kernels k;
        int op, t;
        if (!ruv_kernels_init((ruv_isa)isa, &k))
            continue;
        for (t = 0; t < RUV_DTYPE_COUNT; t++) {
            size_t es = k_esize[t], li, off;
            kfill((ruv_dtype)t, src_a, 8192 / es, 300 + (uint64_t)t, 1.0f);
            kfill((ruv_dtype)t, src_b, 8192 / es, 400 + (uint64_t)t, 1.0f);
            for (op = 0; op < RUV_OP_COUNT; op++) {
                if (!k.fn[op][t])
                    continue;
                for (li = 0; li < sizeof lens / sizeof lens[0]; li++) {
                    size_t n = lens[li], bytes = n * es;
                    unsigned char *pa = a + ((64 - ((uintptr_t)a & 63)) & 63);
                    unsigned char *pb = b + ((64 - ((uintptr_t)b & 63)) & 63);
                    float first, got;
                    memcpy(pa, src_a, bytes);
                    memcpy(pb, src_b, bytes);
                    first = k.fn[op][t](pa, pb, n);
                    for (off = es; off < 64; off += es) {
                        memcpy(pa + off, src_a, bytes);
                        memcpy(pb + off, src_b, bytes);
                        got = k.fn[op][t](pa + off, pb + off, n);
                        if (memcmp(&got, &first, sizeof got) != 0) {
                            printf("  %s %s_%s n=%zu: %.9g at offset %zu, %.9g aligned\n",
                                   ruv_isa_name((ruv_isa)isa), ruv_op_name((ruv_op)op),
                                   ruv_dtype_name((ruv_dtype)t), n, got, off, first);
                            g_failed_checks++;
                            break;
                        }
                    }
                }
            }
        }
    }
    free(a);
    free(b);
    free(src_a);
    free(src_b);
}

/* The one-to-many binary kernels (hamming_many, jaccard_many) of every ISA against the bit-count
   reference per code: code lengths around the 64-byte single-load limit and past it, counts
   around the 8-code step (tails), strides equal to and longer than the code, misaligned bases,
   all-ones codes (the largest sums), and a query that equals one code (distance 0). */
TEST(kernels_many) {
    static const size_t lens[] = {0, 1, 7, 8, 13, 31, 32, 33, 63, 64, 65, 98, 128, 200};
    static const size_t counts[] = {0, 1, 7, 8, 9, 16, 23, 64};
    unsigned char *base = (unsigned char *)malloc(64 * 300 + 8), *q = (unsigned char *)malloc(256);
    float out[65];
    int isa;
    REQUIRE(base && q);
    for (isa = RUV_ISA_SERIAL; isa < RUV_ISA_COUNT; isa++) {
        ruv_kernels k;
        size_t li, ci, extra, i, rep;
        if (!ruv_kernels_init((ruv_isa)isa, &k))
            continue;
        REQUIRE(k.hamming_many && k.jaccard_many);
        for (li = 0; li < sizeof lens / sizeof *lens; li++)
            for (extra = 0; extra <= 5; extra += 5)
                for (ci = 0; ci < sizeof counts / sizeof *counts; ci++)
                    for (rep = 0; rep < 2; rep++) {
                        size_t n = lens[li], stride = n + extra, cnt = counts[ci];
                        unsigned char *b = base + 1 + rep * 2; /* misaligned */
                        kfill(RUV_DTYPE_BIN, b, stride * cnt, 11 + li * 7 + ci, 1.0f);
                        kfill(RUV_DTYPE_BIN, q, n, 5 + li, 1.0f);
                        if (rep && cnt > 2) { /* all ones, and the query itself */
                            memset(b, 0xFF, n);
                            memcpy(b + 2 * stride, q, n);
                        }
                        for (i = 0; i <= cnt; i++)
                            out[i] = -1.0f;
                        k.hamming_many(q, b, stride, n, cnt, out);
                        for (i = 0; i < cnt; i++) {
                            double bound, ref = kref(RUV_OP_HAMMING, RUV_DTYPE_BIN, q,
                                                     b + i * stride, n, &bound);
                            if ((double)out[i] != ref && g_failed_checks++ < 20)
                                printf(
                                    "  %s hamming_many n=%zu stride=%zu count=%zu [%zu]: got %g, "
                                    "expected %g\n",
                                    ruv_isa_name(k.isa), n, stride, cnt, i, out[i], ref);
                        }
                        CHECK(out[cnt] == -1.0f); /* nothing written past count */
                        k.jaccard_many(q, b, stride, n, cnt, out);
                        for (i = 0; i < cnt; i++) {
                            double bound, ref = kref(RUV_OP_JACCARD, RUV_DTYPE_BIN, q,
                                                     b + i * stride, n, &bound);
                            if (!(fabs((double)out[i] - ref) <= bound) && g_failed_checks++ < 20)
                                printf(
                                    "  %s jaccard_many n=%zu stride=%zu count=%zu [%zu]: got %g, "
                                    "expected %g\n",
                                    ruv_isa_name(k.isa), n, stride, cnt, i, out[i], ref);
                        }
                    }
    }
    free(base);
    free(q);
}

/* Zero vectors, large magnitudes, denormals, extreme integers, long integer runs (past the
   32-bit flush block) on every ISA. */
TEST(kernels_special) {
    size_t n, i, big = 70000;
    unsigned char *z = (unsigned char *)calloc(big, 4), *a = (unsigned char *)malloc(big * 4);
    unsigned char *b = (unsigned char *)malloc(big * 4);
    int isa;
    REQUIRE(z && a && b);
    for (isa = RUV_ISA_SERIAL; isa < RUV_ISA_COUNT; isa++) {
        ruv_kernels k;
        int t;
        if (!ruv_kernels_init((ruv_isa)isa, &k))
            continue;
        for (t = 0; t < RUV_DTYPE_BIN; t++) {
            kfill((ruv_dtype)t, a, 300, 7, 1.0f);
            for (n = 1; n < 300; n += 37) {
                CHECK(k.fn[RUV_OP_COS][t](z, a, n) == 1.0f);
                CHECK(k.fn[RUV_OP_COS][t](z, z, n) == 1.0f);
                CHECK(k.fn[RUV_OP_L2SQ][t](z, z, n) == 0.0f);
                CHECK(k.fn[RUV_OP_L1][t](a, a, n) == 0.0f);
            }
        }
        CHECK(k.fn[RUV_OP_JACCARD][RUV_DTYPE_BIN](z, z, 100) == 0.0f);
        CHECK(k.fn[RUV_OP_HAMMING][RUV_DTYPE_BIN](z, z, 100) == 0.0f);
        /* f32 large magnitudes and denormals; f16 subnormals */
        kfill(RUV_DTYPE_F32, a, 300, 8, 1e17f);
        kfill(RUV_DTYPE_F32, b, 300, 9, 1e17f);
        for (n = 1; n <= 300; n += 29) {
            int op;
            for (op = 0; op < 4; op++)
                kcheck(&k, (ruv_op)op, RUV_DTYPE_F32, a, b, n, "large");
        }
        kfill(RUV_DTYPE_F32, a, 300, 8, 1e-39f);
        kfill(RUV_DTYPE_F32, b, 300, 9, 1e-39f);
        for (n = 1; n <= 300; n += 29) {
            int op;
            for (op = 0; op < 4; op++)
                kcheck(&k, (ruv_op)op, RUV_DTYPE_F32, a, b, n, "denormal");
        }
        for (i = 0; i < 300; i++) { /* every f16 subnormal magnitude, both signs */
            ((uint16_t *)(void *)a)[i] = (uint16_t)((i % 1023 + 1) | (i & 1 ? 0x8000u : 0));
            ((uint16_t *)(void *)b)[i] = (uint16_t)(((i * 7) % 1023 + 1) | 0x0400u * (i % 3));
        }
        for (n = 1; n <= 300; n += 29) {
            int op;
            for (op = 0; op < 4; op++)
                kcheck(&k, (ruv_op)op, RUV_DTYPE_F16, a, b, n, "f16 subnormal");
        }
        /* extremes over a long run: every i32 lane block must flush before it overflows */
        memset(a, 0x80, big); /* i8 -128, u8 128 */
        memset(b, 0x7F, big); /* i8 127, u8 127 */
        for (t = RUV_DTYPE_I8; t <= RUV_DTYPE_U8; t++) {
            int op;
            for (op = 0; op < 4; op++)
                kcheck(&k, (ruv_op)op, (ruv_dtype)t, a, b, big, "extreme run");
        }
        memset(a, 0xFF, big); /* u8 255 vs 0: the largest squared difference */
        kcheck(&k, RUV_OP_L2SQ, RUV_DTYPE_U8, a, z, big, "255 vs 0");
        kcheck(&k, RUV_OP_DOT, RUV_DTYPE_U8, a, a, big, "255 x 255");
        kcheck(&k, RUV_OP_HAMMING, RUV_DTYPE_BIN, a, z, big, "all ones");
    }
    free(z);
    free(a);
    free(b);
}

/* Independent f16 decoding: sign * 2^(e - 15) * (1 + m / 1024), subnormals m * 2^-24. */
static double f16_value(unsigned h) {
    unsigned e = (h >> 10) & 31u, m = h & 1023u;
    double v = e ? ldexp(1.0 + m / 1024.0, (int)e - 15) : ldexp((double)m, -24);
    return h & 0x8000u ? -v : v;
}

/* f32 -> f16 by search: the nearest finite f16 (ties to the even code), inf from 65520 up. */
static unsigned f16_nearest(float f) {
    double x = fabs((double)f), best = 1e300;
    unsigned h, pick = 0, sign = f < 0 || (f == 0 && 1.0 / f < 0) ? 0x8000u : 0;
    if (x >= 65520.0)
        return sign | 0x7C00u;
    for (h = 0; h < 0x7C00u; h++) {
        double d = fabs(f16_value(h) - x);
        if (d < best || (d == best && !(h & 1u)))
            best = d, pick = h;
    }
    return sign | pick;
}

TEST(convert_f16) {
    unsigned h;
    size_t i, n = 2000;
    float *f = (float *)malloc(n * sizeof *f), *back = (float *)malloc(n * sizeof *back);
    uint16_t *ref = (uint16_t *)malloc(n * 2), *got = (uint16_t *)malloc(n * 2);
    uint64_t seed = 3;
    int isa;
    REQUIRE(f && back && ref && got);
    for (h = 0; h < 0x10000u; h++) { /* decoding: every finite code exactly, inf and NaN */
        float v = ruv_f16_to_f32((uint16_t)h);
        if ((h & 0x7C00u) != 0x7C00u)
            CHECK((double)v == f16_value(h));
        else if (h & 0x3FFu)
            CHECK(v != v);
        else
            CHECK(isinf(v) && (v < 0) == !!(h & 0x8000u));
    }
    for (i = 0; i < n; i++) { /* random magnitudes from 1e-9 to 1e6, exact halfway points */
        double mag = pow(10.0, -9.0 + 15.0 * (double)(rng_next(&seed) >> 11) / 9007199254740992.0);
        f[i] = (float)(rng_unit(&seed) * mag);
        if (i % 5 == 0) {
            unsigned c = (unsigned)(rng_next(&seed) >> 49) & 0x7BFEu;
            f[i] = (float)((f16_value(c) + f16_value(c + 1)) / 2);
        }
    }
    f[0] = 65504.0f, f[1] = 65519.99f, f[2] = 65520.0f, f[3] = -1e30f, f[4] = 0.0f, f[5] = -0.0f;
    f[6] = 2.9802322e-08f; /* half the smallest subnormal: ties to zero */
    f[7] = 2.9802326e-08f; /* just above: rounds up */
    for (i = 0; i < n; i++) {
        ref[i] = (uint16_t)f16_nearest(f[i]);
        if (ruv_f32_to_f16(f[i]) != ref[i] && g_failed_checks < 10) {
            printf("  f16(%.9g) = 0x%04x, expected 0x%04x\n", f[i], ruv_f32_to_f16(f[i]), ref[i]);
            g_failed_checks++;
        }
    }
    CHECK((ruv_f32_to_f16(NAN) & 0x7E00u) == 0x7E00u);
    f[8] = NAN;
    ref[8] = ruv_f32_to_f16(NAN);
    for (isa = RUV_ISA_SERIAL; isa < RUV_ISA_COUNT; isa++) {
        ruv_kernels k;
        if (!ruv_kernels_init((ruv_isa)isa, &k))
            continue;
        k.f32_to_f16(f, got, n);
        k.f16_to_f32(got, back, n);
        for (i = 0; i < n; i++) {
            CHECK(got[i] == ref[i] || (i == 8 && (got[i] & 0x7E00u) == 0x7E00u));
            CHECK(back[i] == ruv_f16_to_f32(got[i]) || back[i] != back[i]);
        }
    }
    free(f), free(back), free(ref), free(got);
}

/* f32 -> bf16 reference: the nearer of the two bf16 neighbours, ties to the even one. */
static unsigned bf16_nearest(float f) {
    uint32_t u, lo;
    double dl, dh;
    float fl, fh;
    memcpy(&u, &f, 4);
    lo = u & 0xFFFF0000u;
    memcpy(&fl, &lo, 4);
    lo += 0x10000u;
    memcpy(&fh, &lo, 4);
    lo -= 0x10000u;
    dl = fabs((double)f - (double)fl);
    dh = isinf(fh) ? (fabs((double)f) >= 3.40277175e38 ? 0 : 1e300) : fabs((double)fh - (double)f);
    if (dh < dl || (dh == dl && ((lo >> 16) & 1u)))
        return (lo >> 16) + 1u;
    return lo >> 16;
}

TEST(convert_bf16) {
    size_t i, n = 3000;
    float *f = (float *)malloc(n * sizeof *f), *back = (float *)malloc(n * sizeof *back);
    uint16_t *got = (uint16_t *)malloc(n * 2);
    uint64_t seed = 5;
    int isa;
    REQUIRE(f && back && got);
    for (i = 0; i < n; i++) {
        uint32_t u = (uint32_t)(rng_next(&seed) >> 32);
        if ((u & 0x7F800000u) == 0x7F800000u)
            u &= 0xBFFFFFFFu; /* no inf/NaN here */
        if (i % 4 == 0)
            u = (u & 0xFFFF0000u) | 0x8000u; /* exact ties */
        memcpy(&f[i], &u, 4);
    }
    for (i = 0; i < n; i++)
        if (ruv_f32_to_bf16(f[i]) != bf16_nearest(f[i]) && g_failed_checks < 10) {
            printf("  bf16(%.9g) = 0x%04x, expected 0x%04x\n", f[i], ruv_f32_to_bf16(f[i]),
                   bf16_nearest(f[i]));
            g_failed_checks++;
        }
    f[0] = NAN, f[1] = INFINITY, f[2] = -INFINITY, f[3] = FLT_MAX;
    CHECK(ruv_f32_to_bf16(INFINITY) == 0x7F80u && ruv_f32_to_bf16(FLT_MAX) == 0x7F80u);
    CHECK((ruv_f32_to_bf16(NAN) & 0x7FC0u) == 0x7FC0u);
    for (isa = RUV_ISA_SERIAL; isa < RUV_ISA_COUNT; isa++) {
        ruv_kernels k;
        if (!ruv_kernels_init((ruv_isa)isa, &k))
            continue;
        k.f32_to_bf16(f, got, n);
        k.bf16_to_f32(got, back, n);
        for (i = 0; i < n; i++) {
            CHECK(got[i] == ruv_f32_to_bf16(f[i]));
            CHECK(back[i] == ruv_bf16_to_f32(got[i]) || i == 0);
        }
    }
    free(f), free(back), free(got);
}
