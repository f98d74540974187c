/* Crash harness for ruv_index_open_file (POSIX): a child process opens the index, performs
   random writes with RUV_DURABLE_EACH (and now and then a checkpoint), and tells the parent over
   a pipe after each acknowledged one; the parent kills it with SIGKILL, either at the N-th I/O
   call of the library (crash points compiled in with RUV_TEST_IO_HOOK and
   RUV_TEST_IO_WRITE_HOOK: before every write, fsync, rename and file creation, inside the
   atomic save and the journal's own replacement; a write killed there first writes 0/8 to 7/8
   of its bytes, a torn write) or after a random delay. The parent then reopens the files and checks
   that the index equals its model after the last acknowledged write, or after the one in flight.
   The model is the parent's own: the child's writes come from a generator that both run on the same
   seed and model state. The files stay from one kill point to the next, so every reopen also
   recovers from the previous crash.

       ruv_journal_crash [--points N] [--kind flat|hnsw|sq8] [--seed S] [--dir DIR]

   Exit status 0 when every kill point left a loadable state equal to the model (printed:
   points, kills by crash point and by timer, in-flight writes found applied, lost, unloadable,
   seconds). The files go to DIR (default /dev/shm if present, else /tmp): the process is killed,
   not the machine, so a RAM file system keeps what a disk would after a process crash. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long crash_calls, crash_at; /* the child's I/O calls; kill at crash_at (0: never) */
static size_t crash_part; /* a write killed: this many 1/8ths of its bytes written first */
static void crash_point(void) {
    if (crash_at && ++crash_calls == crash_at)
        kill(getpid(), SIGKILL);
}
static void crash_write_point(int fd, const void *p, size_t n) {
    if (crash_at && crash_calls + 1 == crash_at && crash_part && n > 1) {
        ssize_t w = write(fd, p, n * crash_part / 8); /* a torn write */
        (void)w;
    }
    crash_point();
}
#define RUV_TEST_IO_HOOK() crash_point()
#define RUV_TEST_IO_WRITE_HOOK(fd, p, n) crash_write_point(fd, p, n)
#define RUVECTOR_IMPLEMENTATION
#include "ruvector.h"

#define CD 16u /* dimension */
#define CK 64u /* keys 0..CK-1 */
#define MAX_OPS 60

typedef struct centry {
    int live;
    float vec[CD];
    unsigned char meta[16];
    size_t meta_len;
} centry;

typedef struct cmodel {
    int trained;
    centry e[CK];
} cmodel;

