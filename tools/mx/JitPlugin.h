// JitPlugin.h — the C interface between `mx` and libmx_jit.so, the compiler as a plugin.
//
// `mx` links the runtime only (ARCHITECTURE.md invariant 2): compiling a .mx file in process
// needs LLVM and ANTLR, so that part lives in a shared library `mx` opens on demand. An AOT run
// (`mx run --aot pipeline.so`) never loads it.
#pragma once

#include <stddef.h>

#include "mx/rt/Abi.h"

extern "C" {

struct MxJitRequest {
  const char* path;                 // the .mx file
  const char* const* symbolNames;   // the host's mx_rt_* functions
  void* const* symbolAddresses;
  size_t symbolCount;
};

/// Compiles and JIT-links a pipeline. Returns an mx::ExitCode; on success `*module` is the
/// compiled module and `*handle` keeps its code alive (free with mx_jit_release). Diagnostics,
/// if any, are returned in `*diagnostics` (malloc'd; free with mx_jit_free_text).
typedef int (*MxJitCompileFn)(const MxJitRequest* request, const MxModule** module, void** handle,
                              char** diagnostics);
typedef void (*MxJitReleaseFn)(void* handle);
typedef void (*MxJitFreeTextFn)(char* text);

#define MX_JIT_COMPILE "mx_jit_compile_v1"
#define MX_JIT_RELEASE "mx_jit_release_v1"
#define MX_JIT_FREE_TEXT "mx_jit_free_text_v1"
}
