// Types.cuh — element types and the paged KV cache's layout, shared by the ops and the backend.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace mx::gpu {

using bf16 = __nv_bfloat16;

/// The KV cache: layer → block → {key, value} → kv head → [blockSize][headDim] bf16. Layer-major,
/// so one layer's attention reads within that layer's slab (1/layers of the cache): with layers
/// interleaved inside each block, every layer's reads spanned the whole cache, GBs at batch 256,
/// and decode attention ran at half the bandwidth (TLB reach). Within a block a head's positions
/// are contiguous rows (128 bytes at headDim 64) for the kernels' vector loads. A block id names
/// the same block in every layer, so copy-on-write of a block is one strided copy.
struct KvLayout {
  int layers = 0, kvHeads = 0, headDim = 0, blockSize = 0;
  int64_t numBlocks = 0;  // blocks per layer

  /// One block of one layer: keys and values of every kv head.
  __host__ __device__ size_t layerBlockElements() const { return size_t(2) * kvHeads * blockSize * headDim; }
  __host__ __device__ size_t offset(int64_t block, int layer, int value, int head) const {
    return (size_t(layer) * numBlocks + block) * layerBlockElements() +
           (size_t(value) * kvHeads + head) * size_t(blockSize) * headDim;
  }
  /// One block across all layers: what a block costs.
  __host__ __device__ size_t blockElements() const { return size_t(layers) * layerBlockElements(); }
};

}  // namespace mx::gpu
