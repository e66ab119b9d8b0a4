// CudaLoader.cpp — cudaAvailable / makeCudaBackend / makeRandomCudaBackend (CudaBackend.h) for
// programs that must not load cuBLAS unless a CUDA backend is used: they open libmx_cuda.so
// (gpu/Plugin.cpp) from ../lib next to the executable on first use.
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "mx/engine/CudaBackend.h"

namespace mx::engine {
namespace {

using AvailableFn = int (*)(char**);
using MakeFn = Backend* (*)(const char*, const ModelConfig*, uint64_t, int, char**);

struct Plugin {
  AvailableFn available = nullptr;
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
    p.available = reinterpret_cast<AvailableFn>(dlsym(lib, "mx_cuda_available_v1"));
    p.make = reinterpret_cast<MakeFn>(dlsym(lib, "mx_cuda_make_v1"));
    if (!p.available || !p.make) p.error = path + " is not an mx CUDA backend of this version";
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

}  // namespace

bool cudaAvailable(std::string& why) {
  const Plugin& p = plugin();
  if (!p.error.empty()) {
    why = p.error;
    return false;
  }
  char* text = nullptr;
  if (p.available(&text)) return true;
  why = takeText(text);
  return false;
}

std::unique_ptr<Backend> makeCudaBackend(const std::filesystem::path& modelDir, int deviceIndex) {
  return make(modelDir.c_str(), nullptr, 0, deviceIndex);
}

std::unique_ptr<Backend> makeRandomCudaBackend(const ModelConfig& config, uint64_t seed, int deviceIndex) {
  return make(nullptr, &config, seed, deviceIndex);
}

}  // namespace mx::engine
