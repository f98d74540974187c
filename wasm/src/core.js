// ruvector.h for JavaScript: the whole API, independent of where it runs. The entry points
// (index.js for browsers and bundlers, node.mjs / node.cjs for Node) call createApi() with a
// `platform` that knows how to find the .wasm bytes and, under Node, the file system:
//
//   platform = { name, source(simd) -> Promise<{bytes, from}>, sourceSync?(simd) -> bytes,
//                fs?: { read(path) -> Promise<Uint8Array>, write(path, bytes) -> Promise } }
//
// build.sh copies this file to dist/core.mjs and converts it to dist/core.cjs (its only export
// statement is the last line). No imports, no top-level side effects.
//
// Safety rule: every value that comes from the caller is checked here (type, integer, range,
// length, size) before anything is written to the WebAssembly heap or given to malloc; failures
// are TypeError / RangeError naming the argument and the limit. The C glue checks again.

function createApi(platform) {
  // ---- limits (ruvector.h) --------------------------------------------------------------------
  const MAX_DIM = 65536; // RUV_MAX_DIM
  const MAX_M = 512; // RUV_MAX_M
  const MAX_EF = 65536; // RUV_MAX_EF
  const MAX_RERANK = 1024; // RUV_MAX_RERANK
  const MAX_COUNT = 0x7ffffffe; // RUV_MAX_COUNT
  // Largest capacity hint: 2^28 slots. Beyond 2^30 the C library's key-table sizing overflows a
  // 32-bit size_t (an endless loop in ruv__reserve), and 2^28 slots of even 1-dimensional
  // vectors exceed the 4 GiB address space anyway.
  const MAX_CAPACITY = 0x10000000;
  const MAX_ID_BYTES = 1024; // RUV_MAX_ID_BYTES
  const MAX_META_BYTES = 0x1000000; // RUV_MAX_META_BYTES (16 MiB)
  const MAX_K = 0xffffffff; // k is a u32 in the glue; hits are min(k, live entries)
  const MAX_U32 = 0xffffffff;
  const MAX_ALLOC = 0xc0000000; // one temporary buffer: 3 GiB of the 4 GiB address space
  const WASM_MAX_BYTES = 4 * 1024 * 1024 * 1024; // -sMAXIMUM_MEMORY=4GB
  const DEFAULT_CAPACITY = 16; // slots of a new index: small databases start small
  const SCRATCH_KEEP = 1 << 20; // scratch kept between calls; larger buffers are freed after use

  // RUV_METRIC_CUSTOM (4, a C callback per distance) is C-only: see the README.
  const METRICS = { l2sq: 0, ip: 1, cosine: 2, l1: 3, hamming: 5, jaccard: 6 };
  const KINDS = { flat: 0, hnsw: 1 };
  const QUANTS = { none: 0, f16: 1, bf16: 2, sq8: 3, bin: 4, pq: 5 };
  const MODES = { insert: 0, update: 1, upsert: 2 };
  // Element types (ruv_dtype, VECTOR TYPES of ruvector.h): the typed array one vector is, its
  // length for a dimension, and the checks. f32 also takes other numeric typed arrays and arrays
  // of finite numbers (converted); i8, u8 and binary also take arrays of integers in their range;
  // f16 and bf16 only Uint16Array (bit patterns: an array of numbers would be ambiguous).
  const DTYPES = {
    f32: { code: 0, Arr: Float32Array, len: (d) => d, what: 'numbers' },
    f16: { code: 1, Arr: Uint16Array, len: (d) => d, what: 'IEEE binary16 bit patterns',
      bad: (h) => (h & 0x7c00) === 0x7c00 },
    bf16: { code: 2, Arr: Uint16Array, len: (d) => d, what: 'bfloat16 bit patterns',
      bad: (h) => (h & 0x7f80) === 0x7f80 },
    i8: { code: 3, Arr: Int8Array, len: (d) => d, what: 'int8 values', min: -128, max: 127 },
    u8: { code: 4, Arr: Uint8Array, len: (d) => d, what: 'uint8 values', min: 0, max: 255 },
    binary: { code: 5, Arr: Uint8Array, len: (d) => (d + 7) >> 3, min: 0, max: 255,
      what: 'bytes of packed bits (dimension d = bit d % 8 of byte d / 8)' },
  };
  const DTYPE_BY_CODE = Object.keys(DTYPES);
  // Element type of the re-ranking copies of quantized storage (ruv_index_options.rerank_dtype;
  // the codes are DTYPES'): f32 exact, f16 / bf16 half the bytes (rounded to 16 bits).
  const RERANK_DTYPES = { f32: 0, f16: 1, bf16: 2 };
  const DB_METRICS = { euclidean: 'l2sq', cosine: 'cosine', dotproduct: 'ip', manhattan: 'l1' };
  const DISPOSE = typeof Symbol.dispose === 'symbol' ? Symbol.dispose : Symbol.for('Symbol.dispose');

  const enc = new TextEncoder();
  const dec = new TextDecoder();

  // ---- argument checks --------------------------------------------------------------------------
  function describe(v) {
    if (v === null) return 'null';
    if (v === undefined) return 'undefined';
    if (Array.isArray(v)) return `an array of length ${v.length}`;
    switch (typeof v) {
      case 'number': return String(v);
      case 'bigint': return `${v}n`;
      case 'string': return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
      case 'object': return ArrayBuffer.isView(v) ? `a ${v.constructor.name} of length ${v.length}`
        : `an object (${(v.constructor && v.constructor.name) || 'null prototype'})`;
      default: return `a ${typeof v}`;
    }
  }

  function argError(Cls, name, want, v, code) {
    const e = new Cls(`ruvector: ${name} must be ${want}, got ${describe(v)}`);
    if (code !== undefined) e.code = code;
    return e;
  }

  /** An integer in min..max (a number, not a string, BigInt, NaN, Infinity or fraction). */
  function int(name, v, min, max) {
    const want = `an integer in ${min}..${max}`;
    if (typeof v !== 'number') throw argError(TypeError, name, want, v);
    if (!Number.isInteger(v) || v < min || v > max) throw argError(RangeError, name, want, v);
    return v;
  }
  const optInt = (name, v, min, max, def) => (v === undefined || v === null ? def : int(name, v, min, max));

  function bool(name, v, def) {
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') throw argError(TypeError, name, 'a boolean', v);
    return v;
  }

  function finiteNumber(name, v) {
    if (typeof v !== 'number') throw argError(TypeError, name, 'a finite number', v);
    if (!Number.isFinite(v)) throw argError(RangeError, name, 'a finite number', v);
    return v;
  }

  function options(name, v) {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
      throw argError(TypeError, name, 'an options object', v);
    }
    return v;
  }

  function oneOf(name, v, table, def) {
    if (v === undefined || v === null) return def;
    if (typeof v !== 'string') throw argError(TypeError, name, `one of ${Object.keys(table).join(', ')}`, v);
    if (!Object.prototype.hasOwnProperty.call(table, v)) {
      throw argError(RangeError, name, `one of ${Object.keys(table).join(', ')}`, v);
    }
    return v;
  }

  /**
   * options.rerankDtype of an Index: 'f32' (absent: the default), 'f16' or 'bf16'. A 16-bit type
   * needs quantized storage that keeps its re-ranking copies (quant other than 'none', dropF32
   * false); null is refused (a value was meant: which one is unknown).
   */
  function rerankDtypeOption(v, quantName, drop) {
    const t = oneOf('rerankDtype', v, RERANK_DTYPES, 'f32');
    if (t !== 'f32' && quantName === 'none') {
      throw new RangeError(`ruvector: rerankDtype '${t}' is the type of the re-ranking copies of ` +
        `quantized storage: it needs quant 'f16', 'bf16', 'sq8', 'bin' or 'pq', got quant 'none' ` +
        `(no copies: the vectors themselves are stored)`);
    }
    if (t !== 'f32' && drop) {
      throw new RangeError(`ruvector: rerankDtype '${t}' is the type of the re-ranking copies, ` +
        `which dropF32: true drops: use dropF32: false, or leave rerankDtype out`);
    }
    return t;
  }

  function sizeCheck(bytes, what) {
    if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MAX_ALLOC) {
      throw new RangeError(`ruvector: ${what} needs ${bytes} bytes of WebAssembly memory; one ` +
        `call may use at most ${MAX_ALLOC} (split it into smaller batches)`);
    }
    return bytes;
  }

  /**
   * A vector of `dim` finite numbers as a Float32Array (the argument itself when it is one).
   * Accepts Float32Array, other numeric typed arrays and arrays of numbers.
   */
  function vec(name, v, dim) {
    let out;
    if (v instanceof Float32Array) {
      if (v.length !== dim) throw dimError(name, v.length, dim);
      out = v;
    } else if (ArrayBuffer.isView(v) && !(v instanceof DataView) && typeof v[0] !== 'bigint') {
      if (v.length !== dim) throw dimError(name, v.length, dim);
      out = Float32Array.from(v);
    } else if (Array.isArray(v)) {
      if (v.length !== dim) throw dimError(name, v.length, dim);
      out = new Float32Array(dim);
      for (let i = 0; i < dim; i++) {
        const x = v[i];
        if (typeof x !== 'number') throw argError(TypeError, `${name}[${i}]`, 'a number', x);
        out[i] = x;
      }
    } else {
      throw argError(TypeError, name, `a Float32Array or an array of ${dim} numbers`, v);
    }
    for (let i = 0; i < dim; i++) {
      if (!Number.isFinite(out[i])) {
        const e = new RangeError(`ruvector: ${name}[${i}] is ${ArrayBuffer.isView(v) || Array.isArray(v) ? v[i] : out[i]}` +
          ': vector has a NaN or infinite component (or one beyond the float32 range)');
        e.code = -3;
        throw e;
      }
    }
    return out;
  }

  function dimError(name, got, dim) {
    const e = new RangeError(`ruvector: ${name} has ${got} numbers, the index has ${dim} ` +
      'dimensions (dimension mismatch)');
    e.code = -17;
    return e;
  }

  /**
   * `len` elements of element type t (DTYPES) as t's typed array: the argument itself when it is
   * one (f32: vec()). Checked before any C call: the array type (TypeError), the length
   * (RangeError, code -17), integers in range (RangeError), f16 / bf16 Inf or NaN patterns
   * (RangeError, code -3).
   */
  function typedVec(name, v, t, len) {
    if (t.code === 0) return vec(name, v, len);
    const want = `a ${t.Arr.name} of ${len} ${t.what}` +
      (t.min !== undefined ? ` (or an array of integers in ${t.min}..${t.max})` : '');
    let out;
    if (v instanceof t.Arr) {
      out = v;
    } else if (Array.isArray(v) && t.min !== undefined) {
      out = null;
    } else {
      throw argError(TypeError, name, want, v);
    }
    if (v.length !== len) throw typedLenError(name, v.length, t, len);
    if (out === null) {
      out = new t.Arr(len);
      for (let i = 0; i < len; i++) {
        const x = v[i];
        if (typeof x !== 'number') throw argError(TypeError, `${name}[${i}]`, `an integer in ${t.min}..${t.max}`, x);
        if (!Number.isInteger(x) || x < t.min || x > t.max) {
          throw argError(RangeError, `${name}[${i}]`, `an integer in ${t.min}..${t.max}`, x);
        }
        out[i] = x;
      }
    }
    if (t.bad) {
      for (let i = 0; i < len; i++) {
        if (t.bad(out[i])) {
          const e = new RangeError(`ruvector: ${name}[${i}] is 0x${out[i].toString(16)}: an infinite or NaN ` +
            `${t === DTYPES.f16 ? 'binary16' : 'bfloat16'} value`);
          e.code = -3;
          throw e;
        }
      }
    }
    return out;
  }

  function typedLenError(name, got, t, want) {
    const e = new RangeError(`ruvector: ${name} has ${got} elements, a vector of this index is ${want} ` +
      `${t.what} (dimension mismatch)`);
    e.code = -17;
    return e;
  }

  /** n vectors of element type t back to back (n >= 1, or 0 when allowEmpty); f32: matrix(). */
  function typedMatrix(name, v, t, per, allowEmpty) {
    if (t.code === 0) return matrix(name, v, per, allowEmpty);
    if (!(v instanceof t.Arr || (Array.isArray(v) && t.min !== undefined))) {
      throw argError(TypeError, name, `a ${t.Arr.name} of n x ${per} ${t.what}` +
        (t.min !== undefined ? ` (or an array of integers in ${t.min}..${t.max})` : ''), v);
    }
    if (v.length % per !== 0 || (!allowEmpty && v.length === 0)) {
      const e = new RangeError(`ruvector: ${name} has ${v.length} elements, not a ${allowEmpty ? '' : 'non-zero '}` +
        `multiple of ${per} (${t.what} per vector of this index) (dimension mismatch)`);
      e.code = -17;
      throw e;
    }
    sizeCheck(v.length * t.Arr.BYTES_PER_ELEMENT, name);
    return typedVec(name, v, t, v.length);
  }

  /** The bytes of a typed array (a view, no copy). */
  const bytesOf8 = (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

  /** options.allow: a Uint8Array bitset over keys, or null. */
  function allowOpt(o) {
    const allow = o.allow === undefined || o.allow === null ? null : o.allow;
    if (allow !== null && !(allow instanceof Uint8Array)) throw argError(TypeError, 'allow', 'a Uint8Array bitset', allow);
    if (allow && allow.length > 0x1fffffff) throw argError(RangeError, 'allow.length', 'at most 2^29-1 bytes', allow.length);
    return allow;
  }

  /** n x dim concatenated floats (Float32Array or array), n >= 1 (or 0 when allowEmpty). */
  function matrix(name, v, dim, allowEmpty) {
    let len;
    if (v instanceof Float32Array || Array.isArray(v) ||
        (ArrayBuffer.isView(v) && !(v instanceof DataView) && typeof v[0] !== 'bigint')) len = v.length;
    else throw argError(TypeError, name, `a Float32Array of n x ${dim} numbers`, v);
    if (len % dim !== 0 || (!allowEmpty && len === 0)) {
      const e = new RangeError(`ruvector: ${name} has ${len} numbers, not a ${allowEmpty ? '' : 'non-zero '}` +
        `multiple of the dimension ${dim} (dimension mismatch)`);
      e.code = -17;
      throw e;
    }
    sizeCheck(len * 4, name);
    return vec(name, v, len);
  }

  /** A string id as UTF-8 bytes, 1..MAX_ID_BYTES long. */
  function idBytes(name, v) {
    if (typeof v !== 'string') throw argError(TypeError, name, 'a string', v);
    if (v.length > MAX_ID_BYTES) {
      throw new RangeError(`ruvector: ${name} has ${v.length} characters, the limit is ${MAX_ID_BYTES} bytes of UTF-8`);
    }
    const b = enc.encode(v);
    if (b.length === 0) throw new RangeError(`ruvector: ${name} is empty (ids are 1..${MAX_ID_BYTES} bytes of UTF-8)`);
    if (b.length > MAX_ID_BYTES) {
      throw new RangeError(`ruvector: ${name} is ${b.length} bytes of UTF-8, the limit is ${MAX_ID_BYTES}`);
    }
    return b;
  }

  /** Metadata as JSON text (null for none). */
  function metaJson(v) {
    if (v === undefined || v === null) return null;
    let s;
    try {
      s = JSON.stringify(v);
    } catch (e) {
      throw new TypeError(`ruvector: metadata must be JSON-serialisable: ${e.message}`);
    }
    if (typeof s !== 'string') throw argError(TypeError, 'metadata', 'a JSON-serialisable value', v);
    if (s.length > MAX_META_BYTES) {
      throw new RangeError(`ruvector: metadata is ${s.length} characters as JSON, the limit is ${MAX_META_BYTES} bytes`);
    }
    return s;
  }

  /** put()'s id: null (keep), an empty Uint8Array (clear: id '') or its UTF-8 bytes. */
  function putId(id) {
    if (id === undefined || id === null) return null;
    if (typeof id !== 'string') throw argError(TypeError, 'id', 'a string', id);
    return id === '' ? new Uint8Array(0) : idBytes('id', id);
  }

  /** put()'s meta: null (keep) or the bytes (empty: clear), at most MAX_META_BYTES. */
  function putMeta(meta) {
    if (meta === undefined || meta === null) return null;
    if (!(meta instanceof Uint8Array)) throw argError(TypeError, 'meta', 'a Uint8Array', meta);
    if (meta.length > MAX_META_BYTES) {
      throw new RangeError(`ruvector: meta is ${meta.length} bytes, the limit is ${MAX_META_BYTES}`);
    }
    return meta;
  }

  function keyParts(key, name = 'key') {
    if (typeof key === 'number') {
      if (!Number.isSafeInteger(key) || key < 0) throw argError(RangeError, name, 'an integer in 0..2^53-1 (or a BigInt in 0..2^64-1)', key);
      return [key >>> 0, Math.floor(key / 4294967296)];
    }
    if (typeof key === 'bigint') {
      if (key < 0n || key > 0xffffffffffffffffn) throw argError(RangeError, name, 'a BigInt in 0..2^64-1', key);
      return [Number(key & 0xffffffffn), Number(key >> 32n)];
    }
    throw argError(TypeError, name, 'a number or a BigInt (an unsigned 64-bit key)', key);
  }

  // ---- the WebAssembly instance ---------------------------------------------------------------
  let X = null; // instance exports
  let loading = null; // init() in progress
  let simdLoaded = false;
  let hbuf = null;
  let H8, H32, HU32, HF32;
  let progressFn = null, progressErr = null;
  let liveIndexes = 0;
  let loadedFrom = null; // 'url', 'base64', 'file' (the platform's source) or 'argument'

  function views() {
    const b = X.memory.buffer;
    if (b !== hbuf) {
      hbuf = b;
      H8 = new Uint8Array(b);
      H32 = new Int32Array(b);
      HU32 = new Uint32Array(b);
      HF32 = new Float32Array(b);
    }
  }

  function wasmImports() {
    return {
      env: {
        emscripten_notify_memory_growth() { hbuf = null; },
        rw_progress(done, total) {
          if (!progressFn || progressErr) return;
          try {
            progressFn(done >>> 0, total >>> 0);
          } catch (e) { // never unwind through C: rethrown when the C call has returned
            progressErr = e;
          }
        },
      },
    };
  }

  function adopt(instance) {
    X = instance.exports;
    hbuf = null;
    X._initialize();
    simdLoaded = cstr(X.rw_isa()) === 'wasm128';
    return X;
  }

  function mod() {
    if (!X) {
      throw new Error('ruvector: the WebAssembly module is not loaded: call `await init()` ' +
        '(or initSync(bytes)) before using the library');
    }
    return X;
  }

  const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1,
    0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

  /** Whether this JavaScript engine runs WebAssembly SIMD128. */
  function detectSIMD() {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  }

  function isWasmBytes(b) {
    const u = b instanceof ArrayBuffer ? new Uint8Array(b, 0, Math.min(4, b.byteLength))
      : new Uint8Array(b.buffer, b.byteOffset, Math.min(4, b.byteLength));
    return u.length === 4 && u[0] === 0 && u[1] === 0x61 && u[2] === 0x73 && u[3] === 0x6d;
  }

  function isSource(v) {
    return v instanceof ArrayBuffer || ArrayBuffer.isView(v) ||
      (typeof WebAssembly === 'object' && v instanceof WebAssembly.Module) ||
      typeof v === 'string' || (typeof URL === 'function' && v instanceof URL) ||
      (typeof Response === 'function' && v instanceof Response) ||
      (typeof Request === 'function' && v instanceof Request) ||
      (v !== null && typeof v === 'object' && typeof v.then === 'function');
  }

  async function bytesOf(src) {
    src = await src;
    if (typeof Response === 'function' && src instanceof Response) {
      if (!src.ok) throw new Error(`ruvector: fetching ${src.url}: HTTP ${src.status}`);
      return new Uint8Array(await src.arrayBuffer());
    }
    if (typeof src === 'string' || (typeof URL === 'function' && src instanceof URL) ||
        (typeof Request === 'function' && src instanceof Request)) {
      return bytesOf(await fetch(src));
    }
    return src;
  }

  async function instantiate(src) {
    src = await bytesOf(src);
    if (typeof WebAssembly === 'object' && src instanceof WebAssembly.Module) {
      return new WebAssembly.Instance(src, wasmImports());
    }
    if (!(src instanceof ArrayBuffer || ArrayBuffer.isView(src))) {
      throw argError(TypeError, 'init() source', 'a URL, Request, Response, BufferSource or WebAssembly.Module', src);
    }
    if (!isWasmBytes(src)) throw new Error('ruvector: init(): the bytes are not a WebAssembly module (a wrong URL or content type?)');
    return (await WebAssembly.instantiate(src, wasmImports())).instance;
  }

  function initOptions(input) {
    if (input !== null && typeof input === 'object' && !isSource(input)) {
      const o = input;
      bool('init() option simd', o.simd, undefined);
      return { simd: o.simd, source: o.module_or_path !== undefined ? o.module_or_path : o.module };
    }
    if (input !== undefined && input !== null && !isSource(input)) {
      throw argError(TypeError, 'init() argument', 'a URL, Response, BufferSource, WebAssembly.Module or {simd, module_or_path}', input);
    }
    return { simd: undefined, source: input === null ? undefined : input };
  }

  function checkLoadedMatches(simd) {
    if (simd !== undefined && simd && !simdLoaded && detectSIMD()) {
      throw new Error('ruvector: init({simd: true}) after the scalar module was loaded: the module ' +
        'is loaded once per page / process; choose before the first init()');
    }
    if (simd === false && simdLoaded) {
      throw new Error('ruvector: init({simd: false}) after the SIMD128 module was loaded: the module ' +
        'is loaded once per page / process (databases live in its memory); call init({simd: false}) ' +
        'before the first init()');
    }
  }

  /**
   * Loads the WebAssembly module once; later calls return the same exports. Accepts what
   * wasm-bindgen's init accepts (a URL, string, Request, Response, bytes, WebAssembly.Module, a
   * promise of one, or {module_or_path}) plus {simd: false} to force the scalar build. Without a
   * source: the SIMD128 build when the engine validates it, else the scalar build, found next to
   * this package's module (see the README for bundlers).
   */
  async function init(input) {
    const o = initOptions(input);
    if (X) {
      checkLoadedMatches(o.simd);
      return X;
    }
    if (!loading) {
      loading = (async () => {
        const simd = o.simd !== false && detectSIMD();
        let src = o.source, from = 'argument';
        if (src === undefined) {
          const s = await platform.source(simd);
          src = s.bytes;
          from = s.from;
        }
        const x = adopt(await instantiate(src));
        loadedFrom = from;
        return x;
      })();
      loading.catch(() => { loading = null; });
    }
    const r = await loading;
    checkLoadedMatches(o.simd);
    return r;
  }

  /** Synchronous init from bytes or a compiled WebAssembly.Module ({module} also accepted). Under
      Node, initSync() without an argument reads the package's own .wasm file. */
  function initSync(input) {
    let src = input;
    let simd;
    if (src !== null && typeof src === 'object' && !isSource(src)) {
      simd = bool('initSync() option simd', src.simd, undefined);
      src = src.module;
    }
    if (X) {
      checkLoadedMatches(simd);
      return X;
    }
    if (src === undefined || src === null) {
      if (!platform.sourceSync) {
        throw new TypeError('ruvector: initSync() needs the module bytes here (e.g. initSync(await ' +
          "(await fetch(url)).arrayBuffer())); only Node can read the package's own file synchronously");
      }
      src = platform.sourceSync(simd !== false && detectSIMD());
      loadedFrom = 'file';
    } else {
      loadedFrom = 'argument';
    }
    let m = src;
    if (!(typeof WebAssembly === 'object' && m instanceof WebAssembly.Module)) {
      if (!(m instanceof ArrayBuffer || ArrayBuffer.isView(m))) {
        throw argError(TypeError, 'initSync() argument', 'a BufferSource or a WebAssembly.Module', m);
      }
      if (!isWasmBytes(m)) throw new Error('ruvector: initSync(): the bytes are not a WebAssembly module');
      m = new WebAssembly.Module(m);
    }
    return adopt(new WebAssembly.Instance(m, wasmImports()));
  }

  /** Library version ("MAJOR.MINOR.PATCH" of ruvector.h). */
  function version() { return cstr(mod().rw_version()); }

  /** The kernels in use: "wasm128" (SIMD) or "serial". */
  function isa() { return cstr(mod().rw_isa()); }

  /** WebAssembly memory and live native objects (indexes not yet freed or collected). */
  function memoryStats() {
    const m = mod();
    return { wasmBytes: m.memory.buffer.byteLength, wasmMaxBytes: WASM_MAX_BYTES, liveIndexes,
      simd: simdLoaded, loadedFrom };
  }

  function cstr(p) {
    views();
    p >>>= 0;
    let e = p;
    while (H8[e]) e++;
    return dec.decode(H8.subarray(p, e));
  }

  /** An error from the C library: `code` is its ruv_result status. */
  class RuvectorError extends Error {
    constructor(code, what) {
      super(`ruvector: ${what}: ${X ? cstr(X.rw_result_string(code)) : 'error'} (${code})`);
      this.name = 'RuvectorError';
      this.code = code;
    }
  }

  function check(r, what) {
    if (progressErr) {
      const e = progressErr;
      progressErr = null;
      throw e;
    }
    if (r !== 0) throw new RuvectorError(r, what);
  }

  // Scratch memory in the module (calls are synchronous, so one block serves all), grown on
  // demand; buffers above SCRATCH_KEEP are allocated per call and freed right after.
  let scratch = 0, scratchLen = 0;
  function withMem(bytes, what, fn) {
    sizeCheck(bytes, what);
    const m = mod();
    if (bytes <= SCRATCH_KEEP) {
      if (bytes > scratchLen) {
        if (scratch) m.free(scratch);
        scratch = 0;
        const len = Math.min(SCRATCH_KEEP, Math.max(bytes, 2 * scratchLen, 4096));
        const p = m.malloc(len) >>> 0;
        if (!p) {
          scratchLen = 0;
          throw new RuvectorError(-2, what);
        }
        scratch = p;
        scratchLen = len;
      }
      return fn(scratch);
    }
    const p = m.malloc(bytes) >>> 0;
    if (!p) throw new RuvectorError(-2, `${what} (${bytes} bytes)`);
    try {
      return fn(p);
    } finally {
      m.free(p);
    }
  }

  const registry = typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((p) => {
      liveIndexes--;
      if (X) X.rw_free(p);
    })
    : null;

  /** A string id or metadata blob of key through fn (rw_get_id, rw_sparse_get_meta, ...): a
      copy of its bytes, null if the entry has none, undefined if key is absent. */
  function keyBlob(fn, p, lo, hi) {
    return withMem(8, 'get', (at) => {
      const r = fn(p, lo, hi, at, at + 4);
      if (r === -7) return undefined;
      check(r, 'get');
      views();
      const ptr = HU32[at >> 2], len = HU32[(at + 4) >> 2];
      return ptr ? H8.slice(ptr, ptr + len) : null;
    });
  }

  /** The key halves [lo, hi] of the entry whose string id is the bytes b, through fn
      (rw_get_key, rw_sparse_get_key), or undefined. */
  function keyOfId(fn, p, b) {
    return withMem(b.length + 16, 'getKey', (at) => {
      const ka = (at + b.length + 7) & ~7;
      views();
      H8.set(b, at);
      const r = fn(p, at, b.length, ka);
      if (r === -7) return undefined;
      check(r, 'getKey');
      views();
      return [HU32[ka >> 2], HU32[(ka >> 2) + 1]];
    });
  }

  /** put()'s status r, with the reason for the two refusals whose C message is generic: an id
      that another key has (-4, "key already in the index" otherwise) and a new key without a
      vector (-1). getKey is rw_get_key or rw_sparse_get_key (called after the put's withMem). */
  function putCheck(r, what, getKey, p, lo, hi, v, ib) {
    if (r === -4 && ib && ib.length) {
      const k = keyOfId(getKey, p, ib);
      if (k && (k[0] !== lo || k[1] !== hi)) {
        throw new RuvectorError(r, `${what} (the id ${JSON.stringify(dec.decode(ib))} belongs to key ` +
          `${BigInt(k[0]) | (BigInt(k[1]) << 32n)}: ids are unique)`);
      }
    }
    if (r === -1 && !v) throw new RuvectorError(r, `${what} (the key is absent: a new entry needs a vector)`);
    check(r, what);
  }

  // ---- Index: the C API ---------------------------------------------------------------------
  /**
   * The C API: an index of u64 keys to vectors of `dim` dimensions (options.dtype: f32 by
   * default, f16 / bf16 / i8 / u8 / binary as typed arrays, see DTYPES), each with an optional
   * string id and metadata bytes. Keys are returned as BigInt. free() releases it at once; an index that is
   * dropped without free() is released when the garbage collector reclaims it.
   */
  class Index {
    constructor(dim, opts) {
      const m = mod();
      dim = int('dim', dim, 1, MAX_DIM);
      const o = options('Index options', opts);
      const dtype = oneOf('dtype', o.dtype, DTYPES, 'f32');
      const metricName = oneOf('metric', o.metric, METRICS, 'l2sq');
      const metric = METRICS[metricName];
      const kind = KINDS[oneOf('kind', o.kind, KINDS, 'flat')];
      const quantName = oneOf('quant', o.quant, QUANTS, 'none');
      const quant = QUANTS[quantName];
      const pqM = optInt('pqM', o.pqM, 0, MAX_DIM, 0); // 0: dim / 4, as in C
      const M = o.M === 0 ? 0 : optInt('M', o.M, 2, MAX_M, 0); // 0: the default (16), as in C
      const efc = optInt('efConstruction', o.efConstruction, 0, MAX_EF, 0);
      if (efc && efc < (M || 16)) {
        throw new RangeError(`ruvector: efConstruction (${efc}) must be at least M (${M || 16})`);
      }
      const efs = optInt('efSearch', o.efSearch, 0, MAX_EF, 0);
      const rerank = optInt('rerank', o.rerank, 0, MAX_RERANK, 0);
      const drop = bool('dropF32', o.dropF32, false);
      const seed = optInt('seed', o.seed, 0, MAX_U32, 0);
      const cap = optInt('capacity', o.capacity, 0, MAX_CAPACITY, 0) || DEFAULT_CAPACITY;
      const multi = bool('multi', o.multi, false);
      // HNSW over f32 input with storage other than BIN only: the C library refuses the rest (-6)
      const walkBits = bool('walkBits', o.walkBits, false);
      const rerankDtype = rerankDtypeOption(o.rerankDtype, quantName, drop);
      const p = withMem(4, 'create', (st) => {
        const r = m.rw_create(dim, metric, kind, M, efc, efs, quant, rerank, drop ? 1 : 0, seed, cap,
          DTYPES[dtype].code, pqM, multi ? 1 : 0, walkBits ? 1 : 0, RERANK_DTYPES[rerankDtype], st) >>> 0;
        views();
        if (!r) {
          throw new RuvectorError(H32[st >> 2], `create (dim ${dim}, dtype ${dtype}, metric ${metricName}, ` +
            `quant ${quantName}, capacity ${cap}${multi ? ', multi' : ''}${walkBits ? ', walkBits' : ''}` +
            `${rerankDtype !== 'f32' ? `, rerankDtype ${rerankDtype}` : ''})`);
        }
        return r;
      });
      this._adopt(p);
    }

    static _wrap(p) {
      const x = Object.create(Index.prototype);
      x._adopt(p);
      return x;
    }

    _adopt(p) {
      this._p = p;
      this.dim = X.rw_dim(p) >>> 0;
      /** Element type of the vectors given and returned: 'f32', 'f16', 'bf16', 'i8', 'u8', 'binary'. */
      this.dtype = DTYPE_BY_CODE[X.rw_dtype(p)] || 'f32';
      this._t = DTYPES[this.dtype];
      this._vlen = this._t.len(this.dim); // elements per vector
      this._vbytes = this._vlen * this._t.Arr.BYTES_PER_ELEMENT; // bytes per vector
      /** Whether a key may own several vectors (options.multi; ruv_index_options.multi). */
      this.multi = X.rw_multi(p) === 1;
      liveIndexes++;
      if (registry) registry.register(this, p, this);
    }

    _live() {
      if (!this._p) throw new Error('ruvector: index already freed');
      return this._p;
    }

    /** Releases the index now (idempotent). Further calls other than free() throw. */
    free() {
      if (!this._p) return;
      if (registry) registry.unregister(this);
      liveIndexes--;
      X.rw_free(this._p);
      this._p = 0;
    }

    [DISPOSE]() { this.free(); }

    get count() { return X.rw_count(this._live()) >>> 0; }
    /** Bytes allocated by the index (vectors, graph, keys, ids, metadata, scratch). */
    get memoryUsage() { return X.rw_memory(this._live()) >>> 0; }

    /** Counts and sizes by part (ruv_index_stats). */
    stats() {
      const p = this._live();
      return withMem(48, 'stats', (at) => {
        check(X.rw_stats(p, at), 'stats');
        views();
        const u = HU32.subarray(at >> 2, (at >> 2) + 12);
        return { live: u[0], deleted: u[1], freeSlots: u[2], capacity: u[3], vectorBytes: u[4],
          codeBytes: u[5], graphBytes: u[6], keyBytes: u[7], idBytes: u[8], metaBytes: u[9],
          totalBytes: u[10], readonly: u[11] === 1 };
      });
    }

    /** Trains an SQ8 / BIN / PQ quantizer on n vectors (n x dim concatenated floats). */
    train(vectors) {
      const p = this._live();
      const v = matrix('vectors', vectors, this.dim, false);
      const n = v.length / this.dim;
      withMem(v.length * 4, 'train', (at) => {
        views();
        HF32.set(v, at >> 2);
        check(X.rw_train(p, n, at), 'train');
      });
    }

    /**
     * Inserts (mode 'insert'), replaces ('update') or either ('upsert') the entry of key. vector
     * (dim numbers), id (string) and meta (Uint8Array) may be undefined: kept as they are (a new
     * key needs a vector); an empty meta clears it, as does id ''.
     */
    put(key, vector, id, meta, mode) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      const md = MODES[oneOf('mode', mode, MODES, 'insert')];
      const v = vector === undefined || vector === null ? null : typedVec('vector', vector, this._t, this._vlen);
      const ib = putId(id);
      const mb = putMeta(meta);
      this._put(p, lo, hi, v, ib, mb, md, mode || 'insert');
    }

    _put(p, lo, hi, v, ib, mb, md, what) {
      const vb = v ? this._vbytes : 0;
      const il = ib ? ib.length : 0, ml = mb ? mb.length : 0;
      const r = withMem(vb + il + ml + 8, what, (at) => {
        views();
        if (v) H8.set(bytesOf8(v), at);
        const ia = at + vb, ma = ia + il;
        if (il) H8.set(ib, ia);
        if (ml) H8.set(mb, ma);
        return X.rw_put(p, lo, hi, v ? at : 0, il ? ia : 0, il, ib ? 1 : 0, ml ? ma : 0, ml, mb ? 1 : 0, md);
      });
      putCheck(r, what, X.rw_get_key, p, lo, hi, v, ib);
    }

    /**
     * Adds one vector under key (no id or metadata). A multi index (options.multi) gives a
     * present key one more vector (ruv_index_add; put / update / upsert throw -6 there).
     */
    add(key, vector) {
      if (!this.multi) {
        this.put(key, vector);
        return;
      }
      const p = this._live();
      const [lo, hi] = keyParts(key);
      if (vector === undefined || vector === null) throw argError(TypeError, 'vector', `a vector (${this._t.Arr.name})`, vector);
      const v = typedVec('vector', vector, this._t, this._vlen);
      withMem(this._vbytes, 'add', (at) => {
        views();
        H8.set(bytesOf8(v), at);
        check(X.rw_add(p, lo, hi, at), 'add');
      });
    }

    /** A new vector for an existing key (id and metadata kept); RuvectorError -7 if absent. */
    update(key, vector) {
      if (vector === undefined || vector === null) throw argError(TypeError, 'vector', `a vector (${this._t.Arr.name})`, vector);
      this.put(key, vector, undefined, undefined, 'update');
    }

    /** Adds key or replaces its vector. */
    upsert(key, vector) {
      if (vector === undefined || vector === null) throw argError(TypeError, 'vector', `a vector (${this._t.Arr.name})`, vector);
      this.put(key, vector, undefined, undefined, 'upsert');
    }

    /**
     * Adds n vectors (all or nothing): keys (array of numbers / BigInts, or a BigUint64Array) and
     * their n x dim concatenated floats. options.onProgress(done, total) is called during HNSW
     * linking (about every 1024 vectors).
     */
    addBatch(keys, vectors, opts) {
      const p = this._live();
      const o = options('addBatch options', opts);
      if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
        throw argError(TypeError, 'onProgress', 'a function', o.onProgress);
      }
      if (!(Array.isArray(keys) || keys instanceof BigUint64Array || keys instanceof Uint32Array ||
            keys instanceof Float64Array || keys instanceof Int32Array)) {
        throw argError(TypeError, 'keys', 'an array of keys or a BigUint64Array', keys);
      }
      const n = keys.length;
      const v = typedMatrix('vectors', vectors, this._t, this._vlen, true);
      if (v.length !== n * this._vlen) {
        const e = new RangeError(`ruvector: addBatch: ${n} keys but ${v.length / this._vlen} vectors of dimension ${this.dim} (dimension mismatch)`);
        e.code = -17;
        throw e;
      }
      if (n > MAX_COUNT) throw argError(RangeError, 'keys.length', `at most ${MAX_COUNT}`, n);
      const parts = new Uint32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const [lo, hi] = keyParts(keys[i]);
        parts[2 * i] = lo;
        parts[2 * i + 1] = hi;
      }
      withMem(n * 8 + v.byteLength + 8, 'addBatch', (at) => {
        const ka = (at + 7) & ~7;
        views();
        HU32.set(parts, ka >> 2);
        H8.set(bytesOf8(v), ka + n * 8);
        progressFn = o.onProgress || null;
        try {
          check(X.rw_add_batch(p, n, ka, ka + n * 8, progressFn ? 1 : 0), 'addBatch');
        } finally {
          progressFn = null;
          progressErr = null;
        }
      });
    }

    /**
     * Makes room for n entries in all at once (all or nothing), so that adds up to that count do
     * not grow the arrays (ruv_index_reserve). Without it they double, and grow by half once the
     * slot arena passes 64 MiB.
     */
    reserve(n) {
      const p = this._live();
      check(X.rw_reserve(p, int('n', n, 0, MAX_COUNT)), 'reserve');
    }

    /** Deletes key (a multi index: all its vectors); false if it was not there. */
    remove(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      const r = X.rw_remove(p, lo, hi);
      if (r === -7) return false;
      check(r, 'remove');
      return true;
    }

    has(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      return X.rw_contains(p, lo, hi) !== 0;
    }

    /**
     * Up to k nearest (k in 0..2^32-1; min(k, count) hits): { keys: BigUint64Array, distances:
     * Float32Array }, closest first. options.efSearch (1..65536), options.rerank (1..1024),
     * options.allow = a Uint8Array bitset over keys (bit key % 8 of byte key / 8) restricting the
     * hits. options.f32Query: the query is dim floats (Float32Array or numbers) whatever the
     * index's dtype (f16 / bf16 / i8 / u8 compared in f32; binary: RuvectorError -6). A multi
     * index returns each key once, with its nearest vector's distance.
     */
    search(query, k, opts) {
      const r = this._search(query, k, opts);
      return { keys: r.keys64(), distances: r.distances };
    }

    /**
     * The query (or n of them, many) per options.f32Query (a boolean): [f32Query 0 / 1, the query
     * as the index's typed array, or as a Float32Array of dim (n x dim) floats, elements per query].
     * With f32Query a Uint16Array is refused on f16 / bf16 indexes (bit patterns or values?).
     */
    _query(name, v, o, many) {
      if (!bool('f32Query', o.f32Query, false)) {
        return [0, many ? typedMatrix(name, v, this._t, this._vlen, true) : typedVec(name, v, this._t, this._vlen), this._vlen];
      }
      if (v instanceof Uint16Array && (this.dtype === 'f16' || this.dtype === 'bf16')) {
        throw argError(TypeError, name, `a Float32Array or an array of numbers (f32Query: ${many ? 'n x ' : ''}` +
          `${this.dim} float values, not ${this.dtype} bit patterns)`, v);
      }
      return [1, many ? matrix(name, v, this.dim, true) : vec(name, v, this.dim), this.dim];
    }

    _search(query, k, opts) {
      const p = this._live();
      const o = options('search options', opts);
      const [f32q, q] = this._query('query', query, o, false);
      k = int('k', k, 0, MAX_K);
      const ef = optInt('efSearch', o.efSearch, 0, MAX_EF, 0); // 0: the index's
      const rerank = optInt('rerank', o.rerank, 0, MAX_RERANK, 0);
      const allow = allowOpt(o);
      const kk = Math.min(k, X.rw_count(p) >>> 0);
      if (kk === 0) return emptyHits;
      const al = allow ? allow.length : 0;
      const qb = q.byteLength;
      return withMem(qb + al + kk * 12 + 24, 'search', (at) => {
        views();
        H8.set(bytesOf8(q), at);
        let o2 = at + qb;
        if (al) H8.set(allow, o2);
        const aa = al ? o2 : 0;
        o2 = (o2 + al + 7) & ~7;
        const ka = o2, da = ka + kk * 8, na = da + kk * 4;
        check(X.rw_search(p, at, kk, ef, rerank, aa, al * 8, f32q, ka, da, na), 'search');
        views();
        const n = Math.min(HU32[na >> 2], kk);
        const parts = HU32.slice(ka >> 2, (ka >> 2) + 2 * n);
        const distances = HF32.slice(da >> 2, (da >> 2) + n);
        return new Hits(parts, distances);
      });
    }

    /**
     * nq queries (nq vectors of the index's type back to back) in one call
     * (ruv_index_search_batch): an array of nq results as search() returns them. Options as
     * search().
     */
    searchBatch(queries, k, opts) {
      const p = this._live();
      const o = options('search options', opts);
      const [f32q, qs, qlen] = this._query('queries', queries, o, true);
      k = int('k', k, 0, MAX_K);
      const ef = optInt('efSearch', o.efSearch, 0, MAX_EF, 0);
      const rerank = optInt('rerank', o.rerank, 0, MAX_RERANK, 0);
      const allow = allowOpt(o);
      const nq = qs.length / qlen;
      if (nq > MAX_U32) throw argError(RangeError, 'number of queries', `at most ${MAX_U32}`, nq);
      const kk = Math.min(k, X.rw_count(p) >>> 0);
      const out = [];
      if (kk === 0 || nq === 0) {
        for (let i = 0; i < nq; i++) out.push({ keys: new BigUint64Array(0), distances: new Float32Array(0) });
        return out;
      }
      const al = allow ? allow.length : 0;
      const qb = qs.byteLength;
      return withMem(qb + al + nq * kk * 12 + nq * 4 + 24, 'searchBatch', (at) => {
        views();
        H8.set(bytesOf8(qs), at);
        let o2 = at + qb;
        if (al) H8.set(allow, o2);
        const aa = al ? o2 : 0;
        o2 = (o2 + al + 7) & ~7;
        const ka = o2, da = ka + nq * kk * 8, ca = da + nq * kk * 4;
        check(X.rw_search_batch(p, nq, at, kk, ef, rerank, aa, al * 8, f32q, ka, da, ca), 'searchBatch');
        views();
        for (let i = 0; i < nq; i++) {
          const n = Math.min(HU32[(ca >> 2) + i], kk);
          const parts = HU32.slice((ka >> 2) + 2 * i * kk, (ka >> 2) + 2 * (i * kk + n));
          out.push({ keys: new BigUint64Array(parts.buffer, 0, n),
            distances: HF32.slice((da >> 2) + i * kk, (da >> 2) + i * kk + n) });
        }
        return out;
      });
    }

    /**
     * Every entry within `radius` of query (distance <= radius, in the index's distance units,
     * compared as float32; negative is valid for 'ip'; Infinity takes everything):
     * { keys, distances, total }, closest first. total = how many are within radius; keys and
     * distances hold the closest min(cap, total). options.cap (0..2^32-1; default: all),
     * options.efSearch (HNSW: the first beam width, 0 = the index's), options.allow and
     * options.f32Query (as search). Flat: exact. HNSW: approximate (see ruv_index_search_range).
     */
    searchRange(query, radius, opts) {
      const p = this._live();
      const o = options('searchRange options', opts);
      const [f32q, q] = this._query('query', query, o, false);
      if (typeof radius !== 'number') throw argError(TypeError, 'radius', 'a number', radius);
      if (Number.isNaN(radius)) throw argError(RangeError, 'radius', 'a number (not NaN)', radius);
      const ef = optInt('efSearch', o.efSearch, 0, MAX_EF, 0);
      const cap0 = optInt('cap', o.cap, 0, MAX_U32, MAX_U32);
      const allow = allowOpt(o);
      const cap = Math.min(cap0, X.rw_count(p) >>> 0);
      const al = allow ? allow.length : 0;
      const qb = q.byteLength;
      return withMem(qb + al + cap * 12 + 32, 'searchRange', (at) => {
        views();
        H8.set(bytesOf8(q), at);
        let o2 = at + qb;
        if (al) H8.set(allow, o2);
        const aa = al ? o2 : 0;
        o2 = (o2 + al + 7) & ~7;
        const ta = o2, ka = ta + 8, da = ka + cap * 8;
        check(X.rw_search_range(p, at, radius, ef, aa, al * 8, f32q, cap ? ka : 0, cap ? da : 0, cap, ta), 'searchRange');
        views();
        const total = HU32[ta >> 2];
        const n = Math.min(total, cap);
        const parts = HU32.slice(ka >> 2, (ka >> 2) + 2 * n);
        return { keys: new BigUint64Array(parts.buffer, 0, n), distances: HF32.slice(da >> 2, (da >> 2) + n), total };
      });
    }

    /**
     * The stored vector of key as the index's typed array (f32: Float32Array, normalised for
     * cosine; f16 / bf16: Uint16Array; i8: Int8Array; u8 and binary: Uint8Array), a copy, or
     * undefined. A multi index: one of the key's vectors (getVectors: all).
     */
    getVector(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      return this._getVector(p, lo, hi);
    }

    _getVector(p, lo, hi) {
      return withMem(this._vbytes, 'getVector', (at) => {
        const r = X.rw_get_vector(p, lo, hi, at);
        if (r === -7) return undefined;
        check(r, 'getVector');
        views();
        return new this._t.Arr(H8.slice(at, at + this._vbytes).buffer);
      });
    }

    /**
     * Every vector of key (ruv_index_get_vectors): an array of the index's typed arrays (as
     * getVector returns one, each a copy), in slot order (the order added, unless removals let
     * later adds reuse slots; HNSW compaction too), or undefined for an absent key. One vector
     * unless the index is multi.
     */
    getVectors(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      const n = withMem(4, 'getVectors', (na) => {
        const r = X.rw_get_vectors(p, lo, hi, 0, 0, na);
        if (r === -7) return 0;
        check(r, 'getVectors');
        views();
        return HU32[na >> 2];
      });
      if (n === 0) return undefined;
      const vb = this._vbytes;
      return withMem(n * vb + 8, 'getVectors', (at) => {
        const na = (at + n * vb + 3) & ~3;
        check(X.rw_get_vectors(p, lo, hi, at, n, na), 'getVectors');
        views();
        const got = Math.min(HU32[na >> 2], n);
        const out = [];
        for (let i = 0; i < got; i++) out.push(new this._t.Arr(H8.slice(at + i * vb, at + (i + 1) * vb).buffer));
        return out;
      });
    }

    _blob(fn, p, lo, hi) { return keyBlob(fn, p, lo, hi); }

    /** The string id of key: a string, null if it has none, undefined if key is absent. */
    getId(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      const b = this._blob(X.rw_get_id, p, lo, hi);
      return b ? dec.decode(b) : b;
    }

    /** The metadata bytes of key (Uint8Array), null if none, undefined if key is absent. */
    getMeta(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      return this._blob(X.rw_get_meta, p, lo, hi);
    }

    /** The key (BigInt) of the entry whose string id is `id`, or undefined. */
    getKey(id) {
      const p = this._live();
      const b = idBytes('id', id);
      const parts = this._keyOf(p, b);
      return parts ? BigInt(parts[0]) | (BigInt(parts[1]) << 32n) : undefined;
    }

    /** @deprecated since 0.2.0: the name of getKey() before the C API's rename. */
    findId(id) { return this.getKey(id); }

    _keyOf(p, b) { return keyOfId(X.rw_get_key, p, b); }

    /** Live keys (BigInt), in slot order. */
    *keys() {
      for (const [lo, hi] of this._keyParts()) yield BigInt(lo) | (BigInt(hi) << 32n);
    }

    _keyParts() {
      const p = this._live();
      const out = [];
      withMem(16, 'keys', (at) => {
        views();
        HU32[at >> 2] = 0;
        for (;;) {
          if (!X.rw_next(p, at, at + 8)) break;
          views();
          out.push([HU32[(at + 8) >> 2], HU32[(at + 12) >> 2]]);
        }
      });
      return out;
    }

    /** The index in the ruvector file format (Uint8Array, a copy). */
    save() {
      const p = this._live();
      return withMem(8, 'save', (at) => {
        const b = X.rw_save(p, at, at + 4) >>> 0;
        views();
        if (!b) throw new RuvectorError(H32[(at + 4) >> 2], 'save');
        const len = HU32[at >> 2];
        const out = H8.slice(b, b + len);
        X.free(b);
        return out;
      });
    }

    /** save() as separate copies of at most chunk bytes each (IndexedDB records). */
    _saveParts(chunk) {
      const p = this._live();
      return withMem(8, 'save', (at) => {
        const b = X.rw_save(p, at, at + 4) >>> 0;
        views();
        if (!b) throw new RuvectorError(H32[(at + 4) >> 2], 'save');
        const len = HU32[at >> 2];
        const out = [];
        try {
          for (let o = 0; o < len; o += chunk) out.push(H8.slice(b + o, b + Math.min(len, o + chunk)));
        } finally {
          X.free(b);
        }
        return out;
      });
    }

    /** An index loaded from bytes written by save() or the C library. */
    static load(bytes, expectDim) {
      mod();
      return Index._loadParts([asBytes('bytes', bytes)], optInt('expectDim', expectDim, 0, MAX_DIM, 0));
    }

    /** An index from the consecutive parts (Uint8Arrays) of a saved index, copied one by one
        into module memory (no joined copy in JavaScript). */
    static _loadParts(parts, ed) {
      let len = 0;
      for (const u of parts) len += u.length;
      const p = withMem(len + 8, 'load', (at) => {
        views();
        let off = at + 8;
        for (const u of parts) {
          H8.set(u, off);
          off += u.length;
        }
        const r = X.rw_load(at + 8, len, ed, at) >>> 0;
        views();
        if (!r) throw new RuvectorError(H32[at >> 2], 'load');
        return r;
      });
      return Index._wrap(p);
    }

    /** The resolved configuration. */
    config() {
      const p = this._live();
      return withMem(52, 'config', (at) => {
        X.rw_config(p, at);
        views();
        const u = HU32.slice(at >> 2, (at >> 2) + 13);
        const name = (o, v) => Object.keys(o).find((x) => o[x] === v);
        return { metric: name(METRICS, u[0]), kind: name(KINDS, u[1]), M: u[2],
          efConstruction: u[3], efSearch: u[4], quant: name(QUANTS, u[5]), rerank: u[6],
          dropF32: u[7] === 1, dtype: DTYPE_BY_CODE[u[8]], pqM: u[9], multi: u[10] === 1,
          walkBits: u[11] === 1, rerankDtype: DTYPE_BY_CODE[u[12]] };
      });
    }

    // ---- journal (ruv_index_journal_*): the bytes stay in module memory until takeJournal() --
    /** Id of the snapshot save() would write now (ruv_index_snapshot_id, a BigInt): the base a
        journal started after that save names. O(index size). */
    snapshotId() {
      const p = this._live();
      return withMem(8, 'snapshotId', (at) => {
        check(X.rw_snapshot_id(p, at), 'snapshotId');
        views();
        return BigInt(HU32[at >> 2]) | (BigInt(HU32[(at >> 2) + 1]) << 32n);
      });
    }

    /**
     * Attaches a journal kept in memory: from now on every successful write appends one record
     * before it is applied (ruv_index_journal_attach); takeJournal() hands the bytes out. options:
     * {base}: a new journal following the snapshot whose id is base (its 32-byte header is the
     * first bytes taken); {nextSeq, size}: continue a journal after replayJournal() (the report's
     * nextSeq and validBytes). Replaces an attached journal (its bytes not taken are dropped).
     */
    attachJournal(opts) {
      const p = this._live();
      const o = options('attachJournal options', opts);
      const [bl, bh] = o.base === undefined || o.base === null ? [0, 0] : keyParts(o.base, 'base');
      const [sl, sh] = o.nextSeq === undefined || o.nextSeq === null ? [0, 0] : keyParts(o.nextSeq, 'nextSeq');
      const [zl, zh] = o.size === undefined || o.size === null ? [0, 0] : keyParts(o.size, 'size');
      if ((sl || sh) && !zl && !zh) {
        throw argError(RangeError, 'size', 'the byte size of the journal continued (the report\'s validBytes)', o.size);
      }
      check(X.rw_journal_attach(p, bl, bh, sl, sh, zl, zh), 'attachJournal');
    }

    /** The journal bytes appended since the last take (a Uint8Array copy, empty if none); null
        when no journal is attached. */
    takeJournal() {
      const p = this._live();
      return withMem(16, 'takeJournal', (at) => {
        if (X.rw_journal_take(p, at) !== 0) return null;
        views();
        const ptr = HU32[at >> 2], len = HU32[(at >> 2) + 1];
        this._journalSize = HU32[(at >> 2) + 2] + HU32[(at >> 2) + 3] * 4294967296;
        return len ? H8.slice(ptr, ptr + len) : new Uint8Array(0);
      });
    }

    /** Detaches the journal (its bytes not taken are dropped); later writes append nothing. */
    detachJournal() {
      check(X.rw_journal_detach(this._live()), 'detachJournal');
    }

    /**
     * Applies a journal (bytes, or an array of byte chunks that are its consecutive parts) to
     * this index, which must hold the snapshot it follows (ruv_index_journal_replay): its valid
     * prefix of records, in order; a torn or corrupt tail is ignored and reported. options.base:
     * the snapshot id the journal must follow (BigInt or number; default any). Returns {records,
     * validBytes, ignoredBytes, nextSeq, base (BigInt), stop ('end', 'torn', 'magic', 'checksum',
     * 'sequence', 'base', 'version', 'record'), status (the index's status for a record that did
     * not apply, else 0)}.
     */
    replayJournal(bytes, opts) {
      const p = this._live();
      const parts = Array.isArray(bytes) ? bytes.map((b, i) => asBytes(`bytes[${i}]`, b)) : [asBytes('bytes', bytes)];
      const o = options('replayJournal options', opts);
      const [bl, bh] = o.base === undefined || o.base === null ? [0, 0] : keyParts(o.base, 'base');
      let len = 0;
      for (const u of parts) len += u.length;
      sizeCheck(len, 'replayJournal');
      return withMem(len + 56, 'replayJournal', (at) => {
        views();
        let off = at + 56;
        for (const u of parts) {
          H8.set(u, off);
          off += u.length;
        }
        const r = X.rw_journal_replay(p, at + 56, len, bl, bh, at);
        views();
        const u = HU32.slice(at >> 2, (at >> 2) + 12);
        if (r !== 0 && r !== -16) check(r, 'replayJournal');
        const n = (i) => u[i] + u[i + 1] * 4294967296;
        return { records: n(0), validBytes: n(2), ignoredBytes: n(4), nextSeq: n(6),
          base: BigInt(u[8]) | (BigInt(u[9]) << 32n), stop: JOURNAL_STOPS[u[10]] || String(u[10]),
          status: u[11] | 0 };
      });
    }
  }

  const JOURNAL_STOPS = ['end', 'torn', 'magic', 'checksum', 'sequence', 'base', 'version', 'record', 'missing'];

  /** Search hits as key halves (u32 pairs) and distances. */
  class Hits {
    constructor(parts, distances) {
      this.parts = parts;
      this.distances = distances;
    }
    get length() { return this.distances.length; }
    keyNum(i) { return this.parts[2 * i] + this.parts[2 * i + 1] * 4294967296; }
    keys64() { return new BigUint64Array(this.parts.buffer, this.parts.byteOffset, this.distances.length); }
  }
  const emptyHits = new Hits(new Uint32Array(0), new Float32Array(0));

  function asBytes(name, b) {
    if (b instanceof Uint8Array) return b;
    if (b instanceof ArrayBuffer) return new Uint8Array(b);
    if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    throw argError(TypeError, name, 'a Uint8Array or an ArrayBuffer', b);
  }

  // ---- SparseIndex and fuse: the sparse C API (ruv_sparse_*, ruv_fuse) ---------------------------
  // A sparse vector is {indices, values}: nnz dimension ids (Uint32Array or integers in
  // 0..2^32-2, strictly increasing) and nnz finite nonzero values (Float32Array or numbers).
  // Types, lengths, integer ranges and finite values are checked here; the order of the ids and
  // zero values are the C library's to refuse (RuvectorError -3), with the reason in the message.
  const SPARSE_METRICS = { ip: 1, cosine: 2, l2: 0, l2sq: 0 }; // ruv_metric
  const SPARSE_METRIC_NAMES = ['l2', 'ip', 'cosine']; // by ruv_metric code
  const SPARSE_MODES = { pruned: 0, exhaustive: 1, brute: 2 }; // ruv_sparse_mode
  const FUSE_METHODS = { rrf: 0, weighted: 1 }; // ruv_fuse_method
  const SPARSE_MAX_NNZ = 0x1000000; // RUV_SPARSE_MAX_NNZ
  const SPARSE_DEFAULT_NNZ = 65536; // RUV_SPARSE_DEFAULT_MAX_NNZ
  const SPARSE_MAX_ID = 0xfffffffe; // 2^32 - 1 is reserved
  const FLT_MAX = 3.4028234663852886e38;
  const MAX_FUSE_HITS = 0x7fffffff;

  /** A sparse vector {indices, values} as [Uint32Array ids, Float32Array values] (the arrays
      themselves when they have these types). */
  function sparseVec(name, v) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
      throw argError(TypeError, name, 'a sparse vector {indices, values}', v);
    }
    const ix = v.indices, vs = v.values;
    const numeric = (a) => Array.isArray(a) || (ArrayBuffer.isView(a) && !(a instanceof DataView) &&
      !(a instanceof BigInt64Array) && !(a instanceof BigUint64Array));
    if (!numeric(ix)) throw argError(TypeError, `${name}.indices`, 'a Uint32Array or an array of integers in 0..2^32-2', ix);
    if (!numeric(vs)) throw argError(TypeError, `${name}.values`, 'a Float32Array or an array of numbers', vs);
    const n = ix.length;
    if (vs.length !== n) {
      throw new RangeError(`ruvector: ${name}.indices has ${n} elements but ${name}.values has ${vs.length} ` +
        '(one value per index)');
    }
    if (n > SPARSE_MAX_NNZ) throw argError(RangeError, `${name}.indices.length`, `at most ${SPARSE_MAX_NNZ} (2^24) nonzeros`, n);
    let ids = ix;
    if (!(ix instanceof Uint32Array)) {
      ids = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const x = ix[i];
        if (typeof x !== 'number') throw argError(TypeError, `${name}.indices[${i}]`, 'an integer in 0..2^32-2', x);
        if (!Number.isInteger(x) || x < 0 || x > SPARSE_MAX_ID) throw argError(RangeError, `${name}.indices[${i}]`, 'an integer in 0..2^32-2', x);
        ids[i] = x;
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (ids[i] > SPARSE_MAX_ID) throw argError(RangeError, `${name}.indices[${i}]`, 'an integer in 0..2^32-2', ids[i]);
      }
    }
    return [ids, vec(`${name}.values`, vs, n)];
  }

  /** Why the C library refused a sparse vector with RUV_E_VALUE (its message is generic). */
  function sparseWhy(ids, vals, maxNnz, cosine, query) {
    const n = ids.length;
    if (n > maxNnz) return `${n} nonzeros, the index allows ${maxNnz} (maxNnz)`;
    if (n === 0 && cosine && !query) return 'an empty vector has no cosine';
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (i && ids[i] <= ids[i - 1]) {
        return `indices[${i}] = ${ids[i]} after indices[${i - 1}] = ${ids[i - 1]}: indices must be strictly increasing (sorted, no duplicates)`;
      }
      if (vals[i] === 0) return `values[${i}] is 0: a sparse vector holds nonzeros only`;
      s += vals[i] * vals[i];
    }
    if (s > FLT_MAX) return 'its squared norm exceeds the float32 range';
    return null;
  }

  const sparseRegistry = typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((p) => {
      liveIndexes--;
      if (X) X.rw_sparse_free(p);
    })
    : null;

  /**
   * The sparse index (ruv_sparse_index): u64 keys to sparse vectors, exact top-k search through
   * an inverted index. Distances as the dense index: ip 1 - dot, cosine 1 - cosine, l2 the
   * squared Euclidean distance. free() releases it at once; a dropped index is released when the
   * garbage collector reclaims it.
   */
  class SparseIndex {
    constructor(opts) {
      const m = mod();
      const o = options('SparseIndex options', opts);
      const metricName = oneOf('metric', o.metric, SPARSE_METRICS, 'ip');
      const maxNnz = optInt('maxNnz', o.maxNnz, 0, SPARSE_MAX_NNZ, 0) || SPARSE_DEFAULT_NNZ;
      const metric = SPARSE_METRICS[metricName];
      const p = withMem(4, 'SparseIndex create', (st) => {
        const r = m.rw_sparse_create(metric, maxNnz, st) >>> 0;
        views();
        if (!r) throw new RuvectorError(H32[st >> 2], `SparseIndex create (metric ${metricName}, maxNnz ${maxNnz})`);
        return r;
      });
      this._adopt(p, metric, maxNnz);
    }

    _adopt(p, metric, maxNnz) {
      this._p = p;
      /** 'ip', 'cosine' or 'l2' (squared Euclidean distances). */
      this.metric = SPARSE_METRIC_NAMES[metric];
      /** Nonzeros allowed per vector (options.maxNnz; ruv_sparse_options.max_nnz). */
      this.maxNnz = maxNnz;
      liveIndexes++;
      if (sparseRegistry) sparseRegistry.register(this, p, this);
    }

    _live() {
      if (!this._p) throw new Error('ruvector: sparse index already freed');
      return this._p;
    }

    /** Releases the index now (idempotent). Further calls other than free() throw. */
    free() {
      if (!this._p) return;
      if (sparseRegistry) sparseRegistry.unregister(this);
      liveIndexes--;
      X.rw_sparse_free(this._p);
      this._p = 0;
    }

    [DISPOSE]() { this.free(); }

    /** Live entries. */
    get count() { return X.rw_sparse_count(this._live()) >>> 0; }
    /** Bytes allocated by the index (stored vectors, posting lists, keys, ids, metadata). */
    get memoryUsage() { return X.rw_sparse_memory(this._live()) >>> 0; }

    /** Counts and sizes by part (ruv_sparse_get_stats); the byte fields sum to totalBytes. */
    stats() {
      const p = this._live();
      return withMem(44, 'stats', (at) => {
        check(X.rw_sparse_stats(p, at), 'stats');
        views();
        const u = HU32.subarray(at >> 2, (at >> 2) + 11);
        return { live: u[0], tombstones: u[1], dims: u[2], postings: u[3], deadPostings: u[4],
          vectorBytes: u[5], postingBytes: u[6], keyBytes: u[7], idBytes: u[8], metaBytes: u[9],
          totalBytes: u[10] };
      });
    }

    _check(r, what, ids, vals, query) {
      if (r === -3) {
        const why = sparseWhy(ids, vals, this.maxNnz, this.metric === 'cosine', query);
        if (why) throw new RuvectorError(r, `${what} (${why})`);
      }
      check(r, what);
    }

    /**
     * Inserts (mode 'insert', the default), replaces ('update') or either ('upsert') the entry of
     * key, as Index.put (ruv_sparse_put): vector ({indices, values}), id (string) and meta
     * (Uint8Array) may be undefined or null: kept as they are (a new key needs a vector); id ''
     * and an empty meta clear them. A new vector moves the key last in the write order. All or
     * nothing: RuvectorError -4 (insert of a present key, or an id another key has), -7 (update
     * of an absent key), -1 (a new key without a vector), -3 (an invalid vector).
     */
    put(key, vector, id, meta, mode) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      const md = MODES[oneOf('mode', mode, MODES, 'insert')];
      const v = vector === undefined || vector === null ? null : sparseVec('vector', vector);
      const ib = putId(id);
      const mb = putMeta(meta);
      this._write(p, lo, hi, v, ib, mb, md, mode || 'insert');
    }

    _write(p, lo, hi, v, ib, mb, md, what) {
      const n = v ? v[0].length : 0;
      const il = ib ? ib.length : 0, ml = mb ? mb.length : 0;
      const r = withMem(n * 8 + il + ml + 8, what, (at) => {
        views();
        if (n) {
          HU32.set(v[0], at >> 2);
          HF32.set(v[1], (at >> 2) + n);
        }
        const ia = at + n * 8, ma = ia + il;
        if (il) H8.set(ib, ia);
        if (ml) H8.set(mb, ma);
        return X.rw_sparse_put(p, lo, hi, v ? 1 : 0, n, at, at + n * 4, il ? ia : 0, il, ib ? 1 : 0,
          ml ? ma : 0, ml, mb ? 1 : 0, md);
      });
      if (v) this._check(r, what, v[0], v[1], false);
      putCheck(r, what, X.rw_sparse_get_key, p, lo, hi, v, ib);
    }

    _put(key, vector, mode, what) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      this._write(p, lo, hi, sparseVec('vector', vector), null, null, mode, what);
    }

    /** Adds the sparse vector under key; RuvectorError -4 if key is present. */
    add(key, vector) { this._put(key, vector, 0, 'add'); }
    /** A new vector for a present key (it moves last in the write order; id and metadata kept);
        RuvectorError -7 if absent. */
    update(key, vector) { this._put(key, vector, 1, 'update'); }
    /** Adds key or replaces its vector (a replaced entry moves last in the write order and keeps
        its id and metadata). */
    upsert(key, vector) { this._put(key, vector, 2, 'upsert'); }

    /** The string id of key: a string, null if it has none, undefined if key is absent. */
    getId(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      const b = keyBlob(X.rw_sparse_get_id, p, lo, hi);
      return b ? dec.decode(b) : b;
    }

    /** The metadata bytes of key (Uint8Array, a copy), null if none, undefined if key is absent. */
    getMeta(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      return keyBlob(X.rw_sparse_get_meta, p, lo, hi);
    }

    /** The key (BigInt) of the entry whose string id is `id`, or undefined. */
    getKey(id) {
      const p = this._live();
      const parts = keyOfId(X.rw_sparse_get_key, p, idBytes('id', id));
      return parts ? BigInt(parts[0]) | (BigInt(parts[1]) << 32n) : undefined;
    }

    /** Deletes key (its vector, id and metadata); false if it was not there. */
    remove(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      const r = X.rw_sparse_remove(p, lo, hi);
      if (r === -7) return false;
      check(r, 'remove');
      return true;
    }

    has(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      return X.rw_sparse_contains(p, lo, hi) !== 0;
    }

    /** Alias of has() (the C name, ruv_sparse_contains). */
    contains(key) { return this.has(key); }

    /** The stored vector of key as given ({indices: Uint32Array, values: Float32Array}, copies),
        or undefined. */
    get(key) {
      const p = this._live();
      const [lo, hi] = keyParts(key);
      const n = withMem(4, 'get', (na) => {
        const r = X.rw_sparse_get(p, lo, hi, 0, 0, 0, na);
        if (r === -7) return -1;
        if (r !== -10) check(r, 'get');
        views();
        return HU32[na >> 2];
      });
      if (n < 0) return undefined;
      if (n === 0) return { indices: new Uint32Array(0), values: new Float32Array(0) };
      return withMem(n * 8 + 8, 'get', (at) => {
        const na = at + n * 8;
        check(X.rw_sparse_get(p, lo, hi, at, at + n * 4, n, na), 'get');
        views();
        return { indices: HU32.slice(at >> 2, (at >> 2) + n), values: HF32.slice((at >> 2) + n, (at >> 2) + 2 * n) };
      });
    }

    /** Drops removed entries from the posting lists (ruv_sparse_compact; write order kept). */
    compact() {
      check(X.rw_sparse_compact(this._live()), 'compact');
    }

    /** Live keys (BigInt), in write order (an upsert or update moves its key last). */
    *keys() {
      const p = this._live();
      const out = [];
      withMem(16, 'keys', (at) => {
        views();
        HU32[at >> 2] = 0;
        while (X.rw_sparse_next(p, at, at + 8)) {
          views();
          out.push(BigInt(HU32[(at + 8) >> 2]) | (BigInt(HU32[(at + 12) >> 2]) << 32n));
        }
      });
      yield* out;
    }

    /**
     * The k nearest entries to the sparse query (k in 0..2^32-1): {keys: BigUint64Array,
     * distances: Float32Array, scored}, closest first, ties to the entry written first. ip and
     * cosine rank only entries sharing a dimension with the query (fewer than k hits then); l2
     * ranks every entry. options.mode 'pruned' (default; MaxScore with block-max bounds),
     * 'exhaustive' or 'brute': the same hits. options.window (pruned: slots per window, a power
     * of two in 64..4096; 0 = automatic), options.allow (a Uint8Array bitset over keys, as
     * Index.search). scored: entries whose score was completed (the work pruning left).
     */
    search(query, k, opts) {
      const p = this._live();
      const o = options('search options', opts);
      const [ids, vals] = sparseVec('query', query);
      k = int('k', k, 0, MAX_K);
      const mode = SPARSE_MODES[oneOf('mode', o.mode, SPARSE_MODES, 'pruned')];
      const win = optInt('window', o.window, 0, 4096, 0);
      if (win && (win < 64 || (win & (win - 1)))) {
        throw argError(RangeError, 'window', '0 (automatic) or a power of two in 64..4096', win);
      }
      if (o.filter !== undefined && o.filter !== null) {
        throw new TypeError('ruvector: SparseIndex.search: filter callbacks are not supported here; pass ' +
          'options.allow, a Uint8Array bitset over keys (bit key % 8 of byte key / 8)');
      }
      const allow = allowOpt(o);
      if (k === 0) return { keys: new BigUint64Array(0), distances: new Float32Array(0), scored: 0 };
      // at most the live entries (at least 1: an empty index still checks the query)
      const kk = Math.max(1, Math.min(k, X.rw_sparse_count(p) >>> 0));
      const n = ids.length, al = allow ? allow.length : 0;
      return withMem(n * 8 + al + kk * 12 + 32, 'search', (at) => {
        views();
        HU32.set(ids, at >> 2);
        HF32.set(vals, (at >> 2) + n);
        let o2 = at + n * 8;
        if (al) H8.set(allow, o2);
        const aa = al ? o2 : 0;
        o2 = (o2 + al + 7) & ~7;
        const ka = o2, da = ka + kk * 8, na = da + kk * 4;
        this._check(X.rw_sparse_search(p, n, at, at + n * 4, kk, mode, win, aa, al * 8, ka, da, na, na + 4),
          'search', ids, vals, true);
        views();
        const got = Math.min(HU32[na >> 2], kk);
        const parts = HU32.slice(ka >> 2, (ka >> 2) + 2 * got);
        return { keys: new BigUint64Array(parts.buffer, 0, got), distances: HF32.slice(da >> 2, (da >> 2) + got),
          scored: HU32[(na + 4) >> 2] };
      });
    }

    /** The index in the ruvector file format (kind 2, sparse; Uint8Array, a copy): the same
        entries give the same bytes. */
    save() {
      const p = this._live();
      return withMem(8, 'save', (at) => {
        const b = X.rw_sparse_save(p, at, at + 4) >>> 0;
        views();
        if (!b) throw new RuvectorError(H32[(at + 4) >> 2], 'save');
        const len = HU32[at >> 2];
        const out = H8.slice(b, b + len);
        X.free(b);
        return out;
      });
    }

    /** A sparse index loaded from bytes written by save() or ruv_sparse_save (every field,
        checksum and entry checked; a dense index's bytes: RuvectorError -6). */
    static load(bytes) {
      mod();
      const u = asBytes('bytes', bytes);
      const p = withMem(u.length + 8, 'SparseIndex.load', (at) => {
        views();
        H8.set(u, at + 8);
        const r = X.rw_sparse_load(at + 8, u.length, at) >>> 0;
        views();
        if (!r) throw new RuvectorError(H32[at >> 2], 'SparseIndex.load');
        return r;
      });
      // max_nnz (u32 at 32) and metric (u32 at 36) of the header the loader has just checked
      const dv = new DataView(u.buffer, u.byteOffset, u.byteLength);
      const x = Object.create(SparseIndex.prototype);
      x._adopt(p, dv.getUint32(36, true), dv.getUint32(32, true));
      return x;
    }
  }

  /** One result list of fuse(): [Uint32Array key halves, Float32Array distances]. */
  function fuseList(name, r, finite) {
    let parts, d;
    if (Array.isArray(r)) { // [{key, distance}, ...]
      const n = r.length;
      if (n > MAX_FUSE_HITS) throw argError(RangeError, `${name}.length`, `at most ${MAX_FUSE_HITS}`, n);
      parts = new Uint32Array(2 * n);
      d = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const h = r[i];
        if (h === null || typeof h !== 'object') throw argError(TypeError, `${name}[${i}]`, 'a hit {key, distance}', h);
        const [lo, hi] = keyParts(h.key, `${name}[${i}].key`);
        parts[2 * i] = lo;
        parts[2 * i + 1] = hi;
        if (typeof h.distance !== 'number') throw argError(TypeError, `${name}[${i}].distance`, 'a number', h.distance);
        d[i] = h.distance;
      }
    } else if (r !== null && typeof r === 'object' && !ArrayBuffer.isView(r)) { // {keys, distances}
      const ks = r.keys, ds = r.distances;
      if (!(ks instanceof BigUint64Array || Array.isArray(ks))) {
        throw argError(TypeError, `${name}.keys`, 'a BigUint64Array or an array of keys', ks);
      }
      if (!(Array.isArray(ds) || (ArrayBuffer.isView(ds) && !(ds instanceof DataView) &&
            !(ds instanceof BigInt64Array) && !(ds instanceof BigUint64Array)))) {
        throw argError(TypeError, `${name}.distances`, 'a Float32Array or an array of numbers', ds);
      }
      const n = ks.length;
      if (ds.length !== n) {
        throw new RangeError(`ruvector: ${name}.keys has ${n} elements but ${name}.distances has ${ds.length} (one distance per key)`);
      }
      if (n > MAX_FUSE_HITS) throw argError(RangeError, `${name}.keys.length`, `at most ${MAX_FUSE_HITS}`, n);
      if (ks instanceof BigUint64Array) {
        parts = new Uint32Array(ks.buffer.slice(ks.byteOffset, ks.byteOffset + ks.byteLength));
      } else {
        parts = new Uint32Array(2 * n);
        for (let i = 0; i < n; i++) {
          const [lo, hi] = keyParts(ks[i], `${name}.keys[${i}]`);
          parts[2 * i] = lo;
          parts[2 * i + 1] = hi;
        }
      }
      d = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const x = ds[i];
        if (typeof x !== 'number') throw argError(TypeError, `${name}.distances[${i}]`, 'a number', x);
        d[i] = x;
      }
    } else {
      throw argError(TypeError, name, 'a search result {keys, distances} or an array of hits {key, distance}', r);
    }
    for (let i = 0; i < d.length; i++) {
      if (Number.isNaN(d[i]) || (finite && !Number.isFinite(d[i]))) {
        const e = new RangeError(`ruvector: ${name}: distance ${i} is ${d[i]}: ` +
          (finite ? "'weighted' fusion needs finite distances (within the float32 range)" : 'a distance must not be NaN'));
        e.code = -3;
        throw e;
      }
    }
    return [parts, d];
  }

  /**
   * Rank fusion of search results by key (ruv_fuse): lists is an array of results as search()
   * returns them ({keys, distances}, closest first; from Index and SparseIndex over the same
   * keys) or arrays of hits {key, distance}. options.method 'rrf' (default: score = sum over the
   * lists holding the key of weight / (rrfK + rank), rank from 1) or 'weighted' (sum of weight x
   * the min-max normalised score (dmax - d) / (dmax - dmin), 1 when a list's distances are all
   * equal); options.rrfK (finite, >= 0; 0 or absent: 60), options.weights (one per list, finite,
   * >= 0; default 1 each), options.k (0..2^32-1; default: every key). A key repeated within a
   * list counts at its first position. Returns [{key: bigint, score}], best first, ties to the
   * smaller key; score is the sum (in double) as a float32.
   */
  function fuse(lists, opts) {
    mod();
    if (!Array.isArray(lists)) {
      throw argError(TypeError, 'lists', 'an array of search results ({keys, distances} or arrays of {key, distance})', lists);
    }
    const o = options('fuse options', opts);
    const methodName = oneOf('method', o.method, FUSE_METHODS, 'rrf');
    const method = FUSE_METHODS[methodName];
    const k = optInt('k', o.k, 0, MAX_K, MAX_K);
    let rrfK = 0;
    if (o.rrfK !== undefined && o.rrfK !== null) {
      rrfK = finiteNumber('rrfK', o.rrfK);
      if (rrfK < 0 || rrfK > 1e300) throw argError(RangeError, 'rrfK', 'a finite number >= 0 (0: 60)', rrfK);
    }
    const nl = lists.length;
    if (nl > MAX_FUSE_HITS) throw argError(RangeError, 'lists.length', `at most ${MAX_FUSE_HITS}`, nl);
    let w = null;
    if (o.weights !== undefined && o.weights !== null) {
      const ws = o.weights;
      if (!(Array.isArray(ws) || (ArrayBuffer.isView(ws) && !(ws instanceof DataView) &&
            !(ws instanceof BigInt64Array) && !(ws instanceof BigUint64Array)))) {
        throw argError(TypeError, 'weights', `an array of ${nl} numbers (one per list)`, ws);
      }
      if (ws.length !== nl) throw new RangeError(`ruvector: weights has ${ws.length} numbers for ${nl} lists (one per list)`);
      w = new Float32Array(nl);
      for (let i = 0; i < nl; i++) {
        const x = ws[i];
        if (typeof x !== 'number') throw argError(TypeError, `weights[${i}]`, 'a finite number >= 0', x);
        w[i] = x;
        if (!(w[i] >= 0) || !Number.isFinite(w[i])) {
          const e = argError(RangeError, `weights[${i}]`, 'a finite number >= 0 (within the float32 range)', x);
          e.code = -3;
          throw e;
        }
      }
    }
    const parsed = new Array(nl);
    let total = 0;
    for (let l = 0; l < nl; l++) {
      parsed[l] = fuseList(`lists[${l}]`, lists[l], method === 1);
      total += parsed[l][1].length;
      if (total > MAX_FUSE_HITS) throw argError(RangeError, 'total hits of lists', `at most ${MAX_FUSE_HITS}`, total);
    }
    if (k === 0) return [];
    const kk = Math.max(1, Math.min(k, total));
    const head = (nl * 8 + 7) & ~7;
    const bytes = sizeCheck(head + total * 12 + 8 + kk * 12 + 16, 'fuse');
    return withMem(bytes, 'fuse', (at) => {
      at = (at + 7) & ~7; // (malloc's blocks are 8-aligned already)
      const ca = at, wa = at + nl * 4, ka = at + head, da = ka + total * 8;
      const oka = (da + total * 4 + 7) & ~7, osa = oka + kk * 8, na = osa + kk * 4;
      views();
      let off = 0;
      for (let l = 0; l < nl; l++) {
        const [parts, d] = parsed[l];
        HU32[(ca >> 2) + l] = d.length;
        HU32.set(parts, (ka >> 2) + 2 * off);
        HF32.set(d, (da >> 2) + off);
        off += d.length;
      }
      if (w) HF32.set(w, wa >> 2);
      check(X.rw_fuse(nl, ca, ka, da, kk, method, rrfK, w ? wa : 0, oka, osa, na), 'fuse');
      views();
      const n = Math.min(HU32[na >> 2], kk);
      const out = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = { key: BigInt(HU32[(oka >> 2) + 2 * i]) | (BigInt(HU32[(oka >> 2) + 2 * i + 1]) << 32n),
          score: HF32[(osa >> 2) + i] };
      }
      return out;
    });
  }

  // ---- cosine: the inserted vector back, exactly ----------------------------------------------
  // A cosine index stores u = v / |v| (float32 of a double product, ruv__normalize). fround(u_i *
  // |v|) is within one float32 step of v_i, so each component's difference in bit patterns (-1, 0
  // or +1) fits in 2 bits; anything else (code 3) is listed exactly. Record: [0x01][1][f64 norm]
  // [ceil(dim/4) code bytes][u32 count][count x (u32 index, f32 value)][JSON], or, when more than
  // dim/16 components are exceptions, [0x01][2][dim x f32][JSON]. Other metrics store v itself:
  // their record is the JSON alone.
  const f64 = new Float64Array(1);
  const f64b = new Uint8Array(f64.buffer);
  const cvt = new Float32Array(1);
  const cvtI = new Int32Array(cvt.buffer);

  function normalise(v) { // what ruv__normalize computes, bit for bit
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * v[i];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    const u = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) u[i] = v[i] * inv;
    return { u, norm: Math.sqrt(s) };
  }

  function bitsOf(x) {
    cvt[0] = x;
    return cvtI[0];
  }

  function cosineRecord(v, json) {
    const dim = v.length;
    const { u, norm } = normalise(v);
    const codes = new Uint8Array((dim + 3) >> 2);
    const exc = [];
    for (let i = 0; i < dim; i++) {
      const d = bitsOf(v[i]) - bitsOf(u[i] * norm);
      let c = 3;
      if (d >= -1 && d <= 1) c = d + 1;
      else exc.push(i);
      codes[i >> 2] |= c << ((i & 3) * 2);
    }
    const jb = json === null ? null : enc.encode(json);
    const jl = jb ? jb.length : 0;
    let out;
    if (exc.length * 16 > dim) {
      out = new Uint8Array(2 + dim * 4 + jl);
      out[0] = 1;
      out[1] = 2;
      const dv = new DataView(out.buffer);
      for (let i = 0; i < dim; i++) dv.setFloat32(2 + 4 * i, v[i], true);
      if (jb) out.set(jb, 2 + dim * 4);
    } else {
      const base = 2 + 8 + codes.length;
      out = new Uint8Array(base + 4 + exc.length * 8 + jl);
      const dv = new DataView(out.buffer);
      out[0] = 1;
      out[1] = 1;
      dv.setFloat64(2, norm, true);
      out.set(codes, 10);
      dv.setUint32(base, exc.length, true);
      for (let j = 0; j < exc.length; j++) {
        dv.setUint32(base + 4 + 8 * j, exc[j], true);
        dv.setFloat32(base + 8 + 8 * j, v[exc[j]], true);
      }
      if (jb) out.set(jb, base + 4 + exc.length * 8);
    }
    if (out.length > MAX_META_BYTES) {
      throw new RangeError(`ruvector: metadata is ${jl} bytes as JSON; with the vector's record it exceeds the limit of ${MAX_META_BYTES}`);
    }
    return out;
  }

  /** {json: string|null, vec(u): the original vector from the stored one (or u itself)}. */
  function parseRecord(b, dim) {
    if (!b || b.length === 0) return { json: null, vec: null };
    if (b[0] !== 1) return { json: dec.decode(b), vec: null };
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (b[1] === 2) {
      const v = new Float32Array(dim);
      for (let i = 0; i < dim; i++) v[i] = dv.getFloat32(2 + 4 * i, true);
      const j = 2 + dim * 4;
      return { json: b.length > j ? dec.decode(b.subarray(j)) : null, vec: () => v };
    }
    const norm = dv.getFloat64(2, true);
    const nc = (dim + 3) >> 2;
    const base = 10 + nc;
    const ne = dv.getUint32(base, true);
    const j = base + 4 + ne * 8;
    return {
      json: b.length > j ? dec.decode(b.subarray(j)) : null,
      vec: (u) => {
        const v = new Float32Array(dim);
        const vi = new Int32Array(v.buffer);
        for (let i = 0; i < dim; i++) {
          const c = (b[10 + (i >> 2)] >> ((i & 3) * 2)) & 3;
          vi[i] = bitsOf(u[i] * norm) + (c === 3 ? 0 : c - 1);
        }
        for (let e = 0; e < ne; e++) {
          v[dv.getUint32(base + 4 + 8 * e, true)] = dv.getFloat32(base + 8 + 8 * e, true);
        }
        return v;
      },
    };
  }

  // ---- metadata index for filters ---------------------------------------------------------------
  // field -> { eq: Map(JSON of a value -> Set of keys), num: Map(key -> number), sorted }. Kept up
  // to date on insert / update / delete once the first filtered search has built it. A filter
  // yields the allow-list bitset the C search takes; it never reads every entry per query.
  const OPS = new Set(['$eq', '$in', '$gt', '$gte', '$lt', '$lte']);
  const POPCOUNT = new Uint8Array(256).map((_, i) => { let c = 0; for (let b = i; b; b >>= 1) c += b & 1; return c; });
  // HNSW + filter: an exact scan of the passing entries when at most 1 / 4 of the entries pass
  // (measured at 20,000 x 384: 0.1-0.5 ms, against 3-12 ms for the graph search widened by the C
  // library's rule ef / pass-rate); the graph search above that.
  const EXACT_FILTER_RATIO = 4;

  class MetaIndex {
    constructor() {
      this.fields = new Map();
      this.cache = new Map(); // JSON of a filter -> {bits, count}: repeated filters cost nothing
    }

    _field(f) {
      let fi = this.fields.get(f);
      if (!fi) this.fields.set(f, fi = { eq: new Map(), num: new Map(), sorted: null });
      return fi;
    }

    add(key, md) {
      if (md === null || typeof md !== 'object' || Array.isArray(md)) return;
      this.cache.clear();
      for (const f of Object.keys(md)) {
        const v = md[f];
        const fi = this._field(f);
        const s = JSON.stringify(v);
        let set = fi.eq.get(s);
        if (!set) fi.eq.set(s, set = new Set());
        set.add(key);
        if (typeof v === 'number') {
          fi.num.set(key, v);
          fi.sorted = null;
        }
      }
    }

    remove(key, md) {
      if (md === null || typeof md !== 'object' || Array.isArray(md)) return;
      this.cache.clear();
      for (const f of Object.keys(md)) {
        const fi = this.fields.get(f);
        if (!fi) continue;
        const s = JSON.stringify(md[f]);
        const set = fi.eq.get(s);
        if (set) {
          set.delete(key);
          if (set.size === 0) fi.eq.delete(s);
        }
        if (fi.num.delete(key)) fi.sorted = null;
      }
    }

    _sorted(fi) {
      if (!fi.sorted) {
        const n = fi.num.size;
        const vals = new Float64Array(n), keys = new Float64Array(n);
        let i = 0;
        for (const [k, v] of fi.num) {
          keys[i] = k;
          vals[i++] = v;
        }
        const ord = new Uint32Array(n).map((_, j) => j).sort((a, b) => vals[a] - vals[b]);
        fi.sorted = { vals: Float64Array.from(ord, (j) => vals[j]),
          keys: Float64Array.from(ord, (j) => keys[j]) };
      }
      return fi.sorted;
    }

    /** {bits: the allow bitset for filter over keys < limit, count: entries passing}. */
    allow(filter, limit) {
      const ck = JSON.stringify(filter);
      const hit = ck !== undefined && this.cache.get(ck);
      if (hit && hit.limit === limit) return hit;
      const nbytes = Math.floor(limit / 8) + 1;
      let acc = null;
      for (const f of Object.keys(filter)) {
        const bits = new Uint8Array(nbytes);
        this._cond(f, filter[f], bits);
        if (acc) for (let i = 0; i < nbytes; i++) acc[i] &= bits[i];
        else acc = bits;
      }
      let count = 0;
      for (let i = 0; i < nbytes; i++) count += POPCOUNT[acc[i]];
      const r = { bits: acc, count, limit };
      if (ck !== undefined) {
        if (this.cache.size >= 32) this.cache.delete(this.cache.keys().next().value);
        this.cache.set(ck, r);
      }
      return r;
    }

    _cond(f, c, bits) {
      const fi = this.fields.get(f);
      const setKeys = (set) => { if (set) for (const k of set) bits[k >>> 3] |= 1 << (k & 7); };
      const isOps = c !== null && typeof c === 'object' && !Array.isArray(c) &&
        Object.keys(c).length > 0 && Object.keys(c).every((k) => k.startsWith('$'));
      if (!isOps) {
        const s = JSON.stringify(c);
        if (s === undefined) throw argError(TypeError, `filter.${f}`, 'a JSON value or an operator object', c);
        if (fi) setKeys(fi.eq.get(s));
        return;
      }
      let lo = -Infinity, hi = Infinity, loIn = true, hiIn = true, range = false;
      let sets = null; // $eq / $in: the union of their keys, intersected with the range if any
      for (const op of Object.keys(c)) {
        if (!OPS.has(op)) {
          throw new TypeError(`ruvector: filter.${f}: unknown operator ${op} (supported: ${[...OPS].join(', ')})`);
        }
        const v = c[op];
        if (op === '$eq' || op === '$in') {
          const list = op === '$eq' ? [v] : v;
          if (!Array.isArray(list)) throw argError(TypeError, `filter.${f}.$in`, 'an array', v);
          const u = new Set();
          for (const x of list) {
            const s = JSON.stringify(x);
            const set = fi && s !== undefined ? fi.eq.get(s) : null;
            if (set) for (const k of set) u.add(k);
          }
          if (sets) for (const k of sets) { if (!u.has(k)) sets.delete(k); } else sets = u;
        } else {
          finiteNumber(`filter.${f}.${op}`, v);
          range = true;
          if (op === '$gt' && (v > lo || (v === lo && loIn))) { lo = v; loIn = false; }
          if (op === '$gte' && v > lo) { lo = v; loIn = true; }
          if (op === '$lt' && (v < hi || (v === hi && hiIn))) { hi = v; hiIn = false; }
          if (op === '$lte' && v < hi) { hi = v; hiIn = true; }
        }
      }
      if (!fi) return;
      if (!range) {
        setKeys(sets);
        return;
      }
      const s = this._sorted(fi);
      // first index with vals >= lo (or > lo)
      let a = 0, b = s.vals.length;
      while (a < b) {
        const m = (a + b) >>> 1;
        if (s.vals[m] < lo || (!loIn && s.vals[m] === lo)) a = m + 1; else b = m;
      }
      for (let i = a; i < s.vals.length; i++) {
        const x = s.vals[i];
        if (x > hi || (!hiIn && x === hi)) break;
        const k = s.keys[i];
        if (!sets || sets.has(k)) bits[k >>> 3] |= 1 << (k & 7);
      }
    }
  }

  function checkFilter(filter) {
    if (filter === undefined || filter === null) return null;
    if (typeof filter !== 'object' || Array.isArray(filter) || ArrayBuffer.isView(filter)) {
      throw argError(TypeError, 'filter', 'an object of metadata fields', filter);
    }
    return Object.keys(filter).length ? filter : null;
  }

  // ---- @ruvector/wasm 0.1.x classes --------------------------------------------------------------
  /** A search hit: id, score (a distance, lower is closer), metadata (undefined if none), vector. */
  class JsSearchResult {
    constructor(id, score, metadata, vector) {
      this.id = id;
      this.score = score;
      this.metadata = metadata;
      this.vector = vector;
    }
    /** Nothing to release (a plain JavaScript object); kept for @ruvector/wasm code. */
    free() {}
    [DISPOSE]() {}
  }

  /** An entry: vector, id (undefined if none), metadata (undefined if none). */
  class JsVectorEntry {
    constructor(vector, id, metadata) {
      if (!(vector instanceof Float32Array)) {
        if (!Array.isArray(vector) && !ArrayBuffer.isView(vector)) {
          throw argError(TypeError, 'vector', 'a Float32Array or an array of numbers', vector);
        }
        vector = vec('vector', vector, vector.length);
      }
      if (id !== undefined && id !== null && typeof id !== 'string') throw argError(TypeError, 'id', 'a string', id);
      this.vector = vector;
      this.id = id === null ? undefined : id;
      this.metadata = metadata === null ? undefined : metadata;
    }
    free() {}
    [DISPOSE]() {}
  }

  function newId() {
    const c = globalThis.crypto;
    if (c && typeof c.randomUUID === 'function') return c.randomUUID();
    const b = new Uint8Array(16);
    if (c && typeof c.getRandomValues === 'function') c.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const RVDB_VERSION = 2;

  /**
   * A vector database with string ids and JSON metadata: the API of @ruvector/wasm 0.1.x. Scores
   * are distances (lower is closer): euclidean the Euclidean distance, cosine 1 - cosine
   * similarity, dotproduct -a.b, manhattan the sum of absolute differences.
   */
  class VectorDB {
    /**
     * @param dimensions 1..65536
     * @param metric 'euclidean' | 'cosine' (default) | 'dotproduct' | 'manhattan'
     * @param useHnsw default true
     * @param options {M, efConstruction, efSearch, quant, rerank, dropF32, rerankDtype, seed,
     *   capacity}
     */
    constructor(dimensions, metric, useHnsw, opts) {
      if (dimensions !== null && typeof dimensions === 'object' && !ArrayBuffer.isView(dimensions) &&
          !Array.isArray(dimensions) && opts === undefined && metric === undefined) {
        // the `ruvector` package exports its async class as VectorDB too: new VectorDB({dimensions})
        return new VectorDb(dimensions);
      }
      mod();
      const o = options('VectorDB options', opts);
      this._metric = oneOf('metric', metric, DB_METRICS, 'cosine');
      if (o._index) {
        this._ix = o._index;
        this._v = o._version;
      } else {
        const dim = int('dimensions', dimensions, 1, MAX_DIM);
        const hnsw = bool('useHnsw', useHnsw, true);
        this._ix = new Index(dim, { M: o.M, efConstruction: o.efConstruction, efSearch: o.efSearch,
          quant: o.quant, rerank: o.rerank, dropF32: o.dropF32, rerankDtype: o.rerankDtype,
          seed: o.seed, capacity: o.capacity,
          metric: DB_METRICS[this._metric], kind: hnsw ? 'hnsw' : 'flat' });
        this._v = RVDB_VERSION;
      }
      this._idb = null; // IndexedDB binding (saveToIndexedDB / loadFromIndexedDB)
      this._writes = 0; // writes so far (one journal record each)
      this._idbq = null;
      /** What loadFromIndexedDB found (null for other databases). */
      this.loadReport = null;
      this._cos = this._metric === 'cosine' && this._v >= 2;
      this._next = 1; // next key (keys are numbers below 2^53)
      for (const [lo, hi] of this._ix._keyParts()) {
        const k = lo + hi * 4294967296;
        if (k >= this._next) this._next = k + 1;
      }
      // metadata index for filters: kept from the start for a new database, built by the first
      // filtered search for a loaded one
      this._mi = this._next === 1 ? new MetaIndex() : null;
      const cfg = this._ix.config();
      this._hnsw = cfg.kind === 'hnsw';
      this._efs = cfg.efSearch;
    }

    get dimensions() { return this._ix.dim; }
    len() { return this._ix.count; }
    isEmpty() { return this._ix.count === 0; }

    _record(v, json) {
      if (this._cos) return cosineRecord(v, json);
      return json === null ? null : enc.encode(json);
    }

    /** Inserts vector under id (a UUID when absent) with metadata; returns the id. An existing
        id gets the new vector, and the new metadata when given (else it keeps its own). */
    insert(vector, id, metadata) {
      const p = this._ix._live();
      const v = vec('vector', vector, this._ix.dim);
      const sid = id === undefined || id === null ? newId() : id;
      const ib = idBytes('id', sid);
      const json = metaJson(metadata);
      this._insert(p, v, sid, ib, json);
      return sid;
    }

    _insert(p, v, sid, ib, json) {
      const old = this._ix._keyOf(p, ib);
      if (old) {
        const key = old[0] + old[1] * 4294967296;
        const prev = this._metaOfKey(p, old[0], old[1]);
        // as in @ruvector/wasm and ruvector: an insert without metadata keeps the entry's
        if (json === null && prev !== undefined) json = JSON.stringify(prev);
        const rec = this._record(v, json);
        if (this._mi) this._mi.remove(key, prev);
        this._ix._put(p, old[0], old[1], v, ib, rec || new Uint8Array(0), 1, 'insert (update)');
        this._writes++;
        if (this._mi && json !== null) this._mi.add(key, JSON.parse(json));
        return;
      }
      const key = this._next;
      const lo = key >>> 0, hi = Math.floor(key / 4294967296);
      this._ix._put(p, lo, hi, v, ib, this._record(v, json), 0, 'insert');
      this._writes++;
      this._next = key + 1;
      if (this._mi && json !== null) this._mi.add(key, JSON.parse(json));
    }

    /**
     * Inserts entries [{vector, id?, metadata?} or JsVectorEntry, ...]; returns their ids. Every
     * entry is checked before the first is inserted. options.onProgress(done, total).
     */
    insertBatch(entries, opts) {
      const p = this._ix._live();
      if (!Array.isArray(entries)) throw argError(TypeError, 'entries', 'an array of {vector, id?, metadata?}', entries);
      const o = options('insertBatch options', opts);
      if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
        throw argError(TypeError, 'onProgress', 'a function', o.onProgress);
      }
      const dim = this._ix.dim;
      const n = entries.length;
      sizeCheck(n * dim * 4, 'insertBatch');
      const prepared = new Array(n);
      for (let i = 0; i < n; i++) {
        const e = entries[i];
        if (e === null || typeof e !== 'object') throw argError(TypeError, `entries[${i}]`, 'an object {vector, id?, metadata?}', e);
        const v = vec(`entries[${i}].vector`, e.vector, dim);
        let sid = e.id === undefined || e.id === null ? null : e.id;
        if (sid !== null) idBytes(`entries[${i}].id`, sid);
        else sid = newId();
        const json = metaJson(e.metadata);
        prepared[i] = [v, sid, json];
      }
      const ids = new Array(n);
      const step = n > 4096 ? 1024 : 256;
      for (let i = 0; i < n; i++) {
        const [v, sid, json] = prepared[i];
        this._insert(p, v, sid, enc.encode(sid), json);
        ids[i] = sid;
        if (o.onProgress && ((i + 1) % step === 0 || i + 1 === n)) o.onProgress(i + 1, n);
      }
      return ids;
    }

    _metaOfKey(p, lo, hi) {
      const b = this._ix._blob(X.rw_get_meta, p, lo, hi);
      const r = parseRecord(b, this._ix.dim);
      return r.json === null ? undefined : JSON.parse(r.json);
    }

    _entry(p, lo, hi, wantVector) {
      const b = this._ix._blob(X.rw_get_meta, p, lo, hi);
      const r = parseRecord(b, this._ix.dim);
      const metadata = r.json === null ? undefined : JSON.parse(r.json);
      let vector;
      if (wantVector) {
        const u = this._ix._getVector(p, lo, hi);
        vector = r.vec ? r.vec(u) : u;
      }
      return { metadata, vector };
    }

    _buildMetaIndex(p) {
      const mi = new MetaIndex();
      for (const [lo, hi] of this._ix._keyParts()) {
        const md = this._metaOfKey(p, lo, hi);
        if (md !== undefined) mi.add(lo + hi * 4294967296, md);
      }
      this._mi = mi;
      return mi;
    }

    /** The allow bitset and its count for a filter (building the metadata index on first use). */
    _allow(p, filter) {
      const mi = this._mi || this._buildMetaIndex(p);
      return mi.allow(filter, this._next);
    }

    /**
     * The k nearest: [JsSearchResult {id, score, metadata, vector}], closest first. k = 0 or
     * undefined gives []. filter: metadata fields that must match (equality, or {$eq, $in, $gt,
     * $gte, $lt, $lte}), applied inside the search (k hits when k entries match). options:
     * {efSearch, includeVectors (default true)}.
     */
    search(query, k, filter, opts) {
      const p = this._ix._live();
      const q = vec('query', query, this._ix.dim);
      k = k === undefined || k === null ? 0 : int('k', k, 0, MAX_K);
      const f = checkFilter(filter);
      const o = options('search options', opts);
      const ef = optInt('efSearch', o.efSearch, 0, MAX_EF, 0) || undefined;
      const withVec = bool('includeVectors', o.includeVectors, true);
      if (k === 0) return [];
      let allow, efs = ef;
      if (f) {
        const a = this._allow(p, f);
        if (a.count === 0) return [];
        allow = a.bits;
        // Few entries pass: an exact scan of them beats widening the graph search. An ef_search
        // of the live count makes the C search take its exact path for a filtered query (its
        // rule: exact when the estimated passing count is below 4 x ef_search).
        if (efs === undefined && this._hnsw) {
          const live = this._ix.count;
          if (a.count * EXACT_FILTER_RATIO <= live) efs = Math.max(live, 1);
          // else the graph search: the C library widens ef_search by 1 / pass-rate (about ef
          // passing candidates); ef x sqrt(rate) before that widening keeps k = 10 recall on
          // real data (GloVe-100, 20,000: 0.997 against 0.999 at 1/3) for 0.6x the time
          else efs = Math.max(k, Math.min(MAX_EF, Math.round(this._efs * Math.sqrt(a.count / live))));
        }
      }
      const r = this._ix._search(q, k, { efSearch: efs, allow });
      const out = new Array(r.length);
      const dot = this._metric === 'dotproduct';
      for (let i = 0; i < r.length; i++) {
        const lo = r.parts[2 * i], hi = r.parts[2 * i + 1];
        const idb = this._ix._blob(X.rw_get_id, p, lo, hi);
        const e = this._entry(p, lo, hi, withVec || dot);
        let score = r.distances[i];
        if (this._metric === 'euclidean') score = Math.sqrt(Math.max(score, 0));
        else if (dot) {
          let s = 0;
          for (let j = 0; j < q.length; j++) s += q[j] * e.vector[j];
          score = -s;
        }
        out[i] = new JsSearchResult(idb ? dec.decode(idb) : undefined, score, e.metadata,
          withVec ? e.vector : undefined);
      }
      return out;
    }

    /** Deletes id; false if absent. */
    delete(id) {
      const p = this._ix._live();
      const kp = this._ix._keyOf(p, idBytes('id', id));
      if (!kp) return false;
      if (this._mi) this._mi.remove(kp[0] + kp[1] * 4294967296, this._metaOfKey(p, kp[0], kp[1]));
      const r = X.rw_remove(p, kp[0], kp[1]);
      if (r === -7) return false;
      check(r, 'delete');
      this._writes++;
      return true;
    }

    /** The entry of id as a JsVectorEntry {id, vector (as inserted), metadata}, or undefined. */
    get(id) {
      const p = this._ix._live();
      const kp = this._ix._keyOf(p, idBytes('id', id));
      if (!kp) return undefined;
      const e = this._entry(p, kp[0], kp[1], true);
      const out = Object.create(JsVectorEntry.prototype);
      out.vector = e.vector;
      out.id = id;
      out.metadata = e.metadata;
      return out;
    }

    /** Memory of this database and of the whole WebAssembly module, in bytes. */
    memoryUsage() {
      const s = this._ix.stats();
      return { bytes: s.totalBytes, count: s.live, capacity: s.capacity, vectorBytes: s.vectorBytes,
        graphBytes: s.graphBytes, metadataBytes: s.metaBytes + s.idBytes,
        wasmBytes: X.memory.buffer.byteLength, wasmMaxBytes: WASM_MAX_BYTES };
    }

    /** The database in the ruvector file format with a small header (Uint8Array). */
    save() {
      const cfgb = enc.encode(JSON.stringify({ metric: this._metric, v: this._v }));
      const idx = this._ix.save();
      const out = new Uint8Array(8 + cfgb.length + idx.length);
      out.set([0x52, 0x56, 0x44, 0x42], 0); // "RVDB"
      new DataView(out.buffer).setUint32(4, cfgb.length, true);
      out.set(cfgb, 8);
      out.set(idx, 8 + cfgb.length);
      return out;
    }

    /** A database from save()'s bytes. */
    static load(bytes) {
      mod();
      const u = asBytes('bytes', bytes);
      if (u.length < 8 || u[0] !== 0x52 || u[1] !== 0x56 || u[2] !== 0x44 || u[3] !== 0x42) {
        throw new RuvectorError(-11, 'VectorDB.load');
      }
      const n = new DataView(u.buffer, u.byteOffset, u.byteLength).getUint32(4, true);
      if (n > u.length - 8) throw new RuvectorError(-14, 'VectorDB.load');
      let cfg;
      try {
        cfg = JSON.parse(dec.decode(u.subarray(8, 8 + n)));
      } catch (e) {
        throw new RuvectorError(-16, 'VectorDB.load');
      }
      if (!cfg || typeof cfg !== 'object' || !Object.prototype.hasOwnProperty.call(DB_METRICS, cfg.metric)) {
        throw new RuvectorError(-16, 'VectorDB.load');
      }
      const ix = Index.load(u.subarray(8 + n));
      const c = ix.config();
      if (c.metric !== DB_METRICS[cfg.metric]) {
        ix.free();
        throw new RuvectorError(-16, 'VectorDB.load (metric of the header and the index differ)');
      }
      return new VectorDB(ix.dim, cfg.metric, c.kind === 'hnsw', { _index: ix, _version: cfg.v | 0 });
    }

    /**
     * Saves to IndexedDB (browsers), incrementally: the first call (or options.full) writes a
     * checkpoint (the index in chunks, a meta record and the start of a journal) and binds this
     * database to `name`; from then on every write is journaled, and later calls with the same
     * name write only the journal bytes since the last flush (flush()), or a new checkpoint when
     * the journal has grown past options.checkpointRatio (0.25) of the snapshot. options:
     * {full, checkpointRatio, checkpointRecords (HNSW 500, flat 0 = no limit), chunkBytes (8 MiB;
     * 64 KiB..64 MiB), durability ('default', 'strict', 'relaxed': IndexedDB's transaction hint)}.
     * Resolves to true.
     */
    async saveToIndexedDB(name, opts) {
      const nm = idbName(name);
      const o = options('saveToIndexedDB options', opts);
      const full = bool('full', o.full, false);
      const cfg = idbConfig(o, this._idb && this._idb.name === nm ? this._idb : null);
      this._ix._live();
      if (typeof indexedDB === 'undefined') throw idbMissing(); // (and bind nothing)
      if (!this._idb || this._idb.name !== nm) {
        this._idb = idbState(nm, cfg);
        this._idb.seen = this._writes;
      } else {
        Object.assign(this._idb, cfg);
      }
      const st = this._idb;
      await this._idbRun(() => (full ? this._checkpoint(st) : this._flush(st)));
      return true;
    }

    /**
     * Writes the journal bytes of the writes since the last flush to the IndexedDB database this
     * one was saved to or loaded from, as one record (a group commit), or a checkpoint when one
     * is due. Resolves to the bytes written (0: nothing new, or never saved to IndexedDB). Writes
     * that have returned but are not flushed are lost if the page closes.
     */
    async flush() {
      this._ix._live();
      const st = this._idb;
      if (!st) return 0;
      return this._idbRun(() => this._flush(st));
    }

    /** Writes a checkpoint now (the whole index in chunks, replacing the snapshot and journal in
        one IndexedDB transaction). Resolves to the bytes written. */
    async checkpoint() {
      this._ix._live();
      const st = this._idb;
      if (!st) throw new Error('ruvector: checkpoint(): this database is not kept in IndexedDB (call saveToIndexedDB(name) first)');
      return this._idbRun(() => this._checkpoint(st));
    }

    /** Where this database is kept in IndexedDB, or null: {name, generation, snapshotBytes,
        journalBytes (stored), pendingBytes (not flushed), bytesWritten (by this object),
        checkpoints}. */
    indexedDBStatus() {
      const st = this._idb;
      if (!st) return null;
      if (this._ix._p) this._idbTake(st);
      let pend = 0;
      for (const b of st.pend) pend += b.length;
      st.records += this._writes - st.seen;
      st.seen = this._writes;
      return { name: st.name, generation: st.gen, snapshotBytes: st.snapBytes, journalBytes: st.stored,
        journalRecords: st.records,
        pendingBytes: pend, bytesWritten: st.written, checkpoints: st.checkpoints };
    }

    /** Flushes and checkpoints one at a time, in call order. */
    _idbRun(fn) {
      const r = (this._idbq || Promise.resolve()).then(fn);
      this._idbq = r.catch(() => {});
      return r;
    }

    /** Moves the journal bytes out of module memory into st.pend (false: no journal attached). */
    _idbTake(st) {
      const b = this._ix.takeJournal();
      if (b === null) return false;
      if (b.length) st.pend.push(b);
      return true;
    }

    async _flush(st) {
      const ix = this._ix;
      if (!ix._p || st !== this._idb) return 0; // freed, or bound elsewhere meanwhile
      if (st.gen === 0 || !this._idbTake(st)) return this._checkpoint(st);
      if (!st.pend.length) return 0;
      const parts = st.pend.length;
      let len = 0;
      for (const b of st.pend) len += b.length;
      st.records += this._writes - st.seen;
      st.seen = this._writes;
      // a checkpoint when the journal outgrows checkpointRatio of the snapshot, or holds more
      // than checkpointRecords records (HNSW: each replayed insert is a graph insertion)
      const maxRec = st.maxRecords === undefined ? (this._hnsw ? HNSW_CHECKPOINT_RECORDS : 0) : st.maxRecords;
      if (st.stored + len > st.ratio * st.snapBytes || (maxRec && st.records > maxRec)) return this._checkpoint(st);
      const rec = parts === 1 ? st.pend[0] : new Uint8Array(len);
      if (parts > 1) {
        let off = 0;
        for (const b of st.pend) {
          rec.set(b, off);
          off += b.length;
        }
      }
      const n = st.next, gen = st.gen;
      const db = await idbOpen(st.name);
      let ok;
      try {
        ok = await idbTx(db, 'readwrite', (s, done) => {
          const rq = s.get('meta');
          rq.onsuccess = () => {
            const m = rq.result;
            // the journal continues the snapshot this object knows, or nothing is written
            if (!m || m.format !== IDB_FORMAT || m.gen !== gen || m.snapshotId !== st.id) return done(false);
            s.put(rec, ['j', gen, n]);
            return done(true);
          };
        }, st.durability);
      } finally {
        db.close();
      }
      if (!ok) return this._checkpoint(st); // replaced by another writer: rewrite it whole
      st.pend.splice(0, parts); // (indexedDBStatus() may have taken more meanwhile)
      st.next = n + 1;
      st.stored += len;
      st.written += len;
      return len;
    }

    async _checkpoint(st) {
      const ix = this._ix;
      if (!ix._p || st !== this._idb) return 0;
      const chunks = ix._saveParts(st.chunkBytes);
      let size = 0;
      for (const c of chunks) size += c.length;
      const id = ix.snapshotId();
      // a new journal after this snapshot (the bytes not flushed are in the snapshot)
      ix.attachJournal({ base: id });
      st.pend.splice(0, st.pend.length);
      st.records = 0;
      st.seen = this._writes;
      st.gen = 0; // until the transaction has committed (a failed one: the next flush retries)
      const head = ix.takeJournal();
      const idHex = id.toString(16);
      const meta = { format: IDB_FORMAT, version: 1, gen: 0, snapshotId: idHex, chunks: chunks.length,
        snapshotBytes: size, metric: this._metric, v: this._v };
      let gen, db;
      try {
        db = await idbOpen(st.name);
        gen = await idbTx(db, 'readwrite', (s, done) => {
          const rq = s.get('meta');
          rq.onsuccess = () => {
            const m = rq.result;
            const g = (m && m.format === IDB_FORMAT && Number.isSafeInteger(m.gen) && m.gen > 0 ? m.gen : 0) + 1;
            meta.gen = g;
            for (let i = 0; i < chunks.length; i++) s.put(chunks[i], ['s', g, i]);
            s.put(head, ['j', g, 0]);
            s.put(meta, 'meta');
            // the older generations and the single-record format go in the same transaction
            s.delete(IDBKeyRange.bound(['s', -Infinity], ['s', g], false, true));
            s.delete(IDBKeyRange.bound(['j', -Infinity], ['j', g], false, true));
            s.delete('db');
            done(g);
          };
        }, st.durability);
      } catch (e) {
        // the next flush writes a checkpoint again: no journal until then (it would only grow)
        if (ix._p && st.gen === 0) ix.detachJournal();
        throw e;
      } finally {
        if (db) db.close();
      }
      if (st === this._idb) {
        st.gen = gen;
        st.id = idHex;
        st.next = 1;
        st.snapBytes = size;
        st.stored = head.length;
        st.checkpoints++;
      }
      st.written += size + head.length;
      return size + head.length;
    }

    /**
     * Loads what saveToIndexedDB(name) stored: the snapshot chunks, then the journal records in
     * order (a torn or corrupt tail is ignored, cut from IndexedDB and reported in
     * db.loadReport), or the single record of earlier versions. The database stays bound to
     * `name` (flush(), checkpoint(), saveToIndexedDB(name)). options: {checkpointRatio,
     * checkpointRecords, chunkBytes, durability}.
     */
    static async loadFromIndexedDB(name, opts) {
      mod();
      const nm = idbName(name);
      const cfg = idbConfig(options('loadFromIndexedDB options', opts), null);
      const out = await VectorDB._idbLoad(nm, cfg);
      if (!out) throw new Error(`ruvector: nothing saved in IndexedDB database "${nm}"`);
      return out;
    }

    /** loadFromIndexedDB, or null when nothing is saved under nm. */
    static async _idbLoad(nm, cfg) {
      const db = await idbOpen(nm);
      let got;
      try {
        got = await idbTx(db, 'readonly', (s, done) => {
          const rq = s.get('meta');
          rq.onsuccess = () => {
            const m = rq.result;
            if (!m || m.format !== IDB_FORMAT) {
              const r1 = s.get('db');
              r1.onsuccess = () => done({ single: r1.result });
              return;
            }
            if (!Number.isSafeInteger(m.gen) || m.gen < 1) {
              done({ meta: m, bad: true });
              return;
            }
            const sr = IDBKeyRange.bound(['s', m.gen], ['s', m.gen, []]);
            const jr = IDBKeyRange.bound(['j', m.gen], ['j', m.gen, []]);
            const snap = s.getAll(sr);
            const jk = s.getAllKeys(jr);
            const jv = s.getAll(jr);
            jv.onsuccess = () => done({ meta: m, snap: snap.result, jkeys: jk.result, jvals: jv.result });
          };
        });
      } finally {
        db.close();
      }
      if (!got.meta) {
        if (!got.single) return null;
        const out = VectorDB.load(got.single);
        out._idb = idbState(nm, cfg); // gen 0: the first flush writes a checkpoint
        out.loadReport = { format: 'single', snapshotBytes: got.single.length, journalBytes: 0, records: 0,
          ignoredBytes: 0, stop: 'end', status: 0 };
        return out;
      }
      const m = got.meta;
      if (got.bad || !Object.prototype.hasOwnProperty.call(DB_METRICS, m.metric) || typeof m.snapshotId !== 'string' ||
          !/^[0-9a-f]{1,16}$/.test(m.snapshotId)) {
        throw new RuvectorError(-16, 'VectorDB.loadFromIndexedDB (meta record)');
      }
      if (got.snap.length !== m.chunks || !got.snap.every((c) => c instanceof Uint8Array)) {
        throw new RuvectorError(-14, `VectorDB.loadFromIndexedDB (${got.snap.length} of ${m.chunks} snapshot chunks)`);
      }
      const jvals = got.jvals.map((b) => (b instanceof Uint8Array ? b : new Uint8Array(0)));
      const ix = Index._loadParts(got.snap, 0);
      const id = BigInt(`0x${m.snapshotId}`);
      let rep;
      try {
        if (ix.config().metric !== DB_METRICS[m.metric]) {
          throw new RuvectorError(-16, 'VectorDB.loadFromIndexedDB (metric of the meta record and the index differ)');
        }
        rep = ix.replayJournal(jvals, { base: id });
        // later records must follow the valid prefix: continue the journal after it
        if (rep.validBytes) ix.attachJournal({ nextSeq: rep.nextSeq, size: rep.validBytes });
        else ix.attachJournal({ base: id });
      } catch (e) {
        ix.free();
        throw e;
      }
      // cut what was not applied from IndexedDB (the record it starts in, and all after it)
      let keep = rep.validBytes, next = 0, cut = null, stored = 0;
      const del = [];
      for (let i = 0; i < jvals.length; i++) {
        const len = jvals[i].length;
        if (len === 0) { // not bytes (or empty): useless
          del.push(got.jkeys[i]);
        } else if (keep >= len) {
          keep -= len;
          stored += len;
          next = got.jkeys[i][2] + 1;
        } else if (keep > 0) {
          cut = [got.jkeys[i], jvals[i].slice(0, keep)];
          stored += keep;
          keep = 0;
          next = got.jkeys[i][2] + 1;
        } else {
          del.push(got.jkeys[i]);
        }
      }
      if (cut || del.length) {
        const d2 = await idbOpen(nm);
        try {
          await idbTx(d2, 'readwrite', (s) => {
            if (cut) s.put(cut[1], cut[0]);
            for (const k of del) s.delete(k);
          }, cfg.durability);
        } finally {
          d2.close();
        }
      }
      const out = new VectorDB(ix.dim, m.metric, ix.config().kind === 'hnsw', { _index: ix, _version: m.v | 0 });
      const st = idbState(nm, cfg);
      Object.assign(st, { gen: m.gen, id: m.snapshotId, next, snapBytes: m.snapshotBytes, stored, records: rep.records });
      out._idb = st;
      let jb = 0;
      for (const b of jvals) jb += b.length;
      out.loadReport = { format: 'journal', snapshotBytes: m.snapshotBytes, journalBytes: jb, records: rep.records,
        ignoredBytes: rep.ignoredBytes, stop: rep.stop, status: rep.status };
      return out;
    }

    /** Node: writes save()'s bytes to path (atomically: a temporary file renamed over it). */
    async saveToFile(path) {
      const fs = nodeFs('saveToFile');
      if (typeof path !== 'string' || !path) throw argError(TypeError, 'path', 'a file path', path);
      await fs.write(path, this.save());
      return true;
    }

    /** Node: a database from a file written by saveToFile. */
    static async loadFromFile(path) {
      const fs = nodeFs('loadFromFile');
      if (typeof path !== 'string' || !path) throw argError(TypeError, 'path', 'a file path', path);
      mod();
      return VectorDB.load(await fs.read(path));
    }

    /** Releases the WebAssembly memory of the database now (idempotent). */
    free() { this._ix.free(); }
    [DISPOSE]() { this.free(); }
  }

  function nodeFs(what) {
    if (!platform.fs) {
      throw new Error(`ruvector: ${what} needs Node's file system; in browsers use saveToIndexedDB / ` +
        'loadFromIndexedDB, or save() / VectorDB.load(bytes)');
    }
    return platform.fs;
  }

  function idbName(name) {
    if (name === undefined || name === null) return 'ruvector';
    if (typeof name !== 'string' || !name) throw argError(TypeError, 'IndexedDB name', 'a non-empty string', name);
    return name;
  }

  // ---- IndexedDB layout: one object store 'ruvector' per database --------------------------
  //   'meta'         {format: IDB_FORMAT, version: 1, gen, snapshotId (hex), chunks, snapshotBytes,
  //                  metric, v}: names the current generation
  //   ['s', gen, i]  chunk i of that generation's snapshot (the saved index, Index.save() bytes)
  //   ['j', gen, n]  the journal after that snapshot, one record per flush (n = 0: its header)
  //   'db'           the single-record format of earlier versions (save()'s bytes), still loaded
  // A checkpoint writes generation gen + 1 and its meta and deletes the older generations (and
  // 'db') in one transaction: the database holds the old or the new state, never a mix.
  const IDB_FORMAT = 'ruvector-journal';
  // default checkpointRecords of HNSW databases: a replayed insert is a graph insertion (2.4 ms
  // at 384-d cosine, 10,000 entries, in Node), so 500 records keep a load's replay near 1 s
  const HNSW_CHECKPOINT_RECORDS = 500;
  // the transaction durability hint of IndexedDB ('strict': the browser syncs to disk before
  // reporting a transaction complete; browsers without the hint ignore it)
  const IDB_DURABILITY = { default: 1, strict: 1, relaxed: 1 };

  function idbConfig(o, prev) {
    const ratio = o.checkpointRatio === undefined || o.checkpointRatio === null ? (prev ? prev.ratio : 0.25)
      : finiteNumber('checkpointRatio', o.checkpointRatio);
    if (ratio < 0 || ratio > 1e6) throw argError(RangeError, 'checkpointRatio', 'a number in 0..1e6', ratio);
    const chunkBytes = optInt('chunkBytes', o.chunkBytes, 65536, 64 * 1048576, prev ? prev.chunkBytes : 8 * 1048576);
    const durability = oneOf('durability', o.durability, IDB_DURABILITY, prev ? prev.durability : 'default');
    const maxRecords = optInt('checkpointRecords', o.checkpointRecords, 0, MAX_U32, prev ? prev.maxRecords : undefined);
    return { ratio, chunkBytes, durability, maxRecords };
  }

  function idbState(name, cfg) {
    return { name, ratio: cfg.ratio, chunkBytes: cfg.chunkBytes, durability: cfg.durability,
      maxRecords: cfg.maxRecords, records: 0, seen: 0, gen: 0, id: '', next: 0, snapBytes: 0,
      stored: 0, pend: [], written: 0, checkpoints: 0 };
  }

  /** Runs fn(store, done) in a transaction; resolves to what done() was given once it commits. */
  function idbTx(db, mode, fn, durability) {
    return new Promise((resolve, reject) => {
      const tx = durability && durability !== 'default'
        ? db.transaction('ruvector', mode, { durability }) : db.transaction('ruvector', mode);
      let out;
      fn(tx.objectStore('ruvector'), (v) => { out = v; });
      tx.oncomplete = () => resolve(out);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error('ruvector: IndexedDB transaction aborted'));
    });
  }

  function idbMissing() {
    return new Error('ruvector: IndexedDB is not available here' +
      (platform.fs ? ' (Node has none): use db.saveToFile(path) / VectorDB.loadFromFile(path)'
        : ': use save() / VectorDB.load(bytes) and store the bytes yourself') +
      ', or install an IndexedDB implementation such as fake-indexeddb');
  }

  function idbOpen(name) {
    if (typeof indexedDB === 'undefined') return Promise.reject(idbMissing());
    return new Promise((resolve, reject) => {
      const rq = indexedDB.open(name, 1);
      rq.onupgradeneeded = () => rq.result.createObjectStore('ruvector');
      rq.onsuccess = () => resolve(rq.result);
      rq.onerror = () => reject(rq.error);
    });
  }

  // ---- the async API of the `ruvector` npm package --------------------------------------------
  const RV_METRICS = { cosine: 'cosine', euclidean: 'euclidean', l2: 'euclidean', dot: 'dotproduct',
    dotproduct: 'dotproduct', ip: 'dotproduct', manhattan: 'manhattan', l1: 'manhattan' };

  /** Score (a distance) to a similarity, higher is closer: cosine 1 - d, dotproduct -d (= a.b),
      euclidean and manhattan 1 / (1 + d). */
  function distanceToSimilarity(metric, d) {
    switch (RV_METRICS[String(metric || 'cosine').toLowerCase()]) {
      case 'cosine': return 1 - d;
      case 'dotproduct': return -d;
      default: return 1 / (1 + d);
    }
  }

  /**
   * The async API of the `ruvector` npm package: new VectorDb({dimensions, metric |
   * distanceMetric, hnswConfig: {m, efConstruction, efSearch, maxElements}, storagePath}), every
   * method returns a promise. Loads the WebAssembly module itself (no init() needed).
   */
  class VectorDb {
    constructor(opts) {
      const o = options('VectorDb options', opts);
      if (opts === undefined || opts === null) throw argError(TypeError, 'VectorDb options', 'an object with dimensions', opts);
      const dim = int('dimensions', o.dimensions !== undefined ? o.dimensions : o.dimension, 1, MAX_DIM);
      const mname = o.metric !== undefined && o.metric !== null ? o.metric : o.distanceMetric;
      if (mname !== undefined && mname !== null && typeof mname !== 'string') {
        throw argError(TypeError, 'metric', `one of ${Object.keys(RV_METRICS).join(', ')}`, mname);
      }
      const metric = mname === undefined || mname === null ? 'cosine' : RV_METRICS[mname.toLowerCase()];
      if (!metric) throw argError(RangeError, 'metric', `one of ${Object.keys(RV_METRICS).join(', ')}`, mname);
      const h = { ...options('hnsw', o.hnsw), ...options('hnswConfig', o.hnswConfig) };
      const M = optInt('m', h.m !== undefined ? h.m : o.m, 2, MAX_M, undefined);
      const efc = optInt('efConstruction', h.efConstruction !== undefined ? h.efConstruction
        : (o.efConstruction !== undefined ? o.efConstruction : o.ef_construction), 1, MAX_EF, undefined);
      const efs = optInt('efSearch', h.efSearch !== undefined ? h.efSearch : o.efSearch, 1, MAX_EF, undefined);
      const maxEl = optInt('maxElements', h.maxElements !== undefined ? h.maxElements : o.maxElements, 1, Number.MAX_SAFE_INTEGER, undefined);
      const path = o.storagePath !== undefined && o.storagePath !== null ? o.storagePath : o.path;
      if (path !== undefined && path !== null && (typeof path !== 'string' || !path)) {
        throw argError(TypeError, 'storagePath', 'a non-empty string', path);
      }
      // maxElements reserves slots up front only while that stays small (64 MiB of vectors);
      // beyond, the database grows on demand.
      const capacity = maxEl && maxEl * dim * 4 <= 64 * 1048576 ? maxEl : undefined;
      this._metric = metric;
      this._path = path || null;
      this._db = null;
      this._saving = null;
      this._ready = (async () => {
        await init();
        if (this._path && !platform.fs) { // browsers: IndexedDB, written incrementally
          const db = await VectorDB._idbLoad(this._path, idbConfig({}, null));
          if (db) {
            if (db.dimensions !== dim) {
              db.free();
              throw new RangeError(`ruvector: ${this._path} holds vectors of ${db.dimensions} dimensions, not ${dim}`);
            }
            this._db = db;
            return;
          }
        } else if (this._path) {
          const bytes = await readStore(this._path);
          if (bytes) {
            const db = VectorDB.load(bytes);
            if (db.dimensions !== dim) {
              db.free();
              throw new RangeError(`ruvector: ${this._path} holds vectors of ${db.dimensions} dimensions, not ${dim}`);
            }
            this._db = db;
            return;
          }
        }
        this._db = new VectorDB(dim, metric, true, { M, efConstruction: efc, efSearch: efs, capacity });
      })();
      this._ready.catch(() => {}); // reported by the first call
    }

    async _get() {
      await this._ready;
      if (!this._db) throw new Error('ruvector: database already freed');
      return this._db;
    }

    _changed() {
      if (!this._path || this._saving) return;
      this._saving = new Promise((resolve) => setTimeout(resolve, 0)).then(() => {
        this._saving = null;
        if (!this._db) return undefined;
        // browsers: the journal bytes since the last write (a checkpoint now and then)
        if (!platform.fs) return this._db.saveToIndexedDB(this._path);
        return writeStore(this._path, this._db.save());
      });
    }

    /** Inserts {id?, vector, metadata?}; resolves to the id (a UUID when absent). */
    async insert(entry) {
      const db = await this._get();
      if (entry === null || typeof entry !== 'object') throw argError(TypeError, 'entry', 'an object {id?, vector, metadata?}', entry);
      const id = db.insert(entry.vector, entry.id, entry.metadata);
      this._changed();
      return id;
    }

    /** Inserts entries; resolves to their ids. options.onProgress(done, total). */
    async insertBatch(entries, opts) {
      const db = await this._get();
      const ids = db.insertBatch(entries, opts);
      this._changed();
      return ids;
    }

    /**
     * {vector, k = 10, filter?, efSearch?, threshold?} -> [{id, score, vector, metadata}], closest
     * first; score is a distance (see VectorDB), threshold a minimum similarity
     * (distanceToSimilarity).
     */
    async search(query) {
      const db = await this._get();
      if (query === null || typeof query !== 'object' || ArrayBuffer.isView(query) || Array.isArray(query)) {
        throw argError(TypeError, 'query', 'an object {vector, k?, filter?, efSearch?, threshold?}', query);
      }
      const k = query.k === undefined || query.k === null ? 10 : query.k;
      const th = query.threshold === undefined || query.threshold === null ? null : finiteNumber('threshold', query.threshold);
      const hits = db.search(query.vector, k, query.filter, { efSearch: query.efSearch });
      const out = [];
      for (const h of hits) {
        if (th !== null && !(distanceToSimilarity(this._metric, h.score) >= th)) continue;
        out.push({ id: h.id, score: h.score, vector: h.vector, metadata: h.metadata });
      }
      return out;
    }

    /** {id, vector, metadata} or null. */
    async get(id) {
      const db = await this._get();
      const e = db.get(id);
      return e ? { id: e.id, vector: e.vector, metadata: e.metadata } : null;
    }

    async delete(id) {
      const db = await this._get();
      const r = db.delete(id);
      if (r) this._changed();
      return r;
    }

    async len() { return (await this._get()).len(); }
    async isEmpty() { return (await this._get()).isEmpty(); }
    async memoryUsage() { return (await this._get()).memoryUsage(); }

    /** Writes the database to storagePath (or path) now. */
    async save(path) {
      const db = await this._get();
      const p = path === undefined ? this._path : path;
      if (typeof p !== 'string' || !p) throw argError(TypeError, 'path', 'a storage path (or storagePath in the constructor)', p);
      if (!platform.fs) await db.saveToIndexedDB(p);
      else await writeStore(p, db.save());
      return true;
    }

    /** Waits for pending writes to storagePath, then releases the database. */
    async close() {
      await this._ready.catch(() => {});
      if (this._saving) await this._saving;
      this.free();
    }

    free() {
      if (this._db) this._db.free();
      this._db = null;
    }

    [DISPOSE]() { this.free(); }
  }

  // storagePath under Node: a file (browsers: VectorDB's incremental IndexedDB persistence).
  function readStore(path) { return platform.fs.read(path, true); }
  function writeStore(path, bytes) { return platform.fs.write(path, bytes); }

  // ---- utilities of @ruvector/wasm ------------------------------------------------------------
  /** A Float32Array of arr's numbers (finite). */
  function arrayToFloat32Array(arr) {
    if (!Array.isArray(arr) && !(ArrayBuffer.isView(arr) && !(arr instanceof DataView))) {
      throw argError(TypeError, 'arr', 'an array of numbers or a typed array', arr);
    }
    sizeCheck(arr.length * 4, 'arrayToFloat32Array');
    const v = vec('arr', arr, arr.length);
    return v === arr ? new Float32Array(v) : v;
  }

  /** Inserts `iterations` random vectors of `dimensions` into a flat euclidean database and
      returns the insert rate (operations per second). */
  function benchmark(name, iterations, dimensions) {
    if (typeof name !== 'string') throw argError(TypeError, 'name', 'a string', name);
    const n = int('iterations', iterations, 1, 10000000);
    const dim = int('dimensions', dimensions, 1, MAX_DIM);
    const db = new VectorDB(dim, 'euclidean', false);
    const v = new Float32Array(dim);
    try {
      const t0 = (globalThis.performance || Date).now();
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < dim; j++) v[j] = Math.random();
        db.insert(v, `b${i}`);
      }
      const s = ((globalThis.performance || Date).now() - t0) / 1000;
      return n / Math.max(s, 1e-6);
    } finally {
      db.free();
    }
  }

  return {
    init, initSync, detectSIMD, version, isa, memoryStats, RuvectorError, Index, SparseIndex, fuse,
    VectorDB, VectorDb, JsSearchResult, JsVectorEntry, arrayToFloat32Array, benchmark,
    distanceToSimilarity,
  };
}

export { createApi };
