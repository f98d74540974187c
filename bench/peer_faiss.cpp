// Bench-only peer: FAISS (Debian libfaiss-dev 1.7.3, static library) behind a C interface, so
// that ruv_bench measures its quantizers in the same run, on the same data, with the same code
// size. One OpenMP thread.
#include "peer.h"

#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHNSW.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexPQ.h>
#include <faiss/IndexRefine.h>
#include <faiss/IndexScalarQuantizer.h>
#include <omp.h>

#include <chrono>
#include <malloc.h>
#include <vector>

struct peer_faiss {
    faiss::Index *base;   // the quantized index
    faiss::Index *search; // base, or a refine wrapper around it
    std::vector<faiss::Index::idx_t> labels;
    std::vector<float> dist;
};

static size_t heap_in_use() {
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

extern "C" peer_faiss *peer_faiss_build(const char *kind, const float *base, size_t n, size_t dim,
                                        int ip, int m, int hnsw_M, int efc, unsigned rerank,
                                        double *train_s, double *add_s, size_t *bytes) {
    omp_set_num_threads(1);
    faiss::MetricType mt = ip ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2;
    std::string k(kind);
    peer_faiss *p = new peer_faiss;
    size_t before = heap_in_use();
    if (k == "sq8")
        p->base = new faiss::IndexScalarQuantizer((faiss::Index::idx_t)dim,
                                                  faiss::ScalarQuantizer::QT_8bit, mt);
    else if (k == "pq")
        p->base = new faiss::IndexPQ((faiss::Index::idx_t)dim, (size_t)m, 8, mt);
    else if (k == "hnsw_sq8") {
        faiss::IndexHNSWSQ *h =
            new faiss::IndexHNSWSQ((int)dim, faiss::ScalarQuantizer::QT_8bit, hnsw_M, mt);
        h->hnsw.efConstruction = efc;
        p->base = h;
    } else {
        delete p;
        return nullptr;
    }
    double t0 = now_s();
    p->base->train((faiss::Index::idx_t)n, base);
    *train_s = now_s() - t0;
    t0 = now_s();
    p->base->add((faiss::Index::idx_t)n, base);
    *add_s = now_s() - t0;
    p->search = p->base;
    if (rerank > 1) { // exact re-ranking over a flat copy of the vectors
        faiss::IndexRefineFlat *r = new faiss::IndexRefineFlat(p->base, base);
        r->k_factor = (float)rerank;
        p->search = r;
    }
    *bytes = heap_in_use() - before;
    return p;
}

extern "C" size_t peer_faiss_search(peer_faiss *p, const float *q, size_t k, size_t ef,
                                    uint64_t *keys) {
    p->labels.resize(k);
    p->dist.resize(k);
    if (faiss::IndexHNSW *h = dynamic_cast<faiss::IndexHNSW *>(p->base))
        h->hnsw.efSearch = (int)ef;
    p->search->search(1, q, (faiss::Index::idx_t)k, p->dist.data(), p->labels.data());
    size_t n = 0;
    for (size_t i = 0; i < k; i++)
        if (p->labels[i] >= 0)
            keys[n++] = (uint64_t)p->labels[i];
    return n;
}

extern "C" void peer_faiss_free(peer_faiss *p) {
    if (!p)
        return;
    if (p->search != p->base)
        delete p->search;
    delete p->base;
    delete p;
}

struct peer_faiss_bin {
    faiss::IndexBinary *idx;
    std::vector<faiss::Index::idx_t> labels;
    std::vector<int32_t> dist;
};

extern "C" peer_faiss_bin *peer_faiss_bin_build(const char *kind, const uint8_t *base, size_t n,
                                                size_t bits, int M, int efc, double *add_s,
                                                size_t *bytes) {
    omp_set_num_threads(1);
    std::string k(kind);
    peer_faiss_bin *p = new peer_faiss_bin;
    size_t before = heap_in_use();
    if (k == "flat")
        p->idx = new faiss::IndexBinaryFlat((faiss::Index::idx_t)bits);
    else if (k == "hnsw") {
        faiss::IndexBinaryHNSW *h = new faiss::IndexBinaryHNSW((int)bits, M);
        h->hnsw.efConstruction = efc;
        p->idx = h;
    } else {
        delete p;
        return nullptr;
    }
    double t0 = now_s();
    p->idx->add((faiss::Index::idx_t)n, base);
    *add_s = now_s() - t0;
    *bytes = heap_in_use() - before;
    return p;
}

extern "C" size_t peer_faiss_bin_search(peer_faiss_bin *p, const uint8_t *q, size_t k, size_t ef,
                                        uint64_t *keys) {
    p->labels.resize(k);
    p->dist.resize(k);
    if (faiss::IndexBinaryHNSW *h = dynamic_cast<faiss::IndexBinaryHNSW *>(p->idx))
        h->hnsw.efSearch = (int)ef;
    p->idx->search(1, q, (faiss::Index::idx_t)k, p->dist.data(), p->labels.data());
    size_t n = 0;
    for (size_t i = 0; i < k; i++)
        if (p->labels[i] >= 0)
            keys[n++] = (uint64_t)p->labels[i];
    return n;
}

extern "C" void peer_faiss_bin_free(peer_faiss_bin *p) {
    if (!p)
        return;
    delete p->idx;
    delete p;
}
