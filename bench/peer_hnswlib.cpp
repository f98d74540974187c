// Bench-only peer: hnswlib (Debian libhnswlib-dev, header-only C++) behind a C interface, so that
// ruv_bench measures it in the same run, on the same data, with the same parameters.
#include "peer.h"

#include <hnswlib/hnswlib.h>

#include <malloc.h>
#include <vector>

struct peer_index {
    hnswlib::SpaceInterface<float> *space;
    hnswlib::HierarchicalNSW<float> *hnsw;
};

static size_t heap_in_use() {
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd; // arena + mmapped blocks
}

extern "C" peer_index *peer_hnswlib_build(const float *base, size_t n, size_t dim, int ip, int M,
                                          int ef_construction, unsigned seed, size_t *bytes) {
    size_t before = heap_in_use();
    peer_index *p = new peer_index;
    if (ip)
        p->space = new hnswlib::InnerProductSpace(dim);
    else
        p->space = new hnswlib::L2Space(dim);
    p->hnsw = new hnswlib::HierarchicalNSW<float>(p->space, n, M, ef_construction, seed);
    for (size_t i = 0; i < n; i++)
        p->hnsw->addPoint(base + i * dim, i);
    *bytes = heap_in_use() - before;
    return p;
}

extern "C" size_t peer_hnswlib_search(peer_index *p, const float *q, size_t k, size_t ef,
                                      uint64_t *keys) {
    p->hnsw->setEf(ef);
    std::priority_queue<std::pair<float, hnswlib::labeltype>> r = p->hnsw->searchKnn(q, k);
    size_t n = r.size();
    for (size_t i = n; i-- > 0;) { // the queue pops the farthest first
        keys[i] = r.top().second;
        r.pop();
    }
    return n;
}

extern "C" void peer_hnswlib_free(peer_index *p) {
    if (!p)
        return;
    delete p->hnsw;
    delete p->space;
    delete p;
}
