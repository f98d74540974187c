/* The helpers declared in test.h. */
#include "test.h"

#define TX_NO_CLOCK
#include "bench/texmex.h"

#ifndef RUV_TEST_DATA_DIR
#define RUV_TEST_DATA_DIR "tests/data"
#endif
#ifndef RUV_EXAMPLE_DATA_DIR
#define RUV_EXAMPLE_DATA_DIR "examples/data"
#endif

/* ---- data files --------------------------------------------------------------------------- */
static void data_path(char *out, size_t cap, int example, const char *file) {
    const char *dir = getenv(example ? "RUV_EXAMPLE_DATA_DIR" : "RUV_TEST_DATA_DIR");
    if (!dir)
        dir = example ? RUV_EXAMPLE_DATA_DIR : RUV_TEST_DATA_DIR;
    snprintf(out, cap, "%s/%s", dir, file);
}

float *load_f(int example, const char *file, size_t max_rows, size_t *n, size_t *dim) {
    char p[1024];
    data_path(p, sizeof p, example, file);
    return tx_read_fvecs(p, max_rows, n, dim);
}

unsigned char *load_bytes(const char *file, size_t *len) {
    char p[1024];
    FILE *f;
    long sz;
    unsigned char *b = NULL;
    data_path(p, sizeof p, 0, file);
    *len = 0;
    if (!(f = fopen(p, "rb")))
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (b = (unsigned char *)malloc((size_t)sz)) != NULL) {
        if (fread(b, 1, (size_t)sz, f) == (size_t)sz) {
            *len = (size_t)sz;
        } else {
            free(b);
            b = NULL;
        }
    }
    fclose(f);
    return b;
}

int32_t *load_i(const char *file, size_t *n, size_t *dim) {
    char p[1024];
    data_path(p, sizeof p, 0, file);
    return tx_read_ivecs(p, 0, n, dim);
}

/* ---- independent references (double precision) ------------------------------------------- */
double ref_dist(ruv_metric m, const float *a, const float *b, size_t n) {
    double s = 0, aa = 0, bb = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        if (m == RUV_METRIC_L2SQ) {
            double d = (double)a[i] - (double)b[i];
            s += d * d;
        } else if (m == RUV_METRIC_L1) {
            s += fabs((double)a[i] - (double)b[i]);
        } else {
            s += (double)a[i] * (double)b[i];
            aa += (double)a[i] * (double)a[i];
            bb += (double)b[i] * (double)b[i];
        }
    }
    if (m == RUV_METRIC_L2SQ || m == RUV_METRIC_L1)
        return s;
    if (m == RUV_METRIC_IP)
        return 1.0 - s;
    return aa > 0 && bb > 0 ? 1.0 - s / sqrt(aa * bb) : 1.0;
}

double tol(ruv_metric m, double d) {
    return m == RUV_METRIC_L2SQ || m == RUV_METRIC_L1 ? 1e-5 * fabs(d) + 1e-4
                                                      : 2e-5 * (1.0 + fabs(d));
}

