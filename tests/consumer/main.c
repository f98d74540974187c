/* Consumer check: the file with the implementation builds a small flat index, finds a vector's
   exact neighbour, and checks that the library's version is the header's. */
#define RUVECTOR_IMPLEMENTATION
#include <ruvector.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    float v[4][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, q[3] = {0.1f, 0.9f, 0.0f};
    ruv_index_options cfg = ruv_index_options_init(3);
    ruv_index *idx;
    ruv_hit hit;
    size_t n = 0;
    uint64_t key;
    cfg.kind = RUV_INDEX_FLAT;
    cfg.metric = RUV_METRIC_L2SQ;
    if (ruv_index_create(&cfg, &idx) != RUV_OK)
        return 1;
    for (key = 0; key < 4; key++)
        if (ruv_index_add(idx, 10 + key, v[key]) != RUV_OK)
            return 1;
    if (ruv_index_search(idx, q, 1, NULL, &hit, &n) != RUV_OK || n != 1 || hit.key != 12) {
        fprintf(stderr, "consumer: wrong nearest neighbour\n");
        return 1;
    }
    ruv_index_free(idx);
    printf("ruvector %s (C): nearest key %llu at %.3f\n", ruv_version(),
           (unsigned long long)hit.key, (double)hit.distance);
    return strcmp(ruv_version(), RUV_VERSION_STRING) != 0;
}
