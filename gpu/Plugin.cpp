// Plugin.cpp — the CUDA backend as libmx_cuda.so, opened by `mx` only when a CUDA backend is
// asked for (runtime/lib/engine/CudaLoader.cpp). Loading cuBLAS costs ~0.5 s of start-up in its
// static initialisers, which every `mx` command would otherwise pay, GPU or not.
#include <cuda_runtime.h>

#include <cstring>
#include <cstdlib>

#include "mx/engine/CudaBackend.h"

namespace mx::engine {

int cudaDeviceCount(std::string& why) {
  if (!cudaAvailable(why)) return 0;  // the driver, and device 0's compute capability
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();
    return 1;
  }
  // Replicas are made on devices 0..n-1, so counting stops at the first the sm_90a kernels
  // cannot run on (compute capability 9.0 only, as cudaAvailable checks for device 0).
  int usable = 1;
  for (; usable < count; ++usable) {
    int major = 0, minor = 0;
    if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, usable) != cudaSuccess ||
        cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, usable) != cudaSuccess ||
        major != 9 || minor != 0)
      break;
  }
  return usable;
}

}  // namespace mx::engine

extern "C" {

/// 1 when a usable GPU is present; else 0 and `*why` (malloc'd) says why.
__attribute__((visibility("default"))) int mx_cuda_available_v1(char** why) {
  std::string reason;
  if (mx::engine::cudaAvailable(reason)) return 1;
  *why = strdup(reason.c_str());
  return 0;
}

/// How many usable GPUs (CudaBackend.h's cudaDeviceCount); when 0, `*why` (malloc'd) says why.
__attribute__((visibility("default"))) int mx_cuda_device_count_v1(char** why) {
  std::string reason;
  const int count = mx::engine::cudaDeviceCount(reason);
  if (count == 0) *why = strdup(reason.c_str());
  return count;
}

/// A backend over `dir` (or with random weights of `config` when dir is null); null and `*error`
/// (malloc'd) on failure. The caller owns the backend (its destructor lives here; the library
/// is never closed).
__attribute__((visibility("default"))) mx::engine::Backend* mx_cuda_make_v1(
    const char* dir, const mx::engine::ModelConfig* config, uint64_t seed, int device, char** error) {
  try {
    auto b = dir ? mx::engine::makeCudaBackend(dir, device)
                 : mx::engine::makeRandomCudaBackend(*config, seed, device);
    return b.release();
  } catch (const std::exception& e) {
    *error = strdup(e.what());
    return nullptr;
  }
}

}  // extern "C"
