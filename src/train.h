/* Quantizer training: SQ8 per-dimension ranges (quantiles), BIN means and deviations, PQ
   sub-space balancing and k-means with k-means++ seeding. */
#ifdef RUV__IMPL

static uint64_t ruv__train_rand(uint64_t *state) {
    *state += 0x9E3779B97F4A7C15ull;
    return ruv__hash_mix64(*state);
}

/* Uniform in [0, 1). */
static double ruv__train_rand01(uint64_t *state) {
    return (double)(ruv__train_rand(state) >> 11) * (1.0 / 9007199254740992.0);
}

static float ruv__train_l2(const float *a, const float *b, size_t n) {
    float s = 0.0f;
    size_t i;
    for (i = 0; i < n; i++)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return s;
}

/* Scratch of the k-means of one PQ sub-space over ns points of ds dimensions. */
typedef struct ruv__km {
    float *x;      /* ns x ds points */
    float *cent;   /* 256 x ds centroids */
    double *sum;   /* 256 x ds */
    float *d2;     /* ns: k-means++ distances */
    uint8_t *asg;  /* ns: assignment */
    size_t *count; /* 256 */
} ruv__km;

/* Lloyd's k-means with k-means++ seeding (Arthur & Vassilvitskii, "k-means++: the advantages of
   careful seeding", SODA 2007) of k->x into 256 centroids, written transposed to ct (ds x 256).
   At most 25 iterations (fewer when no assignment changes); an empty cluster takes half of the
   largest one, the two centroids moved apart by 1/1024 of their components. */
static void ruv__train_kmeans(const ruv_kernels *kern, ruv__km *k, size_t ns, size_t ds,
                              uint64_t *rng, float *ct) {
    float lut[256];
    size_t i, c, d, it;
    double total = 0.0;
    /* k-means++: each next centroid is a point drawn with probability ~ squared distance */
    memcpy(k->cent, k->x + (ruv__train_rand(rng) % ns) * ds, ds * sizeof *k->cent);
    for (i = 0; i < ns; i++)
        total += k->d2[i] = ruv__train_l2(k->x + i * ds, k->cent, ds);
    for (c = 1; c < 256; c++) {
        size_t pick = ns - 1;
        double r = ruv__train_rand01(rng) * total, acc = 0.0;
        if (total <= 0.0) {
            pick = ruv__train_rand(rng) % ns;
        } else {
            for (i = 0; i < ns; i++)
                if ((acc += k->d2[i]) > r) {
                    pick = i;
                    break;
                }
        }
        memcpy(k->cent + c * ds, k->x + pick * ds, ds * sizeof *k->cent);
        total = 0.0;
        for (i = 0; i < ns; i++) {
            float e = ruv__train_l2(k->x + i * ds, k->cent + c * ds, ds);
            if (e < k->d2[i])
                k->d2[i] = e;
            total += k->d2[i];
        }
    }
    for (it = 0;; it++) {
        size_t changed = 0;
        for (c = 0; c < 256; c++)
            for (d = 0; d < ds; d++)
                ct[d * 256 + c] = k->cent[c * ds + d];
        if (it == 25)
            break;
        for (i = 0; i < ns; i++) {
            unsigned a;
            kern->pq_lut(k->x + i * ds, ct, ds, RUV_OP_L2SQ, lut);
            a = ruv__code_argmin256(lut);
            changed += it == 0 || a != k->asg[i];
            k->asg[i] = (uint8_t)a;
        }
        if (!changed)
            break;
        memset(k->sum, 0, 256 * ds * sizeof *k->sum);
        memset(k->count, 0, 256 * sizeof *k->count);
        for (i = 0; i < ns; i++) {
            double *s = k->sum + (size_t)k->asg[i] * ds;
            k->count[k->asg[i]]++;
            for (d = 0; d < ds; d++)
                s[d] += k->x[i * ds + d];
        }
        for (c = 0; c < 256; c++)
            if (k->count[c])
                for (d = 0; d < ds; d++)
                    k->cent[c * ds + d] = (float)(k->sum[c * ds + d] / (double)k->count[c]);
        for (c = 0; c < 256; c++) {
            size_t big = 0, b;
            if (k->count[c])
                continue;
            for (b = 1; b < 256; b++)
                if (k->count[b] > k->count[big])
                    big = b;
            if (k->count[big] < 2)
                break;
            for (d = 0; d < ds; d++) {
                float v = k->cent[big * ds + d], e = (d % 2 ? 1.0f : -1.0f) / 1024.0f;
                k->cent[c * ds + d] = v * (1.0f + e);
                k->cent[big * ds + d] = v * (1.0f - e);
            }
            k->count[c] = k->count[big] / 2;
            k->count[big] -= k->count[c];
        }
    }
}

