/* The README's store and persistence example, built and run by the tests: entries with string
   ids and metadata, an atomic save, a load (owned, writable copy), a zero-copy view over the
   file's bytes, and what a damaged file gives. */
#define RUVECTOR_IMPLEMENTATION
#include "../ruvector.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    const char *docs[3] = {"doc-cat", "doc-dog", "doc-car"};
    float vecs[3][4] = {{1, 0.1f, 0, 0}, {0.9f, 0.3f, 0, 0}, {0, 0, 1, 0.2f}};
    float query[4] = {1, 0.2f, 0, 0};
    ruv_index_options cfg = ruv_index_options_init(4);
    ruv_index *idx, *copy, *view;
    cfg.kind = RUV_INDEX_HNSW;
    cfg.metric = RUV_METRIC_COSINE;
    if (ruv_index_create(&cfg, &idx) != RUV_OK)
        return 1;
    for (uint64_t key = 0; key < 3; key++) {
        ruv_item it;
        memset(&it, 0, sizeof it); /* NULL/0 fields: none */
        it.key = key;
        it.vector = vecs[key];
        it.id = docs[key];
        it.id_len = 7;
        it.meta = "{\"lang\":\"en\"}";
        it.meta_len = 13;
        ruv_index_put(idx, &it, RUV_PUT_INSERT);
    }
    ruv_index_remove(idx, 2); /* delete by key */

    /* save atomically, then load an owned (writable) copy */
    ruv_result r = ruv_index_save_file(idx, "example.ruv");
    if (r == RUV_OK)
        r = ruv_index_load_file("example.ruv", NULL, &copy);
    if (r != RUV_OK) {
        printf("save/load: %s\n", ruv_result_string(r));
        return 1;
    }
    uint64_t key = 0;
    r = ruv_index_get_key(copy, "doc-dog", 7, &key);
    printf("loaded %zu entries; doc-dog is key %llu (%s)\n", ruv_index_count(copy),
           (unsigned long long)key, ruv_result_string(r));

    /* a zero-copy view over the saved bytes (here read into memory; mmap works the same) */
    size_t len = ruv_index_serialized_size(idx);
    void *buf = malloc(len);
    ruv_index_save_buffer(idx, buf, len, &len);
    if ((r = ruv_index_view(buf, len, NULL, &view)) != RUV_OK)
        return 1;
    ruv_hit hits[2];
    size_t n;
    ruv_index_search(view, query, 2, NULL, hits, &n);
    for (size_t i = 0; i < n; i++) {
        const char *id;
        size_t id_len;
        ruv_index_get_id(view, hits[i].key, &id, &id_len);
        printf("view hit %.*s distance %.3f\n", (int)id_len, id, hits[i].distance);
    }
    printf("write to a view: %s\n", ruv_result_string(ruv_index_remove(view, 0)));
    ruv_index_free(view);

    /* a damaged copy is refused with a status, never a crash */
    ((unsigned char *)buf)[len / 2] ^= 0x10;
    printf("damaged buffer: %s\n", ruv_result_string(ruv_index_load_buffer(buf, len, NULL, &view)));
    free(buf);
    ruv_index_free(copy);
    ruv_index_free(idx);
    remove("example.ruv");
    return 0;
}
