/* Code written against the 0.1 API, unchanged: the deprecated names of src/api_compat.h
   (ruv_config, ruv_config_init, ruv_search_params, the 4-argument ruv_index_add_batch,
   ruv_index_add_batch_ex, ruv_index_get_config, ruv_index_find_id, the 2-argument
   ruv_index_stats) must compile and behave as in 0.1. Built without RUV_NO_DEPRECATED; the
   expected hits are computed here by brute force. Prints "0.1 API: ok". */
#define RUVECTOR_IMPLEMENTATION
#include "ruvector.h"

#include <stdio.h>
#include <string.h>

#define FAIL(what)                                                                                 \
    do {                                                                                           \
        printf("0.1 API: %s failed (line %d)\n", what, __LINE__);                                  \
        return 1;                                                                                  \
    } while (0)

int main(void) {
    float vecs[4][3] = {{0, 0, 0}, {1, 0, 0}, {0, 2, 0}, {0, 0, 3}}, q[3] = {0.9f, 0.1f, 0};
    uint64_t keys[4] = {10, 11, 12, 13}, key = 0;
    ruv_config cfg = ruv_config_init(3);
    ruv_search_params params;
    ruv_build_options bo;
    ruv_stats st;
    ruv_index *idx = NULL;
    ruv_hit hits[4];
    ruv_item it;
    size_t n = 0;
    cfg.kind = RUV_INDEX_HNSW;
    if (ruv_index_create(&cfg, &idx) != RUV_OK)
        FAIL("create");
    if (ruv_index_add_batch(idx, 2, keys, &vecs[0][0]) != RUV_OK) /* 0.1: no options argument */
        FAIL("add_batch");
    memset(&bo, 0, sizeof bo);
    if (ruv_index_add_batch_ex(idx, 2, keys + 2, &vecs[2][0], &bo) != RUV_OK)
        FAIL("add_batch_ex");
    if (ruv_index_get_config(idx).dim != 3 || ruv_index_get_config(idx).M != 16)
        FAIL("get_config");
    if (ruv_index_stats(idx, &st) != RUV_OK || st.live != 4) /* 0.1: returns a status */
        FAIL("stats");
    memset(&it, 0, sizeof it);
    it.key = 12;
    it.id = "two";
    it.id_len = 3;
    if (ruv_index_put(idx, &it, RUV_PUT_UPDATE) != RUV_OK ||
        ruv_index_find_id(idx, "two", 3, &key) != RUV_OK || key != 12)
        FAIL("find_id");
    memset(&params, 0, sizeof params);
    params.ef_search = 8;
    /* squared L2 from q: key 11 0.02, key 10 0.82, key 12 4.37, key 13 9.82 */
    if (ruv_index_search(idx, q, 4, &params, hits, &n) != RUV_OK || n != 4 || hits[0].key != 11 ||
        hits[1].key != 10 || hits[2].key != 12 || hits[3].key != 13 || hits[0].distance < 0.0199f ||
        hits[0].distance > 0.0201f)
        FAIL("search");
    ruv_index_free(idx);
    printf("0.1 API: ok\n");
    return 0;
}
