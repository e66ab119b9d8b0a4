// SharedMemoryOptIn.cuh — the opt-in to more than 48 KiB of dynamic shared memory, which CUDA
// keeps per kernel and per device: engine replicas on several GPUs each need their own (a
// once-per-process flag made every launch on the second GPU fail with an invalid argument).
#pragma once

#include <atomic>
#include <cstdint>

#include "../CudaCheck.h"

namespace mx::gpu {

/// Lets `kernel` launch with up to `bytes` of dynamic shared memory on the current device. The
/// driver call is made once per device; `done` is the kernel's own set of devices so far.
template <class Kernel>
void allowSharedMemory(Kernel* kernel, int bytes, std::atomic<uint64_t>& done) {
  int device = 0;
  MX_CUDA_CHECK(cudaGetDevice(&device));
  const uint64_t bit = device < 64 ? uint64_t(1) << device : 0;
  if (bit != 0 && (done.load(std::memory_order_acquire) & bit) != 0) return;
  MX_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes));
  done.fetch_or(bit, std::memory_order_acq_rel);
}

}  // namespace mx::gpu
