// Plugin.cpp — the CUDA backend as libmx_cuda.so, opened by `mx` only when a CUDA backend is
// asked for (runtime/lib/engine/CudaLoader.cpp). Loading cuBLAS costs ~0.5 s of start-up in its
// static initialisers, which every `mx` command would otherwise pay, GPU or not.
#include <cstring>
#include <cstdlib>

#include "mx/engine/CudaBackend.h"

extern "C" {

/// 1 when a usable GPU is present; else 0 and `*why` (malloc'd) says why.
__attribute__((visibility("default"))) int mx_cuda_available_v1(char** why) {
  std::string reason;
  if (mx::engine::cudaAvailable(reason)) return 1;
  *why = strdup(reason.c_str());
  return 0;
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
