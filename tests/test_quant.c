/* Quantization: kernels against double references, codes against their documented error
   bounds, recall floors against exact search or the shared ground truth, determinism, bad
   input, persistence and allocation failure. (Over threads: test_threads.c.) */
#include "test.h"

/* ---- kernels ------------------------------------------------------------------------------ */

/* dot_f32_u8, pq_lut and adc of every available ISA against double sums of the same values:
   |error| <= 1e-5 x (sum of |terms|), for n = 0..300 and 1536, 4097, at offsets 0..3. */
TEST(quant_kernels) {
    size_t nmax = 4097 + 4, isa, n, off, j, c;
    float *a = random_vecs(1, nmax, 11), *lut = random_vecs(1, 300 * 256, 12);
    float q[16], cent[16 * 256], out[256];
    uint8_t *b = (uint8_t *)malloc(nmax);
    uint64_t seed = 13;
    REQUIRE(a && lut && b);
    for (n = 0; n < nmax; n++)
        b[n] = (uint8_t)(rng_next(&seed) >> 56);
    for (j = 0; j < 16 * 256; j++)
        cent[j] = rng_unit(&seed);
    for (j = 0; j < 16; j++)
        q[j] = rng_unit(&seed) * 2.0f;
    for (isa = 1; isa < RUV_ISA_COUNT; isa++) {
        ruv_kernels k;
        if (!ruv_kernels_init((ruv_isa)isa, &k))
            continue;
        for (n = 0; n <= 4097; n = n < 300 ? n + 1 : n < 1536 ? 1536 : n + 2561)
            for (off = 0; off < 4; off++) {
                double ref = 0, mag = 0;
                float got = k.dot_f32_u8(a + off, b + off, n);
                for (j = 0; j < n; j++) {
                    ref += (double)a[off + j] * b[off + j];
                    mag += fabs((double)a[off + j] * b[off + j]);
                }
                if (!(fabs(got - ref) <= 1e-5 * mag + 1e-30)) {
                    printf("  %s dot_f32_u8 n=%zu off=%zu: %g vs %g\n", ruv_isa_name(k.isa), n, off,
                           got, ref);
                    g_failed_checks++;
                }
                if (n <= 300) {
                    ref = mag = 0;
                    got = k.adc(lut, b + off, n);
                    for (j = 0; j < n; j++) {
                        ref += lut[j * 256 + b[off + j]];
                        mag += fabs(lut[j * 256 + b[off + j]]);
                    }
                    if (!(fabs(got - ref) <= 1e-5 * mag + 1e-30)) {
                        printf("  %s adc m=%zu: %g vs %g\n", ruv_isa_name(k.isa), n, got, ref);
                        g_failed_checks++;
                    }
                }
            }
        for (n = 1; n <= 16; n++)
            for (off = 0; off < 2; off++) { /* off 0: l2sq, 1: dot */
                k.pq_lut(q, cent, n, off ? RUV_OP_DOT : RUV_OP_L2SQ, out);
                for (c = 0; c < 256; c++) {
                    double ref = 0, mag = 0;
                    for (j = 0; j < n; j++) {
                        double x = q[j], y = cent[j * 256 + c];
                        double t = off ? x * y : (x - y) * (x - y);
                        ref += t;
                        mag += fabs(t);
                    }
                    if (!(fabs(out[c] - ref) <= 1e-5 * mag + 1e-30)) {
                        printf("  %s pq_lut dsub=%zu c=%zu: %g vs %g\n", ruv_isa_name(k.isa), n, c,
                               out[c], ref);
                        g_failed_checks++;
                        break;
                    }
                }
            }
    }
    free(a);
    free(lut);
    free(b);
}

/* dot_i16_u8 of every available ISA against an exact int64 sum: random weights as large as the
   contract (255 sum |a_i| < 2^31) allows, n = 0..300, 1536, 4097, offsets 0..3, and the extremes
   (n = 256, a_i = +-32767, b_i = 255: 99.6% of the 32-bit range). */
TEST(quant_dot_i16) {
    size_t nmax = 4097 + 4, isa, n, off, j;
    int16_t *a = (int16_t *)malloc(nmax * sizeof *a);
    uint8_t *b = (uint8_t *)malloc(nmax);
    uint64_t seed = 17;
    REQUIRE(a && b);
    for (isa = 1; isa < RUV_ISA_COUNT; isa++) {
        ruv_kernels k;
        int sign;
        if (!ruv_kernels_init((ruv_isa)isa, &k))
            continue;
        for (n = 0; n <= 4097; n = n < 300 ? n + 1 : n < 1536 ? 1536 : n + 2561) {
            int64_t amax = 2147483647 / (255 * (int64_t)(n + 4));
            amax = amax > 32767 ? 32767 : amax;
            for (j = 0; j < n + 4; j++) {
                a[j] = (int16_t)((int64_t)(rng_next(&seed) % (uint64_t)(2 * amax + 1)) - amax);
                b[j] = (uint8_t)(rng_next(&seed) >> 56);
            }
            for (off = 0; off < 4; off++) {
                int64_t ref = 0;
                int32_t got = k.dot_i16_u8(a + off, b + off, n);
                for (j = 0; j < n; j++)
                    ref += (int64_t)a[off + j] * b[off + j];
                if (got != ref && g_failed_checks < 20) {
                    printf("  %s dot_i16_u8 n=%zu off=%zu: %ld vs %ld\n", ruv_isa_name(k.isa), n,
                           off, (long)got, (long)ref);
                    g_failed_checks++;
                }
            }
        }
        for (sign = 0; sign < 2; sign++) {
            for (j = 0; j < 256; j++)
                a[j] = (int16_t)(sign ? 32767 : -32767), b[j] = 255;
            CHECK(k.dot_i16_u8(a, b, 256) == (sign ? 2139029760 : -2139029760));
        }
    }
    free(a);
    free(b);
}

/* ---- codes -------------------------------------------------------------------------------- */

/* Each code decodes within its bound of the vector (L2, 500 random vectors of 40 dims, no f32
   copies so that ruv_index_get_vector decodes): SQ8 within half a step inside the trained range
   (clamped outside it); F16 within 2^-11 relative; BF16 within 2^-8 relative; BIN on the right
   side of the mean. And the distance a search reports without re-ranking equals the double
   distance from the query to the decoded vector (SQ8, F16, BF16, PQ), which ties the distance
   algebra on codes to the decoded values. The trained tables are read from a saved copy (FORMAT
   section 13: SQ8 lo and step, BIN mean and mean absolute deviation, per dimension). */
