#define RUVECTOR_IMPLEMENTATION
#include "ruvector.h"
#include <stdio.h>

int main(void) { /* three documents as BM25-style term weights: (term ids ascending, weights) */
    uint32_t d0[] = {3, 17, 40}, d1[] = {17, 99}, d2[] = {5, 40}, q[] = {17, 40};
    float w0[] = {1.2f, 0.5f, 2.0f}, w1[] = {2.6f, 0.7f}, w2[] = {0.3f, 1.1f}, qw[] = {1, 1};
    ruv_sparse_options opt = ruv_sparse_options_init(); /* inner product: distance 1 - dot */
    ruv_sparse_index *idx;
    ruv_hit hits[3];
    size_t n;
    if (ruv_sparse_create(&opt, &idx) != RUV_OK)
        return 1;
    ruv_sparse_add(idx, 0, 3, d0, w0);
    ruv_sparse_add(idx, 1, 2, d1, w1);
    ruv_sparse_add(idx, 2, 2, d2, w2);
    ruv_result r = ruv_sparse_search(idx, 2, q, qw, 3, NULL, hits, &n); /* exact top 3 */
    if (r != RUV_OK)
        printf("search: %s\n", ruv_result_string(r));
    for (size_t i = 0; i < n; i++)
        printf("key %llu score %.2f\n", (unsigned long long)hits[i].key, 1 - hits[i].distance);
    ruv_sparse_free(idx);
    return 0;
}
