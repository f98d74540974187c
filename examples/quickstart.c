/* The README's quick start, built and run by the tests so that it stays correct. */
#define RUVECTOR_IMPLEMENTATION /* in exactly one .c or .cpp file */
#include "../ruvector.h"
#include <stdio.h>

int main(void) {
    float vecs[3][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0.9f, 0.1f, 0, 0}},
          query[4] = {1, 0.05f, 0, 0};
    ruv_index_options cfg = ruv_index_options_init(4); /* dim 4; every other field 0 = default */
    cfg.kind = RUV_INDEX_HNSW;
    cfg.metric = RUV_METRIC_COSINE;
    ruv_index *idx;
    if (ruv_index_create(&cfg, &idx) != RUV_OK)
        return 1;
    for (uint64_t key = 0; key < 3; key++)
        ruv_index_add(idx, key, vecs[key]);
    ruv_hit hits[2];
    size_t n;
    ruv_result r = ruv_index_search(idx, query, 2, NULL, hits, &n);
    if (r != RUV_OK)
        printf("search: %s\n", ruv_result_string(r));
    for (size_t i = 0; i < n; i++)
        printf("key %llu distance %.3f\n", (unsigned long long)hits[i].key, hits[i].distance);
    ruv_index_free(idx);
    return 0;
}