TEST(quant_codes) {
    size_t n = 500, dim = 40, i, j;
    float *v = random_vecs(n, dim, 21), *q = random_vecs(8, dim, 22), out[40];
    ruv_quant qts[] = {RUV_QUANT_SQ8, RUV_QUANT_F16, RUV_QUANT_BF16, RUV_QUANT_BIN, RUV_QUANT_PQ};
    size_t t;
    REQUIRE(v && q);
    for (i = 0; i < n * dim; i++) /* uneven per-dimension ranges */
        v[i] *= (float)(1 + i % dim);
    for (t = 0; t < 5; t++) {
        ruv_index *idx = quant_index(qts[t], RUV_METRIC_L2SQ, RUV_INDEX_FLAT, dim, 10, 1, v, n);
        float lo[40], hi[40], qp[80];
        REQUIRE(idx);
        CHECK(add_all(idx, v, n));
        memset(qp, 0, sizeof qp);
        if (qts[t] == RUV_QUANT_SQ8 || qts[t] == RUV_QUANT_BIN)
            REQUIRE(quant_tables(idx, qp, 2 * dim));
        for (j = 0; j < dim; j++) { /* the trained range, from the tables */
            lo[j] = qp[j];
            hi[j] = qp[j] + 255.0f * qp[dim + j];
        }
        if (qts[t] == RUV_QUANT_SQ8 || qts[t] == RUV_QUANT_BIN)
            for (j = 0; j < dim; j++) { /* tables against the columns, in double precision */
                double mn = v[j], mx = v[j], mean = 0, dev = 0;
                for (i = 0; i < n; i++) {
                    double x = v[i * dim + j];
                    mn = x < mn ? x : mn;
                    mx = x > mx ? x : mx;
                    mean += x / (double)n;
                }
                for (i = 0; i < n; i++)
                    dev += fabs(v[i * dim + j] - mean) / (double)n;
                if (qts[t] == RUV_QUANT_SQ8) { /* below 10,000 rows: minimum and maximum */
                    CHECK(lo[j] == (float)mn);
                    CHECK(fabs(hi[j] - mx) <= 1e-5 * (fabs(mx) + fabs(mn)));
                } else {
                    CHECK(fabs(qp[j] - mean) <= 1e-5 * (1 + dim));
                    CHECK(fabs(qp[dim + j] - dev) <= 1e-5 * (1 + dim));
                }
            }
        for (i = 0; i < n; i++) {
            const float *x = v + i * dim;
            REQUIRE(ruv_index_get_vector(idx, i, out) == RUV_OK);
            for (j = 0; j < dim; j++) {
                double e = fabs((double)out[j] - x[j]), ok = 1;
                switch (qts[t]) {
                case RUV_QUANT_SQ8: {
                    double c = x[j] < lo[j] ? lo[j] : x[j] > hi[j] ? hi[j] : x[j];
                    ok = fabs((double)out[j] - c) <= 0.5 * qp[dim + j] * 1.0001 + 1e-6;
                    break;
                }
                case RUV_QUANT_F16:
                    ok = e <= fabs(x[j]) * (1.0 / 2048) + 1e-7;
                    break;
                case RUV_QUANT_BF16:
                    ok = e <= fabs(x[j]) * (1.0 / 256) + 1e-30;
                    break;
                case RUV_QUANT_BIN:
                    ok = (out[j] > qp[j]) == (x[j] > qp[j]);
                    break;
                default:
                    break;
                }
                if (!ok) {
                    printf("  quant %d vec %zu dim %zu: %g decoded as %g\n", (int)qts[t], i, j,
                           x[j], out[j]);
                    g_failed_checks++;
                    i = n;
                    break;
                }
            }
        }
        if (qts[t] != RUV_QUANT_BIN)
            for (i = 0; i < 8; i++) {
                ruv_hit h[5];
                size_t nh, r;
                REQUIRE(ruv_index_search(idx, q + i * dim, 5, NULL, h, &nh) == RUV_OK);
                CHECK_EQ_INT(nh, 5);
                for (r = 0; r < nh; r++) {
                    double want, tol = 0.0;
                    REQUIRE(ruv_index_get_vector(idx, h[r].key, out) == RUV_OK);
                    want = ref_dist(RUV_METRIC_L2SQ, q + i * dim, out, dim);
                    if (qts[t] == RUV_QUANT_SQ8) { /* + the query's int16 rounding (ruvector.h) */
                        double mw = 0, sc = 0, qinv;
                        for (j = 0; j < dim; j++) {
                            double st = qp[dim + j], w = st * ((double)q[i * dim + j] - lo[j]);
                            mw = fabs(w) > mw ? fabs(w) : mw;
                            sc += floor(((double)out[j] - lo[j]) / st + 0.5);
                        }
                        qinv = mw / 32767; /* the scale's rule: 255 dim max |q16| < 2^31 too */
                        qinv = dim * mw / (2147483647.0 / 255 - (double)dim) > qinv
                                   ? dim * mw / (2147483647.0 / 255 - (double)dim)
                                   : qinv;
                        tol = 1.001 * qinv * sc; /* L2: twice sum |w_i - qinv q16_i| c_i */
                    }
                    if (fabs(h[r].distance - want) > 1e-4 * want + 1e-4 + tol) {
                        printf("  quant %d q%zu: code distance %g, decoded %g\n", (int)qts[t], i,
                               h[r].distance, want);
                        g_failed_checks++;
                    }
                }
            }
        ruv_index_free(idx);
    }
    free(v);
    free(q);
}

/* ---- recall ------------------------------------------------------------------------------- */

/* GloVe 10k (cosine; truth by exact f32 search): SQ8 flat >= 0.985 on the codes alone and
   >= 0.999 re-ranked x4; HNSW (ef 64, re-rank x4) over SQ8, F16 and BF16 codes >= 0.95, with the
   code bytes per vector reported by ruv_index_stats as documented. */
/* SQ8 ranges above 10,000 rows: lo and hi are the values of rank a and n - 1 - a of each column
   (a = floor(1e-4 (n - 1)) = 2 here), checked against sorted copies of the columns; the outliers
   planted beyond them are clamped. For cosine, of the normalised rows. */
