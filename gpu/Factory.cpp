// Factory.cpp — the public entry points of mx/engine/CudaBackend.h: device checks, then load.
#include <string>

#include "CudaBackend.h"
#include "CudaCheck.h"
#include "mx/engine/CudaBackend.h"

namespace mx::engine {
namespace {

void selectDevice(int deviceIndex) {
  std::string why;
  if (!cudaAvailable(why)) throw std::runtime_error("cuda backend: " + why);
  int count = 0;
  MX_CUDA_CHECK(cudaGetDeviceCount(&count));
  if (deviceIndex < 0 || deviceIndex >= count)
    throw std::runtime_error("cuda backend: device " + std::to_string(deviceIndex) +
                             " does not exist (" + std::to_string(count) + " present)");
  MX_CUDA_CHECK(cudaSetDevice(deviceIndex));
}

}  // namespace

bool cudaAvailable(std::string& why) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    why = std::string("no usable GPU: ") + cudaGetErrorName(e) + ": " + cudaGetErrorString(e);
    return false;
  }
  if (count == 0) {
    why = "no GPU present";
    return false;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
    why = "cannot query GPU 0";
    return false;
  }
  if (prop.major != 9 || prop.minor != 0) {  // sm_90a code runs on compute capability 9.0 only
    why = std::string(prop.name) + " has compute capability " + std::to_string(prop.major) + "." +
          std::to_string(prop.minor) + "; this build's kernels target sm_90a (H100/H200)";
    return false;
  }
  return true;
}

std::unique_ptr<Backend> makeCudaBackend(const std::filesystem::path& modelDir, int deviceIndex) {
  ModelConfig config = ModelConfig::load(modelDir);
  TensorStore store = TensorStore::openDir(modelDir);
  selectDevice(deviceIndex);
  gpu::CudaWeights weights = gpu::loadCudaWeights(store, config);
  return std::make_unique<gpu::CudaBackend>(std::move(config), std::move(weights), deviceIndex);
}

std::unique_ptr<Backend> makeRandomCudaBackend(const ModelConfig& config, uint64_t seed, int deviceIndex) {
  selectDevice(deviceIndex);
  gpu::CudaWeights weights = gpu::randomCudaWeights(config, seed);
  return std::make_unique<gpu::CudaBackend>(config, std::move(weights), deviceIndex);
}

}  // namespace mx::engine
