// ModuleLoader.cpp — loading a pipeline for `mx run` and `mx repl` (ModuleLoader.h).
#include "ModuleLoader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <iostream>
#include <vector>

#include "mx/ExitCodes.h"
#include "mx/rt/AbiSymbols.h"

namespace mx::cli {

namespace {

std::string selfDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<size_t>(n));
  return p.substr(0, p.rfind('/'));
}

}  // namespace

int loadJit(const std::string& path, LoadedModule& out, std::string* captured) {
  std::string plugin = selfDir() + "/../lib/libmx_jit.so";
  void* lib = dlopen(plugin.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::cerr << "mx: error: cannot load the compiler plugin '" << plugin << "': " << dlerror()
              << "\n  (compile ahead of time with `mxc -o pipeline.so` and run with --aot)\n";
    return mx::kExitInput;
  }
  auto compile = reinterpret_cast<MxJitCompileFn>(dlsym(lib, MX_JIT_COMPILE));
  auto freeText = reinterpret_cast<MxJitFreeTextFn>(dlsym(lib, MX_JIT_FREE_TEXT));
  out.release = reinterpret_cast<MxJitReleaseFn>(dlsym(lib, MX_JIT_RELEASE));
  if (!compile || !freeText || !out.release) {
    std::cerr << "mx: error: '" << plugin << "' is not an mx compiler plugin of this version\n";
    return mx::kExitInput;
  }
  auto symbols = mx::rt::abiSymbols();
  std::vector<const char*> names;
  std::vector<void*> addresses;
  for (auto& [n, a] : symbols) {
    names.push_back(n.c_str());
    addresses.push_back(a);
  }
  MxJitRequest request{path.c_str(), names.data(), addresses.data(), names.size()};
  char* diagnostics = nullptr;
  int rc = compile(&request, &out.module, &out.jitHandle, &diagnostics);
  if (diagnostics) {
    if (captured) *captured = diagnostics;
    else std::cerr << diagnostics;
    freeText(diagnostics);
  }
  return rc;
}

int loadAot(const std::string& path, LoadedModule& out) {
  void* lib = dlopen(path.find('/') == std::string::npos ? ("./" + path).c_str() : path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::cerr << "mx: error: cannot load '" << path << "': " << dlerror() << '\n';
    return mx::kExitInput;
  }
  auto entry = reinterpret_cast<MxModuleFn>(dlsym(lib, "mx_module"));
  if (!entry) {
    std::cerr << "mx: error: '" << path << "' is not a pipeline compiled by mxc (no mx_module)\n";
    return mx::kExitInput;
  }
  out.module = entry();
  return mx::kExitOk;
}

}  // namespace mx::cli