static int quant_cmp_f(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}
TEST(quant_sq8_quantiles) {
    size_t n = 25000, dim = 5, i, j, a = 2, m;
    float *v = random_vecs(n, dim, 31), *col = (float *)malloc(n * sizeof(float)), qp[10];
    REQUIRE(v && col);
    for (i = 0; i < 40; i++) /* outliers, two or three per column end */
        v[(i * 613 % n) * dim + i % dim] = (i & 1 ? 1.0f : -1.0f) * (float)(50 + i);
    for (m = 0; m < 2; m++) {
        ruv_metric met = m ? RUV_METRIC_COSINE : RUV_METRIC_L2SQ;
        ruv_index *idx = quant_index(RUV_QUANT_SQ8, met, RUV_INDEX_FLAT, dim, 0, 1, v, n);
        REQUIRE(idx);
        REQUIRE(quant_tables(idx, qp, 2 * dim));
        for (j = 0; j < dim; j++) {
            double hi = (double)qp[j] + 255.0 * qp[dim + j], want_hi;
            for (i = 0; i < n; i++) {
                double x = v[i * dim + j], nn = 0;
                size_t t;
                if (m) { /* the normalised row, in double as a reference */
                    for (t = 0; t < dim; t++)
                        nn += (double)v[i * dim + t] * v[i * dim + t];
                    x /= sqrt(nn);
                }
                col[i] = (float)x;
            }
            qsort(col, n, sizeof *col, quant_cmp_f);
            want_hi = col[n - 1 - a];
            CHECK(fabs(qp[j] - col[a]) <= 1e-6 * (1 + fabs(col[a])));
            CHECK(fabs(hi - want_hi) <= 1e-5 * (fabs(want_hi) + fabs(col[a])));
            CHECK(col[a] > col[0]); /* the planted outliers lie beyond */
        }
        ruv_index_free(idx);
    }
    free(v);
    free(col);
}

/* rerank_dtype F16 / BF16: the copies hold each value to its type's rounding (checked against
   the input in double), re-ranked distances are within the bound that rounding allows of the
   exact double-precision distance, recall@10 of a flat SQ8 index re-ranking 100 candidates
   against the exact neighbours is >= 0.99, the copies take 2 bytes per dimension, the file
   keeps them (reloaded: same hits; version 1.2; an infinite copy in the file is refused), F16
   copies refuse values that would round to infinity and BF16 ones vectors whose rounded copy
   would break the norm bound (the index unchanged), and the options are checked. L2 and cosine
   on a flat index, IP on HNSW. */
TEST(quant_rerank_copies) {
    size_t n = 1500, dim = 48, nq = 40, i, j, t, m; /* small enough for a 4 MB Cortex-M board */
    float *v = random_vecs(n, dim, 41), *qs = random_vecs(nq, dim, 42), out[48];
    ruv_dtype types[2] = {RUV_DTYPE_F16, RUV_DTYPE_BF16};
    ruv_metric mets[3] = {RUV_METRIC_L2SQ, RUV_METRIC_COSINE, RUV_METRIC_IP};
    REQUIRE(v && qs);
    for (t = 0; t < 2; t++)
        for (m = 0; m < 3; m++) {
            double rel = types[t] == RUV_DTYPE_F16 ? 1.0 / 2048 : 1.0 / 256; /* half an ulp */
            ruv_index_options o = ruv_index_options_init((uint32_t)dim);
            ruv_index *idx = NULL, *back = NULL;
            uint64_t *truth = exact_top10(mets[m], v, n, dim, qs, nq);
            ruv_search_options so;
            ruv_hit h[10], h2[10];
            size_t nh, nh2, len = 0, hit = 0;
            unsigned char *b;
            float big[48];
            REQUIRE(truth);
            o.metric = mets[m];
            o.kind = mets[m] == RUV_METRIC_IP ? RUV_INDEX_HNSW : RUV_INDEX_FLAT;
            o.quant = RUV_QUANT_SQ8;
            o.rerank_dtype = types[t];
            REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
            REQUIRE(ruv_index_train(idx, n, v) == RUV_OK);
            CHECK(add_all(idx, v, n));
            CHECK(ruv_index_stats(idx).vector_bytes == ruv_index_stats(idx).capacity * dim * 2);
            for (i = 0; i < n; i += 7) { /* the stored copies (normalised rows for cosine) */
                double nn = 0;
                REQUIRE(ruv_index_get_vector(idx, i, out) == RUV_OK);
                for (j = 0; j < dim; j++)
                    nn += (double)v[i * dim + j] * v[i * dim + j];
                nn = mets[m] == RUV_METRIC_COSINE ? sqrt(nn) : 1.0;
                for (j = 0; j < dim; j++) {
                    double x = v[i * dim + j] / nn;
                    CHECK(fabs(out[j] - x) <= rel * fabs(x) + 1e-7);
                }
            }
            memset(&so, 0, sizeof so);
            so.rerank = 10;
            for (i = 0; i < nq; i++) {
                const float *q = qs + i * dim;
                REQUIRE(ruv_index_search(idx, q, 10, &so, h, &nh) == RUV_OK && nh == 10);
                for (j = 0; j < nh; j++) {
                    const float *x = v + h[j].key * dim;
                    double qq = 0, xx = 0, qx = 0, exact, tol;
                    size_t e, g;
                    for (e = 0; e < dim; e++) {
                        qq += (double)q[e] * q[e];
                        xx += (double)x[e] * x[e];
                        qx += (double)q[e] * x[e];
                    }
                    if (mets[m] == RUV_METRIC_L2SQ) {
                        exact = qq + xx - 2 * qx;
                        tol = 2 * sqrt(exact) * rel * sqrt(xx) + rel * rel * xx + 1e-5 * (qq + xx);
                    } else if (mets[m] == RUV_METRIC_IP) {
                        exact = 1 - qx;
                        tol = rel * sqrt(qq * xx) + 1e-5 * (1 + sqrt(qq * xx));
                    } else {
                        exact = 1 - qx / sqrt(qq * xx);
                        tol = 2 * rel + 1e-5;
                    }
                    CHECK(fabs(h[j].distance - exact) <= tol);
                    for (g = 0; g < 10; g++)
                        hit += truth[i * 10 + g] == h[j].key;
                }
            }
            /* flat: the codes' ranking alone; HNSW over inner products: 0.9875 with f32 copies too
             */
            CHECK((double)hit / (double)(nq * 10) >= (o.kind == RUV_INDEX_FLAT ? 0.99 : 0.97));
            b = save_to_mem(idx, &len); /* reloaded: the copies' type and bytes kept */
            REQUIRE(b);
            CHECK(b[45] == (types[t] == RUV_DTYPE_F16 ? 2 : 3));
            CHECK(b[10] == 2); /* minor version 1.2 */
            REQUIRE(ruv_index_load_buffer(b, len, NULL, &back) == RUV_OK);
            CHECK(ruv_index_config(back).rerank_dtype == types[t]);
            for (i = 0; i < nq; i++) {
                REQUIRE(ruv_index_search(idx, qs + i * dim, 10, &so, h, &nh) == RUV_OK);
                REQUIRE(ruv_index_search(back, qs + i * dim, 10, &so, h2, &nh2) == RUV_OK);
                CHECK(same_hits(h, nh, h2, nh2));
            }
            ruv_index_free(back);
            back = NULL;
            { /* an infinite value in a copy: refused by load and view */
                size_t slen = 0, off = sec_off(b, FMT_S_F32, &slen);
                ruv_index *bad = NULL;
                unsigned char keep0 = 0, keep1 = 0;
                REQUIRE(off && slen == n * dim * 2);
                keep0 = b[off + 6];
                keep1 = b[off + 7];
                b[off + 6] = types[t] == RUV_DTYPE_F16 ? 0x00 : 0x80; /* value 3 of slot 0 */
                b[off + 7] = types[t] == RUV_DTYPE_F16 ? 0x7C : 0x7F;
                reseal(b, len);
                CHECK(ruv_index_load_buffer(b, len, NULL, &bad) == RUV_E_CORRUPT && !bad);
                CHECK(ruv_index_view(b, len, NULL, &bad) == RUV_E_CORRUPT && !bad);
                b[off + 6] = keep0;
                b[off + 7] = keep1;
                reseal(b, len);
                CHECK(ruv_index_load_buffer(b, len, NULL, &bad) == RUV_OK);
                ruv_index_free(bad);
            }
            free(b);
            for (j = 0; j < dim; j++) /* finite, within the norm bound; 70000 is no f16 */
                big[j] = j == 3 ? 70000.0f : 0.5f;
            CHECK(
                ruv_index_add(idx, 5000, big) ==
                (types[t] == RUV_DTYPE_F16 && mets[m] != RUV_METRIC_COSINE ? RUV_E_VALUE : RUV_OK));
            CHECK(ruv_index_count(idx) ==
                  n + (types[t] == RUV_DTYPE_F16 && mets[m] != RUV_METRIC_COSINE ? 0 : 1));
            if (types[t] == RUV_DTYPE_BF16 && mets[m] != RUV_METRIC_COSINE) {
                /* |x|^2 just under FLT_MAX / 4, but its bf16 copy (rounded up) would be over */
                float near[48];
                memset(near, 0, sizeof near);
                near[0] = (float)(9223372036854775808.0 * (1.0 - 1.0 / 1048576.0));
                CHECK(ruv_index_add(idx, 5001, near) == RUV_E_VALUE);
                CHECK(!ruv_index_contains(idx, 5001));
            }
            CHECK(ruv_index_search(idx, qs, 10, &so, h, &nh) == RUV_OK && nh == 10);
            ruv_index_free(idx);
            free(truth);
        }
    { /* options: copies need quantized storage that keeps them; only F32, F16, BF16 */
        ruv_index_options o = ruv_index_options_init((uint32_t)dim);
        ruv_index *idx = NULL;
        o.rerank_dtype = RUV_DTYPE_BF16;
        CHECK(ruv_index_create(&o, &idx) == RUV_E_ARG && !idx);
        o.quant = RUV_QUANT_SQ8;
        o.drop_f32 = 1;
        CHECK(ruv_index_create(&o, &idx) == RUV_E_ARG && !idx);
        o.drop_f32 = 0;
        o.rerank_dtype = RUV_DTYPE_I8;
        CHECK(ruv_index_create(&o, &idx) == RUV_E_ARG && !idx);
        o.rerank_dtype = (ruv_dtype)99;
        CHECK(ruv_index_create(&o, &idx) == RUV_E_ARG && !idx);
        o.rerank_dtype = RUV_DTYPE_F16;
        CHECK(ruv_index_create(&o, &idx) == RUV_OK && idx);
        ruv_index_free(idx);
    }
    free(v);
    free(qs);
}

