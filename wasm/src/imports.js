// Emscripten JS library: declares the functions the WebAssembly module imports from JavaScript
// (their bodies live in src/core.js, which instantiates the module itself).
mergeInto(LibraryManager.library, {
  rw_progress: function (done, total) {},
});
