// KvCache.cpp — allocation and block copies of the paged key/value memory.
#include "KvCache.h"

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace mx::engine::cpu {

void KvCache::allocate(int32_t numBlocks, int32_t blockSize) {
  if (numBlocks < 0 || blockSize <= 0)
    throw std::runtime_error("KV cache: need numBlocks >= 0 and blockSize > 0, got " +
                             std::to_string(numBlocks) + " and " + std::to_string(blockSize));
  int64_t perBlock = 0, total = 0;
  if (__builtin_mul_overflow(int64_t(layers_) * 2 * kvHeads_ * headDim_, int64_t(blockSize),
                             &perBlock) ||
      __builtin_mul_overflow(perBlock, int64_t(numBlocks), &total) || total > (int64_t(1) << 40))
    throw std::runtime_error("KV cache: " + std::to_string(numBlocks) + " blocks of " +
                             std::to_string(blockSize) + " positions is too large");
  data_ = AlignedFloats();  // free the old cache before taking the new one
  try {
    data_ = AlignedFloats(size_t(total));
  } catch (const std::bad_alloc&) {
    throw std::runtime_error("KV cache: cannot allocate " + std::to_string(total * 4 >> 20) +
                             " MiB");
  }
  numBlocks_ = numBlocks;
  blockSize_ = blockSize;
  blockFloats_ = perBlock;
}

void KvCache::copyBlock(int32_t from, int32_t to) {
  if (from < 0 || from >= numBlocks_ || to < 0 || to >= numBlocks_)
    throw std::out_of_range("KV cache: copyBlock(" + std::to_string(from) + ", " +
                            std::to_string(to) + ") outside " + std::to_string(numBlocks_) +
                            " blocks");
  if (from == to) return;
  std::memcpy(data_.data() + to * blockFloats_, data_.data() + from * blockFloats_,
              size_t(blockFloats_) * sizeof(float));
}

}  // namespace mx::engine::cpu