TEST(quant_recall_glove) {
    size_t nb, dim, nq, qd, t;
    float *base = load_f(1, "glove25k.fvecs", 10000, &nb, &dim);
    float *qs = load_f(1, "glove_query.fvecs", 200, &nq, &qd);
    uint64_t *truth;
    ruv_quant hq[] = {RUV_QUANT_SQ8, RUV_QUANT_F16, RUV_QUANT_BF16};
    REQUIRE(base && qs && qd == dim);
    truth = exact_top10(RUV_METRIC_COSINE, base, nb, dim, qs, nq);
    REQUIRE(truth);
    {
        ruv_index *idx =
            quant_index(RUV_QUANT_SQ8, RUV_METRIC_COSINE, RUV_INDEX_FLAT, dim, 0, 0, base, nb);
        double r1, r4;
        ruv_stats st;
        REQUIRE(idx && add_all(idx, base, nb));
        r1 = quant_recall(idx, qs, nq, truth, 0, 1);
        r4 = quant_recall(idx, qs, nq, truth, 0, 4);
        printf("  SQ8 flat recall@10: codes %.4f, re-ranked x4 %.4f\n", r1, r4);
        CHECK(r1 >= 0.985);
        CHECK(r4 >= 0.999);
        st = ruv_index_stats(idx);
        CHECK_EQ_INT(st.code_bytes, st.capacity * 104 + 2 * dim * 4); /* 100 + float, tables */
        CHECK_EQ_INT(st.vector_bytes, st.capacity * dim * 4);
        ruv_index_free(idx);
    }
    for (t = 0; t < 3; t++) {
        ruv_index *idx = quant_index(hq[t], RUV_METRIC_COSINE, RUV_INDEX_HNSW, dim, 0, 0, base, nb);
        double r;
        REQUIRE(idx && add_all(idx, base, nb));
        r = quant_recall(idx, qs, nq, truth, 64, 4);
        printf("  HNSW over %s codes, re-ranked x4, ef 64: recall@10 %.4f\n",
               t == 0   ? "SQ8"
               : t == 1 ? "F16"
                        : "BF16",
               r);
        CHECK(r >= 0.95);
        ruv_index_free(idx);
    }
    free(base);
    free(qs);
    free(truth);
}

/* MNIST 1k (L2, the shared ground truth): SQ8 flat >= 0.99 on codes; PQ (98 bytes) >= 0.95 on
   codes and >= 0.999 re-ranked x10; binary re-ranked x10 >= 0.99. */
