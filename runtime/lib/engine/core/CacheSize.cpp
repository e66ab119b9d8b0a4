// CacheSize.cpp — the default KV-cache size (CacheSize.h).
#include "CacheSize.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace mx::engine::core {

int32_t chooseBlockCount(const Backend& backend, const EngineOptions& options) {
  if (options.numBlocks > 0) return options.numBlocks;
  const ModelConfig& config = backend.config();
  const int64_t blockSize = options.blockSize;
  const int64_t perSequence =
      std::max<int64_t>((int64_t(config.maxPositions) + blockSize - 1) / blockSize, 1);
  if (const int32_t limit = backend.cacheBlockLimit(options.blockSize, options.maxBatchTokens)) {
    if (limit < perSequence) {
      throw std::runtime_error(
          backend.name() + " backend: room for " + std::to_string(limit) + " KV-cache blocks of " +
          std::to_string(blockSize) + " positions; one sequence of the model's full context (" +
          std::to_string(config.maxPositions) + " positions) needs " + std::to_string(perSequence) +
          ": free device memory or use a smaller model");
    }
    // No more than every running sequence at full context twice over (the rest is room for
    // cached prefixes): a small model would otherwise take the whole card, leaving none for
    // another model of the same run.
    const int64_t enough = 2 * int64_t(std::max(options.maxBatchSeqs, 1)) * perSequence;
    return int32_t(std::min<int64_t>(limit, enough));
  }
  int64_t wanted = int64_t(std::max(options.maxBatchSeqs, 1)) * perSequence;
  // Keys and values, every layer, fp32: the widest a backend stores them.
  const int64_t bytesPerBlock =
      2 * int64_t(config.numLayers) * config.numKvHeads * config.headDim * 4 * blockSize;
  if (bytesPerBlock > 0) wanted = std::min(wanted, kDefaultCacheBytes / bytesPerBlock);
  return int32_t(std::clamp<int64_t>(wanted, 1, std::numeric_limits<int32_t>::max()));
}

}  // namespace mx::engine::core
