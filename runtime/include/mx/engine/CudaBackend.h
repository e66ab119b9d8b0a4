// CudaBackend.h — the CUDA backend of the engine (gpu/, issue 5): bf16 weights, cuBLAS GEMMs and
// custom kernels over a paged bf16 KV cache. Declared always; defined only in builds with the
// mx_cuda library (CMake sets MX_HAVE_CUDA for the targets that link it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "mx/engine/Backend.h"

namespace mx::engine {

/// True when a GPU this build can run on is present (compute capability 9.0: the kernels are
/// compiled for sm_90a). Otherwise false, with the reason in `why` (no device, driver too old
/// for the CUDA runtime, another architecture).
bool cudaAvailable(std::string& why);

/// How many GPUs this build can run on are visible (CUDA_VISIBLE_DEVICES picks them): devices
/// 0..n-1, counting up to the first of another compute capability. 0, with the reason in `why`,
/// when there is none. Defined by the plugin loader (runtime/lib/engine/cuda/CudaLoader.cpp)
/// and inside the plugin (gpu/Plugin.cpp), not by the mx_cuda library itself.
int cudaDeviceCount(std::string& why);

/// How many GPUs get an engine replica when `asked` for (0: every usable one). Throws
/// std::runtime_error when none is usable or fewer than asked. Defined by the loader only.
int cudaDevicesToUse(int asked);

/// The CUDA backend over a Hugging Face model folder, on GPU `deviceIndex`. Throws
/// std::runtime_error naming the file/tensor at fault, or the bytes of GPU memory needed and free.
std::unique_ptr<Backend> makeCudaBackend(const std::filesystem::path& modelDir, int deviceIndex = 0);

/// The CUDA backend with seeded random weights of `config`'s shape (generated on the GPU):
/// throughput benchmarks only.
std::unique_ptr<Backend> makeRandomCudaBackend(const ModelConfig& config, uint64_t seed,
                                               int deviceIndex = 0);

}  // namespace mx::engine