TEST(quant_recall_mnist) {
    size_t nb, dim, nq, qd, ng, gd, q, i;
    float *base = load_f(0, "mnist_base.fvecs", 0, &nb, &dim);
    float *qs = load_f(0, "mnist_query.fvecs", 0, &nq, &qd);
    int32_t *gt = load_i("mnist_groundtruth.ivecs", &ng, &gd);
    uint64_t *truth;
    ruv_index *idx;
    double r, r10;
    REQUIRE(base && qs && gt && qd == dim && ng == nq && gd >= 10);
    truth = (uint64_t *)malloc(nq * 10 * sizeof *truth);
    REQUIRE(truth);
    for (q = 0; q < nq; q++)
        for (i = 0; i < 10; i++)
            truth[q * 10 + i] = (uint64_t)gt[q * gd + i];
    idx = quant_index(RUV_QUANT_SQ8, RUV_METRIC_L2SQ, RUV_INDEX_FLAT, dim, 0, 1, base, nb);
    REQUIRE(idx && add_all(idx, base, nb));
    r = quant_recall(idx, qs, nq, truth, 0, 0);
    printf("  SQ8 flat (no f32 copies) recall@10 %.4f\n", r);
    CHECK(r >= 0.99);
    ruv_index_free(idx);
    idx = quant_index(RUV_QUANT_PQ, RUV_METRIC_L2SQ, RUV_INDEX_FLAT, dim, 98, 0, base, nb);
    REQUIRE(idx && add_all(idx, base, nb));
    r = quant_recall(idx, qs, nq, truth, 0, 1);
    r10 = quant_recall(idx, qs, nq, truth, 0, 10);
    printf("  PQ m=98 flat recall@10: codes %.4f, re-ranked x10 %.4f\n", r, r10);
    CHECK(r >= 0.95);
    CHECK(r10 >= 0.999);
    ruv_index_free(idx);
    idx = quant_index(RUV_QUANT_BIN, RUV_METRIC_L2SQ, RUV_INDEX_FLAT, dim, 0, 0, base, nb);
    REQUIRE(idx && add_all(idx, base, nb));
    r10 = quant_recall(idx, qs, nq, truth, 0, 10);
    printf("  binary flat re-ranked x10 recall@10 %.4f\n", r10);
    CHECK(r10 >= 0.99);
    ruv_index_free(idx);
    free(base);
    free(qs);
    free(gt);
    free(truth);
}

/* Top-10 truth of nq queries: MNIST's shared ground truth (mnist = 1), else the exact flat
   search of base (f32, metric m). NULL if it cannot be had. */
static uint64_t *mnist_or_exact_top10(int mnist, ruv_metric m, const float *base, size_t nb,
                                      size_t dim, const float *qs, size_t nq) {
    size_t ng, gd, q, i;
    int32_t *gt;
    uint64_t *truth;
    if (!mnist)
        return exact_top10(m, base, nb, dim, qs, nq);
    gt = load_i("mnist_groundtruth.ivecs", &ng, &gd);
    truth = gt && ng >= nq && gd >= 10 ? (uint64_t *)malloc(nq * 10 * sizeof *truth) : NULL;
    for (q = 0; truth && q < nq; q++)
        for (i = 0; i < 10; i++)
            truth[q * 10 + i] = (uint64_t)gt[q * gd + i];
    free(gt);
    return truth;
}

/* HNSW over binary and PQ codes (the graph built and walked on the codes, re-ranked by the f32
   copies): GloVe 10k (cosine; truth by exact f32 search) and MNIST (L2, the shared ground
   truth) reach recall@10 >= 0.95 at the stated ef and re-rank factor, binary within 0.01 of
   the flat binary index with the same re-ranking (100 GloVe bits rank coarsely: that, not the
   graph, bounds the recall); without f32 copies, PQ
   HNSW finds the flat PQ index's own top 10 (the same code distances, searched exactly) with
   recall >= 0.95. */
TEST(quant_hnsw_codes) {
    size_t nb, dim, nq, qd, s;
    static const char *const names[2] = {"GloVe 10k, cosine", "MNIST, L2"};
    for (s = 0; s < 2; s++) {
        float *base = s ? load_f(0, "mnist_base.fvecs", 0, &nb, &dim)
                        : load_f(1, "glove25k.fvecs", 10000, &nb, &dim);
        float *qs = s ? load_f(0, "mnist_query.fvecs", 200, &nq, &qd)
                      : load_f(1, "glove_query.fvecs", 200, &nq, &qd);
        ruv_metric m = s ? RUV_METRIC_L2SQ : RUV_METRIC_COSINE;
        uint64_t *truth = NULL, *ptruth;
        ruv_index *idx, *flat;
        size_t *cnt;
        double r, rf;
        REQUIRE(base && qs && qd == dim);
        truth = mnist_or_exact_top10(s, m, base, nb, dim, qs, nq);
        REQUIRE(truth);
        flat = quant_index(RUV_QUANT_BIN, m, RUV_INDEX_FLAT, dim, 0, 0, base, nb);
        idx = quant_index(RUV_QUANT_BIN, m, RUV_INDEX_HNSW, dim, 0, 0, base, nb);
        REQUIRE(flat && idx && add_all(flat, base, nb) && add_all(idx, base, nb));
        rf = quant_recall(flat, qs, nq, truth, 0, 32);
        r = quant_recall(idx, qs, nq, truth, 128, 32);
        printf("  %s: binary codes re-ranked x32: flat recall@10 %.4f, HNSW (ef 128) %.4f\n",
               names[s], rf, r);
        CHECK(r >= 0.95 && r >= rf - 0.01);
        ruv_index_free(idx);
        ruv_index_free(flat);
        idx = quant_index(RUV_QUANT_PQ, m, RUV_INDEX_HNSW, dim, 0, 0, base, nb);
        REQUIRE(idx && add_all(idx, base, nb));
        r = quant_recall(idx, qs, nq, truth, 64, 8);
        printf("  %s: HNSW over PQ codes (m = dim / 4), ef 64, re-ranked x8: recall@10 %.4f\n",
               names[s], r);
        CHECK(r >= 0.95);
        ruv_index_free(idx);
        /* no f32 copies: against the flat PQ index's exact top 10 on the same codes */
        idx = quant_index(RUV_QUANT_PQ, m, RUV_INDEX_HNSW, dim, 0, 1, base, nb);
        flat = quant_index(RUV_QUANT_PQ, m, RUV_INDEX_FLAT, dim, 0, 1, base, nb);
        ptruth = (uint64_t *)malloc(nq * 10 * sizeof *ptruth);
        cnt = (size_t *)malloc(nq * sizeof *cnt);
        REQUIRE(idx && flat && ptruth && cnt && add_all(idx, base, nb) && add_all(flat, base, nb));
        REQUIRE(search_all(flat, qs, nq, 10, 0, ptruth, cnt));
        r = quant_recall(idx, qs, nq, ptruth, 64, 0);
        printf("  %s: HNSW over PQ codes without f32 copies, ef 64: recall@10 of the PQ top 10 "
               "%.4f\n",
               names[s], r);
        CHECK(r >= 0.95);
        ruv_index_free(idx);
        ruv_index_free(flat);
        free(ptruth);
        free(cnt);
        free(truth);
        free(base);
        free(qs);
    }
}