/* ---- random data -------------------------------------------------------------------------- */
uint64_t rng_next(uint64_t *s) {
    uint64_t x = (*s += 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

float rng_unit(uint64_t *s) {
    return (float)((double)(rng_next(s) >> 11) * (2.0 / 9007199254740992.0) - 1.0);
}

float *random_vecs(size_t n, size_t dim, uint64_t seed) {
    float *v = (float *)malloc(n * dim * sizeof *v);
    size_t i;
    for (i = 0; v && i < n * dim; i++)
        v[i] = rng_unit(&seed);
    return v;
}

/* ---- indexes and searches ----------------------------------------------------------------- */
ruv_index *make_index(ruv_metric metric, ruv_index_kind kind, size_t dim, const float *base,
                      size_t n) {
    ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
    ruv_index *idx = NULL;
    uint64_t *keys = (uint64_t *)malloc(n * sizeof *keys);
    size_t i;
    cfg.metric = metric;
    cfg.kind = kind;
    if (!keys)
        return NULL;
    for (i = 0; i < n; i++)
        keys[i] = i;
    if (ruv_index_create(&cfg, &idx) != RUV_OK ||
        ruv_index_add_batch(idx, n, keys, base, NULL) != RUV_OK) {
        ruv_index_free(idx);
        idx = NULL;
    }
    free(keys);
    return idx;
}

int search_all(const ruv_index *idx, const float *q, size_t nq, size_t k, uint32_t ef,
               uint64_t *found, size_t *cnt) {
    ruv_hit *h = (ruv_hit *)malloc(nq * k * sizeof *h);
    ruv_search_options p;
    size_t i;
    int ok;
    memset(&p, 0, sizeof p);
    p.ef_search = ef;
    if (!h)
        return 0;
    ok = ruv_index_search_batch(idx, nq, q, k, &p, h, cnt) == RUV_OK;
    for (i = 0; i < nq * k; i++)
        found[i] = h[i].key;
    free(h);
    return ok;
}

int same_hits(const ruv_hit *a, size_t na, const ruv_hit *b, size_t nb) {
    size_t i;
    if (na != nb)
        return 0;
    for (i = 0; i < na; i++)
        if (a[i].key != b[i].key || a[i].distance != b[i].distance)
            return 0;
    return 1;
}

int same_searches(const ruv_index *a, const ruv_index *b, const float *qs, size_t nq) {
    size_t q, i;
    for (q = 0; q < nq; q++) {
        ruv_hit ha[10], hb[10];
        size_t na, nb;
        size_t dim = ruv_index_dim(a);
        if (ruv_index_search(a, qs + q * dim, 10, NULL, ha, &na) != RUV_OK ||
            ruv_index_search(b, qs + q * dim, 10, NULL, hb, &nb) != RUV_OK || na != nb)
            return 0;
        for (i = 0; i < na; i++)
            if (ha[i].key != hb[i].key || memcmp(&ha[i].distance, &hb[i].distance, 4) != 0)
                return 0;
    }
    return 1;
}

double recall_vs(const ruv_index *idx, const float *qs, size_t nq, const uint64_t *truth) {
    uint64_t *found = (uint64_t *)malloc(nq * 10 * sizeof *found);
    size_t *cnt = (size_t *)malloc(nq * sizeof *cnt), q, i, j, hit = 0;
    double r = -1;
    if (found && cnt && search_all(idx, qs, nq, 10, 64, found, cnt)) {
        for (q = 0; q < nq; q++)
            for (i = 0; i < cnt[q]; i++)
                for (j = 0; j < 10; j++)
                    if (found[q * 10 + i] == truth[q * 10 + j]) {
                        hit++;
                        break;
                    }
        r = (double)hit / (double)(nq * 10);
    }
    free(found);
    free(cnt);
    return r;
}

/* ---- quantized indexes -------------------------------------------------------------------- */
ruv_index *quant_index(ruv_quant qt, ruv_metric m, ruv_index_kind kind, size_t dim, uint32_t pq_m,
                       uint32_t drop, const float *train, size_t nt) {
    ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
    ruv_index *idx = NULL;
    cfg.quant = qt;
    cfg.metric = m;
    cfg.kind = kind;
    cfg.pq_m = pq_m;
    cfg.drop_f32 = drop;
    if (ruv_index_create(&cfg, &idx) != RUV_OK)
        return NULL;
    if (ruv_index_train(idx, nt, train) != RUV_OK) {
        ruv_index_free(idx);
        return NULL;
    }
    return idx;
}

int add_all(ruv_index *idx, const float *v, size_t n) {
    uint64_t *keys = (uint64_t *)malloc(n * sizeof *keys);
    size_t i;
    int ok;
    if (!keys)
        return 0;
    for (i = 0; i < n; i++)
        keys[i] = i;
    ok = ruv_index_add_batch(idx, n, keys, v, NULL) == RUV_OK;
    free(keys);
    return ok;
}

uint64_t *exact_top10(ruv_metric m, const float *base, size_t nb, size_t dim, const float *qs,
                      size_t nq) {
    ruv_index *f = make_index(m, RUV_INDEX_FLAT, dim, base, nb);
    uint64_t *truth = (uint64_t *)malloc(nq * 10 * sizeof *truth);
    size_t *cnt = (size_t *)malloc(nq * sizeof *cnt);
    int ok = f && truth && cnt && search_all(f, qs, nq, 10, 10, truth, cnt);
    ruv_index_free(f);
    free(cnt);
    if (!ok) {
        free(truth);
        return NULL;
    }
    return truth;
}

double quant_recall(ruv_index *idx, const float *qs, size_t nq, const uint64_t *truth, uint32_t ef,
                    uint32_t rerank) {
    size_t q, i, j, hit = 0;
    for (q = 0; q < nq; q++) {
        ruv_hit h[10];
        size_t n;
        ruv_search_options p;
        memset(&p, 0, sizeof p);
        p.ef_search = ef;
        p.rerank = rerank;
        if (ruv_index_search(idx, qs + q * ruv_index_dim(idx), 10, &p, h, &n) != RUV_OK)
            return -1;
        for (i = 0; i < n; i++)
            for (j = 0; j < 10; j++)
                if (h[i].key == truth[q * 10 + j]) {
                    hit++;
                    break;
                }
    }
    return (double)hit / (double)(nq * 10);
}

/* ---- a counting allocator ----------------------------------------------------------------- */
void *tally_alloc(void *user, size_t size) {
    tally *t = (tally *)user;
    void *p;
    if (++t->calls == t->fail_at)
        return NULL;
    p = malloc(size);
    if (p)
        t->live += size;
    return p;
}

void tally_free(void *user, void *p, size_t size) {
    tally *t = (tally *)user;
    t->live -= size;
    free(p);
}

/* ---- saved files -------------------------------------------------------------------------- */
unsigned char *save_to_mem(const ruv_index *idx, size_t *len) {
    size_t need = ruv_index_serialized_size(idx), got = 0;
    unsigned char *b = (unsigned char *)malloc(need ? need : 1);
    *len = 0;
    if (!b || ruv_index_save_buffer(idx, b, need, &got) != RUV_OK || got != need) {
        free(b);
        return NULL;
    }
    *len = got;
    return b;
}

uint32_t rd32le(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t rd64le(const unsigned char *p) { return rd32le(p) | (uint64_t)rd32le(p + 4) << 32; }

void wr32le(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

void wr64le(unsigned char *p, uint64_t v) {
    wr32le(p, (uint32_t)v);
    wr32le(p + 4, (uint32_t)(v >> 32));
}

size_t sec_off(const unsigned char *b, uint32_t id, size_t *len) {
    uint32_t n = rd32le(b + 20), i;
    for (i = 0; i < n; i++) {
        const unsigned char *e = b + FMT_HDR + i * FMT_SECENT;
        if (rd32le(e) == id) {
            *len = (size_t)rd64le(e + 16);
            return (size_t)rd64le(e + 8);
        }
    }
    return 0;
}

void reseal(unsigned char *b, size_t len) {
    uint32_t n = rd32le(b + 20), i;
    for (i = 0; i < n; i++) {
        unsigned char *e = b + FMT_HDR + i * FMT_SECENT;
        uint64_t off = rd64le(e + 8), sl = rd64le(e + 16);
        if (off <= len && sl <= len - off)
            wr64le(e + 24, test_xxh64_hash(b + off, (size_t)sl, 0));
    }
    memset(b + 120, 0, 8);
    wr64le(b + 120, test_xxh64_hash(b, FMT_HDR + n * FMT_SECENT, 0));
}

int quant_tables(const ruv_index *idx, float *out, size_t n) {
    size_t len = 0, off, slen = 0, i;
    unsigned char *b = save_to_mem(idx, &len);
    int ok = 0;
    if (b && len >= FMT_HDR) {
        off = sec_off(b, FMT_S_QUANT, &slen);
        if (off && slen >= 4 * n && off <= len && slen <= len - off) {
            for (i = 0; i < n; i++) {
                uint32_t u = rd32le(b + off + 4 * i);
                memcpy(&out[i], &u, 4);
            }
            ok = 1;
        }
    }
    free(b);
    return ok;
}

/* ---- XXH64 (from the specification: xxHash's doc/xxhash_spec.md) -------------------------- */
#define XP1 0x9E3779B185EBCA87ull
#define XP2 0xC2B2AE3D27D4EB4Full
#define XP3 0x165667B19E3779F9ull
#define XP4 0x85EBCA77C2B2AE63ull
#define XP5 0x27D4EB2F165667C5ull

static uint64_t xrotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t xround(uint64_t acc, uint64_t lane) {
    acc += lane * XP2;
    return xrotl(acc, 31) * XP1;
}

static uint64_t xmerge(uint64_t acc, uint64_t v) {
    acc ^= xround(0, v);
    return acc * XP1 + XP4;
}

static void xstripe(uint64_t v[4], const unsigned char *p) {
    int i;
    for (i = 0; i < 4; i++)
        v[i] = xround(v[i], rd64le(p + 8 * i));
}

void test_xxh64_init(test_xxh64 *h, uint64_t seed) {
    memset(h, 0, sizeof *h);
    h->seed = seed;
    h->v[0] = seed + XP1 + XP2;
    h->v[1] = seed + XP2;
    h->v[2] = seed;
    h->v[3] = seed - XP1;
}

void test_xxh64_update(test_xxh64 *h, const void *data, size_t n) {
    const unsigned char *p = (const unsigned char *)data;
    if (n == 0)
        return; /* (data may be NULL) */
    h->total += n;
    if (h->nbuf) { /* complete the buffered stripe first */
        size_t take = 32 - h->nbuf < n ? 32 - h->nbuf : n;
        memcpy(h->buf + h->nbuf, p, take);
        h->nbuf += take;
        p += take;
        n -= take;
        if (h->nbuf < 32)
            return;
        xstripe(h->v, h->buf);
        h->nbuf = 0;
    }
    for (; n >= 32; p += 32, n -= 32)
        xstripe(h->v, p);
    memcpy(h->buf, p, n);
    h->nbuf = n;
}

uint64_t test_xxh64_final(const test_xxh64 *h) {
    const unsigned char *p = h->buf;
    size_t n = h->nbuf;
    uint64_t acc;
    if (h->total >= 32) {
        acc = xrotl(h->v[0], 1) + xrotl(h->v[1], 7) + xrotl(h->v[2], 12) + xrotl(h->v[3], 18);
        acc = xmerge(acc, h->v[0]);
        acc = xmerge(acc, h->v[1]);
        acc = xmerge(acc, h->v[2]);
        acc = xmerge(acc, h->v[3]);
    } else {
        acc = h->seed + XP5;
    }
    acc += h->total;
    for (; n >= 8; p += 8, n -= 8) {
        acc ^= xround(0, rd64le(p));
        acc = xrotl(acc, 27) * XP1 + XP4;
    }
    if (n >= 4) {
        acc ^= (uint64_t)rd32le(p) * XP1;
        acc = xrotl(acc, 23) * XP2 + XP3;
        p += 4;
        n -= 4;
    }
    for (; n > 0; p++, n--) {
        acc ^= *p * XP5;
        acc = xrotl(acc, 11) * XP1;
    }
    acc ^= acc >> 33;
    acc *= XP2;
    acc ^= acc >> 29;
    acc *= XP3;
    acc ^= acc >> 32;
    return acc;
}

uint64_t test_xxh64_hash(const void *data, size_t n, uint64_t seed) {
    test_xxh64 h;
    test_xxh64_init(&h, seed);
    test_xxh64_update(&h, data, n);
    return test_xxh64_final(&h);
}
