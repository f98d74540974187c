/* Files (absent under RUV_NO_STDIO): atomic save (temporary file, fsync, rename, directory
   sync) and load. Closes the implementation section (opened in src/core.h). */
#ifdef RUV__IMPL

#ifndef RUV_NO_STDIO
/* fopen, without MSVC's deprecation warning (C4996). */
static FILE *ruv__file_open(const char *path, const char *mode) {
#if defined(_MSC_VER)
    FILE *f = NULL;
    return fopen_s(&f, path, mode) == 0 ? f : NULL;
#else
    return fopen(path, mode);
#endif
}

static int ruv__file_read(void *user, void *dst, size_t len) {
    FILE *f = (FILE *)user;
    if (fread(dst, 1, len, f) == len)
        return 0;
    return feof(f) ? 1 : -1;
}

/* Opens path for reading; *size = its bytes ((uint64_t)-1 if unknown). NULL on failure. */
static FILE *ruv__file_open_sized(const char *path, uint64_t *size) {
    FILE *f;
#if defined(_WIN32) /* long is 32 bits there */
    long long n = -1;
#else
    long n = -1;
#endif
    if (!(f = ruv__file_open(path, "rb")))
        return NULL;
#if defined(_WIN32)
    if (_fseeki64(f, 0, SEEK_END) == 0)
        n = _ftelli64(f);
#else
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
#endif
    if (fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    *size = n < 0 ? (uint64_t)-1 : (uint64_t)n;
    return f;
}

RUVDEF ruv_result ruv_index_load_file(const char *path, const ruv_load_options *opt,
                                      ruv_index **out) {
    FILE *f;
    uint64_t size;
    ruv_result r;
    if (out)
        *out = NULL;
    if (!path || !out)
        return RUV_E_ARG;
    if (!(f = ruv__file_open_sized(path, &size)))
        return RUV_E_IO;
    r = ruv__load_run(ruv__file_read, f, size, opt, out);
    fclose(f);
    return r;
}

RUVDEF ruv_result ruv_sparse_load_file(const char *path, const ruv_load_options *opt,
                                       ruv_sparse_index **out) {
    FILE *f;
    uint64_t size;
    ruv_result r;
    if (out)
        *out = NULL;
    if (!path || !out)
        return RUV_E_ARG;
    if (!(f = ruv__file_open_sized(path, &size)))
        return RUV_E_IO;
    r = ruv__sp_load_run(ruv__file_read, f, size, opt, out);
    fclose(f);
    return r;
}

/* What a file save writes: a dense or a sparse index. */
typedef struct ruv__file_obj {
    const ruv_index *dense;
    const ruv_sparse_index *sparse;
} ruv__file_obj;

static ruv_result ruv__file_save_obj(const ruv__file_obj *o, ruv_write_fn write, void *user) {
    return o->dense ? ruv_index_save(o->dense, write, user)
                    : ruv_sparse_save(o->sparse, write, user);
}

#if defined(RUV__POSIX_IO)
static int ruv__file_fd_write(void *user, const void *data, size_t len) {
    return ruv__jf_write_fd(*(int *)user, data, len); /* src/journal.h (with its crash point) */
}

/* Writes tmp, syncs it, renames it to path, syncs the directory. */
static ruv_result ruv__file_save_atomic(const ruv__file_obj *idx, char *tmp, const char *path) {
    int fd;
    ruv_result r;
    const char *slash;
    RUV__IO_POINT();
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0)
        return RUV_E_IO;
    r = ruv__file_save_obj(idx, ruv__file_fd_write, &fd);
    RUV__IO_POINT();
    if (r == RUV_OK && fsync(fd) != 0)
        r = RUV_E_IO;
    if (close(fd) != 0 && r == RUV_OK)
        r = RUV_E_IO;
    RUV__IO_POINT();
    if (r == RUV_OK && rename(tmp, path) != 0)
        r = RUV_E_IO;
    if (r != RUV_OK) {
        remove(tmp);
        return r;
    }
    /* the rename itself reaches the disk with the directory */
    slash = strrchr(path, '/');
    if (!slash) {
        strcpy(tmp, ".");
    } else {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        memcpy(tmp, path, n);
        tmp[n] = 0;
    }
    if ((fd = open(tmp, O_RDONLY)) >= 0) {
        RUV__IO_POINT();
        (void)fsync(fd); /* not every file system can sync a directory; the data is already safe */
        close(fd);
    }
    return RUV_OK;
}
#else
static int ruv__file_write(void *user, const void *data, size_t len) {
    return fwrite(data, 1, len, (FILE *)user) == len ? 0 : -1;
}

static ruv_result ruv__file_save_atomic(const ruv__file_obj *idx, char *tmp, const char *path) {
    FILE *f = ruv__file_open(tmp, "wb");
    ruv_result r;
    if (!f)
        return RUV_E_IO;
    r = ruv__file_save_obj(idx, ruv__file_write, f);
    if (r == RUV_OK && fflush(f) != 0)
        r = RUV_E_IO;
#if defined(_WIN32)
    if (r == RUV_OK && _commit(_fileno(f)) != 0)
        r = RUV_E_IO;
#endif
    if (fclose(f) != 0 && r == RUV_OK)
        r = RUV_E_IO;
#if defined(_WIN32)
    if (r == RUV_OK && !MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        r = RUV_E_IO;
#else
    /* no atomic replace in ISO C: the old file goes first */
    if (r == RUV_OK && (remove(path), rename(tmp, path) != 0))
        r = RUV_E_IO;
#endif
    if (r != RUV_OK)
        remove(tmp);
    return r;
}
#endif

/* Saves o to path through "<path>.ruvtmp" (its name allocated through m). */
static ruv_result ruv__file_save(const ruv__file_obj *o, ruv__mem m, const char *path) {
    size_t n = strlen(path);
    char *tmp;
    ruv_result r;
    if (n > (size_t)-1 - 8 || !(tmp = (char *)ruv__mem_alloc(&m, n + 8)))
        return RUV_E_NOMEM;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".ruvtmp", 8);
    r = ruv__file_save_atomic(o, tmp, path);
    ruv__mem_free(&m, tmp, n + 8);
    return r;
}

RUVDEF ruv_result ruv_index_save_file(const ruv_index *idx, const char *path) {
    ruv__file_obj o;
    if (!idx || !path || !*path)
        return RUV_E_ARG;
    o.dense = idx, o.sparse = NULL;
    return ruv__file_save(&o, idx->mem, path);
}

RUVDEF ruv_result ruv_sparse_save_file(const ruv_sparse_index *idx, const char *path) {
    ruv__file_obj o;
    if (!idx || !path || !*path)
        return RUV_E_ARG;
    o.dense = NULL, o.sparse = idx;
    return ruv__file_save(&o, idx->mem, path);
}
#endif /* RUV_NO_STDIO */

#undef RUV__IMPL

#endif /* RUV__IMPL */