static ruv_index *walk_index(ruv_quant qt, ruv_metric m, size_t dim, uint32_t drop,
                             const float *base, size_t nb) {
    ruv_index_options o = ruv_index_options_init((uint32_t)dim);
    ruv_index *idx = NULL;
    o.quant = qt;
    o.metric = m;
    o.kind = RUV_INDEX_HNSW;
    o.drop_f32 = qt == RUV_QUANT_NONE ? 0 : drop;
    o.walk_bits = 1;
    if (ruv_index_create(&o, &idx) != RUV_OK)
        return NULL;
    if (ruv_index_train(idx, nb, base) != RUV_OK || !add_all(idx, base, nb)) {
        ruv_index_free(idx);
        return NULL;
    }
    return idx;
}

/* The three-tier search (opt.walk_bits: the HNSW walk on 1-bit codes, the ef candidates
   re-scored on the stored codes, then re-ranked by the f32 copies where kept): GloVe 10k
   (cosine, truth by exact f32 search) at ef 400 and MNIST (L2, the shared ground truth; 784
   bits) at ef 64 reach recall@10 >= 0.95 with SQ8 storage with and without f32 copies, and with
   f32 storage. */
TEST(quant_walk_bits) {
    size_t nb, dim, nq, qd, q, s, t;
    static const char *const names[2] = {"GloVe 10k, cosine", "MNIST, L2"};
    for (s = 0; s < 2; s++) {
        float *base = s ? load_f(0, "mnist_base.fvecs", 0, &nb, &dim)
                        : load_f(1, "glove25k.fvecs", 10000, &nb, &dim);
        float *qs = s ? load_f(0, "mnist_query.fvecs", 200, &nq, &qd)
                      : load_f(1, "glove_query.fvecs", 200, &nq, &qd);
        ruv_metric m = s ? RUV_METRIC_L2SQ : RUV_METRIC_COSINE;
        uint64_t *truth = NULL;
        REQUIRE(base && qs && qd == dim);
        truth = mnist_or_exact_top10(s, m, base, nb, dim, qs, nq);
        REQUIRE(truth);
        for (t = 0; t < 3; t++) {
            ruv_quant qt = t == 2 ? RUV_QUANT_NONE : RUV_QUANT_SQ8;
            ruv_index *idx = walk_index(qt, m, dim, t == 1, base, nb);
            uint32_t ef = s ? 64 : 400; /* 100 GloVe bits order coarsely: a long list */
            double r;
            REQUIRE(idx);
            r = quant_recall(idx, qs, nq, truth, ef, 0);
            printf("  %s: bits walk, %s: recall@10 %.4f at ef %u\n", names[s],
                   t == 0   ? "SQ8 codes, f32 re-rank"
                   : t == 1 ? "SQ8 codes only"
                            : "f32 vectors",
                   r, (unsigned)ef);
            CHECK(r >= 0.95);
            if (t == 0) { /* the same graph without the bits (built on the codes either way):
                             short lists must differ somewhere, or the walk was not on bits */
                ruv_index *plain =
                    quant_index(RUV_QUANT_SQ8, m, RUV_INDEX_HNSW, dim, 0, 0, base, nb);
                size_t differ = 0;
                REQUIRE(plain && add_all(plain, base, nb));
                for (q = 0; q < nq; q++) {
                    ruv_hit h0[10], h1[10];
                    size_t n0, n1;
                    ruv_search_options p;
                    memset(&p, 0, sizeof p);
                    p.ef_search = 10;
                    p.rerank = 1;
                    CHECK(ruv_index_search(idx, qs + q * dim, 10, &p, h0, &n0) == RUV_OK);
                    CHECK(ruv_index_search(plain, qs + q * dim, 10, &p, h1, &n1) == RUV_OK);
                    differ += !same_hits(h0, n0, h1, n1);
                }
                printf("  %s: %zu of %zu queries differ from the walk on the codes (ef 10)\n",
                       names[s], differ, nq);
                CHECK(differ > 0);
                ruv_index_free(plain);
            }
            ruv_index_free(idx);
        }
        free(truth);
        free(base);
        free(qs);
    }
}

/* opt.walk_bits outside the search: refusals, training, set_sq8_range, stats, and files (the
   same searches after save / load / view; header byte 47 bit 1; the flag cleared is refused). */
