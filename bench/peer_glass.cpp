// Bench-only peer: glass (zilliztech/pyglass, header-only C++20, MIT; read from RUV_GLASS_DIR,
// never copied into this repository) behind a C interface, so that ruv_bench measures it in the
// same run, on the same data, as ruvector and hnswlib. The calls are those of glass's Python
// binding (python/bindings.cc): create_hnsw(metric, quant, R, L) -> Build, then
// create_searcher(graph, metric, quant, refine_quant) -> SetData -> Optimize -> SetEf -> Search.
// Everything runs on one OpenMP thread. glass reports its progress with printf: those lines go to
// stderr here, so that stdout keeps only ruv_bench's JSON.
#include "peer.h"

#include "glass/hnsw/hnsw.hpp"
#include "glass/searcher/graph_searcher.hpp"

#include <malloc.h>
#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>

struct peer_glass_graph {
    glass::Graph<int32_t> graph;
};

struct peer_glass {
    std::unique_ptr<glass::GraphSearcherBase> searcher;
    int32_t ids[1024];
};

// glass's printf lines to stderr while it builds and tunes (restored after)
struct stdout_to_stderr {
    int saved;
    stdout_to_stderr() {
        fflush(stdout);
        saved = dup(1);
        if (saved >= 0)
            dup2(2, 1);
    }
    ~stdout_to_stderr() {
        fflush(stdout);
        if (saved >= 0) {
            dup2(saved, 1);
            close(saved);
        }
    }
};

static double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

extern "C" size_t peer_heap_in_use(void) {
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd; // arena + mmapped blocks
}

extern "C" peer_glass_graph *peer_glass_build(const float *base, size_t n, size_t dim, int ip,
                                              int R, int L, double *build_s) {
    stdout_to_stderr quiet;
    omp_set_num_threads(1);
    std::unique_ptr<glass::Builder> b = glass::create_hnsw(ip ? "IP" : "L2", "SQ8U", R, L);
    if (!b)
        return nullptr;
    auto t0 = std::chrono::steady_clock::now();
    peer_glass_graph *g = new peer_glass_graph{b->Build(base, (int32_t)n, (int32_t)dim)};
    *build_s = seconds_since(t0);
    return g;
}

// A deep copy (glass::Graph is move-only; a searcher takes its graph by value).
extern "C" peer_glass_graph *peer_glass_graph_copy(const peer_glass_graph *g) {
    const glass::Graph<int32_t> &s = g->graph;
    peer_glass_graph *c = new peer_glass_graph{glass::Graph<int32_t>(s.N, s.K)};
    memcpy(c->graph.data, s.data, (size_t)s.N * s.K * sizeof(int32_t));
    c->graph.eps = s.eps;
    if (s.initializer) {
        const glass::HNSWInitializer &si = *s.initializer;
        auto ci = std::make_unique<glass::HNSWInitializer>(si.N, si.K);
        ci->ep = si.ep;
        ci->levels = si.levels;
        for (int32_t i = 0; i < si.N; i++)
            if (si.levels[i] > 0) { // as HNSW::Build allocates them
                size_t bytes = (size_t)si.levels[i] * si.K * sizeof(int);
                ci->lists[i] = (int *)glass::align_alloc(bytes, true, -1);
                memcpy(ci->lists[i], si.lists[i], bytes);
            }
        c->graph.initializer = std::move(ci);
    }
    return c;
}

extern "C" void peer_glass_graph_free(peer_glass_graph *g) { delete g; }

// The searcher inside a Refiner (the refine step wraps the graph searcher).
template <class Refiner> static bool prefetch_of(glass::GraphSearcherBase **s) {
    Refiner *r = dynamic_cast<Refiner *>(*s);
    if (r)
        *s = r->inner.get();
    return r != nullptr;
}

// The prefetch depths Optimize chose: po (neighbours ahead), pl (cache lines of each code).
template <class Quant> static bool prefetch_depth(glass::GraphSearcherBase *s, int *po, int *pl) {
    glass::GraphSearcher<Quant> *g = dynamic_cast<glass::GraphSearcher<Quant> *>(s);
    if (g) {
        *po = g->po;
        *pl = g->pl;
    }
    return g != nullptr;
}

extern "C" peer_glass *peer_glass_searcher(peer_glass_graph *g, const float *base, size_t n,
                                           size_t dim, int ip, const char *quant,
                                           const char *refine, double *setup_s, double *optimize_s,
                                           double *refine_factor, int *po, int *pl) {
    stdout_to_stderr quiet;
    omp_set_num_threads(1);
    peer_glass *p = new peer_glass;
    p->searcher =
        glass::create_searcher(std::move(g->graph), ip ? "IP" : "L2", quant, refine ? refine : "");
    delete g;
    if (!p->searcher) {
        delete p;
        return nullptr;
    }
    *refine_factor = refine && *refine ? glass::get_refine_factor(quant) : 1.0;
    auto t0 = std::chrono::steady_clock::now();
    p->searcher->SetData(base, (int32_t)n, (int32_t)dim);
    *setup_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    p->searcher->Optimize(1);
    *optimize_s = seconds_since(t0);
    *po = *pl = -1;
    glass::GraphSearcherBase *s = p->searcher.get();
    (void)(prefetch_of<glass::Refiner<glass::FP32Quantizer<glass::Metric::L2>>>(&s) ||
           prefetch_of<glass::Refiner<glass::FP32Quantizer<glass::Metric::IP>>>(&s));
    (void)(prefetch_depth<glass::SQ8QuantizerUniform<glass::Metric::L2>>(s, po, pl) ||
           prefetch_depth<glass::SQ8QuantizerUniform<glass::Metric::IP>>(s, po, pl) ||
           prefetch_depth<glass::SQ4QuantizerUniform<glass::Metric::L2>>(s, po, pl) ||
           prefetch_depth<glass::SQ4QuantizerUniform<glass::Metric::IP>>(s, po, pl));
    return p;
}

extern "C" size_t peer_glass_search(peer_glass *p, const float *q, size_t k, size_t ef,
                                    uint64_t *keys) {
    size_t i;
    if (k > 1024)
        k = 1024;
    for (i = 0; i < k; i++)
        p->ids[i] = -1;
    p->searcher->SetEf((int32_t)ef);
    p->searcher->Search(q, (int32_t)k, p->ids);
    for (i = 0; i < k && p->ids[i] >= 0; i++)
        keys[i] = (uint64_t)p->ids[i];
    return i;
}

extern "C" void peer_glass_free(peer_glass *p) { delete p; }
