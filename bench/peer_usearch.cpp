// Bench-only peer: USearch (header-only C++, include/usearch/*.hpp of the npm package `usearch`)
// behind a C interface, so that `ruv_bench int8` measures its i8 HNSW in the same run, on the same
// int8 vectors, with the same parameters, and `ruv_bench bits` its b1 (binary) HNSW. One thread.
// Built only with -DRUV_USEARCH_INCLUDE=...; nothing of USearch is in this repository. With
// RUV_USEARCH_NUMKONG (NumKong's headers, shipped in the same npm package, compiled for this CPU)
// USearch uses NumKong's SIMD kernels, as its npm and PyPI builds do; otherwise its own
// auto-vectorised loops.
#include "peer.h"

#include <usearch/index_dense.hpp>

#include <chrono>
#include <vector>

using namespace unum::usearch;

struct peer_usearch {
    index_dense_t index;
    std::vector<index_dense_t::vector_key_t> keys;
};

static double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// An index of n vectors of `dims` scalars of kind sk (b1x8: dims in bits, packed 8 per byte),
// `bytes` apart in base, one thread; nullptr on failure.
template <typename T>
static peer_usearch *us_build(const T *base, size_t n, size_t bytes, size_t dims, metric_kind_t mk,
                              scalar_kind_t sk, int M, int efc, double *add_s, size_t *mem,
                              const char **isa) {
    metric_punned_t metric_p(dims, mk, sk);
    index_dense_config_t cfg((size_t)M); // connectivity M, base layer 2M (as hnswlib)
    cfg.expansion_add = (size_t)efc;
    cfg.expansion_search = 64;
    auto made = index_dense_t::make(
        metric_p, cfg, default_free_value<index_dense_t::vector_key_t>(), index_limits_t(n, 1));
    if (!made)
        return nullptr;
    peer_usearch *p = new peer_usearch;
    p->index = std::move(made.index);
    double t0 = now_s();
    for (size_t i = 0; i < n; i++)
        if (!p->index.add((index_dense_t::vector_key_t)i,
                          (const T *)((const char *)base + i * bytes), 0)) {
            delete p;
            return nullptr;
        }
    *add_s = now_s() - t0;
    // USearch's own count (glibc's heap counter, used for hnswlib, saw only part of its memory)
    *mem = p->index.memory_usage();
    if (isa)
        *isa = p->index.metric().isa_name();
    return p;
}

template <typename T>
static size_t us_search(peer_usearch *p, const T *q, size_t k, size_t ef, uint64_t *keys) {
    p->index.change_expansion_search(ef);
    if (p->keys.size() < k)
        p->keys.resize(k);
    auto r = p->index.search(q, k, 0);
    if (!r)
        return 0;
    size_t n = r.dump_to(p->keys.data(), k);
    for (size_t i = 0; i < n; i++)
        keys[i] = (uint64_t)p->keys[i];
    return n;
}

extern "C" peer_usearch *peer_usearch_build_i8(const int8_t *base, size_t n, size_t dim,
                                               const char *metric, int M, int efc, double *add_s,
                                               size_t *bytes, const char **isa) {
    std::string m(metric);
    if (m != "l2" && m != "ip" && m != "cos")
        return nullptr;
    metric_kind_t mk = m == "l2"   ? metric_kind_t::l2sq_k
                       : m == "ip" ? metric_kind_t::ip_k
                                   : metric_kind_t::cos_k;
    return us_build((const i8_t *)base, n, dim, dim, mk, scalar_kind_t::i8_k, M, efc, add_s, bytes,
                    isa);
}

extern "C" size_t peer_usearch_search_i8(peer_usearch *p, const int8_t *q, size_t k, size_t ef,
                                         uint64_t *keys) {
    return us_search(p, (const i8_t *)q, k, ef, keys);
}

extern "C" peer_usearch *peer_usearch_build_b1(const uint8_t *base, size_t n, size_t bits,
                                               int jaccard, int M, int efc, double *add_s,
                                               size_t *bytes, const char **isa) {
    return us_build((const b1x8_t *)base, n, (bits + 7) / 8, bits,
                    jaccard ? metric_kind_t::tanimoto_k : metric_kind_t::hamming_k,
                    scalar_kind_t::b1x8_k, M, efc, add_s, bytes, isa);
}

extern "C" size_t peer_usearch_search_b1(peer_usearch *p, const uint8_t *q, size_t k, size_t ef,
                                         uint64_t *keys) {
    return us_search(p, (const b1x8_t *)q, k, ef, keys);
}

extern "C" void peer_usearch_free(peer_usearch *p) { delete p; }

// The i8 kernels USearch's metric_punned_t calls for ip / cos / l2sq, with ruvector's kernel
// signature, for `ruv_bench kernels`: NumKong's dispatched functions (nk_find_kernel_punned
// picks the same ISA for them), or USearch's own loops without NumKong.
#if USEARCH_USE_NUMKONG
static float us_dot_i8(const void *a, const void *b, size_t n) {
    nk_i32_t r;
    nk_dot_i8((nk_i8_t const *)a, (nk_i8_t const *)b, n, &r);
    return 1.0f - (float)r; // USearch's ip distance
}
static float us_cos_i8(const void *a, const void *b, size_t n) {
    nk_f32_t r;
    nk_angular_i8((nk_i8_t const *)a, (nk_i8_t const *)b, n, &r);
    return r;
}
static float us_l2sq_i8(const void *a, const void *b, size_t n) {
    nk_u32_t r;
    nk_sqeuclidean_i8((nk_i8_t const *)a, (nk_i8_t const *)b, n, &r);
    return (float)r;
}
#else
static float us_dot_i8(const void *a, const void *b, size_t n) {
    return metric_ip_gt<i8_t, f32_t>{}((i8_t const *)a, (i8_t const *)b, n);
}
static float us_cos_i8(const void *a, const void *b, size_t n) {
    return metric_cos_i8_t{}((i8_t const *)a, (i8_t const *)b, n);
}
static float us_l2sq_i8(const void *a, const void *b, size_t n) {
    return metric_l2sq_i8_t{}((i8_t const *)a, (i8_t const *)b, n);
}
#endif

extern "C" size_t peer_usearch_kernels(const char *kernel, const char **isas, peer_kernel_fn *fns,
                                       size_t cap) {
    std::string k(kernel);
    metric_kind_t mk;
    peer_kernel_fn fn;
    if (k == "dot_i8")
        mk = metric_kind_t::ip_k, fn = us_dot_i8;
    else if (k == "cos_i8")
        mk = metric_kind_t::cos_k, fn = us_cos_i8;
    else if (k == "l2sq_i8")
        mk = metric_kind_t::l2sq_k, fn = us_l2sq_i8;
    else
        return 0;
    if (!cap)
        return 0;
    static metric_punned_t probe[3];
    metric_punned_t &m = probe[mk == metric_kind_t::ip_k ? 0 : mk == metric_kind_t::cos_k ? 1 : 2];
    m = metric_punned_t(64, mk, scalar_kind_t::i8_k);
    isas[0] = m.isa_name();
    fns[0] = fn;
    return 1;
}