TEST(quant_walk_bits_api) {
    size_t nb = 300, dim = 20, q, len = 0;
    float *base = random_vecs(nb, dim, 241), lo[20], hi[20];
    ruv_index_options o = ruv_index_options_init((uint32_t)dim);
    ruv_index *idx = NULL, *back = NULL, *view = NULL;
    unsigned char *b;
    ruv_stats st;
    size_t i;
    REQUIRE(base);
    o.kind = RUV_INDEX_HNSW;
    o.walk_bits = 2;
    CHECK(ruv_index_create(&o, &idx) == RUV_E_ARG && !idx);
    o.walk_bits = 1;
    o.kind = RUV_INDEX_FLAT; /* flat indexes scan the codes */
    CHECK(ruv_index_create(&o, &idx) == RUV_E_UNSUPPORTED && !idx);
    o.kind = RUV_INDEX_HNSW;
    o.quant = RUV_QUANT_BIN; /* its codes are bits already */
    CHECK(ruv_index_create(&o, &idx) == RUV_E_UNSUPPORTED && !idx);
    o.quant = RUV_QUANT_NONE;
    o.dtype = RUV_DTYPE_I8;
    CHECK(ruv_index_create(&o, &idx) == RUV_E_UNSUPPORTED && !idx);
    o.dtype = RUV_DTYPE_F32;
    /* f32 storage: trained for the bits' thresholds before the first add */
    REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
    CHECK(!ruv_index_is_trained(idx));
    CHECK(ruv_index_add(idx, 1, base) == RUV_E_UNTRAINED);
    CHECK(ruv_index_train(idx, nb, base) == RUV_OK && add_all(idx, base, nb));
    for (q = 0; q < 10; q++) {
        ruv_hit h[3];
        size_t n;
        CHECK(ruv_index_search(idx, base + q * dim, 3, NULL, h, &n) == RUV_OK && n == 3 &&
              h[0].key == q && h[0].distance == 0.0f);
    }
    st = ruv_index_stats(idx);
    CHECK_EQ_INT(st.code_bytes, st.capacity * 3 + dim * 8); /* 20 bits, mean and deviation */
    ruv_index_free(idx);
    /* SQ8 with given ranges: the bits take the middle of each range */
    o.quant = RUV_QUANT_SQ8;
    for (i = 0; i < dim; i++) {
        lo[i] = -1.0f;
        hi[i] = 1.0f;
    }
    REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
    CHECK(ruv_index_set_sq8_range(idx, lo, hi) == RUV_OK && add_all(idx, base, nb));
    CHECK(ruv_index_remove(idx, 7) == RUV_OK);
    b = save_to_mem(idx, &len);
    REQUIRE(b);
    CHECK(b[10] == 1 && b[47] == 2);
    CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_OK && back);
    CHECK(ruv_index_view(b, len, NULL, &view) == RUV_OK && view);
    REQUIRE(back && view);
    CHECK(ruv_index_config(back).walk_bits == 1);
    CHECK(same_searches(idx, back, base, 20) && same_searches(idx, view, base, 20));
    ruv_index_free(back);
    ruv_index_free(view);
    back = NULL;
    b[47] = 0; /* a bits section the flag does not announce */
    reseal(b, len);
    CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_E_CORRUPT && !back);
    b[47] = 6; /* an unknown flag */
    reseal(b, len);
    CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_E_CORRUPT && !back);
    free(b);
    ruv_index_free(idx);
    /* trained but empty: round-trips, then takes vectors */
    REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
    CHECK(ruv_index_set_sq8_range(idx, lo, hi) == RUV_OK);
    b = save_to_mem(idx, &len);
    REQUIRE(b);
    CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_OK && back);
    CHECK(back && add_all(back, base, nb) && same_searches(back, back, base, 5));
    if (back) {
        ruv_hit h[1];
        size_t n;
        CHECK(ruv_index_search(back, base + 5 * dim, 1, NULL, h, &n) == RUV_OK && n == 1 &&
              h[0].key == 5);
    }
    ruv_index_free(back);
    free(b);
    ruv_index_free(idx);
    free(base);
}

/* ---- determinism, bad input, persistence, allocation failure ------------------------------ */

/* Training twice with one seed gives byte-identical saved indexes; another seed other PQ
   tables. */
TEST(quant_deterministic) {
    size_t n = 600, dim = 16, len[3], s;
    float *v = random_vecs(n, dim, 31);
    unsigned char *b[3];
    REQUIRE(v);
    for (s = 0; s < 3; s++) {
        ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
        ruv_index *idx;
        cfg.quant = RUV_QUANT_PQ;
        cfg.pq_m = 4;
        cfg.seed = s == 2 ? 99 : 7;
        REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
        CHECK(ruv_index_train(idx, n, v) == RUV_OK);
        CHECK(add_all(idx, v, n));
        b[s] = save_to_mem(idx, &len[s]);
        ruv_index_free(idx);
        REQUIRE(b[s]);
    }
    CHECK(len[0] == len[1] && memcmp(b[0], b[1], len[0]) == 0);
    CHECK(len[0] == len[2] && memcmp(b[0], b[2], len[0]) != 0);
    for (s = 0; s < 3; s++)
        free(b[s]);
    free(v);
}

TEST(quant_bad_input) {
    size_t dim = 8, n = 300;
    float *v = random_vecs(n, dim, 41), lo[8], hi[8];
    ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
    ruv_index *idx;
    ruv_search_options p;
    ruv_hit h[4];
    size_t nh, i;
    REQUIRE(v);
    cfg.quant = RUV_QUANT_PQ;
    cfg.pq_m = 3; /* 8 % 3 != 0 */
    CHECK_EQ_INT(ruv_index_create(&cfg, &idx), RUV_E_ARG);
    cfg.pq_m = 2;
    cfg.metric = RUV_METRIC_L1; /* L1 has no code distance for PQ */
    CHECK_EQ_INT(ruv_index_create(&cfg, &idx), RUV_E_UNSUPPORTED);
    cfg.metric = RUV_METRIC_L2SQ;
    cfg.rerank = RUV_MAX_RERANK + 1;
    CHECK_EQ_INT(ruv_index_create(&cfg, &idx), RUV_E_ARG);
    cfg.rerank = 0;
    cfg.metric = RUV_METRIC_L1; /* L1 has no SQ8/BIN/PQ distance */
    CHECK_EQ_INT(ruv_index_create(&cfg, &idx), RUV_E_UNSUPPORTED);
    cfg.metric = RUV_METRIC_L2SQ;
    cfg.quant = (ruv_quant)6;
    CHECK_EQ_INT(ruv_index_create(&cfg, &idx), RUV_E_ARG);
    cfg.quant = RUV_QUANT_PQ;
    REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
    CHECK(!ruv_index_is_trained(idx));
    CHECK_EQ_INT(ruv_index_add(idx, 1, v), RUV_E_UNTRAINED);
    CHECK_EQ_INT(ruv_index_train(idx, 255, v), RUV_E_TRAIN); /* fewer than 256 centroids */
    CHECK_EQ_INT(ruv_index_train(idx, 0, v), RUV_E_ARG);
    CHECK_EQ_INT(ruv_index_set_sq8_range(idx, v, v), RUV_E_ARG); /* not SQ8 */
    v[5] = NAN;
    CHECK_EQ_INT(ruv_index_train(idx, n, v), RUV_E_VALUE);
    v[5] = 0.5f;
    CHECK(!ruv_index_is_trained(idx));
    CHECK_EQ_INT(ruv_index_count(idx), 0);
    CHECK_EQ_INT(ruv_index_search(idx, v, 4, NULL, h, &nh), RUV_OK); /* empty: no hits */
    CHECK_EQ_INT(nh, 0);
    CHECK_EQ_INT(ruv_index_train(idx, n, v), RUV_OK);
    CHECK(ruv_index_is_trained(idx));
    CHECK_EQ_INT(ruv_index_add(idx, 1, v), RUV_OK);
    CHECK_EQ_INT(ruv_index_train(idx, n, v), RUV_E_STATE);
    memset(&p, 0, sizeof p);
    p.rerank = RUV_MAX_RERANK + 1;
    CHECK_EQ_INT(ruv_index_search(idx, v, 4, &p, h, &nh), RUV_E_ARG);
    CHECK_EQ_INT(ruv_index_count(idx), 1);
    ruv_index_free(idx);

    cfg.quant = RUV_QUANT_SQ8;
    REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
    for (i = 0; i < dim; i++) {
        lo[i] = -1.0f;
        hi[i] = 1.0f;
    }
    hi[3] = -2.0f;
    CHECK_EQ_INT(ruv_index_set_sq8_range(idx, lo, hi), RUV_E_ARG);
    hi[3] = INFINITY;
    CHECK_EQ_INT(ruv_index_set_sq8_range(idx, lo, hi), RUV_E_ARG);
    CHECK(!ruv_index_is_trained(idx));
    hi[3] = 1.0f;
    CHECK_EQ_INT(ruv_index_set_sq8_range(idx, lo, hi), RUV_OK);
    CHECK_EQ_INT(ruv_index_add(idx, 1, v), RUV_OK);
    CHECK_EQ_INT(ruv_index_set_sq8_range(idx, lo, hi), RUV_E_STATE);
    ruv_index_free(idx);
    cfg.quant = RUV_QUANT_F16; /* needs no training: train is a no-op */
    REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
    CHECK(ruv_index_is_trained(idx));
    CHECK_EQ_INT(ruv_index_train(idx, n, v), RUV_OK);
    ruv_index_free(idx);
    free(v);
}

