/* The implementation section: compiled where RUVECTOR_IMPLEMENTATION is defined, once per
   translation unit. RUV__IMPL is defined while its files are read (src/core.h to src/file.h, which
   undefines it). This file: platform headers and switches, the allocator with byte accounting,
   float checks, little-endian field access and XXH64. */
#if defined(RUVECTOR_IMPLEMENTATION) && !defined(RUV__IMPL_DONE)
#define RUV__IMPL_DONE
#define RUV__IMPL 1
#endif
#ifdef RUV__IMPL

#include <math.h>
#include <string.h>
#ifndef RUV_NO_STDIO
#include <stdio.h>
#if defined(_WIN32)
#include <io.h>
#include <windows.h>
#elif defined(__unix__) || defined(__APPLE__) || defined(__EMSCRIPTEN__)
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#define RUV__POSIX_IO 1
#endif
#endif

#if !defined(RUV_NO_THREADS) && (defined(__unix__) || defined(__APPLE__)) &&                       \
    !defined(__EMSCRIPTEN__)
#include <pthread.h>
#define RUV__THREADS 1
#else
#define RUV__THREADS 0
#endif

#if defined(RUV_MALLOC) != defined(RUV_FREE)
#error "define both RUV_MALLOC and RUV_FREE, or neither"
#endif
#include <stdlib.h> /* qsort; malloc and free unless RUV_MALLOC / RUV_FREE are given */
#ifndef RUV_MALLOC
#define RUV_MALLOC(sz, ctx) ((void)(ctx), malloc(sz))
#define RUV_FREE(p, ctx) ((void)(ctx), free(p))
#endif
#ifndef RUV_ASSERT
#include <assert.h>
#define RUV_ASSERT(x) assert(x)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RUV__PREFETCH(p) __builtin_prefetch((const void *)(p), 0, 3)
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#define RUV__PREFETCH(p) _mm_prefetch((const char *)(const void *)(p), _MM_HINT_T0)
#else
#define RUV__PREFETCH(p) ((void)(p))
#endif

/* Starts the cache lines of p[from..to) loading, one prefetch per 64 bytes. */
static void ruv__prefetch_span(const void *p, size_t from, size_t to) {
    size_t b;
    for (b = from; b < to; b += 64)
        RUV__PREFETCH((const unsigned char *)p + b);
    (void)p;
}

#define RUV__NONE 0xFFFFFFFFu     /* empty slot in the key table, "no node" */
#define RUV__EXPANDED 0x80000000u /* candidate-list flag: neighbours already visited */
#define RUV__ALIGN 64u
#define RUV__MAX_LEVEL 31

/* ---- memory ---------------------------------------------------------------------------------- */
/* Every allocation goes through these, which count bytes into *used. */
typedef struct ruv__mem {
    ruv_allocator a;
    size_t used;
} ruv__mem;

static void *ruv__mem_default_alloc(void *user, size_t size) {
    (void)user;
    return RUV_MALLOC(size, user);
}
static void ruv__mem_default_free(void *user, void *p, size_t size) {
    (void)size;
    (void)user;
    RUV_FREE(p, user);
}

/* A counter over the allocator a (all-NULL: RUV_MALLOC / RUV_FREE), nothing counted yet. */
static void ruv__mem_init(ruv__mem *m, ruv_allocator a) {
    m->a = a;
    if (!m->a.alloc) {
        m->a.alloc = ruv__mem_default_alloc;
        m->a.free = ruv__mem_default_free;
    }
    m->used = 0;
}

static void *ruv__mem_alloc(ruv__mem *m, size_t size) {
    void *p;
    if (size == 0)
        size = 1;
    /* no object may exceed PTRDIFF_MAX (pointer differences within it would overflow), and on
       32-bit targets allocators take sizes above it for negative heap increments (Emscripten's
       sbrk: a 2.6 GB request shrank the heap) */
    if (size > (size_t)PTRDIFF_MAX)
        return NULL;
    p = m->a.alloc(m->a.user, size);
    if (p)
        m->used += size;
    return p;
}

