/* The firmware configuration of ruvector.h used by fw_test.c and size_probe.c: no OS services
   (no stdio, no threads), no default allocator (RUV_MALLOC fails, so every byte must come from
   the allocator passed in cfg.alloc), no assert (its message would pull in stdio). Includes the
   implementation. */
#define RUV_NO_STDIO
#define RUV_NO_THREADS
#define RUV_MALLOC(sz, ctx) ((void)(sz), (void)(ctx), (void *)0)
#define RUV_FREE(p, ctx) ((void)(p), (void)(ctx))
#define RUV_ASSERT(x) ((void)0)
#define RUVECTOR_IMPLEMENTATION
#include "../../ruvector.h"
