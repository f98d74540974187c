/* Translation unit 2 of 2: declarations only, linked against two_tu_impl.c. Checks the version
   and one exact search. Prints "1 passed, 0 failed" on success. */
#include "../../ruvector.h"

#include <stdio.h>
#include <string.h>

int main(void) {
    float a[3] = {1, 0, 0}, b[3] = {0, 2, 0}, q[3] = {0, 1.5f, 0};
    ruv_index_options cfg = ruv_index_options_init(3);
    ruv_index *idx = NULL;
    ruv_hit h[2];
    size_t n = 0;
    int ok = strcmp(ruv_version(), RUV_VERSION_STRING) == 0 &&
             ruv_index_create(&cfg, &idx) == RUV_OK && ruv_index_add(idx, 1, a) == RUV_OK &&
             ruv_index_add(idx, 2, b) == RUV_OK &&
             ruv_index_search(idx, q, 2, NULL, h, &n) == RUV_OK && n == 2 && h[0].key == 2 &&
             h[0].distance == 0.25f && h[1].key == 1 && h[1].distance == 3.25f;
    ruv_index_free(idx);
    printf("%d passed, %d failed\n", ok, !ok);
    return !ok;
}
