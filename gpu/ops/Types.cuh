// Types.cuh — element types and the paged KV cache's layout, shared by the ops and the backend.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace mx::gpu {

using bf16 = __nv_bfloat16;

/// The KV cache: block → layer → {key, value} → kv head → [blockSize][headDim] bf16. A block is
/// one contiguous slab across all layers, so copy-on-write of a prefix block is one memcpy, and
/// a head's positions within a block are contiguous rows (128 bytes at headDim 64) for the
/// attention kernel's vector loads.
struct KvLayout {
  int layers = 0, kvHeads = 0, headDim = 0, blockSize = 0;

  __host__ __device__ size_t offset(int64_t block, int layer, int value, int head) const {
    return ((size_t(block) * layers + layer) * 2 + value) * kvHeads * size_t(blockSize) * headDim +
           size_t(head) * blockSize * headDim;
  }
  __host__ __device__ size_t blockElements() const {
    return size_t(layers) * 2 * kvHeads * blockSize * headDim;
  }
};

}  // namespace mx::gpu