static void ruv__mem_free(ruv__mem *m, void *p, size_t size) {
    if (!p)
        return;
    if (size == 0)
        size = 1;
    m->a.free(m->a.user, p, size);
    m->used -= size;
}

/* 64-byte aligned block: the raw pointer is stored just below the aligned address. */
static void *ruv__mem_alloc_aligned(ruv__mem *m, size_t size) {
    unsigned char *raw, *p;
    if (size > (size_t)-1 - RUV__ALIGN - sizeof(void *))
        return NULL;
    raw = (unsigned char *)ruv__mem_alloc(m, size + RUV__ALIGN + sizeof(void *));
    if (!raw)
        return NULL;
    p = raw + sizeof(void *);
    p += (RUV__ALIGN - (size_t)((uintptr_t)p % RUV__ALIGN)) % RUV__ALIGN;
    memcpy(p - sizeof(void *), &raw, sizeof(void *));
    return p;
}

static void ruv__mem_free_aligned(ruv__mem *m, void *p, size_t size) {
    unsigned char *raw;
    if (!p)
        return;
    memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof(void *));
    ruv__mem_free(m, raw, size + RUV__ALIGN + sizeof(void *));
}

/* a * b, or 0 with *ok cleared on overflow. */
static size_t ruv__size_mul(size_t a, size_t b, int *ok) {
    if (a != 0 && b > (size_t)-1 / a) {
        *ok = 0;
        return 0;
    }
    return a * b;
}

/* ---- values ---------------------------------------------------------------------------------- */
static int ruv__f32_finite(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x7F800000u) != 0x7F800000u;
}