/* PQ: which dimensions form each sub-space. Dimensions sorted by decreasing variance go one by
   one to the sub-space (with room left) whose sum of log-variances is smallest, so that every
   sub-space gets a similar share of the data's spread (in the spirit of the eigenvalue
   allocation of Ge et al., "Optimized product quantization", TPAMI 2014, without the rotation);
   each sub-space's dimensions in increasing order. */
static void ruv__train_pq_balance(const double *var, size_t dim, size_t m, uint32_t *perm,
                                  uint32_t *order, double *load, size_t *fill) {
    size_t ds = dim / m, i, j;
    for (i = 0; i < dim; i++)
        order[i] = (uint32_t)i;
    for (i = 1; i < dim; i++) { /* insertion sort by decreasing variance, then index */
        uint32_t t = order[i];
        j = i;
        while (j > 0 && var[order[j - 1]] < var[t]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = t;
    }
    for (j = 0; j < m; j++) {
        load[j] = 0.0;
        fill[j] = 0;
    }
    for (i = 0; i < dim; i++) {
        size_t best = m;
        for (j = 0; j < m; j++)
            if (fill[j] < ds && (best == m || load[j] < load[best]))
                best = j;
        perm[best * ds + fill[best]++] = order[i];
        load[best] += log(var[order[i]] + 1e-12);
    }
    for (j = 0; j < m; j++) /* increasing within each sub-space */
        for (i = 1; i < ds; i++) {
            uint32_t t = perm[j * ds + i];
            size_t q = i;
            while (q > 0 && perm[j * ds + q - 1] > t) {
                perm[j * ds + q] = perm[j * ds + q - 1];
                q--;
            }
            perm[j * ds + q] = t;
        }
}

/* Row i of the training set as the index stores it (normalised for cosine), maybe into out. */
static const float *ruv__train_row(const ruv_index *idx, const float *vecs, size_t i, float *out) {
    const float *v = vecs + i * idx->dim;
    if (idx->cfg.metric != RUV_METRIC_COSINE)
        return v;
    ruv__vec_normalize(out, v, idx->dim);
    return out;
}

/* The training sample: rows[0..ns-1] = the first ns of a seeded shuffle of 0..n-1. */
static void ruv__train_sample(uint32_t *rows, size_t n, size_t ns, uint64_t *rng) {
    size_t i;
    for (i = 0; i < n; i++)
        rows[i] = (uint32_t)i;
    if (ns < n)
        for (i = 0; i < ns; i++) {
            size_t t = i + (size_t)(ruv__train_rand(rng) % (n - i));
            uint32_t x = rows[i];
            rows[i] = rows[t];
            rows[t] = x;
        }
}

/* One value of a dimension into its a + 1 smallest (lo, ascending) and largest (hi,
   descending) so far; thr_lo / thr_hi hold their last entries, the bars a value must pass. */
static void ruv__train_sq8_keep(float v, float *lo, float *hi, size_t a, float *thr_lo,
                                float *thr_hi) {
    size_t q;
    if (v < *thr_lo) {
        for (q = a; q > 0 && lo[q - 1] > v; q--)
            lo[q] = lo[q - 1];
        lo[q] = v;
        *thr_lo = lo[a];
    }
    if (v > *thr_hi) {
        for (q = a; q > 0 && hi[q - 1] < v; q--)
            hi[q] = hi[q - 1];
        hi[q] = v;
        *thr_hi = hi[a];
    }
}

/* SQ8 training into qp: per dimension, lo and hi are the 0.01% and 99.99% quantiles of a sample
   of at most 65,536 vectors (the minimum and maximum below 10,000 of them): the few outliers
   beyond are clamped, and every other value gets a finer step. sc = (hi - lo) / 255.
   The quantile of rank a (a <= 6) is found in one pass over the sample, keeping the a + 1
   smallest and largest values of each dimension: O(d) memory (a sorted copy of the sample
   would take ns d floats) and no sort. */
static ruv_result ruv__train_sq8(ruv_index *idx, size_t n, const float *vecs, float *qp) {
    size_t d = idx->dim, ns = n < 65536 ? n : 65536, i, j;
    size_t a = (size_t)(1e-4 * (double)(ns - 1)), w = a + 1;
    uint64_t rng = idx->cfg.seed;
    uint32_t *rows = (uint32_t *)ruv__mem_alloc(&idx->mem, n * sizeof *rows);
    float *keep = (float *)ruv__mem_alloc(&idx->mem, (2 * w + 2) * d * sizeof *keep);
    float *row = idx->ctx->query;
    if (rows && keep) {
        float *lo = keep, *hi = keep + w * d, *thr_lo = hi + w * d, *thr_hi = thr_lo + d;
        for (j = 0; j < w * d; j++) {
            lo[j] = (float)HUGE_VAL;
            hi[j] = -(float)HUGE_VAL;
        }
        for (j = 0; j < d; j++) {
            thr_lo[j] = (float)HUGE_VAL;
            thr_hi[j] = -(float)HUGE_VAL;
        }
        ruv__train_sample(rows, n, ns, &rng);
        for (i = 0; i < ns; i++) {
            const float *v = ruv__train_row(idx, vecs, rows[i], row);
            for (j = 0; j < d; j++)
                if (v[j] < thr_lo[j] || v[j] > thr_hi[j])
                    ruv__train_sq8_keep(v[j], lo + j * w, hi + j * w, a, thr_lo + j, thr_hi + j);
        }
        for (j = 0; j < d; j++) {
            qp[j] = thr_lo[j];
            qp[d + j] = (float)(((double)thr_hi[j] - thr_lo[j]) / 255.0);
        }
    }
    ruv__mem_free(&idx->mem, rows, n * sizeof *rows);
    ruv__mem_free(&idx->mem, keep, (2 * w + 2) * d * sizeof *keep);
    return rows && keep ? RUV_OK : RUV_E_NOMEM;
}

/* PQ training into qp (ruv__index_qp_bytes): sample, permutation, k-means per sub-space. */
static ruv_result ruv__train_pq(ruv_index *idx, size_t n, const float *vecs, float *qp) {
    size_t d = idx->dim, m = idx->cfg.pq_m, ds = d / m, ns = n < 65536 ? n : 65536, i, j;
    uint64_t rng = idx->cfg.seed;
    uint32_t *rows = NULL, *perm = (uint32_t *)(void *)qp, *order = NULL;
    double *var = NULL, *mean = NULL, *load = NULL;
    size_t *fill = NULL;
    float *row = idx->ctx->query;
    ruv__km k;
    ruv__mem *mm = &idx->mem;
    ruv_result r = RUV_E_NOMEM;
    memset(&k, 0, sizeof k);
    if (!(rows = (uint32_t *)ruv__mem_alloc(mm, n * sizeof *rows)) ||
        !(order = (uint32_t *)ruv__mem_alloc(mm, d * sizeof *order)) ||
        !(var = (double *)ruv__mem_alloc(mm, d * sizeof *var)) ||
        !(mean = (double *)ruv__mem_alloc(mm, d * sizeof *mean)) ||
        !(load = (double *)ruv__mem_alloc(mm, m * sizeof *load)) ||
        !(fill = (size_t *)ruv__mem_alloc(mm, m * sizeof *fill)) ||
        !(k.x = (float *)ruv__mem_alloc(mm, ns * ds * sizeof *k.x)) ||
        !(k.cent = (float *)ruv__mem_alloc(mm, 256 * ds * sizeof *k.cent)) ||
        !(k.sum = (double *)ruv__mem_alloc(mm, 256 * ds * sizeof *k.sum)) ||
        !(k.d2 = (float *)ruv__mem_alloc(mm, ns * sizeof *k.d2)) ||
        !(k.asg = (uint8_t *)ruv__mem_alloc(mm, ns)) ||
        !(k.count = (size_t *)ruv__mem_alloc(mm, 256 * sizeof *k.count)))
        goto done;
    ruv__train_sample(rows, n, ns, &rng);
    for (j = 0; j < d; j++)
        var[j] = mean[j] = 0.0;
    for (i = 0; i < ns; i++) {
        const float *v = ruv__train_row(idx, vecs, rows[i], row);
        for (j = 0; j < d; j++) {
            mean[j] += v[j];
            var[j] += (double)v[j] * v[j];
        }
    }
    for (j = 0; j < d; j++) {
        mean[j] /= (double)ns;
        var[j] = var[j] / (double)ns - mean[j] * mean[j];
    }
    ruv__train_pq_balance(var, d, m, perm, order, load, fill);
    for (j = 0; j < m; j++) {
        for (i = 0; i < ns; i++) {
            const float *v = ruv__train_row(idx, vecs, rows[i], row);
            size_t t;
            for (t = 0; t < ds; t++)
                k.x[i * ds + t] = v[perm[j * ds + t]];
        }
        ruv__train_kmeans(&idx->kern, &k, ns, ds, &rng, qp + d + j * ds * 256);
    }
    r = RUV_OK;
done:
    ruv__mem_free(mm, rows, n * sizeof *rows);
    ruv__mem_free(mm, order, d * sizeof *order);
    ruv__mem_free(mm, var, d * sizeof *var);
    ruv__mem_free(mm, mean, d * sizeof *mean);
    ruv__mem_free(mm, load, m * sizeof *load);
    ruv__mem_free(mm, fill, m * sizeof *fill);
    ruv__mem_free(mm, k.x, ns * ds * sizeof *k.x);
    ruv__mem_free(mm, k.cent, 256 * ds * sizeof *k.cent);
    ruv__mem_free(mm, k.sum, 256 * ds * sizeof *k.sum);
    ruv__mem_free(mm, k.d2, ns * sizeof *k.d2);
    ruv__mem_free(mm, k.asg, ns);
    ruv__mem_free(mm, k.count, 256 * sizeof *k.count);
    return r;
}

/* BIN thresholds into qp[0..2 dim - 1]: per dimension the mean, then the mean absolute
   deviation, of the n training vectors (normalised for cosine). */
static void ruv__train_mean_dev(ruv_index *idx, size_t n, const float *vecs, float *qp) {
    size_t i, j, d = idx->dim;
    float *row = idx->ctx->query;
    for (j = 0; j < 2 * d; j++)
        qp[j] = 0.0f;
    for (i = 0; i < n; i++) {
        const float *v = ruv__train_row(idx, vecs, i, row);
        for (j = 0; j < d; j++)
            qp[j] += (v[j] - qp[j]) / (float)(i + 1);
    }
    for (i = 0; i < n; i++) {
        const float *v = ruv__train_row(idx, vecs, i, row);
        for (j = 0; j < d; j++)
            qp[d + j] += (fabsf(v[j] - qp[j]) - qp[d + j]) / (float)(i + 1);
    }
}

/* Installs new quantizer tables, releasing the old ones. */
static void ruv__train_set_tables(ruv_index *idx, float *qp) {
    ruv__mem_free(&idx->mem, idx->qp, ruv__index_qp_bytes(&idx->cfg));
    idx->qp = qp;
}

static ruv_result ruv__i_train(ruv_index *idx, size_t n, const float *vecs) {
    size_t d, i, bytes;
    float *qp;
    ruv_result r = RUV_OK;
    if (!idx || n == 0 || !vecs)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (idx->count)
        return RUV_E_STATE;
    if (idx->cfg.dtype != RUV_DTYPE_F32) /* typed vectors: nothing to train (rows are floats) */
        return RUV_OK;
    d = idx->dim;
    for (i = 0; i < n; i++)
        if (!ruv__code_accepts(idx, vecs + i * d))
            return RUV_E_VALUE;
    if (!(bytes = ruv__index_qp_bytes(&idx->cfg)))
        return RUV_OK;
    if (idx->cfg.quant == RUV_QUANT_PQ && n < 256)
        return RUV_E_TRAIN;
    if (!(qp = (float *)ruv__mem_alloc(&idx->mem, bytes)))
        return RUV_E_NOMEM;
    if (idx->cfg.quant == RUV_QUANT_SQ8)
        r = ruv__train_sq8(idx, n, vecs, qp);
    else if (idx->cfg.quant == RUV_QUANT_BIN)
        ruv__train_mean_dev(idx, n, vecs, qp);
    else if (idx->cfg.quant == RUV_QUANT_PQ)
        r = ruv__train_pq(idx, n, vecs, qp);
    if (idx->cfg.walk_bits) /* the walk's bits, after the storage's tables */
        ruv__train_mean_dev(idx, n, vecs, qp + ruv__index_qp_main(&idx->cfg) / sizeof *qp);
    if (r == RUV_OK && idx->journal)
        r = ruv__journal_log_tables(idx, qp, bytes);
    if (r != RUV_OK) {
        ruv__mem_free(&idx->mem, qp, bytes);
        return r;
    }
    ruv__train_set_tables(idx, qp);
    return RUV_OK;
}

static ruv_result ruv__i_set_sq8_range(ruv_index *idx, const float *lo, const float *hi) {
    size_t d, j;
    float *qp;
    if (!idx || !lo || !hi || idx->cfg.quant != RUV_QUANT_SQ8)
        return RUV_E_ARG;
    d = idx->dim;
    for (j = 0; j < d; j++)
        if (!ruv__vec_finite(lo + j, 1) || !ruv__vec_finite(hi + j, 1) || !(lo[j] <= hi[j]))
            return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (idx->count)
        return RUV_E_STATE;
    if (!(qp = (float *)ruv__mem_alloc(&idx->mem, ruv__index_qp_bytes(&idx->cfg))))
        return RUV_E_NOMEM;
    for (j = 0; j < d; j++) {
        qp[j] = lo[j];
        qp[d + j] = (float)(((double)hi[j] - lo[j]) / 255.0);
        if (idx->cfg.walk_bits) { /* the walk's bits: the middle of each range */
            qp[2 * d + j] = (float)(((double)lo[j] + hi[j]) / 2.0);
            qp[3 * d + j] = (float)(((double)hi[j] - lo[j]) / 4.0);
        }
    }
    if (idx->journal &&
        ruv__journal_log_tables(idx, qp, ruv__index_qp_bytes(&idx->cfg)) != RUV_OK) {
        ruv__mem_free(&idx->mem, qp, ruv__index_qp_bytes(&idx->cfg));
        return RUV_E_IO;
    }
    ruv__train_set_tables(idx, qp);
    return RUV_OK;
}

/* ---- the public calls, between the concurrency guards (src/index.h) ---- */
RUVDEF ruv_result ruv_index_train(ruv_index *idx, size_t n, const float *vecs) {
    RUV__WRITE(idx, ruv__i_train(idx, n, vecs));
}
RUVDEF ruv_result ruv_index_set_sq8_range(ruv_index *idx, const float *lo, const float *hi) {
    RUV__WRITE(idx, ruv__i_set_sq8_range(idx, lo, hi));
}

#endif /* RUV__IMPL */
