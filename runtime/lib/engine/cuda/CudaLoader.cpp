// CudaLoader.cpp — CudaBackend.h's functions (cudaAvailable, cudaDeviceCount, makeCudaBackend,
// ...) for programs that must not load cuBLAS unless a CUDA backend is used: they open
// libmx_cuda.so (gpu/Plugin.cpp) from ../lib next to the executable on first use.
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "mx/engine/CudaBackend.h"

namespace mx::engine {
namespace {

using QueryFn = int (*)(char** why);  // available (0 or 1) and the device count
using MakeFn = Backend* (*)(const char*, const ModelConfig*, uint64_t, int, char**);

struct Plugin {
  QueryFn available = nullptr;
  QueryFn deviceCount = nullptr;
  MakeFn make = nullptr;
  std::string error;
};

std::string takeText(char* text) {
  std::string s = text ? text : "";
  std::free(text);
  return s;
}

const Plugin& plugin() {
  static Plugin p;
  static std::once_flag once;
  std::call_once(once, [] {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    std::string exe = n > 0 ? std::string(buf, static_cast<size_t>(n)) : ".";
    std::string path = exe.substr(0, exe.rfind('/')) + "/../lib/libmx_cuda.so";
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      p.error = std::string("cannot load the CUDA backend '") + path + "': " + dlerror();
      return;
    }
    p.available = reinterpret_cast<QueryFn>(dlsym(lib, "mx_cuda_available_v1"));
    p.deviceCount = reinterpret_cast<QueryFn>(dlsym(lib, "mx_cuda_device_count_v1"));
    p.make = reinterpret_cast<MakeFn>(dlsym(lib, "mx_cuda_make_v1"));
    if (!p.available || !p.deviceCount || !p.make) p.error = path + " is not an mx CUDA backend of this version";
  });
  return p;
}

std::unique_ptr<Backend> make(const char* dir, const ModelConfig* config, uint64_t seed, int device) {
  const Plugin& p = plugin();
  if (!p.error.empty()) throw std::runtime_error(p.error);
  char* error = nullptr;
  Backend* b = p.make(dir, config, seed, device, &error);
  if (!b) throw std::runtime_error(takeText(error));
  return std::unique_ptr<Backend>(b);
}

/// The plugin's available() or deviceCount(): 0 with the reason in `why` when there is no GPU.
int ask(QueryFn Plugin::*fn, std::string& why) {
  const Plugin& p = plugin();
  if (!p.error.empty()) {
    why = p.error;
    return 0;
  }
  char* text = nullptr;
  if (const int n = (p.*fn)(&text)) return n;
  why = takeText(text);
  return 0;
}

}  // namespace

bool cudaAvailable(std::string& why) { return ask(&Plugin::available, why) != 0; }

int cudaDeviceCount(std::string& why) { return ask(&Plugin::deviceCount, why); }

int cudaDevicesToUse(int asked) {
  std::string why;
  const int usable = cudaDeviceCount(why);
  if (usable == 0) throw std::runtime_error(why);
  if (asked > usable)
    throw std::runtime_error(std::to_string(asked) + " GPUs asked for, " + std::to_string(usable) +
                             " usable (CUDA_VISIBLE_DEVICES picks which)");
  return asked > 0 ? asked : usable;
}

std::unique_ptr<Backend> makeCudaBackend(const std::filesystem::path& modelDir, int deviceIndex) {
  return make(modelDir.c_str(), nullptr, 0, deviceIndex);
}

std::unique_ptr<Backend> makeRandomCudaBackend(const ModelConfig& config, uint64_t seed, int deviceIndex) {
  return make(nullptr, &config, seed, deviceIndex);
}

}  // namespace mx::engine