/* The largest float below x, for finite x > 0. */
static float ruv__f32_prev(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    u--;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Whether v[0..n-1] are all finite: one pass without an early exit, an OR of exponent tests
   that compilers vectorise (a query's check costs a few percent of a fast search). */
static int ruv__vec_finite(const float *v, size_t n) {
    size_t i;
    uint32_t bad = 0;
    for (i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, v + i, sizeof u);
        bad |= (uint32_t)((u & 0x7F800000u) == 0x7F800000u);
    }
    return !bad;
}

/* dst = src / |src| (norm in double); all-zero stays all-zero. */
static void ruv__vec_normalize(float *dst, const float *src, size_t n) {
    double s = 0.0, inv;
    size_t i;
    for (i = 0; i < n; i++)
        s += (double)src[i] * (double)src[i];
    inv = s > 0.0 ? 1.0 / sqrt(s) : 0.0;
    for (i = 0; i < n; i++)
        dst[i] = (float)((double)src[i] * inv);
}

/* splitmix64: seeds and hashes. */
static uint64_t ruv__hash_mix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* ---- locks ----------------------------------------------------------------------------------- */
/* One writer and many readers (see CONCURRENCY in the documentation): a writer mutex that
   serialises the index's writers, and a reader-writer lock that the writer holds exclusively only
   while it publishes a change. The lock prefers the writer: once it waits, new readers wait too,
   so a stream of searches cannot starve it (and a reader waits at most for one publication). Made
   of a POSIX mutex and two condition variables: every hand-over is a mutex acquire / release,
   which orders all memory accesses before it (no atomics needed). RUV_NO_THREADS builds, WASM and
   non-POSIX targets have no locks at all. */
#if RUV__THREADS
typedef struct ruv__rwlock {
    pthread_mutex_t w;     /* serialises writers */
    pthread_mutex_t m;     /* guards the fields below */
    pthread_cond_t rd, wr; /* readers wait for the writer to leave; the writer for readers */
    size_t readers;        /* threads holding the lock shared */
    int writer, waiting;   /* exclusive holder present; writers waiting for readers to leave */
    int ok;                /* initialised */
} ruv__rwlock;

/* 0 on success; on failure nothing is left to destroy. */
static int ruv__rw_init(ruv__rwlock *l) {
    memset(l, 0, sizeof *l);
    if (pthread_mutex_init(&l->w, NULL))
        return -1;
    if (pthread_mutex_init(&l->m, NULL)) {
        pthread_mutex_destroy(&l->w);
        return -1;
    }
    if (pthread_cond_init(&l->rd, NULL)) {
        pthread_mutex_destroy(&l->m);
        pthread_mutex_destroy(&l->w);
        return -1;
    }
    if (pthread_cond_init(&l->wr, NULL)) {
        pthread_cond_destroy(&l->rd);
        pthread_mutex_destroy(&l->m);
        pthread_mutex_destroy(&l->w);
        return -1;
    }
    l->ok = 1;
    return 0;
}

static void ruv__rw_destroy(ruv__rwlock *l) {
    if (!l->ok)
        return;
    pthread_cond_destroy(&l->wr);
    pthread_cond_destroy(&l->rd);
    pthread_mutex_destroy(&l->m);
    pthread_mutex_destroy(&l->w);
    l->ok = 0;
}

static void ruv__rw_shared(ruv__rwlock *l) {
    pthread_mutex_lock(&l->m);
    while (l->writer || l->waiting)
        pthread_cond_wait(&l->rd, &l->m);
    l->readers++;
    pthread_mutex_unlock(&l->m);
}

static void ruv__rw_shared_end(ruv__rwlock *l) {
    pthread_mutex_lock(&l->m);
    if (--l->readers == 0 && l->waiting)
        pthread_cond_signal(&l->wr);
    pthread_mutex_unlock(&l->m);
}

static void ruv__rw_excl(ruv__rwlock *l) {
    pthread_mutex_lock(&l->m);
    l->waiting++;
    while (l->writer || l->readers)
        pthread_cond_wait(&l->wr, &l->m);
    l->waiting--;
    l->writer = 1;
    pthread_mutex_unlock(&l->m);
}

static void ruv__rw_excl_end(ruv__rwlock *l) {
    pthread_mutex_lock(&l->m);
    l->writer = 0;
    if (l->waiting)
        pthread_cond_signal(&l->wr);
    else
        pthread_cond_broadcast(&l->rd);
    pthread_mutex_unlock(&l->m);
}

/* The index (or other object) whose lock this thread holds, shared or as its writer: calls made
   from inside a callback of that object (a filter reading metadata, a progress report that
   searches) then take no lock again, which could deadlock behind a waiting writer. */
#if defined(__cplusplus)
static thread_local const void *ruv__tls_held;
static thread_local int ruv__tls_writer, ruv__tls_pin;
#else
static __thread const void *ruv__tls_held;
static __thread int ruv__tls_writer, ruv__tls_pin; /* pin: held by ruv_index_read_begin */
#endif
#endif

/* Runs fn(jobs[0]) on the calling thread and fn(jobs[t]), t = 1..n-1 (n <= 64, each job
   `size` bytes), on threads of their own, then joins them. A thread that cannot start runs no
   job: the jobs must share their work (a counter), so the others do its share. Without threads
   only jobs[0] runs. */
static void ruv__threads_run(void *(*fn)(void *), void *jobs, size_t size, size_t n) {
#if RUV__THREADS
    pthread_t tid[64];
    size_t t, started = 0;
    for (t = 1; t < n && t < 64; t++)
        if (pthread_create(&tid[started], NULL, fn, (char *)jobs + t * size) == 0)
            started++;
    (void)fn(jobs);
    for (t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
#else
    (void)size;
    (void)n;
    (void)fn(jobs);
#endif
}

/* Whether this host stores integers little-endian (saved files and journals need it). */
static int ruv__host_le(void) {
    uint16_t x = 1;
    unsigned char c;
    memcpy(&c, &x, 1);
    return c == 1;
}

/* ---- byte order and XXH64 -------------------------------------------------------------------- */
/* Little-endian field access, independent of the host's byte order. */
static uint32_t ruv__le_rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t ruv__le_rd64(const unsigned char *p) {
    return (uint64_t)ruv__le_rd32(p) | (uint64_t)ruv__le_rd32(p + 4) << 32;
}
static void ruv__le_wr32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}
static void ruv__le_wr64(unsigned char *p, uint64_t v) {
    ruv__le_wr32(p, (uint32_t)v);
    ruv__le_wr32(p + 4, (uint32_t)(v >> 32));
}

/* XXH64 (Yann Collet, xxHash specification, github.com/Cyan4973/xxHash doc/xxhash_spec.md),
   streaming: checksums of the saved format and hashes of string ids. */
#define RUV__XP1 0x9E3779B185EBCA87ull
#define RUV__XP2 0xC2B2AE3D27D4EB4Full
#define RUV__XP3 0x165667B19E3779F9ull
#define RUV__XP4 0x85EBCA77C2B2AE63ull
#define RUV__XP5 0x27D4EB2F165667C5ull

typedef struct ruv__xxh {
    uint64_t v[4], total, seed;
    unsigned char buf[32];
    size_t n; /* bytes in buf */
} ruv__xxh;

static uint64_t ruv__xxh_rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t ruv__xxh_round(uint64_t acc, uint64_t in) {
    return ruv__xxh_rotl64(acc + in * RUV__XP2, 31) * RUV__XP1;
}

static void ruv__xxh_init(ruv__xxh *h, uint64_t seed) {
    memset(h, 0, sizeof *h);
    h->seed = seed;
    h->v[0] = seed + RUV__XP1 + RUV__XP2;
    h->v[1] = seed + RUV__XP2;
    h->v[2] = seed;
    h->v[3] = seed - RUV__XP1;
}

static void ruv__xxh_stripe(uint64_t v[4], const unsigned char *p) {
    v[0] = ruv__xxh_round(v[0], ruv__le_rd64(p));
    v[1] = ruv__xxh_round(v[1], ruv__le_rd64(p + 8));
    v[2] = ruv__xxh_round(v[2], ruv__le_rd64(p + 16));
    v[3] = ruv__xxh_round(v[3], ruv__le_rd64(p + 24));
}

static void ruv__xxh_update(ruv__xxh *h, const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    h->total += len;
    if (h->n) {
        size_t t = 32 - h->n < len ? 32 - h->n : len;
        memcpy(h->buf + h->n, p, t);
        h->n += t;
        p += t;
        len -= t;
        if (h->n < 32)
            return;
        ruv__xxh_stripe(h->v, h->buf);
        h->n = 0;
    }
    for (; len >= 32; p += 32, len -= 32)
        ruv__xxh_stripe(h->v, p);
    memcpy(h->buf, p, len);
    h->n = len;
}

static uint64_t ruv__xxh_final(const ruv__xxh *h) {
    const unsigned char *p = h->buf;
    size_t len = h->n, i;
    uint64_t x;
    if (h->total >= 32) {
        x = ruv__xxh_rotl64(h->v[0], 1) + ruv__xxh_rotl64(h->v[1], 7) +
            ruv__xxh_rotl64(h->v[2], 12) + ruv__xxh_rotl64(h->v[3], 18);
        for (i = 0; i < 4; i++)
            x = (x ^ ruv__xxh_round(0, h->v[i])) * RUV__XP1 + RUV__XP4;
    } else {
        x = h->seed + RUV__XP5;
    }
    x += h->total;
    for (; len >= 8; p += 8, len -= 8)
        x = ruv__xxh_rotl64(x ^ ruv__xxh_round(0, ruv__le_rd64(p)), 27) * RUV__XP1 + RUV__XP4;
    if (len >= 4) {
        x = ruv__xxh_rotl64(x ^ (uint64_t)ruv__le_rd32(p) * RUV__XP1, 23) * RUV__XP2 + RUV__XP3;
        p += 4;
        len -= 4;
    }
    for (; len; p++, len--)
        x = ruv__xxh_rotl64(x ^ *p * RUV__XP5, 11) * RUV__XP1;
    x ^= x >> 33;
    x *= RUV__XP2;
    x ^= x >> 29;
    x *= RUV__XP3;
    return x ^ (x >> 32);
}

static uint64_t ruv__xxh64(const void *data, size_t len, uint64_t seed) {
    ruv__xxh h;
    ruv__xxh_init(&h, seed);
    ruv__xxh_update(&h, data, len);
    return ruv__xxh_final(&h);
}

#endif /* RUV__IMPL */