static uint64_t rnd(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void rvec(uint64_t *s, float *v) {
    size_t d;
    for (d = 0; d < CD; d++)
        v[d] = (float)((double)(rnd(s) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static int g_kind; /* 0 flat, 1 hnsw, 2 sq8 */

/* One operation from the generator, applied to the model and (if idx) to the index: 0 if the
   index refused it. Both processes call it with the same rng and model, so the ops agree. */
static int step(ruv_index *idx, cmodel *m, uint64_t *rng) {
    unsigned op = (unsigned)(rnd(rng) % 100);
    size_t k = (size_t)(rnd(rng) % CK), n, t;
    float v[4 * CD];
    ruv_result r = RUV_OK;
    if (g_kind == 2 && !m->trained) { /* the quantizer first: a tables record */
        float lo[CD], hi[CD];
        for (t = 0; t < CD; t++)
            lo[t] = -1.0f, hi[t] = 1.0f;
        if (idx)
            r = ruv_index_set_sq8_range(idx, lo, hi);
        m->trained = 1;
        return r == RUV_OK;
    }
    if (op < 40) { /* upsert */
        rvec(rng, v);
        if (idx)
            r = ruv_index_upsert(idx, k, v);
        if (!m->e[k].live)
            m->e[k].meta_len = 0;
        m->e[k].live = 1;
        memcpy(m->e[k].vec, v, sizeof m->e[k].vec);
    } else if (op < 55) { /* a batch of up to 4 absent keys */
        uint64_t keys[4];
        for (n = 0, t = 0; t < CK && n < 4; t++) {
            size_t q = (k + t * 11) % CK;
            if (!m->e[q].live)
                keys[n++] = q;
        }
        for (t = 0; t < n; t++)
            rvec(rng, v + t * CD);
        if (idx && n)
            r = ruv_index_add_batch(idx, n, keys, v, NULL);
        for (t = 0; t < n; t++) {
            centry *e = &m->e[keys[t]];
            e->live = 1, e->meta_len = 0;
            memcpy(e->vec, v + t * CD, sizeof e->vec);
        }
    } else if (op < 70) { /* put with metadata */
        ruv_item it;
        unsigned char meta[16];
        size_t ml = (size_t)(rnd(rng) % 17);
        for (t = 0; t < ml; t++)
            meta[t] = (unsigned char)rnd(rng);
        rvec(rng, v);
        memset(&it, 0, sizeof it);
        it.key = k, it.vector = v, it.meta = meta, it.meta_len = ml;
        if (idx)
            r = ruv_index_put(idx, &it, RUV_PUT_UPSERT);
        m->e[k].live = 1;
        memcpy(m->e[k].vec, v, sizeof m->e[k].vec);
        memcpy(m->e[k].meta, meta, ml);
        m->e[k].meta_len = ml;
    } else if (op < 92) { /* remove a live key */
        for (t = 0; t < CK && !m->e[(k + t) % CK].live; t++)
            ;
        if (t < CK) {
            k = (k + t) % CK;
            if (idx)
                r = ruv_index_remove(idx, k);
            m->e[k].live = 0;
        }
    } else if (op < 97) { /* checkpoint: no change of content */
        if (idx)
            r = ruv_index_checkpoint(idx);
    } else if (idx) {
        r = ruv_index_compact(idx);
    }
    if (idx && r != RUV_OK)
        fprintf(stderr, "child: op %u: %s\n", op, ruv_result_string(r));
    return r == RUV_OK;
}

static int equal(const ruv_index *idx, const cmodel *m) {
    size_t k, live = 0;
    if (ruv_index_is_trained(idx) != (g_kind != 2 || m->trained))
        return 0;
    for (k = 0; k < CK; k++) {
        float v[CD];
        const void *meta;
        size_t len;
        if (ruv_index_contains(idx, k) != m->e[k].live)
            return 0;
        if (!m->e[k].live)
            continue;
        live++;
        if (ruv_index_get_vector(idx, k, v) != RUV_OK || memcmp(v, m->e[k].vec, sizeof v) ||
            ruv_index_get_meta(idx, k, &meta, &len) != RUV_OK || len != m->e[k].meta_len ||
            (len && memcmp(meta, m->e[k].meta, len)))
            return 0;
    }
    return ruv_index_count(idx) == live;
}

static ruv_index_options options(void) {
    ruv_index_options o = ruv_index_options_init(CD);
    o.kind = g_kind == 1 ? RUV_INDEX_HNSW : RUV_INDEX_FLAT;
    o.quant = g_kind == 2 ? RUV_QUANT_SQ8 : RUV_QUANT_NONE;
    o.M = 6;
    o.ef_construction = 24;
    o.capacity = 8;
    return o;
}

/* The child: open, then acknowledged writes reported over fd until killed (or MAX_OPS). */
static void child(const char *path, cmodel *m, uint64_t seed, int fd) {
    ruv_index_options o = options();
    ruv_open_options oo;
    ruv_index *idx;
    uint32_t i;
    memset(&oo, 0, sizeof oo);
    oo.create = &o;
    oo.durability = RUV_DURABLE_EACH;
    if (ruv_index_open_file(path, &oo, &idx, NULL) != RUV_OK)
        _exit(4);
    for (i = 0; i < MAX_OPS; i++) {
        uint32_t acked = i + 1;
        if (!step(idx, m, &seed))
            _exit(3);
        if (write(fd, &acked, sizeof acked) != (ssize_t)sizeof acked)
            _exit(5);
    }
    ruv_index_free(idx);
    _exit(0);
}

int main(int argc, char **argv) {
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", *kind = "flat";
    char path[512], b[600];
    long points = 300, p, kills = 0, hook_kills = 0, timer_kills = 0, inflight = 0, lost = 0,
         unloadable = 0, errors = 0;
    uint64_t seed0 = 1, rng;
    cmodel *m = (cmodel *)calloc(1, sizeof *m), *next = (cmodel *)calloc(1, sizeof *m);
    struct timespec t0, t1;
    int i;
    for (i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--points"))
            points = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--kind"))
            kind = argv[i + 1];
        else if (!strcmp(argv[i], "--seed"))
            seed0 = (uint64_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
    }
    g_kind = !strcmp(kind, "hnsw") ? 1 : !strcmp(kind, "sq8") ? 2 : 0;
    if (!m || !next)
        return 2;
    snprintf(path, sizeof path, "%s/ruv_crash_%ld.ruv", dir, (long)getpid());
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rng = seed0 * 0x9E3779B97F4A7C15ull;
    for (p = 0; kills < points && p < points * 4; p++) {
        uint64_t seed = rnd(&rng);
        int fds[2], status, by_hook = (int)(p % 2 == 0), ok_a, ok_b;
        uint32_t acked = 0, got;
        pid_t pid;
        ruv_index *idx = NULL;
        ruv_journal_report rep;
        cmodel *cur = m;
        unsigned long at = 1 + (unsigned long)(rnd(&rng) % 160);
        if (pipe(fds) != 0)
            return 2;
        fflush(stdout);
        if ((pid = fork()) < 0)
            return 2;
        if (pid == 0) {
            close(fds[0]);
            crash_calls = 0;
            crash_at = by_hook ? at : 0;
            crash_part = (size_t)(seed % 8); /* 0: killed before the write */
            child(path, m, seed, fds[1]);
        }
        close(fds[1]);
        if (!by_hook) {
            struct timespec d;
            d.tv_sec = 0;
            d.tv_nsec = (long)(rnd(&rng) % 3000) * 1000; /* 0-3 ms */
            nanosleep(&d, NULL);
            kill(pid, SIGKILL);
        }
        while (read(fds[0], &got, sizeof got) == (ssize_t)sizeof got)
            acked = got;
        close(fds[0]);
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
            kills++;
            if (by_hook)
                hook_kills++;
            else
                timer_kills++;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            errors++;
            fprintf(stderr, "point %ld: child status %d\n", p, status);
        }
        /* the model after the acknowledged writes, and after the one in flight */
        {
            uint64_t s = seed;
            uint32_t n;
            for (n = 0; n < acked; n++)
                step(NULL, m, &s);
            *next = *m;
            step(NULL, next, &s);
        }
        if (ruv_index_open_file(path, NULL, &idx, &rep) != RUV_OK) {
            unloadable++;
            fprintf(stderr, "point %ld: unloadable after %u acknowledged writes\n", p,
                    (unsigned)acked);
            break;
        }
        ok_a = equal(idx, m);
        ok_b = !ok_a && equal(idx, next);
        if (ok_b) {
            inflight++;
            cur = next, next = m, m = cur;
        } else if (!ok_a) {
            lost++;
            fprintf(stderr, "point %ld: state differs from the model after %u writes\n", p,
                    (unsigned)acked);
            ruv_index_free(idx);
            break;
        }
        ruv_index_free(idx);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("journal_crash: kind %s, %ld kill points (%ld at an I/O call, %ld by timer), %ld "
           "in-flight writes found applied, %ld lost acknowledged writes, %ld unloadable "
           "states, %ld child errors, %.1f s\n",
           kind, kills, hook_kills, timer_kills, inflight, lost, unloadable, errors,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    snprintf(b, sizeof b, "%s.journal", path);
    remove(b);
    snprintf(b, sizeof b, "%s.journal.ruvtmp", path);
    remove(b);
    snprintf(b, sizeof b, "%s.ruvtmp", path);
    remove(b);
    remove(path);
    free(m);
    free(next);
    return lost || unloadable || errors || kills < points ? 1 : 0;
}
