// KvCache.h — the CPU backend's paged key/value memory.
//
// Layout: block → layer → {key, value} → kv head → keys [headDim][blockSize] (transposed),
// values [blockSize][headDim]. A block is one contiguous slab across all layers, so copy-on-write
// of a shared prefix block is one memcpy. Keys are stored transposed so that q·kᵀ over a block is
// a vector loop over positions (no horizontal sums per dot product); values stay row-major since
// p·v is a vector loop over head dimensions.
#pragma once

#include <cstdint>

#include "Gemm.h"

namespace mx::engine::cpu {

class KvCache {
 public:
  KvCache(int layers, int kvHeads, int headDim) : layers_(layers), kvHeads_(kvHeads), headDim_(headDim) {}

  /// Drops the old contents. Throws std::runtime_error when the size overflows or memory is short.
  void allocate(int32_t numBlocks, int32_t blockSize);
  /// Throws std::out_of_range for a block id outside the cache.
  void copyBlock(int32_t from, int32_t to);

  int32_t numBlocks() const { return numBlocks_; }
  int32_t blockSize() const { return blockSize_; }
  /// Keys (value: false, [headDim][blockSize]) or values (value: true, [blockSize][headDim]) of
  /// one head in one block.
  float* rows(int32_t block, int layer, bool value, int head) {
    return data_.data() + block * blockFloats_ +
           ((int64_t(layer) * 2 + value) * kvHeads_ + head) * blockSize_ * headDim_;
  }
  const float* rows(int32_t block, int layer, bool value, int head) const {
    return const_cast<KvCache*>(this)->rows(block, layer, value, head);
  }

 private:
  int layers_, kvHeads_, headDim_;
  int32_t numBlocks_ = 0, blockSize_ = 0;
  int64_t blockFloats_ = 0;
  AlignedFloats data_;
};

}  // namespace mx::engine::cpu
