// C++ use of ruvector.h (C++11 and later): the C API behind a small RAII owner, vectors in
// std::vector, errors as exceptions carrying ruv_result_string. Built and run by the tests.
#define RUVECTOR_IMPLEMENTATION // in exactly one .c or .cpp file
#include "../ruvector.h"

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct IndexDeleter {
    void operator()(ruv_index *idx) const { ruv_index_free(idx); }
};
using Index = std::unique_ptr<ruv_index, IndexDeleter>;

void check(ruv_result r, const char *what) {
    if (r != RUV_OK)
        throw std::runtime_error(std::string(what) + ": " + ruv_result_string(r));
}

Index make_index(uint32_t dim, ruv_metric metric) {
    ruv_index_options cfg = ruv_index_options_init(dim);
    cfg.kind = RUV_INDEX_HNSW;
    cfg.metric = metric;
    ruv_index *raw = nullptr;
    check(ruv_index_create(&cfg, &raw), "create");
    return Index(raw);
}

} // namespace

int main() {
    try {
        Index idx = make_index(3, RUV_METRIC_L2SQ);
        const std::vector<std::vector<float>> rows = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        for (uint64_t key = 0; key < rows.size(); key++)
            check(ruv_index_add(idx.get(), key, rows[key].data()), "add");
        const float query[3] = {0.9f, 0.1f, 0.0f};
        std::vector<ruv_hit> hits(2);
        size_t n = 0;
        check(ruv_index_search(idx.get(), query, hits.size(), nullptr, hits.data(), &n), "search");
        for (size_t i = 0; i < n; i++)
            std::printf("key %llu distance %.3f\n", static_cast<unsigned long long>(hits[i].key),
                        static_cast<double>(hits[i].distance));
        check(ruv_index_add(idx.get(), 1, rows[1].data()), "add key 1 again"); // throws
    } catch (const std::exception &e) {
        std::printf("error: %s\n", e.what());
    }
    return 0;
}
