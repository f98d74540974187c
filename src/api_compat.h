/* The 0.1 names, kept as deprecated aliases until 0.3 (CHANGELOG.md lists every rename). Define
   RUV_NO_DEPRECATED to leave them out and find every use. The two 0.1 calls whose arguments
   changed, ruv_index_add_batch with four arguments and ruv_index_stats with two, still compile:
   a macro picks the function by the number of arguments. Not aliased: the filter and progress
   callbacks, which now take `void *user` first (swap the two parameters of a 0.1 callback). */
#if !defined(RUV_NO_DEPRECATED) && !defined(RUV__COMPAT_H)
#define RUV__COMPAT_H

typedef ruv_index_options ruv_config;         /* 0.1: index options */
typedef ruv_search_options ruv_search_params; /* 0.1: search options */
#define ruv_config_init ruv_index_options_init
#define ruv_index_get_config ruv_index_config
#define ruv_index_find_id ruv_index_get_key
#define ruv_index_add_batch_ex ruv_index_add_batch /* same five arguments */

/* The name of the function for the given number of arguments. */
#define RUV__ARGS_6TH(a, b, c, d, e, f, ...) f
#define RUV__ARGS_3RD(a, b, c, ...) c
/* ruv_index_add_batch(idx, n, keys, vecs): 0.1's call without options. */
#define ruv_index_add_batch(...)                                                                   \
    RUV__ARGS_6TH(__VA_ARGS__, ruv_index_add_batch, ruv__add_batch_v01, ~)(__VA_ARGS__)
/* ruv_index_stats(idx, &stats): 0.1's call, returning a ruv_result. */
#define ruv_index_stats(...)                                                                       \
    RUV__ARGS_3RD(__VA_ARGS__, ruv__stats_v01, ruv_index_stats, ~)(__VA_ARGS__)

#endif
