// Consumer check from C++17: an HNSW index through the same header.
#define RUVECTOR_IMPLEMENTATION
#include <ruvector.h>

#include <cstdio>
#include <vector>

int main() {
    ruv_index_options cfg = ruv_index_options_init(2);
    cfg.kind = RUV_INDEX_HNSW;
    cfg.metric = RUV_METRIC_COSINE;
    ruv_index *idx = nullptr;
    if (ruv_index_create(&cfg, &idx) != RUV_OK)
        return 1;
    const std::vector<std::vector<float>> vecs = {{1, 0}, {0, 1}, {1, 1}};
    for (uint64_t key = 0; key < vecs.size(); key++)
        if (ruv_index_add(idx, key + 1, vecs[key].data()) != RUV_OK)
            return 1;
    const float q[2] = {0.9f, 1.0f};
    ruv_hit hit{};
    size_t n = 0;
    if (ruv_index_search(idx, q, 1, nullptr, &hit, &n) != RUV_OK || n != 1 || hit.key != 3) {
        std::fprintf(stderr, "consumer (C++): wrong nearest neighbour\n");
        return 1;
    }
    ruv_index_free(idx);
    std::printf("ruvector %s (C++): nearest key %llu\n", ruv_version(),
                static_cast<unsigned long long>(hit.key));
    return 0;
}
