// ModuleLoader.h — how `mx` gets a compiled pipeline: a .mx file compiled in process by the JIT
// plugin (libmx_jit.so, opened only for this), or an AOT shared object from `mxc -o`. Used by
// `mx run` and `mx repl`.
#pragma once

#include <string>

#include "JitPlugin.h"

namespace mx::cli {

/// Keeps whatever holds the compiled code alive while the module is in use.
struct LoadedModule {
  const MxModule* module = nullptr;
  void* jitHandle = nullptr;
  MxJitReleaseFn release = nullptr;
  LoadedModule() = default;
  LoadedModule(const LoadedModule&) = delete;
  LoadedModule& operator=(const LoadedModule&) = delete;
  ~LoadedModule() {
    if (jitHandle && release) release(jitHandle);
  }
};

/// Compiles `path` with the plugin next to this executable; diagnostics go to stderr, or to
/// `*diagnostics` when given. Returns an mx::ExitCode.
int loadJit(const std::string& path, LoadedModule& out, std::string* diagnostics = nullptr);
/// Opens a shared object compiled by `mxc -o`. Returns an mx::ExitCode.
int loadAot(const std::string& path, LoadedModule& out);

}  // namespace mx::cli