/* Every quantizer, flat and HNSW, with and without f32 copies, on 400
   random vectors of 24 dimensions (cosine): save -> load and view search identically to the
   original (keys and bit-identical distances), the loaded index saves to identical bytes, an
   empty untrained index round-trips and can be trained after loading, and a PQ permutation with
   a repeated dimension is refused. */
TEST(quant_persist) {
    size_t nb = 400, dim = 24, nq = 20, t, kind, drop;
    float *base = random_vecs(nb, dim, 61), *qs = random_vecs(nq, dim, 62);
    ruv_quant qts[] = {RUV_QUANT_F16, RUV_QUANT_BF16, RUV_QUANT_SQ8, RUV_QUANT_BIN, RUV_QUANT_PQ};
    REQUIRE(base && qs);
    for (t = 0; t < 5; t++)
        for (kind = 0; kind < 2; kind++)
            for (drop = 0; drop < 2; drop++) {
                ruv_index *idx, *ld = NULL, *vw = NULL;
                unsigned char *b1, *b2;
                size_t l1, l2;
                idx = quant_index(qts[t], RUV_METRIC_COSINE, (ruv_index_kind)kind, dim, 6,
                                  (uint32_t)drop, base, nb);
                REQUIRE(idx && add_all(idx, base, nb));
                CHECK(ruv_index_remove(idx, 5) == RUV_OK);
                b1 = save_to_mem(idx, &l1);
                REQUIRE(b1);
                CHECK(ruv_index_load_buffer(b1, l1, NULL, &ld) == RUV_OK);
                CHECK(ruv_index_view(b1, l1, NULL, &vw) == RUV_OK);
                REQUIRE(ld && vw);
                CHECK(same_searches(idx, ld, qs, nq));
                CHECK(same_searches(idx, vw, qs, nq));
                CHECK_EQ_INT(ruv_index_config(ld).quant, qts[t]);
                CHECK_EQ_INT(ruv_index_config(ld).drop_f32, drop);
                b2 = save_to_mem(ld, &l2);
                CHECK(b2 && l1 == l2 && memcmp(b1, b2, l1) == 0);
                if (qts[t] == RUV_QUANT_PQ) { /* repeat a dimension in the permutation */
                    size_t ql, qo = sec_off(b1, FMT_S_QUANT, &ql);
                    ruv_index *bad = NULL;
                    REQUIRE(qo && ql > 8);
                    memcpy(b1 + qo + 4, b1 + qo, 4);
                    reseal(b1, l1);
                    CHECK_EQ_INT(ruv_index_load_buffer(b1, l1, NULL, &bad), RUV_E_CORRUPT);
                    CHECK_EQ_INT(ruv_index_view(b1, l1, NULL, &bad), RUV_E_CORRUPT);
                }
                free(b1);
                free(b2);
                ruv_index_free(ld);
                ruv_index_free(vw);
                ruv_index_free(idx);
            }
    { /* an empty, untrained SQ8 index round-trips and can be trained after loading */
        ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
        ruv_index *idx, *ld = NULL;
        unsigned char *b;
        size_t l;
        cfg.quant = RUV_QUANT_SQ8;
        REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
        b = save_to_mem(idx, &l);
        REQUIRE(b);
        CHECK(ruv_index_load_buffer(b, l, NULL, &ld) == RUV_OK);
        REQUIRE(ld);
        CHECK(!ruv_index_is_trained(ld));
        CHECK(ruv_index_train(ld, nb, base) == RUV_OK && add_all(ld, base, nb));
        free(b);
        ruv_index_free(ld);
        ruv_index_free(idx);
    }
    free(base);
    free(qs);
}

/* Allocation failure at every allocation of PQ and SQ8 training and of a quantized add: the
   call gives RUV_E_NOMEM, the index stays as it was (untrained, or without the vector), and
   nothing leaks. */
TEST(quant_alloc_failure) {
    size_t dim = 8, n = 300, f, t;
    float *v = random_vecs(n, dim, 51);
    REQUIRE(v);
    for (t = 0; t < 2; t++)
        for (f = 1;; f++) {
            tally tl;
            ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
            ruv_index *idx = NULL;
            ruv_result r;
            memset(&tl, 0, sizeof tl);
            cfg.quant = t ? RUV_QUANT_SQ8 : RUV_QUANT_PQ;
            cfg.pq_m = 4;
            cfg.capacity = 2;
            cfg.alloc.alloc = tally_alloc;
            cfg.alloc.free = tally_free;
            cfg.alloc.user = &tl;
            REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
            tl.fail_at = tl.calls + f;
            r = ruv_index_train(idx, n, v);
            if (r == RUV_OK)
                r = add_all(idx, v, 3) ? RUV_OK : RUV_E_NOMEM;
            tl.fail_at = 0;
            if (r == RUV_OK) {
                CHECK_EQ_INT(ruv_index_count(idx), 3);
                ruv_index_free(idx);
                CHECK_EQ_INT(tl.live, 0);
                break;
            }
            CHECK_EQ_INT(r, RUV_E_NOMEM);
            CHECK_EQ_INT(ruv_index_count(idx), 0);
            if (!ruv_index_is_trained(idx))
                CHECK(ruv_index_train(idx, n, v) == RUV_OK);
            CHECK(add_all(idx, v, 3)); /* still usable */
            ruv_index_free(idx);
            CHECK_EQ_INT(tl.live, 0);
        }
    free(v);
}
