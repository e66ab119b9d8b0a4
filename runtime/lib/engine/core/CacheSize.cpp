// CacheSize.cpp — the default KV-cache size (CacheSize.h).
#include "CacheSize.h"

#include <algorithm>
#include <limits>

namespace mx::engine::core {

int32_t chooseBlockCount(const ModelConfig& config, const EngineOptions& options) {
  if (options.numBlocks > 0) return options.numBlocks;
  const int64_t blockSize = options.blockSize;
  const int64_t perSequence = (int64_t(config.maxPositions) + blockSize - 1) / blockSize;
  int64_t wanted = int64_t(std::max(options.maxBatchSeqs, 1)) * std::max<int64_t>(perSequence, 1);
  // Keys and values, every layer, fp32: the widest a backend stores them.
  const int64_t bytesPerBlock =
      2 * int64_t(config.numLayers) * config.numKvHeads * config.headDim * 4 * blockSize;
  if (bytesPerBlock > 0) wanted = std::min(wanted, kDefaultCacheBytes / bytesPerBlock);
  return int32_t(std::clamp<int64_t>(wanted, 1, std::numeric_limits<int32_t>::max()));
}

}  // namespace mx::engine::core
