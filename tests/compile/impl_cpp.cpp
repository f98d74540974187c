// The implementation compiled as C++ (any of C++11..20), used from C++ code: builds a small
// HNSW index and checks that every vector finds itself. Prints "1 passed, 0 failed" on success.
#define RUVECTOR_IMPLEMENTATION
#include "../../ruvector.h"

#include <cstdio>
#include <vector>

int main() {
    const uint32_t dim = 24, n = 500;
    std::vector<float> v(static_cast<size_t>(n) * dim);
    uint64_t s = 42;
    for (float &x : v) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x = static_cast<float>(s >> 40) / 16777216.0f;
    }
    ruv_index_options cfg = ruv_index_options_init(dim);
    cfg.kind = RUV_INDEX_HNSW;
    ruv_index *idx = nullptr;
    int bad = ruv_index_create(&cfg, &idx) != RUV_OK;
    for (uint32_t i = 0; !bad && i < n; i++)
        bad = ruv_index_add(idx, i, &v[static_cast<size_t>(i) * dim]) != RUV_OK;
    for (uint32_t i = 0; !bad && i < n; i++) {
        ruv_hit h[1];
        size_t got = 0;
        bad = ruv_index_search(idx, &v[static_cast<size_t>(i) * dim], 1, nullptr, h, &got) !=
                  RUV_OK ||
              got != 1 || h[0].key != i;
    }
    ruv_index_free(idx);
    std::printf("%d passed, %d failed\n", bad ? 0 : 1, bad ? 1 : 0);
    return bad;
}
